/**
 * Seeded fleets of UCloud ULB, Alibaba Cloud CDN and Alibaba Cloud SLB certificates with real, verifiable PEM
 * chains. The three share the leaf recipe (expiry spread, lifetimes, names, issuers) and the key pool.
 *
 * Everything a reader compares — ids, names, domains, validity, wire units, bindings, chain shape — is a pure
 * function of the options. The key material is not: keys come from a per-process pool and ECDSA signatures are
 * randomised, so PEM bytes (and HashValue, their MD5) differ between processes. Cache a fleet on disk
 * (./file.ts) when the bytes must stay put.
 */
import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { DEFAULT_ALIYUN_ACCOUNT_ID, RESOURCE_DIRECTORY_ROLE } from '../aliyun/accounts';
import { ALIYUN_ACCOUNT_UID, isoSeconds } from '../aliyun/slb';
import { DEFAULT_ALIYUN_ACCOUNT } from '../aliyun/store';
import { colonFingerprint } from '../aliyun/uploadedCertificate';
import { type IssuedCertificate, issueCertificate, toWholeSeconds } from '../x509/certificate';
import { type KeyType, type PooledKey, pooledKey } from '../x509/keys';
import type {
  AliyunAccount,
  AliyunAccountResources,
  AliyunCasCertificate,
  AliyunCasDeployment,
  AliyunCdnCertificate,
  AliyunHttpsDomain,
  AliyunListener,
  AliyunLoadBalancer,
  AliyunMemberAccount,
  AliyunSlbCertificate,
  Fleet,
  UcloudFleetCertificate,
  UcloudRelation,
} from './model';

export interface UcloudFleetOptions {
  count: number;
  seed: number;
  /** The clock the expiry spread is laid around, epoch milliseconds. */
  now: number;
  regions: string[];
  projects: string[];
}

/** Bump when the same options would generate a different fleet, so cached fleets are not reused. */
export const UCLOUD_FLEET_GENERATOR_VERSION = 1;

const SECOND_MS = 1000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/** Leaves reuse this many keys of each type: RSA key generation is what would otherwise dominate. */
const LEAF_KEYS_PER_TYPE = 4;

/** Generates `count` certificates spread over the regions × projects, deterministically from the seed. */
export function generateUcloudFleet(options: UcloudFleetOptions): UcloudFleetCertificate[] {
  const { count, now, regions, projects } = options;
  checkCountAndClock(count, now);
  if (regions.length === 0 || projects.length === 0) {
    throw new RangeError('regions and projects must not be empty');
  }
  const random = new SeededRandom(options.seed);
  const ids = new UniqueIds(random);
  const context: FleetContext = {
    ...options,
    random,
    ids,
    authorities: createAuthorities(random, now),
    listeners: new ListenerPool(random, ids),
  };
  return Array.from({ length: count }, () => generateCertificate(context));
}

/** The generator's state while one fleet is made; the random stream is consumed in a fixed order. */
interface FleetContext extends UcloudFleetOptions {
  random: SeededRandom;
  ids: UniqueIds;
  authorities: Authorities;
  listeners: ListenerPool;
}

function generateCertificate(context: FleetContext): UcloudFleetCertificate {
  const { random, now, authorities, ids, listeners, regions, projects } = context;
  const region = random.pick(regions);
  const projectId = random.pick(projects);
  const { leaf, leafKey, issuer, names, notBefore, notAfter } = issueLeaf(random, now, authorities);
  const blocks = [leaf.pem, issuer.pem];
  if (random.chance(0.15)) blocks.push(issuer.rootPem);
  if (random.chance(0.1)) {
    // UCloud stores whatever was pasted: the key usually comes last, sometimes first.
    if (random.chance(0.75)) blocks.push(leafKey.privateKeyPem);
    else blocks.unshift(leafKey.privateKeyPem);
  }
  const content = blocks.join('');

  const certificate: UcloudFleetCertificate = {
    Region: region,
    ProjectId: projectId,
    SSLId: ids.next('ssl-'),
    SSLName: sslName(random, names, notBefore),
    SSLType: 'Pem',
    SSLContent: content,
    CreateTime: Math.floor((notBefore + random.next() * Math.min(3 * DAY_MS, now - notBefore)) / SECOND_MS),
    HashValue: createHash('md5').update(content).digest('hex'),
    SSLSource: 0,
    Domains: names.commonName,
    DNSNames: names.dnsNames.join(','),
  };
  if (random.chance(0.15)) {
    // SSLSource 1: the certificate was pushed from UCloud's certificate service (USSL).
    certificate.SSLSource = 1;
    certificate.USSLId = ids.next('ussl-');
  }
  // The wire carries validity in seconds or milliseconds, or not at all; then only the PEM knows.
  const unit = random.weighted([
    { weight: 60, value: 'seconds' },
    { weight: 20, value: 'milliseconds' },
    { weight: 10, value: 'absent' },
    { weight: 10, value: 'zero' },
  ] as const);
  if (unit === 'seconds') {
    certificate.NotBefore = notBefore / SECOND_MS;
    certificate.NotAfter = notAfter / SECOND_MS;
  } else if (unit === 'milliseconds') {
    certificate.NotBefore = notBefore;
    certificate.NotAfter = notAfter;
  } else if (unit === 'zero') {
    certificate.NotBefore = 0;
    certificate.NotAfter = 0;
  }
  const relations = listeners.bind(`${region}/${projectId}`);
  if (relations.length > 0 || random.chance(0.5)) certificate.Relations = relations;
  return certificate;
}

export interface AliyunCdnFleetOptions {
  count: number;
  seed: number;
  /** The clock the expiry spread is laid around, epoch milliseconds. */
  now: number;
}

export interface AliyunSlbFleetOptions {
  count: number;
  seed: number;
  /** The clock the expiry spread is laid around, epoch milliseconds. */
  now: number;
  regions: string[];
  /**
   * PEM chains held elsewhere in the same fleet (CDN HttpsCrt, UCloud SSLContent). About half of the entries in
   * the old API shape (no expiry fields) reuse one, so that only matching the Fingerprint tells their expiry. Only
   * the CERTIFICATE blocks are copied: UCloud contents may carry a private key, which SLB never holds.
   */
  sharedCertificates?: readonly string[];
}

/** Bump when the same options would generate a different Alibaba fleet, so cached fleets are not reused. */
export const ALIYUN_FLEET_GENERATOR_VERSION = 1;

/** The CertExpireTime layouts CDN is documented or seen to use, and the broken ones a scan must survive. */
type CdnTimeLayout = 'go' | 'iso' | 'plain' | 'absent' | 'garbage';

