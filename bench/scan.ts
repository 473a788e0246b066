/**
 * `npm run bench [-- --fleet fleet-10k|fleet-100k|accounts-200k] [--rate-scale F] [--latency-ms N] [--memory-mb N|host]
 * [--naive-full] [--naive-sample N] [--skip-extras] [--account-shards N] [--accounts-alone]`
 *
 * certwatch against a named fleet (bench/fleets.ts) on the emulator, in a child process so this process's CPU
 * time and peak RSS are certwatch's own. The emulator answers after `--latency-ms` (default 30) and enforces its
 * per-API rate limits (emulator/rateLimits.ts, multiplied by `--rate-scale`), answering over-limit calls with
 * the provider's throttling reply; certwatch is not told the limits. Prints one table — certificates, requests,
 * throttled replies, wall time, the lower bound (bench/lowerBound.ts), wall/bound, peak RSS, CPU per
 * certificate, the naive sequential pager's time (bench/naivePager.ts) and the speed-up — and how the bound and
 * the naive figure were computed. Then the extras (bench/extras/).
 *
 * certwatch runs under the V8 flags a Lambda function of `--memory-mb` (default 256) is deployed with
 * (deploy/memory.cjs): the benchmark starts itself again with them. `--memory-mb host` leaves V8 to size its heap
 * by this machine, as nothing deployed does.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { accountsScanSection } from './accountsScan';
import {
  actionCounts,
  answeredCalls,
  countsBetween,
  type EmulatorProcess,
  startEmulatorProcess,
} from './emulatorProcess';
import { alertVolumeSection } from './extras/alertVolume';
import { channelsSection } from './extras/channels';
import { parseAndEvaluateSection } from './extras/parseEvaluate';
import { BENCH_FLEETS, type BenchFleet, describeBenchFleet, emulatorFleetArgs, fleetSize } from './fleets';
import { callsNeeded, explainLowerBound, lowerBound, minimumCalls, scanChains } from './lowerBound';
import { estimateNaive, runNaivePager } from './naivePager';
import { measureScan } from './scanRun';
import { figure, formatTable, SCAN_COLUMNS } from './table';

/** The naive pager's pause before retrying a throttled reply. */
const NAIVE_THROTTLE_SLEEP_MS = 500;
/** Long enough for every bucket (one second's worth) to fill again between the scan and the naive run. */
const REFILL_PAUSE_MS = 1_500;

interface BenchArgs {
  fleet: BenchFleet;
  rateScale: number;
  latencyMs: number;
  naiveFull: boolean;
  naiveSample: number;
  extras: boolean;
  /** The function memory whose V8 flags certwatch runs under, or null for V8's own sizing. */
  memoryMb: number | null;
  /** Multi-account fleets: how many accounts are then scanned alone, as the sharded mode runs them. */
  accountShards: number;
  /** Multi-account fleets: only those, in a process that did not scan every account first. */
  accountsAlone: boolean;
}

/** Set in the environment of the run that carries the flags. */
const RELAUNCHED = 'CERTWATCH_BENCH_V8_FLAGS';

const deployMemory = createRequire(import.meta.url)('../deploy/memory.cjs') as {
  nodeOptionsFor: (memoryMb: number) => string;
  memoryMb: (value: unknown) => number;
};

/** A bad flag: printed without a stack trace. */
class BenchUsageError extends Error {}

function readArgs(argv: string[]): BenchArgs {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  const values = parsed.values;
  const fleet = Object.hasOwn(BENCH_FLEETS, values.fleet) ? BENCH_FLEETS[values.fleet] : undefined;
  if (!fleet) throw new BenchUsageError(`--fleet must be one of ${Object.keys(BENCH_FLEETS).join(', ')}`);
  const rateScale = Number(values['rate-scale']);
  if (!(rateScale > 0)) throw new BenchUsageError('--rate-scale must be a number > 0');
  const latencyMs = Number(values['latency-ms']);
  if (!(Number.isInteger(latencyMs) && latencyMs >= 0)) {
    throw new BenchUsageError('--latency-ms must be a whole number of milliseconds');
  }
  const naiveSample = Number(values['naive-sample']);
  if (!(Number.isInteger(naiveSample) && naiveSample > 0)) {
    throw new BenchUsageError('--naive-sample must be a whole number > 0');
  }
  const accountShards = Number(values['account-shards']);
  if (!(Number.isInteger(accountShards) && accountShards >= 0)) {
    throw new BenchUsageError('--account-shards must be a whole number (accounts scanned alone; 0: none)');
  }
  let memoryMb: number | null = null;
  if (values['memory-mb'] !== 'host') {
    try {
      memoryMb = deployMemory.memoryMb(values['memory-mb']);
    } catch (error) {
      throw new BenchUsageError(`--memory-mb: ${(error as Error).message}, or "host"`);
    }
  }
  return {
    fleet,
    rateScale,
    memoryMb,
    latencyMs,
    naiveFull: values['naive-full'],
    naiveSample,
    extras: !values['skip-extras'],
    accountShards,
    accountsAlone: values['accounts-alone'],
  };
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      fleet: { type: 'string', default: 'fleet-10k' },
      'rate-scale': { type: 'string', default: '1' },
      'latency-ms': { type: 'string', default: '30' },
      'naive-full': { type: 'boolean', default: false },
      'naive-sample': { type: 'string', default: '300' },
      'skip-extras': { type: 'boolean', default: false },
      'memory-mb': { type: 'string', default: '256' },
      'account-shards': { type: 'string', default: '3' },
      'accounts-alone': { type: 'boolean', default: false },
    },
  });
}

