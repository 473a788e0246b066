/**
 * A small fleet that holds every case the audit must get right, built from real certificates, plus the
 * outcome each case must have. Shared by the CLI and handler integration tests.
 */

import { X509Certificate } from 'node:crypto';
import { generateAliyunCdnFleet, generateUcloudFleet } from '../../emulator/fleet/generate';
import type {
  AliyunCdnCertificate,
  AliyunSlbCertificate,
  Fleet,
  UcloudFleetCertificate,
} from '../../emulator/fleet/model';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import type { Status } from '../../lib/model';

export const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;

/** Canary credentials: they must never appear in any output. */
export const ACCOUNT = { PublicKey: 'canary-public-7f3a9', PrivateKey: 'canary-private-e41c0b' };

export interface Expectation {
  status: Status;
  expirySource: string;
  inUse: boolean | null;
}

const bound = [
  {
    LoadBalancerId: 'ulb-web',
    LoadBalancerName: 'web',
    ListenerId: 'vserver-443',
    ListenerName: 'https',
    IsDefault: true,
  },
];

function entry(
  SSLId: string,
  Region: string,
  ProjectId: string,
  pem: string,
  extra: Partial<UcloudFleetCertificate> = {},
): UcloudFleetCertificate {
  return {
    Region,
    ProjectId,
    SSLId,
    SSLName: SSLId,
    SSLType: 'Pem',
    SSLContent: pem,
    Relations: bound,
    ...extra,
  };
}

export function auditFleet(fillerCount = 230): { fleet: Fleet; expected: Map<string, Expectation> } {
  const seconds = makeTestCertificate({
    keyType: 'rsa',
    notAfter: NOW + 20 * DAY,
    dnsNames: ['seconds.example'],
  });
  const millis = makeTestCertificate({
    keyType: 'ec',
    notAfter: NOW + 3 * DAY,
    dnsNames: ['millis.example'],
  });
  const pemOnly = makeTestCertificate({
    keyType: 'ec',
    notAfter: NOW + 100 * DAY,
    includeKey: true,
    dnsNames: ['pem-only.example'],
  });
  const shortIntermediate = makeTestCertificate({
    keyType: 'rsa',
    notAfter: NOW + 300 * DAY,
    intermediateNotAfter: NOW + 5 * DAY,
    dnsNames: ['intermediate.example'],
  });
  const expired = makeTestCertificate({
    keyType: 'ec',
    notAfter: NOW - 2 * DAY,
    dnsNames: ['expired.example'],
  });
  const unbound = makeTestCertificate({
    keyType: 'ec',
    notAfter: NOW + 60 * DAY,
    dnsNames: ['unbound.example'],
  });
  const cases: UcloudFleetCertificate[] = [
    entry('ssl-seconds', 'cn-bj2', 'org-a', seconds.pem, { NotAfter: seconds.notAfterMs / 1000 }),
    entry('ssl-millis', 'cn-bj2', 'org-b', millis.pem, { NotAfter: millis.notAfterMs }),
    entry('ssl-pem-only', 'cn-sh2', 'org-a', pemOnly.pem, { NotAfter: 0 }),
    entry('ssl-intermediate', 'cn-sh2', 'org-b', shortIntermediate.pem, {
      NotAfter: shortIntermediate.notAfterMs / 1000,
    }),
    entry('ssl-expired', 'hk', 'org-a', expired.pem, { NotAfter: expired.notAfterMs / 1000 }),
    entry('ssl-unbound', 'hk', 'org-b', unbound.pem, { Relations: [] }),
  ];
  const expected = new Map<string, Expectation>([
    ['ssl-seconds', { status: 'warning', expirySource: 'pem:leaf', inUse: true }],
    ['ssl-millis', { status: 'critical', expirySource: 'pem:leaf', inUse: true }],
    ['ssl-pem-only', { status: 'ok', expirySource: 'pem:leaf', inUse: true }],
    ['ssl-intermediate', { status: 'critical', expirySource: 'pem:intermediate', inUse: true }],
    ['ssl-expired', { status: 'expired', expirySource: 'pem:leaf', inUse: true }],
    ['ssl-unbound', { status: 'ok', expirySource: 'pem:leaf', inUse: false }],
  ]);
  // Enough certificates in one region and project to need three pages of 100.
  const filler = generateUcloudFleet({
    count: fillerCount,
    seed: 7,
    now: NOW,
    regions: ['cn-bj2'],
    projects: ['org-a'],
  });
  return {
    fleet: {
      ucloud: {
        accounts: [{ ...ACCOUNT, Projects: ['org-a', 'org-b'] }],
        certificates: [...cases, ...filler],
      },
    },
    expected,
  };
}