const CDN_TIME_LAYOUTS: readonly { weight: number; value: CdnTimeLayout }[] = [
  // `2098-02-08 08:02:07 +0000 UTC`: Go's time.String(), the documented example.
  { weight: 50, value: 'go' },
  { weight: 20, value: 'iso' },
  { weight: 15, value: 'plain' },
  { weight: 10, value: 'absent' },
  { weight: 5, value: 'garbage' },
];
const CDN_GARBAGE_TIMES = ['unknown', 'N/A', 'invalid date', '-'];

/**
 * Generates `count` Alibaba CDN certificates, deterministically from the seed (apart from key material, as for
 * UCloud). The wire quirks a client must handle (CDN API docs; see emulator/fleet/model.ts):
 * - CertExpireTime ~50% Go layout `2026-12-01 08:00:00 +0000 UTC`, ~20% ISO `2026-12-01T08:00:00Z`, ~15%
 *   `2026-12-01 08:00:00` (UTC), ~10% absent, ~5% garbage (`unknown`); where it is a date it equals the PEM's
 *   notAfter, except ~2% that disagree by 2–30 days (the PEM is the truth).
 * - CreateTime (the leaf's notBefore) in the same layout; the Go layout when CertExpireTime has none.
 * - Fingerprint: hex SHA-1 of the leaf DER, upper or lower case at random, no separators.
 * - LastTime: the upload instant, ~70% in milliseconds (documented), ~30% in seconds (as examples look).
 * - DomainList: comma-separated, "" for ~10% (bound to no domain).
 * - HttpsCrt: leaf and intermediate, ~15% with the root too; never a key.
 */
export function generateAliyunCdnFleet(options: AliyunCdnFleetOptions): AliyunCdnCertificate[] {
  checkCountAndClock(options.count, options.now);
  const { count, now } = options;
  const random = new SeededRandom(options.seed);
  const authorities = createAuthorities(random, now);
  const certIds = new Set<number>();
  const certNames = new Set<string>();
  return Array.from({ length: count }, () => {
    const { leaf, issuer, names, notBefore, notAfter } = issueLeaf(random, now, authorities);
    const blocks = [leaf.pem, issuer.pem];
    if (random.chance(0.15)) blocks.push(issuer.rootPem);

    let certId = random.integer(1_000_000, 19_999_999);
    while (certIds.has(certId)) certId = random.integer(1_000_000, 19_999_999);
    certIds.add(certId);
    const sha1 = createHash('sha1').update(leaf.der).digest('hex');
    const uploaded = toWholeSeconds(notBefore + random.next() * Math.min(3 * DAY_MS, now - notBefore));

    const layout = random.weighted(CDN_TIME_LAYOUTS);
    // Drawn for every certificate, so the layouts after it do not depend on whether it had a date.
    const skewDays = random.chance(0.02) ? random.pick([-1, 1]) * random.integer(2, 30) : 0;
    const domains = random.chance(0.1) ? [] : cdnDomains(random, names);
    const expireTime =
      layout === 'garbage'
        ? random.pick(CDN_GARBAGE_TIMES)
        : layout === 'absent'
          ? undefined
          : cdnTime(notAfter + skewDays * DAY_MS, layout);

    const certificate: AliyunCdnCertificate = {
      CertId: certId,
      CertName: uniqueName(sslName(random, names, notBefore), certNames),
      Common: names.commonName,
      Fingerprint: random.chance(0.5) ? sha1.toUpperCase() : sha1,
      Issuer: issuer.commonName,
      CertRegion: random.weighted([
        { weight: 85, value: 'cn-hangzhou' },
        { weight: 15, value: 'ap-southeast-1' },
      ]),
      LastTime: random.chance(0.7) ? uploaded : uploaded / SECOND_MS,
      CertType: random.weighted([
        { weight: 60, value: 'upload' },
        { weight: 30, value: 'cas' },
        { weight: 10, value: 'free' },
      ] as const),
      CreateTime: cdnTime(notBefore, layout === 'iso' || layout === 'plain' ? layout : 'go'),
      ...(expireTime === undefined ? {} : { CertExpireTime: expireTime }),
      DomainList: domains.join(','),
      HttpsCrt: blocks.join(''),
    };
    return certificate;
  });
}

function cdnTime(epochMs: number, layout: 'go' | 'iso' | 'plain'): string {
  const iso = new Date(epochMs).toISOString().slice(0, 19);
  if (layout === 'iso') return `${iso}Z`;
  const spaced = iso.replace('T', ' ');
  return layout === 'go' ? `${spaced} +0000 UTC` : spaced;
}

/** Hosts a CDN serves with this certificate: concrete names, never the wildcard itself. */
function cdnDomains(random: SeededRandom, names: LeafNames): string[] {
  if (names.service === 'wildcard') {
    const zone = names.dnsNames[1] ?? names.commonName.slice(2);
    const hosts = new Set<string>();
    for (let wanted = random.integer(1, 3); wanted > 0; wanted--)
      hosts.add(`${random.pick(SERVICES)}.${zone}`);
    return [...hosts];
  }
  return names.dnsNames.slice(0, random.integer(1, names.dnsNames.length));
}

/** CDN certificate names are unique per account: a repeat gets a numeric suffix. */
function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let suffix = 2; used.has(candidate); suffix++) candidate = `${name}-${suffix}`;
  used.add(candidate);
  return candidate;
}

export interface AliyunHttpsDomainFleetOptions {
  count: number;
  seed: number;
  /** The clock the expiry spread and Alibaba's CertStatus are laid around, epoch milliseconds. */
  now: number;
  /** DCDN documents only `cas` and `upload` certificates; CDN has `free` ones too. */
  product: 'CDN' | 'DCDN';
}

/** Alibaba's `expire_soon` threshold is undocumented: the emulator's fleets use 30 days. */
const EXPIRE_SOON_MS = 30 * DAY_MS;

/**
 * Generates `count` HTTPS domains of CDN or DCDN with their certificates' list fields, deterministically from the
 * seed (no PEM: the list carries none, so no key material either). Shapes (reference §5):
 * - CertExpireTime ~85% `yyyy-MM-dd HH:mm:ss` in Beijing time, ~10% ISO 8601 with `Z`, ~5% absent;
 *   CertStartTime the same layout, CertUpdateTime shortly after the start;
 * - CertStatus as Alibaba would say it at `now`: `expired`, `expire_soon` (30 days), else `ok`; ~5% `mismatch`
 *   (a certificate for another name: CertCommonName then differs from the domain);
 * - CertType `upload` / `cas` (and `free` on CDN, whose certificates are for the domain itself).
 */
