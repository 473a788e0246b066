/**
 * A small fleet that holds every case the audit must get right, built from real certificates, plus the
 * outcome each case must have. Shared by the CLI and handler integration tests.
 */

import { generateUcloudFleet } from '../../emulator/fleet/generate';
import type { Fleet, UcloudFleetCertificate } from '../../emulator/fleet/model';
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
  const seconds = makeTestCertificate({ keyType: 'rsa', notAfter: NOW + 20 * DAY });
  const millis = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 3 * DAY });
  const pemOnly = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 100 * DAY, includeKey: true });
  const shortIntermediate = makeTestCertificate({
    keyType: 'rsa',
    notAfter: NOW + 300 * DAY,
    intermediateNotAfter: NOW + 5 * DAY,
  });
  const expired = makeTestCertificate({ keyType: 'ec', notAfter: NOW - 2 * DAY });
  const unbound = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 60 * DAY });
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