/**
 * A UCloud certificate (bound to a listener, in cn-sh2 / org-a) whose expiry nobody can know: no NotAfter, and
 * SSLContent that holds no PEM, so certwatch reports it `unknown`. Not part of auditFleet, whose certificates
 * other tests count: a test adds these to the fleet it serves.
 */
export function unknownExpiryCertificate(
  SSLId: string,
  extra: Partial<UcloudFleetCertificate> = {},
): UcloudFleetCertificate {
  return entry(SSLId, 'cn-sh2', 'org-a', 'no certificate here', extra);
}

/** The same certificate as UCloud serves it once its expiry can be read: a PEM ending at `notAfterMs`, and NotAfter. */
export function withKnownExpiry(
  certificate: UcloudFleetCertificate,
  notAfterMs: number,
): UcloudFleetCertificate {
  const pem = makeTestCertificate({
    keyType: 'ec',
    notAfter: notAfterMs,
    dnsNames: [`${certificate.SSLId}.example`],
  });
  return { ...certificate, SSLContent: pem.pem, NotAfter: pem.notAfterMs / 1000 };
}

/** The environment that points certwatch at an emulator holding `auditFleet`. */
export function auditEnv(ucloudUrl: string): Record<string, string> {
  return {
    UCLOUD_PUBLIC_KEY: ACCOUNT.PublicKey,
    UCLOUD_PRIVATE_KEY: ACCOUNT.PrivateKey,
    UCLOUD_REGIONS: 'cn-bj2,cn-sh2,hk',
    UCLOUD_PROJECT_IDS: 'org-a,org-b',
    UCLOUD_API_URL: ucloudUrl,
  };
}

export const ALIYUN_ACCOUNT = { AccessKeyId: 'canary-akid-51f0', AccessKeySecret: 'canary-aksecret-9e2d7c' };

/** Colon-separated lowercase SHA-1 of a PEM's first certificate, as SLB reports it. */
function slbFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint.toLowerCase();
}

/**
 * Every Alibaba case the audit must get right, beside the UCloud ones (an SLB certificate known only by its
 * fingerprint takes its expiry from the UCloud `ssl-seconds` twin). `cdnFiller` extra CDN certificates make the
 * list span pages of 1000.
 */
