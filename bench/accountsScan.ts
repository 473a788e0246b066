/**
 * The multi-account part of `npm run bench` (issue 18): certwatch over a Resource Directory of Alibaba accounts
 * (bench/fleets.ts accounts-200k), every account with its own rate limits. The bound is the slowest account's
 * (bench/lowerBound.ts accountsLowerBound): accounts are limited separately and run side by side.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatedAliyunAccountId } from '../emulator/fleet/generate';
import { CAS_ORDER_QUERIES, CAS_PAGE_SIZE } from '../lib/providers/aliyun/cas/listUserCertificateOrder';
import { DEFAULT_CDN_PAGING } from '../lib/providers/aliyun/cdn/listCertificates';
import { RESOURCE_DIRECTORY_ROLE } from '../lib/providers/aliyun/config';
import { CDN_HTTPS_DOMAINS, DCDN_HTTPS_DOMAINS } from '../lib/providers/aliyun/domains/httpsDomainList';
import { actionCounts, callsByAccount, countsBetween, type EmulatorProcess } from './emulatorProcess';
import { type BenchFleet, describeBenchFleet } from './fleets';
import { type AccountShape, accountsLowerBound, explainLowerBound } from './lowerBound';
import { measureScan } from './scanRun';
import { figure, formatTable, SCAN_COLUMNS } from './table';

export interface AccountsScanArgs {
  fleet: BenchFleet;
  latencyMs: number;
  rateScale: number;
  /** How certwatch's V8 was set up, in words. */
  runtime: string;
  /** How many accounts (those with the largest bounds) are then scanned alone, as the sharded mode runs them. */
  accountShards: number;
  /**
   * Only those: no scan of every account first, so this process's peak RSS is that of one account alone (the
   * members taken in order, their bounds from their own calls).
   */
  accountsAlone: boolean;
}

/** The page sizes certwatch asks for, which the bound's sequential chains count in. */
const PAGE_SIZES = {
  cas: CAS_PAGE_SIZE,
  casListings: CAS_ORDER_QUERIES.length,
  cdn: DEFAULT_CDN_PAGING.pageSize,
  cdnDomains: CDN_HTTPS_DOMAINS.paging.pageSize,
  dcdnDomains: DCDN_HTTPS_DOMAINS.paging.pageSize,
};

/** One account as the bound counts it: what it held and the calls the emulator admitted for it. */
interface MeasuredAccount {
  shape: AccountShape;
  calls: Record<string, number>;
}

/** The lower bound of one account alone. */
function accountBound(account: MeasuredAccount, limits: Record<string, number>, latencyMs: number) {
  return accountsLowerBound({ accounts: [account], limits, latencyMs, sizes: PAGE_SIZES }).slowest!;
}