const progress = (text: string) => process.stderr.write(`${text}\n`);

/**
 * Starts this benchmark again under the V8 flags of a function of `memoryMb` (and --expose-gc, to weigh the
 * report); returns false when this already is that run.
 */
function relaunchedWithFlags(memoryMb: number | null): boolean {
  if (process.env[RELAUNCHED] !== undefined) return false;
  const flags = [
    ...(memoryMb === null ? [] : deployMemory.nodeOptionsFor(memoryMb).split(' ')),
    '--expose-gc',
  ];
  const run = spawnSync(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED]: flags.join(' ') },
  });
  process.exitCode = run.status ?? 1;
  return true;
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  if (relaunchedWithFlags(args.memoryMb)) return;
  const { fleet } = args;
  const expected = fleetSize(fleet);
  progress(
    `bench: starting the emulator with ${fleet.name} (${expected === null ? '' : `${figure(expected)} certificates, `}` +
      'cached in .cache/fleets)...',
  );
  const readyStarted = performance.now();
  const emulator = await startEmulatorProcess([
    ...emulatorFleetArgs(fleet),
    '--latency-ms',
    String(args.latencyMs),
    '--rate-scale',
    String(args.rateScale),
  ]);
  const readySeconds = (performance.now() - readyStarted) / 1000;
  try {
    const section =
      expected === null
        ? await accountsScanSection(
            emulator,
            {
              fleet,
              latencyMs: args.latencyMs,
              rateScale: args.rateScale,
              runtime: runtimeText(args),
              accountShards: args.accountShards,
              accountsAlone: args.accountsAlone,
            },
            readySeconds,
            progress,
          )
        : await scanSection(emulator, args, expected, readySeconds);
    process.stdout.write(`${section}\n`);
    if (args.extras) {
      progress('bench: extras...');
      process.stdout.write(`\n${await extrasSection(emulator.env)}`);
    }
  } finally {
    emulator.stop();
  }
}