export function aliyunAuditFleet(cdnFiller = 0): { fleet: Fleet; expected: Map<string, Expectation> } {
  const { fleet, expected } = auditFleet(0);
  const twin = fleet.ucloud!.certificates.find((c) => c.SSLId === 'ssl-seconds')!;
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
  const goLayout = (ms: number) => iso(ms).replace('T', ' ').replace('Z', ' +0000 UTC');
  const cdn = (
    CertId: number,
    notAfter: number,
    extra: Partial<AliyunCdnCertificate> = {},
  ): AliyunCdnCertificate => {
    const cert = makeTestCertificate({ keyType: 'rsa', notAfter, dnsNames: [`cdn${CertId}.example`] });
    return {
      CertId,
      CertName: `cdn-${CertId}`,
      Common: `cdn${CertId}.example`,
      CertType: 'upload',
      CertExpireTime: goLayout(cert.notAfterMs),
      DomainList: `cdn${CertId}.example`,
      HttpsCrt: cert.pem,
      Fingerprint: new X509Certificate(cert.leafPem).fingerprint.replaceAll(':', ''),
      ...extra,
    };
  };
  const cdnCases = [
    cdn(101, NOW + 20 * DAY),
    cdn(102, NOW + 3 * DAY, { CertExpireTime: iso(NOW + 3 * DAY) }),
    cdn(103, NOW + 100 * DAY, {
      CertExpireTime: iso(NOW + 100 * DAY)
        .replace('T', ' ')
        .replace('Z', ''),
    }),
    cdn(104, NOW - 2 * DAY, { CertExpireTime: undefined }),
    cdn(105, NOW + 60 * DAY, { CertExpireTime: 'unknown' }),
    cdn(106, NOW + 5 * DAY, { CertExpireTime: goLayout(NOW + 300 * DAY) }),
    cdn(107, NOW + 90 * DAY, { DomainList: '' }),
  ];
  const slbBase = {
    RegionId: 'cn-hangzhou',
    Fingerprint: `${'00'.repeat(19).replace(/(..)(?!$)/g, '$1:')}:01`,
  };
  const slbCases: AliyunSlbCertificate[] = [
    {
      ...slbBase,
      ServerCertificateId: 'slb-stamp',
      ServerCertificateName: 'slb-stamp',
      ExpireTimeStamp: NOW + 25 * DAY,
      ExpireTime: iso(NOW + 25 * DAY),
      CommonName: 'lb.example',
    },
    {
      ...slbBase,
      RegionId: 'cn-shanghai',
      ServerCertificateId: 'slb-iso',
      ServerCertificateName: 'slb-iso',
      ExpireTime: iso(NOW - 1 * DAY),
      CommonName: 'old.example',
    },
    {
      ...slbBase,
      ServerCertificateId: 'slb-twin',
      ServerCertificateName: 'slb-twin',
      Fingerprint: slbFingerprint(twin.SSLContent),
    },
    {
      ...slbBase,
      RegionId: 'cn-shanghai',
      ServerCertificateId: 'slb-orphan',
      ServerCertificateName: 'slb-orphan',
      // A SHA-1 no certificate of the fleet has (slbBase's is slb-stamp's, and the same SHA-1 is one certificate).
      Fingerprint: `${'00'.repeat(19).replace(/(..)(?!$)/g, '$1:')}:0f`,
    },
  ];
  const filler = cdnFiller > 0 ? generateAliyunCdnFleet({ count: cdnFiller, seed: 11, now: NOW }) : [];
  fleet.aliyun = {
    accounts: [ALIYUN_ACCOUNT],
    cdn: { certificates: [...cdnCases, ...filler.map((c, i) => ({ ...c, CertId: 900_000 + i }))] },
    slb: { certificates: slbCases },
  };
  const more: [string, Expectation][] = [
    ['101', { status: 'warning', expirySource: 'pem:leaf', inUse: true }],
    ['102', { status: 'critical', expirySource: 'pem:leaf', inUse: true }],
    ['103', { status: 'ok', expirySource: 'pem:leaf', inUse: true }],
    ['104', { status: 'expired', expirySource: 'pem:leaf', inUse: true }],
    ['105', { status: 'ok', expirySource: 'pem:leaf', inUse: true }],
    ['106', { status: 'critical', expirySource: 'pem:leaf', inUse: true }],
    ['107', { status: 'ok', expirySource: 'pem:leaf', inUse: false }],
    ['slb-stamp', { status: 'warning', expirySource: 'api:ExpireTimeStamp', inUse: null }],
    ['slb-iso', { status: 'expired', expirySource: 'api:ExpireTime', inUse: null }],
    ['slb-twin', { status: 'warning', expirySource: 'fingerprint:ucloud/ulb ssl-seconds', inUse: null }],
    ['slb-orphan', { status: 'unknown', expirySource: 'none', inUse: null }],
  ];
  return { fleet, expected: new Map([...expected, ...more]) };
}

/** The environment for both clouds on one emulator. */
export function allCloudsEnv(emulator: {
  ucloudUrl: string;
  cdnUrl: string;
  slbUrl: string;
  casUrl: string;
}): Record<string, string> {
  return {
    ...auditEnv(emulator.ucloudUrl),
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_CDN_ENDPOINT: emulator.cdnUrl,
    ALIBABA_CLOUD_SLB_ENDPOINT: emulator.slbUrl,
    // The audit fleets hold no CAS certificates: CAS is pointed at the emulator but not scanned here
    // (test/integration/cas.test.ts scans it).
    ALIBABA_CLOUD_CAS_ENDPOINT: emulator.casUrl,
    ALIBABA_CLOUD_SCAN_CAS: 'false',
    ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou,cn-shanghai',
  };
}