export async function accountsScanSection(
  emulator: EmulatorProcess,
  args: AccountsScanArgs,
  readySeconds: number,
  progress: (text: string) => void,
): Promise<string> {
  const { fleet, latencyMs } = args;
  const first = await emulator.stats();
  const limits = first.rateLimits;
  if (args.accountsAlone) {
    const count = Math.min(Math.max(args.accountShards, 1), (fleet.accounts?.count ?? 1) - 1);
    const members = Array.from({ length: count }, (_, i) => ({
      account: generatedAliyunAccountId(i + 1),
      name: `member-${String(i + 2).padStart(2, '0')}`,
    }));
    return [
      '',
      `certwatch benchmark, ${fleet.name}, accounts alone: ${describeBenchFleet(fleet)} (seed ${fleet.seed}).`,
      `certwatch ran with ${args.runtime}; no scan of every account first, so peak RSS is one account's.`,
      ...(await accountShardsLines(emulator, args, members, limits, progress)),
      `Emulator ready (fleet generated, or read from .cache/fleets) in ${readySeconds.toFixed(1)} s.`,
    ].join('\n');
  }
  progress('bench: certwatch scan of every account...');
  const scan = await measureScan(emulator.env);
  const afterScan = await emulator.stats();
  const counts = countsBetween(actionCounts(first), actionCounts(afterScan));
  const emulatorCpuSeconds = (afterScan.processCpuMicros - first.processCpuMicros) / 1e6;

  const byAccount = callsByAccount(first, afterScan);
  const shapes = new Map(scan.accounts.map((shape) => [shape.account, shape]));
  const main = emulator.env.ALIBABA_CLOUD_ACCOUNT_ID;
  const accounts = [...new Set([...shapes.keys(), ...Object.keys(byAccount)])].sort().map((account) => ({
    shape:
      shapes.get(account) ??
      ({ account, name: account, member: account !== main, byService: {} } satisfies AccountShape),
    calls: byAccount[account] ?? {},
  }));
  const { slowest } = accountsLowerBound({ accounts, limits, latencyMs, sizes: PAGE_SIZES });
  const boundOf = (account: MeasuredAccount) => accountBound(account, limits, latencyMs).bound.seconds;
  const boundSeconds = slowest?.bound.seconds ?? 0;
  const wall = scan.wallSeconds;
  const throttledShare = scan.requests > 0 ? scan.throttled / scan.requests : 0;

  const table = formatTable(
    ['fleet', ...SCAN_COLUMNS, 'peak RSS MB', 'report MB', 'CPU µs/cert'],
    [
      [
        fleet.name,
        figure(scan.certificates),
        scan.complete ? 'yes' : 'NO',
        figure(scan.requests),
        `${figure(scan.throttled)} (${figure(100 * throttledShare, 1)}%)`,
        figure(wall, 1),
        figure(boundSeconds, 1),
        boundSeconds > 0 ? `${figure(wall / boundSeconds, 2)}×` : '-',
        figure(scan.peakRssMb),
        scan.reportHeapMb === null ? '-' : figure(scan.reportHeapMb),
        figure(scan.cpuMicros / Math.max(scan.certificates, 1)),
      ],
    ],
  );
  const limitText = Object.entries(limits)
    .map(([action, perSecond]) => `${action} ${figure(perSecond)}/s`)
    .join(', ');
  const services = new Map<string, number>();
  for (const { shape } of accounts) {
    for (const [service, count] of Object.entries(shape.byService))
      services.set(service, (services.get(service) ?? 0) + count);
  }
  const lines = [
    '',
    `certwatch benchmark, ${fleet.name}: ${describeBenchFleet(fleet)} (seed ${fleet.seed}).`,
    `certwatch ran with ${args.runtime}.`,
    `Emulator in a child process: ${latencyMs} ms per reply; rate limits per account (×${args.rateScale}): ` +
      `${limitText || 'none'}. certwatch is not told them. node ${process.version}, ${availableParallelism()} CPUs.`,
    '',
    table,
    '',
    `Found: ${[...services].map(([service, count]) => `${figure(count)} ${service}`).join(', ')}, in ` +
      `${accounts.length} accounts.`,
    `requests, throttled: certwatch's own counters (${figure(scan.retries)} retries). The emulator saw ` +
      `${figure(counts.totalRequests)} requests and ${figure(counts.totalThrottled)} throttled replies` +
      (counts.totalRequests === scan.requests && counts.totalThrottled === scan.throttled
        ? ' (they agree).'
        : ' — THEY DISAGREE.'),
  ];
  if (!scan.complete) {
    lines.push(
      `THE SCAN WAS INCOMPLETE (${scan.failureCount} failure(s)). First: ${scan.failures.join(' | ')}`,
    );
  }
  lines.push(
    `CPU during the scan: certwatch ${figure(scan.cpuMicros / 1e6, 1)} s, the emulator ` +
      `${figure(emulatorCpuSeconds, 1)} s, in ${figure(wall, 1)} s of wall time on ${availableParallelism()} CPUs ` +
      `(${figure((100 * (scan.cpuMicros / 1e6 + emulatorCpuSeconds)) / (wall * availableParallelism()))}% busy, ` +
      'other processes on the machine not counted).',
    '',
    "Lower bound: each account's calls past its rate limits at those limits (the slowest API of the account) " +
      'plus its longest chain of calls that cannot overlap; the accounts are limited separately and run side by ' +
      "side, so the slowest account's bound is the scan's. Per account:",
    ...accounts.map(({ shape }) => {
      const one = accountBound({ shape, calls: byAccount[shape.account] ?? {} }, limits, latencyMs);
      const by = one.bound.boundBy;
      return (
        `  ${shape.name.padEnd(10)} ${String(Object.values(shape.byService).reduce((a, b) => a + b, 0)).padStart(6)} ` +
        `certificates, bound ${one.bound.seconds.toFixed(2)} s (${by ? `${by.action} ${figure(by.calls)} calls` : 'no limited call'}` +
        `, chain ${one.bound.chain?.calls ?? 0} calls)`
      );
    }),
    ...(slowest ? [`The slowest, ${slowest.name}:`, ...explainLowerBound(slowest.bound)] : []),
    ...(args.accountShards > 0
      ? await accountShardsLines(
          emulator,
          args,
          accounts
            .filter((account) => account.shape.member)
            .sort((a, b) => boundOf(b) - boundOf(a))
            .slice(0, args.accountShards)
            .map(({ shape }) => ({ account: shape.account, name: shape.name })),
          limits,
          progress,
        )
      : ['', 'Accounts alone (the sharded mode): not measured (--account-shards 0).']),
    '',
    'No naive pager here: it pages the single-account APIs of fleet-10k/100k only.',
    `Emulator ready (fleet generated, or read from .cache/fleets) in ${readySeconds.toFixed(1)} s.`,
  );
  return lines.join('\n');
}