export function generateAliyunHttpsDomains(options: AliyunHttpsDomainFleetOptions): AliyunHttpsDomain[] {
  checkCountAndClock(options.count, options.now);
  const { count, now, product } = options;
  const random = new SeededRandom(options.seed);
  const used = new Set<string>();
  const domains: AliyunHttpsDomain[] = [];
  for (let index = 0; index < count; index++) {
    const names = leafNames(random);
    const notAfter = leafNotAfter(random, now);
    const notBefore = notAfter - leafLifetime(random, notAfter - now);
    const host =
      names.service === 'wildcard'
        ? `${random.pick(SERVICES)}.${names.commonName.slice(2)}`
        : random.pick(names.dnsNames);
    const layout = random.weighted([
      { weight: 85, value: 'china' },
      { weight: 10, value: 'iso' },
      { weight: 5, value: 'absent' },
    ] as const);
    const mismatch = random.chance(0.05);
    const type = random.weighted([
      { weight: 55, value: 'upload' },
      { weight: 30, value: 'cas' },
      { weight: product === 'CDN' ? 15 : 0, value: 'free' },
    ] as const);
    // A host drawn before gets a numbered label in front: domain names are unique per account.
    let unique = host;
    for (let n = 2; used.has(unique); n++) unique = `s${n}.${host}`;
    used.add(unique);
    const commonName = mismatch ? `other-${unique}` : type === 'free' ? unique : names.commonName;
    const status = mismatch
      ? 'mismatch'
      : notAfter <= now
        ? 'expired'
        : notAfter - now <= EXPIRE_SOON_MS
          ? 'expire_soon'
          : 'ok';
    const time = (epochMs: number) => (layout === 'iso' ? isoSeconds(epochMs) : chinaTime(epochMs));
    domains.push({
      DomainName: unique,
      CertName: type === 'free' ? `free-${unique}` : sslName(random, names, notBefore),
      CertCommonName: commonName,
      CertType: type,
      CertStatus: status,
      ...(layout === 'absent' ? {} : { CertStartTime: time(notBefore), CertExpireTime: time(notAfter) }),
      CertUpdateTime: time(notBefore + HOUR_MS),
    });
  }
  return domains;
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8), as the CDN console shows times. */
export function chinaTime(epochMs: number): string {
  return new Date(epochMs + 8 * HOUR_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Generates `count` SLB server certificates spread over `regions`, deterministically from the seed and the shared
 * PEMs (apart from key material). Shapes, as DescribeServerCertificates returns them over the API's history (SLB
 * API docs; the 2017 doc lists only id, name, region and fingerprint):
 * - ~60% complete: ExpireTime (ISO 8601 UTC) and ExpireTimeStamp (ms), CommonName, SubjectAlternativeNames,
 *   CreateTime/CreateTimeStamp, ResourceGroupId, IsAliCloudCertificate (~10% 1, with the certificate service's id
 *   and name);
 * - ~20% the same without ExpireTime: only ExpireTimeStamp says when it expires;
 * - ~20% the old shape: RegionId, ServerCertificateId, ServerCertificateName, Fingerprint, nothing else. About half
 *   of these reuse a `sharedCertificates` PEM when some are given.
 * Fingerprint is always the colon-separated lowercase SHA-1 of the leaf DER. Every entry keeps its PEM (leaf and
 * intermediate, ~15% with the root) in ServerCertificate, which the API never returns.
 */
export function generateAliyunSlbFleet(options: AliyunSlbFleetOptions): AliyunSlbCertificate[] {
  checkCountAndClock(options.count, options.now);
  const { count, now, regions } = options;
  if (regions.length === 0) throw new RangeError('regions must not be empty');
  const shared = (options.sharedCertificates ?? []).map((pem, index) => readSharedCertificate(pem, index));
  const random = new SeededRandom(options.seed);
  const authorities = createAuthorities(random, now);
  const resourceGroups = [1, 2, 3].map(() => `rg-acfm${random.alphanumeric(11)}`);
  const ids = new Set<string>();
  const serverCertificateId = (createdMs: number) => {
    for (;;) {
      const id = `${ALIYUN_ACCOUNT_UID}_${createdMs.toString(16)}_${random.integer(1e9, 2 ** 31 - 1)}_${random.integer(1e5, 1e6 - 1)}`;
      if (!ids.has(id)) {
        ids.add(id);
        return id;
      }
    }
  };

  return Array.from({ length: count }, () => {
    const region = random.pick(regions);
    const shape = random.weighted([
      { weight: 60, value: 'complete' },
      { weight: 20, value: 'timestampOnly' },
      { weight: 20, value: 'old' },
    ] as const);
    const reuseDraw = random.next();
    const reused = shape === 'old' && shared.length > 0 && reuseDraw < 0.5 ? random.pick(shared) : undefined;
    if (reused) {
      const created = toWholeSeconds(
        reused.notBefore + random.next() * Math.min(3 * DAY_MS, now - reused.notBefore),
      );
      return {
        RegionId: region,
        ServerCertificateId: serverCertificateId(created),
        ServerCertificateName: reused.name,
        Fingerprint: reused.fingerprint,
        ServerCertificate: reused.pem,
      };
    }

    const { leaf, issuer, names, notBefore, notAfter } = issueLeaf(random, now, authorities);
    const blocks = [leaf.pem, issuer.pem];
    if (random.chance(0.15)) blocks.push(issuer.rootPem);
    const created = toWholeSeconds(notBefore + random.next() * Math.min(3 * DAY_MS, now - notBefore));
    const base = {
      RegionId: region,
      ServerCertificateId: serverCertificateId(created),
      ServerCertificateName: sslName(random, names, notBefore),
      Fingerprint: colonFingerprint(leaf.der),
    };
    if (shape === 'old') return { ...base, ServerCertificate: blocks.join('') };

    const certificate: AliyunSlbCertificate = {
      ...base,
      ResourceGroupId: random.pick(resourceGroups),
      CommonName: names.commonName,
      SubjectAlternativeNames: [...names.dnsNames],
      CreateTime: isoSeconds(created),
      CreateTimeStamp: created,
    };
    if (shape === 'complete') certificate.ExpireTime = isoSeconds(notAfter);
    certificate.ExpireTimeStamp = notAfter;
    certificate.IsAliCloudCertificate = 0;
    if (random.chance(0.1)) {
      certificate.IsAliCloudCertificate = 1;
      certificate.AliCloudCertificateId = String(random.integer(1_000_000, 19_999_999));
      certificate.AliCloudCertificateName = `cas-${certificate.ServerCertificateName}`;
    }
    certificate.ServerCertificate = blocks.join('');
    return certificate;
  });
}

export interface AliyunCasFleetOptions {
  count: number;
  seed: number;
  /** The clock the expiry spread (and each certificate's Status and Expired) is laid around, epoch milliseconds. */
  now: number;
}

/**
 * Generates `count` CAS certificates, deterministically from the seed (apart from key material). The wire quirks
 * a client must handle (reference §2):
 * - ~40% uploaded (Upload true), the rest issued through CAS;
 * - EndDate/StartDate `yyyy-MM-dd` in China time; CertEndTime/CertStartTime (ms) on ~70%;
 * - detail NotAfter: ~80% the leaf's notAfter in ms, ~10% absent, ~10% with 14 digits (the SDK example's form,
 *   whose unit is unconfirmed: a client must not read it as ms);
 * - Status and Expired from `now` (EXPIRED past the end, WILLEXPIRED within 30 days, else ISSUED);
 * - Fingerprint (SHA-1) and Sha2 (SHA-256) of the leaf DER, upper-case hex; CertChain leaf then intermediate;
 * - Cert (leaf and intermediate) and Key (the leaf's private key), which the API returns only without CertFilter;
 * - ~60% deployed on one to three resources (ALB listener, CDN or DCDN domain, SLB or NLB listener).
 */
export function generateAliyunCasFleet(options: AliyunCasFleetOptions): AliyunCasCertificate[] {
  checkCountAndClock(options.count, options.now);
  const { count, now } = options;
  const random = new SeededRandom(options.seed);
  const authorities = createAuthorities(random, now);
  const ids = new Set<number>();
  const names = new Set<string>();
  let resourceId = random.integer(7_000_000, 7_900_000);
  return Array.from({ length: count }, () => {
    const {
      leaf,
      leafKey,
      issuer,
      names: leafNamesDrawn,
      notBefore,
      notAfter,
    } = issueLeaf(random, now, authorities);
    let id = random.integer(10_000_000, 29_999_999);
    while (ids.has(id)) id = random.integer(10_000_000, 29_999_999);
    ids.add(id);
    const upload = random.chance(0.4);
    const withTimes = random.chance(0.7);
    const notAfterShape = random.weighted([
      { weight: 80, value: 'ms' },
      { weight: 10, value: 'absent' },
      { weight: 10, value: 'fourteen' },
    ] as const);
    const status = notAfter <= now ? 'EXPIRED' : notAfter - now <= 30 * DAY_MS ? 'WILLEXPIRED' : 'ISSUED';
    const deployments: AliyunCasDeployment[] = [];
    if (random.chance(0.6)) {
      for (let wanted = random.integer(1, 3); wanted > 0; wanted--) {
        deployments.push(casDeployment(random, ++resourceId, leafNamesDrawn));
      }
    }
    const certificate: AliyunCasCertificate = {
      CertificateId: id,
      Name: uniqueName(sslName(random, leafNamesDrawn, notBefore), names),
      CommonName: leafNamesDrawn.commonName,
      Sans: leafNamesDrawn.dnsNames.join(','),
      Issuer: issuer.commonName,
      StartDate: chinaDate(notBefore),
      EndDate: chinaDate(notAfter),
      ...(withTimes ? { CertStartTime: notBefore, CertEndTime: notAfter } : {}),
      Expired: notAfter <= now,
      Upload: upload,
      Status: status,
      Fingerprint: createHash('sha1').update(leaf.der).digest('hex').toUpperCase(),
      Sha2: createHash('sha256').update(leaf.der).digest('hex').toUpperCase(),
      SerialNo: new X509Certificate(leaf.pem).serialNumber.toLowerCase(),
      InstanceId: upload ? `cas-upload-${random.alphanumeric(6)}` : `cas-ivauto-${random.alphanumeric(6)}`,
      NotBefore: notBefore,
      ...(notAfterShape === 'ms' ? { NotAfter: notAfter } : {}),
      ...(notAfterShape === 'fourteen' ? { NotAfter: notAfter * 10 } : {}),
      Algorithm: leafKey.type === 'rsa' ? 'RSA' : 'ECC',
      CertChain: [
        {
          CommonName: leafNamesDrawn.commonName,
          IssuerCommonName: issuer.commonName,
          NotBefore: notBefore,
          NotAfter: notAfter,
        },
        { CommonName: issuer.commonName, NotAfter: issuer.notAfter },
      ],
      Cert: leaf.pem + issuer.pem,
      Key: leafKey.privateKeyPem,
      ...(deployments.length > 0 ? { Deployments: deployments } : {}),
    };
    return certificate;
  });
}

/** What {@link casCertificateFromPem} builds a CAS certificate from. */
export interface CasCertificateSource {
  CertificateId: number;
  Name: string;
  Upload: boolean;
  /** The leaf, then the certificates above it (PEM). */
  leafPem: string;
  chainPems: readonly string[];
  privateKeyPem: string;
  /** Sets Status and Expired, epoch milliseconds. */
  now: number;
  Deployments?: AliyunCasDeployment[];
}

/** A CAS certificate whose every field is read from real PEMs: names, dates, fingerprints, chain. */
export function casCertificateFromPem(source: CasCertificateSource): AliyunCasCertificate {
  const leaf = new X509Certificate(source.leafPem);
  const above = source.chainPems.map((pem) => new X509Certificate(pem));
  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  const commonName = (x509: X509Certificate) =>
    x509.subject
      .split('\n')
      .find((line) => line.startsWith('CN='))
      ?.slice(3) ?? '';
  const sans = (leaf.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim().replace(/^DNS:/, ''))
    .filter((name) => name !== '');
  const { now } = source;
  return {
    CertificateId: source.CertificateId,
    Name: source.Name,
    CommonName: commonName(leaf),
    Sans: sans.join(','),
    Issuer: above[0] ? commonName(above[0]) : commonName(leaf),
    StartDate: chinaDate(notBefore),
    EndDate: chinaDate(notAfter),
    CertStartTime: notBefore,
    CertEndTime: notAfter,
    Expired: notAfter <= now,
    Upload: source.Upload,
    Status: notAfter <= now ? 'EXPIRED' : notAfter - now <= 30 * DAY_MS ? 'WILLEXPIRED' : 'ISSUED',
    Fingerprint: createHash('sha1').update(leaf.raw).digest('hex').toUpperCase(),
    Sha2: createHash('sha256').update(leaf.raw).digest('hex').toUpperCase(),
    SerialNo: leaf.serialNumber.toLowerCase(),
    NotBefore: notBefore,
    NotAfter: notAfter,
    CertChain: [leaf, ...above].map((x509) => ({
      CommonName: commonName(x509),
      IssuerCommonName:
        x509.issuer
          .split('\n')
          .find((line) => line.startsWith('CN='))
          ?.slice(3) ?? '',
      NotBefore: Date.parse(x509.validFrom),
      NotAfter: Date.parse(x509.validTo),
    })),
    Cert: [source.leafPem, ...source.chainPems].join(''),
    Key: source.privateKeyPem,
    ...(source.Deployments ? { Deployments: source.Deployments } : {}),
  };
}

/** `yyyy-MM-dd` of an instant in China time (UTC+8), as CAS's console shows dates. */
export function chinaDate(epochMs: number): string {
  return new Date(epochMs + 8 * HOUR_MS).toISOString().slice(0, 10);
}

function casDeployment(random: SeededRandom, id: number, names: LeafNames): AliyunCasDeployment {
  const region = random.pick(['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1']);
  const host = names.dnsNames.find((name) => !name.startsWith('*')) ?? names.commonName.replace('*.', 'www.');
  const product = random.weighted([
    { weight: 35, value: 'ALB' },
    { weight: 25, value: 'CDN' },
    { weight: 15, value: 'DCDN' },
    { weight: 15, value: 'SLB' },
    { weight: 10, value: 'NLB' },
  ] as const);
  switch (product) {
    case 'ALB':
      return {
        Id: id,
        CloudProduct: product,
        RegionId: region,
        InstanceId: `alb-${random.alphanumeric(18).toLowerCase()}`,
        ListenerId: `lsr-${random.alphanumeric(20).toLowerCase()}`,
        ListenerPort: '443',
        Domain: host,
        DefaultResource: 1,
      };
    case 'NLB':
    case 'SLB':
      return {
        Id: id,
        CloudProduct: product,
        RegionId: region,
        InstanceId: `${product === 'NLB' ? 'nlb' : 'lb'}-${random.alphanumeric(20).toLowerCase()}`,
        ListenerId: product === 'NLB' ? `lsn-${random.alphanumeric(20).toLowerCase()}@443` : undefined,
        ListenerPort: '443',
        DefaultResource: 1,
      };
    default:
      return { Id: id, CloudProduct: product, Domain: host };
  }
}

export interface AliyunLoadBalancerFleetOptions {
  product: 'alb' | 'nlb';
  /** Load balancers in all. */
  count: number;
  seed: number;
  regions: string[];
  /**
   * CAS certificate ids (digits) the listener certificates name (`<id>-cn-hangzhou`), e.g. the ids of a CAS
   * fleet; default: ids drawn at random.
   */
  casCertificateIds?: readonly string[];
}

/**
 * ALB or NLB load balancers with listeners and listener certificates, as a pure function of the options (no
 * certificates are issued: listeners name certificates by id). ALB: 1–3 listeners, HTTPS ~60%, QUIC ~15%, HTTP
 * ~25% (no certificates); a TLS listener has a default certificate and 0–3 extra ones. NLB: 1–3 listeners, TCPSSL
 * ~70% with one server certificate, TCP otherwise. About 85% of the certificate ids name a CAS certificate
 * (`<id>-cn-hangzhou`), the rest are opaque product-local ids (`<uid>_<hex>_<n>_<n>`, the docs' example form).
 */
export function generateAliyunLoadBalancerFleet(
  options: AliyunLoadBalancerFleetOptions,
): AliyunLoadBalancer[] {
  const { product, count, regions } = options;
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`count must be a whole number, got ${count}`);
  if (regions.length === 0) throw new RangeError('regions must not be empty');
  const random = new SeededRandom(options.seed);
  const ids = new UniqueIds(random);
  const cas = options.casCertificateIds ?? [];
  const certificateId = () =>
    random.chance(0.85)
      ? `${cas.length > 0 ? random.pick(cas) : random.integer(1_000_000, 29_999_999)}-cn-hangzhou`
      : `${ALIYUN_ACCOUNT_UID}_${random.integer(0x160000000000, 0x19ffffffffff).toString(16)}_${random.integer(1e9, 2 ** 31 - 1)}_${random.integer(1e5, 1e6 - 1)}`;
  const protocols =
    product === 'alb'
      ? ([
          { weight: 60, value: 'HTTPS' },
          { weight: 15, value: 'QUIC' },
          { weight: 25, value: 'HTTP' },
        ] as const)
      : ([
          { weight: 70, value: 'TCPSSL' },
          { weight: 30, value: 'TCP' },
        ] as const);
  return Array.from({ length: count }, () => {
    const region = random.pick(regions);
    const id = ids.next(`${product}-`) + random.alphanumeric(10);
    const usedPorts = new Set<number>();
    const listeners = Array.from({ length: random.integer(1, 3) }, (): AliyunListener => {
      const protocol = random.weighted(protocols);
      let port = protocol === 'HTTP' || protocol === 'TCP' ? 80 : 443;
      while (usedPorts.has(port)) port = random.integer(1024, 65_000);
      usedPorts.add(port);
      const tls = protocol !== 'HTTP' && protocol !== 'TCP';
      const extras = tls && product === 'alb' ? random.integer(0, 3) : 0;
      const certificateIds = new Set<string>();
      while (tls && certificateIds.size < 1 + extras) certificateIds.add(certificateId());
      return {
        ListenerId: ids.next(product === 'alb' ? 'lsr-' : 'lsn-') + random.alphanumeric(10),
        port,
        protocol,
        certificates: [...certificateIds].map((CertificateId, index) => ({
          CertificateId,
          IsDefault: index === 0,
        })),
      };
    });
    return {
      RegionId: region,
      LoadBalancerId: id,
      name: `${random.pick(SERVICES)}-${random.weighted(ENVIRONMENTS)}-${product}`,
      DNSName: `${id}.${region}.${product}.aliyuncs.com`,
      listeners,
    };
  });
}

