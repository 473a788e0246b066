/**
 * The benchmark's named fleets (issue 6). Fixed seed, so every run lists the same ids in the same places; the
 * emulator generates them once a day and caches them in .cache/fleets.
 */

export interface BenchFleet {
  name: string;
  seed: number;
  ucloud: { count: number; regions: readonly string[]; projects: readonly string[] };
  cdn: { count: number };
  slb: { count: number; regions: readonly string[] };
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

export const BENCH_FLEETS: Readonly<Record<string, BenchFleet>> = {
  'fleet-10k': fleet('fleet-10k', 4_000, 4_000, 2_000),
  'fleet-100k': fleet('fleet-100k', 40_000, 40_000, 20_000),
};

export function fleetSize(fleet: BenchFleet): number {
  return fleet.ucloud.count + fleet.cdn.count + fleet.slb.count;
}

/** The `certwatch emulator` arguments that generate this fleet. */
export function emulatorFleetArgs(fleet: BenchFleet): string[] {
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
