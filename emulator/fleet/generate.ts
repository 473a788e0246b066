/**
 * Seeded fleets of UCloud ULB certificates with real, verifiable PEM chains.
 *
 * Everything a reader compares — ids, names, domains, validity, wire units, bindings, chain shape — is a pure
 * function of the options. The key material is not: keys come from a per-process pool and ECDSA signatures are
 * randomised, so PEM bytes (and HashValue, their MD5) differ between processes. Cache a fleet on disk
 * (./file.ts) when the bytes must stay put.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { issueCertificate, toWholeSeconds } from '../x509/certificate';
import { type KeyType, pooledKey } from '../x509/keys';
import type { UcloudFleetCertificate, UcloudRelation } from './model';

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
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number, got ${count}`);
  }
  if (!Number.isFinite(now)) {
    throw new RangeError(`now must be epoch milliseconds, got ${now}`);
  }
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
    return { pem, rootPem: parent.pem, privateKey: key.privateKey, notAfter: toWholeSeconds(notAfter) };
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