/**
 * The sharded mode's figure: each assumed role's account has shards of its own, run by other worker invocations
 * (other machines) side by side, so the run takes as long as its slowest account. Measured here as such an account
 * runs: the `accountShards` accounts with the largest bounds, each scanned alone through its role (every service
 * of it at once, as its shards run within shardConcurrency), one after another with the buckets refilled between.
 * Peak RSS is not separate (this process already held the whole scan); CPU is per certificate of the account.
 */
async function accountShardsLines(
  emulator: EmulatorProcess,
  args: AccountsScanArgs,
  members: { account: string; name: string }[],
  limits: Record<string, number>,
  progress: (text: string) => void,
): Promise<string[]> {
  const boundOf = (account: MeasuredAccount) => accountBound(account, limits, args.latencyMs).bound.seconds;
  const rows: string[][] = [];
  let worst = 0;
  for (const member of members) {
    progress(`bench: account ${member.name} alone, as its shards run...`);
    await sleep(1500);
    const before = await emulator.stats();
    const env: Record<string, string> = {
      ...emulator.env,
      ALIBABA_CLOUD_RESOURCE_DIRECTORY: 'false',
      ALIBABA_CLOUD_ASSUME_ROLES: `${member.name}=acs:ram::${member.account}:role/${RESOURCE_DIRECTORY_ROLE}`,
    };
    const alone = await measureScan(env, (config) => ({
      ...config,
      aliyun: config.aliyun && { ...config.aliyun, scanOwnAccount: false },
    }));
    const after = await emulator.stats();
    const calls = callsByAccount(before, after)[member.account] ?? {};
    const shape = alone.accounts.find((one) => one.account === member.account) ?? {
      account: member.account,
      name: member.name,
      member: true,
      byService: {},
    };
    const bound = boundOf({ shape, calls });
    const ratio = bound > 0 ? alone.wallSeconds / bound : 0;
    worst = Math.max(worst, ratio);
    rows.push([
      shape.name,
      figure(alone.certificates),
      alone.complete ? 'yes' : 'NO',
      figure(alone.requests),
      `${figure(alone.throttled)} (${figure((100 * alone.throttled) / Math.max(alone.requests, 1), 1)}%)`,
      figure(alone.wallSeconds, 1),
      figure(bound, 1),
      bound > 0 ? `${figure(ratio, 2)}×` : '-',
      figure(alone.cpuMicros / Math.max(alone.certificates, 1)),
      args.accountsAlone ? figure(alone.peakRssMb) : '-',
    ]);
  }
  return [
    '',
    `Accounts alone, as the sharded mode runs them (each assumed role's account in shards of its own, accounts side ` +
      `by side in other invocations, so the run takes its slowest account's time): ${members.length} ` +
      `account(s)${args.accountsAlone ? '' : ' with the largest bounds'}, each scanned alone through its role` +
      (args.accountsAlone ? '.' : ' (peak RSS: see --accounts-alone, this process held the whole scan).'),
    formatTable(['account', ...SCAN_COLUMNS, 'CPU µs/cert', 'peak RSS MB'], rows),
    `Sharded by account, the slowest of these took ${figure(worst, 2)}× its bound.`,
  ];
}