async function scanSection(
  emulator: EmulatorProcess,
  args: BenchArgs,
  expected: number,
  readySeconds: number,
): Promise<string> {
  const { fleet, latencyMs } = args;
  const first = await emulator.stats();
  const limits = first.rateLimits;

  progress('bench: certwatch scan...');
  const scan = await measureScan(emulator.env);
  const afterScan = await emulator.stats();
  const scanCounts = countsBetween(actionCounts(first), actionCounts(afterScan));
  const emulatorCpuSeconds = (afterScan.processCpuMicros - first.processCpuMicros) / 1e6;
  const needed = callsNeeded(answeredCalls(scanCounts), minimumCalls(scan.shape));
  const calls = needed.calls;
  const bound = lowerBound({ calls, limits, latencyMs, chains: scanChains(scan.shape) });

  await sleep(REFILL_PAUSE_MS);
  progress(
    args.naiveFull
      ? 'bench: naive sequential pager, every call (this takes calls × round trip)...'
      : `bench: naive sequential pager, the first ${args.naiveSample} calls of each API...`,
  );
  const naiveBefore = actionCounts(await emulator.stats());
  const naive = await runNaivePager(loadConfig(emulator.env), {
    callsPerApi: args.naiveFull ? undefined : args.naiveSample,
    throttleSleepMs: NAIVE_THROTTLE_SLEEP_MS,
    requestTimeoutMs: 10_000,
  });
  const naiveCounts = countsBetween(naiveBefore, actionCounts(await emulator.stats()));
  const estimate = estimateNaive(naive, calls);

  const wall = scan.wallSeconds;
  const table = formatTable(
    ['fleet', ...SCAN_COLUMNS, 'peak RSS MB', 'report MB', 'CPU µs/cert', 'naive s', 'speed-up'],
    [
      [
        fleet.name,
        scan.certificates === expected
          ? figure(scan.certificates)
          : `${figure(scan.certificates)} of ${figure(expected)}`,
        scan.complete ? 'yes' : 'NO',
        figure(scan.requests),
        figure(scan.throttled),
        figure(wall, 1),
        figure(bound.seconds, 1),
        `${figure(wall / bound.seconds, 2)}×`,
        figure(scan.peakRssMb),
        scan.reportHeapMb === null ? '-' : figure(scan.reportHeapMb),
        figure(scan.cpuMicros / Math.max(scan.certificates, 1)),
        `${figure(estimate.seconds)}${estimate.estimated ? '*' : ''}`,
        `${figure(estimate.seconds / wall, 1)}×`,
      ],
    ],
  );

  const limitText = Object.entries(limits)
    .map(([action, perSecond]) => `${action} ${figure(perSecond)}/s`)
    .join(', ');
  const lines = [
    '',
    `certwatch benchmark, ${fleet.name}: ${describeBenchFleet(fleet)} (seed ${fleet.seed}).`,
    `certwatch ran with ${runtimeText(args)}.`,
    `Emulator in a child process: ${latencyMs} ms per reply; rate limits per account ` +
      `(×${args.rateScale}): ${limitText || 'none'}. certwatch is not told them. ` +
      `node ${process.version}, ${availableParallelism()} CPUs.`,
    '',
    table,
    '',
    `requests, throttled: certwatch's own counters (${figure(scan.retries)} retries). The emulator saw ` +
      `${figure(scanCounts.totalRequests)} requests and ${figure(scanCounts.totalThrottled)} throttled replies` +
      (scanCounts.totalRequests === scan.requests && scanCounts.totalThrottled === scan.throttled
        ? ' (they agree).'
        : ' — THEY DISAGREE.'),
  ];
  if (!scan.complete) {
    lines.push(
      `THE SCAN WAS INCOMPLETE (${scan.failureCount} failure(s)): it gave up on calls a complete scan makes, so ` +
        'its wall time may even come in under the bound; certificates counts those listed, read or not. ' +
        `First: ${scan.failures.join(' | ')}`,
    );
  }
  lines.push(
    "peak RSS: this process's high-water mark at the end of the scan. report: the heap the finished report holds " +
      `(after a full collection, less the same before the scan)` +
      (scan.reportHeapMb === null
        ? '.'
        : `, ${figure((scan.reportHeapMb * 2 ** 20) / Math.max(scan.certificates, 1))} bytes per certificate.`) +
      ' CPU: user + system of this process during the scan (HTTP, signing, JSON, PEM parsing, evaluation) per ' +
      'certificate.',
    `CPU during the scan: certwatch ${figure(scan.cpuMicros / 1e6, 1)} s, the emulator ` +
      `${figure(emulatorCpuSeconds, 1)} s, in ${figure(wall, 1)} s of wall time on ${availableParallelism()} CPUs ` +
      `(${figure((100 * (scan.cpuMicros / 1e6 + emulatorCpuSeconds)) / (wall * availableParallelism()))}% busy, ` +
      'other processes on the machine not counted).',
    '',
    'Lower bound: for each API, the calls the emulator answered (throttled replies excluded: a client that is ' +
      'never throttled makes only these) at its limit; the APIs are limited separately and run in parallel, so the ' +
      'slowest counts; plus the round trips of the longest chain of calls that cannot overlap.',
    ...explainLowerBound(bound),
    ...needed.notes,
    '',
    `Naive sequential pager: one request at a time, API after API, as terraform and the vendors' CLIs page ` +
      `(certwatch's clients and page functions, pages of the same size; it only pages, no parsing, which ` +
      `flatters it); a throttled reply is retried after ${NAIVE_THROTTLE_SLEEP_MS} ms.`,
    estimate.estimated
      ? `  * estimated from ${figure(estimate.measuredCalls)} measured calls (the first ${args.naiveSample} of ` +
          `each API): each API's time per call × the calls the scan needed of it, ${figure(estimate.fullCalls)} ` +
          'in all. --naive-full runs every call.'
      : `  measured over all ${figure(estimate.measuredCalls)} calls.`,
    ...estimate.lines,
    `  (the emulator saw ${figure(naiveCounts.totalRequests)} requests from it, ` +
      `${figure(naiveCounts.totalThrottled)} throttled.) The most any client could gain over it here is ` +
      `naive / bound = ${figure(estimate.seconds / bound.seconds, 1)}×: the pager's one call per round trip ` +
      "against the slowest API's limit.",
    '',
    `Emulator ready (fleet generated, or read from .cache/fleets) in ${readySeconds.toFixed(1)} s.`,
  );
  return lines.join('\n');
}

function runtimeText(args: BenchArgs): string {
  return (
    `${process.env[RELAUNCHED] ?? process.execArgv.join(' ')} ` +
    (args.memoryMb === null
      ? '(V8 sizing its heap by this machine, as no deployment does)'
      : `(the V8 flags of a ${args.memoryMb} MB function, deploy/memory.cjs)`)
  );
}

/**
 * Sections printed after the table, each a paragraph. The PEM parser's own speed bench (bench/parse.ts, being
 * written for issue 6 item 4) joins this list as one more section.
 */
async function extrasSection(env: Record<string, string>): Promise<string> {
  const sections: (() => Promise<string>)[] = [
    () => parseAndEvaluateSection(env),
    () => alertVolumeSection(),
    () => channelsSection(env),
    // () => parseSection(),   <- bench/parse.ts
  ];
  let text = '';
  for (const section of sections) text += await section();
  return text;
}

try {
  await main();
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 2;
}