interface SharedCertificate {
  pem: string;
  fingerprint: string;
  notBefore: number;
  name: string;
}

function readSharedCertificate(text: string, index: number): SharedCertificate {
  const pem = [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g)]
    .map((match) => (match[0].endsWith('\n') ? match[0] : `${match[0]}\n`))
    .join('');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pem);
  } catch (error) {
    throw new RangeError(`sharedCertificates[${index}] holds no readable certificate`, { cause: error });
  }
  const commonName = leaf.subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice(3);
  return {
    pem,
    fingerprint: colonFingerprint(leaf.raw),
    notBefore: Date.parse(leaf.validFrom),
    // Migrated certificates keep whatever the old console called them: here, their host name.
    name: (commonName ?? `imported-${index + 1}`).replace('*', 'wildcard'),
  };
}

function checkCountAndClock(count: number, now: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number, got ${count}`);
  }
  if (!Number.isFinite(now)) {
    throw new RangeError(`now must be epoch milliseconds, got ${now}`);
  }
}

/** One leaf as every generator makes it: its key, validity, names and issuer, all drawn from `random`. */
interface IssuedLeaf {
  leaf: IssuedCertificate;
  leafKey: PooledKey;
  issuer: Authority;
  names: LeafNames;
  notBefore: number;
  notAfter: number;
}

/**
 * Issues a leaf laid around `now` (see leafNotAfter), RSA or ECDSA about 60/40, under a current intermediate or,
 * ~2%, one that expires before it. Consumes the random stream in a fixed order: the UCloud fleet depends on it.
 */
function issueLeaf(random: SeededRandom, now: number, authorities: Authorities): IssuedLeaf {
  const keyType: KeyType = random.chance(0.6) ? 'rsa' : 'ec';
  const leafKey = pooledKey(keyType, `fleet-leaf-${random.integer(0, LEAF_KEYS_PER_TYPE - 1)}`);
  const notAfter = leafNotAfter(random, now);
  const notBefore = notAfter - leafLifetime(random, notAfter - now);
  const names = leafNames(random);

  // ~2%: an intermediate that expires before the leaf (and after tomorrow), when the leaf leaves room for one.
  const ageingCandidates = authorities.ageing.filter((ca) => ca.notAfter <= notAfter - DAY_MS);
  const issuer =
    ageingCandidates.length > 0 && random.chance(0.022)
      ? random.pick(ageingCandidates)
      : random.weighted(authorities.current);

  const leaf = issueCertificate({
    subject: { commonName: names.commonName },
    publicKey: leafKey.publicKey,
    issuer: { certificate: issuer.pem, privateKey: issuer.privateKey },
    serialNumber: random.serialNumber(),
    notBefore,
    notAfter,
    dnsNames: names.dnsNames,
  });
  return { leaf, leafKey, issuer, names, notBefore, notAfter };
}

/** ~5% expired, ~5% critical (some within hours), ~10% warning, the rest mostly within a year. */
function leafNotAfter(random: SeededRandom, now: number): number {
  const bucket = random.weighted([
    { weight: 5, value: () => -random.between(1 * DAY_MS, 200 * DAY_MS) },
    { weight: 1.5, value: () => random.between(1 * HOUR_MS, 1 * DAY_MS) },
    { weight: 3.5, value: () => random.between(1 * DAY_MS, 7 * DAY_MS - HOUR_MS) },
    { weight: 10, value: () => random.between(7 * DAY_MS + HOUR_MS, 30 * DAY_MS) },
    { weight: 60, value: () => random.between(31 * DAY_MS, 365 * DAY_MS) },
    { weight: 20, value: () => random.between(366 * DAY_MS, 800 * DAY_MS) },
  ]);
  // Whole seconds: the PEM holds no finer, and the wire NotAfter must equal it exactly.
  return toWholeSeconds(now + bucket());
}

/**
 * 90 days, a year or 13 months, as public CAs issue; two years and more only where the expiry is that far
 * out. Never a certificate issued in the future: the lifetime always reaches back past yesterday.
 */
function leafLifetime(random: SeededRandom, timeLeft: number): number {
  const lifetimes = [
    { weight: 35, value: 90 * DAY_MS },
    { weight: 30, value: 365 * DAY_MS },
    { weight: 25, value: 397 * DAY_MS },
    { weight: 7, value: 730 * DAY_MS },
    { weight: 3, value: 825 * DAY_MS },
  ].filter((lifetime) => lifetime.value > timeLeft + DAY_MS);
  return random.weighted(lifetimes);
}

interface LeafNames {
  commonName: string;
  dnsNames: string[];
  brand: string;
  /** The service part of the name ("api", "www"), or "wildcard". */
  service: string;
  environment: string;
}

const BRANDS = (
  'shop kuaipay mingtian lanfeng acme northwind fabrikam contoso yunhe tianqi qingniao bluefin hexagon orchard ' +
  'pinecone redleaf silkroad starfruit tidewater zhuque baiyun jinqiao lotus maple nebula quartz riverbank summit ' +
  'vertex willow'
).split(' ');
const SERVICES =
  'www api m pay admin cdn static img auth login app gw open h5 console portal data ws mall passport'.split(
    ' ',
  );
const ENVIRONMENTS = [
  { weight: 70, value: 'prod' },
  { weight: 15, value: 'staging' },
  { weight: 10, value: 'test' },
  { weight: 5, value: 'dev' },
];

/** A single host, a wildcard with its apex, or a www certificate that also covers a few siblings. */
function leafNames(random: SeededRandom): LeafNames {
  const brand = random.pick(BRANDS);
  const environment = random.weighted(ENVIRONMENTS);
  const apex = `${brand}.example`;
  const host = (service: string) =>
    environment === 'prod' ? `${service}.${apex}` : `${service}-${environment}.${apex}`;
  const shape = random.weighted([
    { weight: 55, value: 'single' },
    { weight: 25, value: 'wildcard' },
    { weight: 20, value: 'multi' },
  ] as const);
  if (shape === 'wildcard') {
    const zone = environment === 'prod' ? apex : `${environment}.${apex}`;
    return {
      commonName: `*.${zone}`,
      dnsNames: [`*.${zone}`, zone],
      brand,
      service: 'wildcard',
      environment,
    };
  }
  if (shape === 'multi') {
    const dnsNames = [host('www'), apex];
    for (let extra = random.integer(1, 3); extra > 0; extra--) {
      const name = host(random.pick(SERVICES));
      if (!dnsNames.includes(name)) dnsNames.push(name);
    }
    return { commonName: host('www'), dnsNames, brand, service: 'www', environment };
  }
  const service = random.pick(SERVICES);
  return { commonName: host(service), dnsNames: [host(service)], brand, service, environment };
}

/** What people call certificates in the console: `api-prod-2026`, `www.shop.example`, `shop-wildcard`. */
function sslName(random: SeededRandom, names: LeafNames, notBefore: number): string {
  const year = new Date(notBefore).getUTCFullYear();
  switch (random.integer(0, 2)) {
    case 0:
      return `${names.service}-${names.environment}-${year}`;
    case 1:
      return names.commonName.replace('*', 'wildcard');
    default:
      return `${names.brand}-${names.service}`;
  }
}

interface Authority {
  commonName: string;
  pem: string;
  rootPem: string;
  privateKey: KeyObject;
  notAfter: number;
}

interface Authorities {
  /** Intermediates that outlive every leaf, with how often each issues. */
  current: { weight: number; value: Authority }[];
  /** Intermediates expiring soon, for the few leaves that outlive their issuer. */
  ageing: Authority[];
}

/**
 * Two roots and a handful of intermediates shared by the whole fleet, as in real life. Mostly ECDSA, whose
 * signatures are quick; the RSA intermediates sign about a fifth of the leaves.
 */
function createAuthorities(random: SeededRandom, now: number): Authorities {
  const root = (commonName: string, keyType: KeyType) => {
    const key = pooledKey(keyType, `fleet-${commonName}`);
    const pem = issueCertificate({
      subject: { commonName, organization: 'Certwatch Emulated Trust' },
      publicKey: key.publicKey,
      issuer: { selfSigned: true, privateKey: key.privateKey },
      serialNumber: random.serialNumber(),
      notBefore: toWholeSeconds(now - random.between(8 * YEAR_MS, 12 * YEAR_MS)),
      notAfter: toWholeSeconds(now + random.between(10 * YEAR_MS, 20 * YEAR_MS)),
      ca: true,
    }).pem;
    return { pem, privateKey: key.privateKey };
  };
  const intermediate = (
    commonName: string,
    keyType: KeyType,
    parent: { pem: string; privateKey: KeyObject },
    notBefore: number,
    notAfter: number,
  ): Authority => {
    const key = pooledKey(keyType, `fleet-${commonName}`);
    const pem = issueCertificate({
      subject: { commonName, organization: 'Certwatch Emulated Trust' },
      publicKey: key.publicKey,
      issuer: { certificate: parent.pem, privateKey: parent.privateKey },
      serialNumber: random.serialNumber(),
      notBefore: toWholeSeconds(notBefore),
      notAfter: toWholeSeconds(notAfter),
      ca: true,
      pathLength: 0,
    }).pem;
    return {
      commonName,
      pem,
      rootPem: parent.pem,
      privateKey: key.privateKey,
      notAfter: toWholeSeconds(notAfter),
    };
  };
  // Leaves reach back at most 825 days and forward at most 800: these intermediates cover both.
  const current = (commonName: string, keyType: KeyType, parent: { pem: string; privateKey: KeyObject }) =>
    intermediate(
      commonName,
      keyType,
      parent,
      now - random.between(3 * YEAR_MS, 4 * YEAR_MS),
      now + random.between(3 * YEAR_MS, 6 * YEAR_MS),
    );
  const ageing = (commonName: string, parent: { pem: string; privateKey: KeyObject }, expiresIn: number) =>
    intermediate(commonName, 'ec', parent, now - 5 * YEAR_MS, now + expiresIn);

  const eccRoot = root('Certwatch Emulated Root ECC R1', 'ec');
  const rsaRoot = root('Certwatch Emulated Root RSA R2', 'rsa');
  return {
    current: [
      { weight: 35, value: current('Emulated DV TLS ECC CA 2024', 'ec', eccRoot) },
      { weight: 25, value: current('Emulated OV TLS ECC CA 2023', 'ec', eccRoot) },
      { weight: 20, value: current('Emulated Cloud TLS ECC CA G3', 'ec', rsaRoot) },
      { weight: 15, value: current('Emulated DV TLS RSA CA 2022', 'rsa', rsaRoot) },
      { weight: 5, value: current('Emulated EV TLS RSA CA G2', 'rsa', rsaRoot) },
    ],
    ageing: [
      ageing('Emulated DV TLS ECC CA 2019', eccRoot, random.between(2 * DAY_MS, 4 * DAY_MS)),
      ageing('Emulated OV TLS ECC CA 2019', eccRoot, random.between(10 * DAY_MS, 20 * DAY_MS)),
      ageing('Emulated Cloud TLS ECC CA G1', rsaRoot, random.between(45 * DAY_MS, 90 * DAY_MS)),
    ].sort((a, b) => a.notAfter - b.notAfter),
  };
}

/**
 * The load balancers and listeners of each region/project, made as certificates need them: a listener has one
 * default certificate (the first bound) and may carry more for SNI, and a load balancer has a few listeners.
 */
class ListenerPool {
  readonly #locations = new Map<string, { balancers: Balancer[]; listeners: Listener[] }>();

  constructor(
    private readonly random: SeededRandom,
    private readonly ids: UniqueIds,
  ) {}

  /** ~10% of certificates are bound nowhere; the rest to 1–3 listeners in their own region and project. */
  bind(location: string): UcloudRelation[] {
    const random = this.random;
    if (random.chance(0.1)) return [];
    const wanted = random.weighted([
      { weight: 70, value: 1 },
      { weight: 22, value: 2 },
      { weight: 8, value: 3 },
    ]);
    let here = this.#locations.get(location);
    if (!here) {
      here = { balancers: [], listeners: [] };
      this.#locations.set(location, here);
    }
    const chosen: Listener[] = [];
    while (chosen.length < wanted) {
      let listener = here.listeners.length > 0 && random.chance(0.6) ? random.pick(here.listeners) : null;
      if (!listener || chosen.includes(listener)) {
        listener = this.#newListener(here.balancers);
        here.listeners.push(listener);
      }
      chosen.push(listener);
    }
    return chosen.map((listener) => {
      const isDefault = !listener.hasDefault;
      listener.hasDefault = true;
      return {
        LoadBalancerId: listener.balancer.id,
        LoadBalancerName: listener.balancer.name,
        ListenerId: listener.id,
        ListenerName: listener.name,
        IsDefault: isDefault,
      };
    });
  }

  #newListener(balancers: Balancer[]): Listener {
    const random = this.random;
    let balancer = balancers.length > 0 && random.chance(0.5) ? random.pick(balancers) : null;
    if (!balancer) {
      const role = random.pick(['web', 'api', 'gw', 'shop', 'edge', 'ingress', 'app']);
      const environment = random.weighted(ENVIRONMENTS);
      balancer = {
        id: this.ids.next('ulb-'),
        name: `${role}-${environment}-${String(balancers.length + 1).padStart(2, '0')}`,
        listeners: [],
      };
      balancers.push(balancer);
    }
    const ports = [443, 8443, 4443, 9443];
    const port = ports[balancer.listeners.length] ?? 10_000 + balancer.listeners.length;
    const listener: Listener = {
      id: this.ids.next('vserver-'),
      name: `https-${port}`,
      balancer,
      hasDefault: false,
    };
    balancer.listeners.push(listener);
    return listener;
  }
}

interface Balancer {
  id: string;
  name: string;
  listeners: Listener[];
}

interface Listener {
  id: string;
  name: string;
  balancer: Balancer;
  hasDefault: boolean;
}

/** UCloud-style resource ids (`ssl-3kq9x0ab`): a prefix and 8 lowercase alphanumerics, never repeated. */
class UniqueIds {
  readonly #issued = new Set<string>();

  constructor(private readonly random: SeededRandom) {}

  next(prefix: string): string {
    for (;;) {
      const id = prefix + this.random.alphanumeric(8);
      if (!this.#issued.has(id)) {
        this.#issued.add(id);
        return id;
      }
    }
  }
}

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; plenty for shaping test data, useless for secrets. */
class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform whole number in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max), whole milliseconds. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }

  weighted<T>(choices: readonly { weight: number; value: T }[]): T {
    const total = choices.reduce((sum, choice) => sum + choice.weight, 0);
    let point = this.next() * total;
    for (const choice of choices) {
      point -= choice.weight;
      if (point < 0) return choice.value;
    }
    const last = choices[choices.length - 1];
    if (!last) throw new RangeError('cannot choose from an empty list');
    return last.value;
  }

  alphanumeric(length: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[this.integer(0, alphabet.length - 1)];
    return text;
  }

  /** A positive 16-byte serial number, as CAs use (RFC 5280 allows up to 20). */
  serialNumber(): bigint {
    let serial = 0n;
    for (let i = 0; i < 4; i++) serial = (serial << 32n) | BigInt(Math.floor(this.next() * 4294967296));
    return serial | 1n;
  }
}

/** How many of each resource every account of {@link generateAliyunAccountsFleet} holds; absent: no section. */
export interface AliyunAccountResourceCounts {
  cdn?: number;
  cdnDomains?: number;
  /** Absent: DCDN is not opened for the accounts. */
  dcdnDomains?: number;
  slb?: number;
  cas?: number;
  /** Load balancers (each with 1–3 listeners). */
  alb?: number;
  nlb?: number;
}

export interface AliyunAccountsFleetOptions {
  /** Accounts in all: the main account and `accounts - 1` members. */
  accounts: number;
  seed: number;
  /** The clock every account's expiry spread is laid around, epoch milliseconds. */
  now: number;
  perAccount: AliyunAccountResourceCounts;
  /**
   * True: the main account manages a Resource Directory of the members, each reachable through its
   * ResourceDirectoryAccountAccessRole. False: no directory; each member has its own key pair
   * (`member-<n>-access-key-id` / `member-<n>-access-key-secret`) and a role `CertwatchReader` trusting the main
   * account.
   */
  resourceDirectory: boolean;
  /** SLB, ALB and NLB regions. Default cn-hangzhou and cn-shanghai. */
  regions?: string[];
  /** The main account's key pair. Default the demo's (demo-access-key-id / demo-access-key-secret). */
  mainAccount?: AliyunAccount;
  /**
   * The resources of the `index`-th account; default {@link generateAliyunAccountResources}. A cache
   * (fleet/file.ts cachedAliyunAccountsFleet) passes one that reads each account's resources from disk.
   */
  resources?: (index: number) => AliyunAccountResources;
}

/**
 * The resources of the `index`-th account (0: the main one) of {@link generateAliyunAccountsFleet}: each service
 * from its own generator, with seeds 100 apart per account and one per service within it. ALB and NLB listeners
 * name the account's own CAS certificates where it has any.
 */
export function generateAliyunAccountResources(
  index: number,
  options: Pick<AliyunAccountsFleetOptions, 'seed' | 'now' | 'perAccount' | 'regions'>,
): AliyunAccountResources {
  const { seed, now, perAccount } = options;
  const regions = options.regions ?? ['cn-hangzhou', 'cn-shanghai'];
  // Seeds 100 apart per account, one per service within it.
  const base = seed + index * 100;
  const resources: AliyunAccountResources = {};
  if (perAccount.cdn !== undefined) {
    resources.cdn = {
      certificates: generateAliyunCdnFleet({ count: perAccount.cdn, seed: base + 1, now }),
    };
  }
  if (perAccount.cdnDomains !== undefined) {
    resources.cdnDomains = {
      domains: generateAliyunHttpsDomains({
        count: perAccount.cdnDomains,
        seed: base + 2,
        now,
        product: 'CDN',
      }),
    };
  }
  if (perAccount.dcdnDomains !== undefined) {
    resources.dcdnDomains = {
      domains: generateAliyunHttpsDomains({
        count: perAccount.dcdnDomains,
        seed: base + 3,
        now,
        product: 'DCDN',
      }),
    };
  }
  if (perAccount.slb !== undefined) {
    resources.slb = {
      certificates: generateAliyunSlbFleet({ count: perAccount.slb, seed: base + 4, now, regions }),
    };
  }
  if (perAccount.cas !== undefined) {
    resources.cas = {
      certificates: generateAliyunCasFleet({ count: perAccount.cas, seed: base + 5, now }),
    };
  }
  const casIds = resources.cas?.certificates.map((certificate) => String(certificate.CertificateId));
  for (const [product, offset] of [
    ['alb', 6],
    ['nlb', 7],
  ] as const) {
    const count = perAccount[product];
    if (count === undefined) continue;
    resources[product] = {
      loadBalancers: generateAliyunLoadBalancerFleet({
        product,
        count,
        seed: base + offset,
        regions,
        ...(casIds?.length ? { casCertificateIds: casIds } : {}),
      }),
    };
  }
  return resources;
}

/** The id of the n-th account (0: the main one) of {@link generateAliyunAccountsFleet}. */
export function generatedAliyunAccountId(index: number): string {
  return String(BigInt(DEFAULT_ALIYUN_ACCOUNT_ID) + BigInt(index));
}

/**
 * A fleet of several Alibaba accounts for tests and the bench: the main account (`1000000000000001`, `main`) and
 * `accounts - 1` members (`1000000000000002`, `member-02`, ...), each holding its own resources from the generators
 * above ({@link generateAliyunAccountResources}).
 */
export function generateAliyunAccountsFleet(
  options: AliyunAccountsFleetOptions,
): NonNullable<Fleet['aliyun']> {
  const { accounts, now, resourceDirectory } = options;
  if (!Number.isInteger(accounts) || accounts < 1) {
    throw new RangeError(`accounts must be a whole number from 1, got ${accounts}`);
  }
  checkCountAndClock(0, now);
  const mainId = generatedAliyunAccountId(0);
  const resourcesOf =
    options.resources ?? ((index: number) => generateAliyunAccountResources(index, options));
  const members = Array.from({ length: accounts - 1 }, (_, i): AliyunMemberAccount => {
    const index = i + 1;
    const label = String(index + 1).padStart(2, '0');
    return {
      accountId: generatedAliyunAccountId(index),
      displayName: `member-${label}`,
      ...(resourceDirectory
        ? { roles: [{ roleName: RESOURCE_DIRECTORY_ROLE, trusts: [mainId] }] }
        : {
            accounts: [
              {
                AccessKeyId: `member-${label}-access-key-id`,
                AccessKeySecret: `member-${label}-access-key-secret`,
              },
            ],
            roles: [{ roleName: 'CertwatchReader', trusts: [mainId] }],
          }),
      ...resourcesOf(index),
    };
  });
  return {
    accounts: [{ ...(options.mainAccount ?? DEFAULT_ALIYUN_ACCOUNT) }],
    accountId: mainId,
    displayName: 'main',
    resourceDirectory,
    ...resourcesOf(0),
    members,
  };
}
