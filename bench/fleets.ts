/**
 * The benchmark's named fleets (issue 6). Fixed seed, so every run lists the same ids in the same places; the
 * emulator generates them once a day and caches them in .cache/fleets.
 */

/** One account's resources in a multi-account fleet: `certwatch emulator --per-account` names. */
export interface AccountMix {
  cas: number;
  /** ALB load balancers, each with 1–3 listeners; a TLS listener has 1–4 certificates naming the account's CAS ones. */
  alb: number;
  cdn: number;
  cdnDomains: number;
  dcdnDomains: number;
  slb: number;
}

export interface BenchFleet {
  name: string;
  seed: number;
  ucloud?: { count: number; regions: readonly string[]; projects: readonly string[] };
  cdn?: { count: number };
  slb?: { count: number; regions: readonly string[] };
  /** A Resource Directory: the main account and `count - 1` members, each holding `perAccount`. */
  accounts?: { count: number; perAccount: AccountMix; regions: readonly string[] };
}

const UCLOUD_REGIONS = [
  'cn-bj2',
  'cn-sh2',
  'cn-gd',
  'hk',
  'tw-tp',
  'sg',
  'jpn-tky',
  'us-ca',
  'ge-fra',
  'uk-london',
  'cn-wlcb',
  'kr-seoul',
  'th-bkk',
  'vn-sng',
  'idn-jakarta',
  'ind-mumbai',
  'us-ws',
  'bra-saopaulo',
  'uae-dubai',
  'ph-mnl',
] as const;
const UCLOUD_PROJECTS = ['org-bench1', 'org-bench2', 'org-bench3', 'org-bench4', 'org-bench5'] as const;
const SLB_REGIONS = [
  'cn-hangzhou',
  'cn-shanghai',
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-shenzhen',
  'cn-heyuan',
  'cn-guangzhou',
  'cn-chengdu',
  'cn-hongkong',
  'ap-southeast-1',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-northeast-1',
  'ap-south-1',
  'us-west-1',
  'us-east-1',
  'eu-central-1',
] as const;

function fleet(name: string, ucloud: number, cdn: number, slb: number): BenchFleet {
  return {
    name,
    seed: 42,
    ucloud: { count: ucloud, regions: UCLOUD_REGIONS, projects: UCLOUD_PROJECTS },
    cdn: { count: cdn },
    slb: { count: slb, regions: SLB_REGIONS },
  };
}

/**
 * One account of accounts-200k, ~10,000 certificates: CAS holds the most (bought and uploaded, what ALB takes its
 * certificates from), ALB listeners name CAS certificates (~4.3 listener certificates per load balancer, so 350 give
 * ~1,300), CDN keeps its own uploaded certificates and shows every HTTPS domain (CDN and DCDN), SLB holds its
 * classic server certificates, over two regions.
 */
const ACCOUNT_MIX: AccountMix = {
  cas: 2_500,
  alb: 350,
  cdn: 1_500,
  cdnDomains: 1_500,
  dcdnDomains: 1_000,
  slb: 2_000,
};

export const BENCH_FLEETS: Readonly<Record<string, BenchFleet>> = {
  'fleet-10k': fleet('fleet-10k', 4_000, 4_000, 2_000),
  'fleet-100k': fleet('fleet-100k', 40_000, 40_000, 20_000),
  'accounts-200k': {
    name: 'accounts-200k',
    seed: 42,
    accounts: { count: 20, perAccount: ACCOUNT_MIX, regions: ['cn-hangzhou', 'cn-shanghai'] },
  },
};

/** Certificates the fleet holds; null where the generator draws the count (ALB listener certificates). */
export function fleetSize(fleet: BenchFleet): number | null {
  if (fleet.accounts) return null;
  return (fleet.ucloud?.count ?? 0) + (fleet.cdn?.count ?? 0) + (fleet.slb?.count ?? 0);
}

/** The fleet in words. */
export function describeBenchFleet(fleet: BenchFleet): string {
  const parts: string[] = [];
  const n = (value: number) => value.toLocaleString('en-US');
  if (fleet.ucloud) {
    parts.push(
      `${n(fleet.ucloud.count)} UCloud ULB over ${fleet.ucloud.regions.length} regions × ` +
        `${fleet.ucloud.projects.length} projects`,
    );
  }
  if (fleet.cdn) parts.push(`${n(fleet.cdn.count)} Alibaba CDN`);
  if (fleet.slb) parts.push(`${n(fleet.slb.count)} Alibaba SLB over ${fleet.slb.regions.length} regions`);
  if (fleet.accounts) {
    const mix = fleet.accounts.perAccount;
    parts.push(
      `${fleet.accounts.count} Alibaba accounts (a Resource Directory: the main account and ` +
        `${fleet.accounts.count - 1} members reached through their access role), each with ${n(mix.cas)} CAS, ` +
        `${n(mix.alb)} ALB load balancers (their listener certificates naming CAS ones), ${n(mix.cdn)} CDN, ` +
        `${n(mix.cdnDomains)} CDN and ${n(mix.dcdnDomains)} DCDN HTTPS domains, ${n(mix.slb)} SLB over ` +
        `${fleet.accounts.regions.length} regions`,
    );
  }
  return parts.join(', ');
}

/** The `certwatch emulator` arguments that generate this fleet. */
export function emulatorFleetArgs(fleet: BenchFleet): string[] {
  if (fleet.accounts) {
    const mix = fleet.accounts.perAccount;
    return [
      '--seed',
      String(fleet.seed),
      '--accounts',
      String(fleet.accounts.count),
      '--per-account',
      // The order is part of the cache key: keep it.
      `cas=${mix.cas},alb=${mix.alb},cdn=${mix.cdn},cdnDomains=${mix.cdnDomains},dcdnDomains=${mix.dcdnDomains},slb=${mix.slb}`,
      '--account-regions',
      fleet.accounts.regions.join(','),
    ];
  }
  if (!fleet.ucloud || !fleet.cdn || !fleet.slb)
    throw new RangeError(`${fleet.name}: no generator arguments`);
  return [
    '--seed',
    String(fleet.seed),
    '--count',
    String(fleet.ucloud.count),
    '--regions',
    fleet.ucloud.regions.join(','),
    '--projects',
    fleet.ucloud.projects.join(','),
    '--cdn-count',
    String(fleet.cdn.count),
    '--slb-count',
    String(fleet.slb.count),
    '--slb-regions',
    fleet.slb.regions.join(','),
  ];
}
