/**
 * `certwatch emulator`: the cloud emulator standalone, until interrupted. Prints the `export` lines that point
 * certwatch at it.
 *
 * Rate limits are off unless `--rate-limits` or `--rate-scale` is given; then the defaults
 * (DEFAULT_RATE_LIMITS), changed by the `--rate-limits` entries (`ACTION=N` per second, `ACTION=off`), all
 * multiplied by `--rate-scale`.
 */
import { demoFleet } from '../emulator/fleet/demo';
import {
  cachedAliyunAccountsFleet,
  cachedAliyunCdnFleet,
  cachedAliyunSlbFleet,
  cachedUcloudFleet,
  readFleetFile,
} from '../emulator/fleet/file';
import type { AliyunAccountResourceCounts } from '../emulator/fleet/generate';
import type { Fleet } from '../emulator/fleet/model';
import { DEFAULT_RATE_LIMITS, parseRateLimits, type RateLimitOptions } from '../emulator/rateLimits';
import { startEmulator } from '../emulator/server';
import { UsageError } from '../lib/errors';
import { describeFleet, emulatorEnv } from './emulatorEnv';
import { type CliIo, write } from './io';
import { parse } from './options';

const GENERATED = [
  'count',
  'cdn-count',
  'slb-count',
  'seed',
  'regions',
  'projects',
  'slb-regions',
  'accounts',
  'per-account',
  'account-regions',
] as const;

/** What `--per-account` may count, each a resource of every generated Alibaba account. */
const PER_ACCOUNT: Record<keyof AliyunAccountResourceCounts, true> = {
  cdn: true,
  cdnDomains: true,
  dcdnDomains: true,
  slb: true,
  cas: true,
  alb: true,
  nlb: true,
};

export async function runEmulatorCommand(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, {
    port: { type: 'string' },
    fleet: { type: 'string' },
    count: { type: 'string' },
    'cdn-count': { type: 'string' },
    'slb-count': { type: 'string' },
    seed: { type: 'string' },
    regions: { type: 'string' },
    projects: { type: 'string' },
    'slb-regions': { type: 'string' },
    accounts: { type: 'string' },
    'per-account': { type: 'string' },
    'account-regions': { type: 'string' },
    'latency-ms': { type: 'string' },
    'throttle-rate': { type: 'string' },
    'error-rate': { type: 'string' },
    'rate-limits': { type: 'string' },
    'rate-scale': { type: 'string' },
  });
  const port = integerOption('--port', options.port, 0, 65535) ?? 0;
  const generated = GENERATED.filter((name) => options[name] !== undefined);
  let fleet: Fleet;
  if (options.fleet) {
    if (generated.length > 0) {
      throw new UsageError(
        `--fleet cannot be combined with ${generated.map((name) => `--${name}`).join(', ')}`,
      );
    }
    fleet = readFleetFile(options.fleet);
  } else if (generated.length > 0) {
    fleet = generatedFleet(options, io.clock());
  } else {
    fleet = demoFleet(io.clock());
  }
  const emulator = await startEmulator({
    fleet,
    port,
    latencyMs: integerOption('--latency-ms', options['latency-ms'], 0, 60_000) ?? 0,
    throttleRate: rateOption('--throttle-rate', options['throttle-rate']),
    errorRate: rateOption('--error-rate', options['error-rate']),
    rateLimits: rateLimitOptions(options['rate-limits'], options['rate-scale']),
  });
  const exports = Object.entries(emulatorEnv(fleet, emulator)).map(
    ([key, value]) => `  export ${key}=${value}\n`,
  );
  const limits = Object.entries(emulator.rateLimits).map(([action, perSecond]) => `${action} ${perSecond}/s`);
  await write(
    io.stdout,
    `${emulator.url}\ncertwatch emulator: ${describeFleet(fleet)}\n` +
      `rate limits: ${limits.length > 0 ? `${limits.join(', ')} (per account)` : 'none'}\n` +
      `point certwatch at it with:\n${exports.join('')}` +
      'Press Ctrl-C to stop.\n',
  );
  await io.untilStopped();
  await emulator.close();
  return 0;
}

type GeneratedOptions = Partial<Record<(typeof GENERATED)[number], string>>;

/** A seeded fleet laid around today's UTC midnight, so it is cached (.cache/fleets) and reused all day. */
function generatedFleet(options: GeneratedOptions, nowMs: number): Fleet {
  const now = nowMs - (nowMs % 86_400_000);
  const seed = integerOption('--seed', options.seed, 0, 2 ** 31) ?? 1;
  const count = integerOption('--count', options.count, 0, 1_000_000) ?? 0;
  const cdnCount = integerOption('--cdn-count', options['cdn-count'], 0, 1_000_000) ?? 0;
  const slbCount = integerOption('--slb-count', options['slb-count'], 0, 1_000_000) ?? 0;
  const fleet: Fleet = {};
  if (count > 0) {
    const regions = listOption('--regions', options.regions) ?? ['cn-bj2', 'cn-sh2', 'hk'];
    const projects = listOption('--projects', options.projects) ?? ['org-demo1', 'org-demo2'];
    fleet.ucloud = { certificates: cachedUcloudFleet({ count, seed, now, regions, projects }).certificates };
  }
  const accounts = integerOption('--accounts', options.accounts, 1, 1_000);
  if (accounts !== undefined) {
    if (cdnCount > 0 || slbCount > 0) {
      throw new UsageError(
        '--accounts cannot be combined with --cdn-count or --slb-count: use --per-account',
      );
    }
    const regions = listOption('--account-regions', options['account-regions']);
    // A Resource Directory of the main account and its members, as an organisation with many accounts runs.
    fleet.aliyun = cachedAliyunAccountsFleet({
      accounts,
      seed,
      now,
      perAccount: perAccountOption(options['per-account']),
      resourceDirectory: true,
      ...(regions ? { regions } : {}),
    }).fleet;
  } else if (options['per-account'] !== undefined || options['account-regions'] !== undefined) {
    throw new UsageError('--per-account and --account-regions need --accounts');
  }
  if (cdnCount > 0 || slbCount > 0) {
    fleet.aliyun = {};
    if (cdnCount > 0)
      fleet.aliyun.cdn = { certificates: cachedAliyunCdnFleet({ count: cdnCount, seed, now }).certificates };
    if (slbCount > 0) {
      const regions = listOption('--slb-regions', options['slb-regions']) ?? ['cn-hangzhou', 'cn-shanghai'];
      fleet.aliyun.slb = {
        certificates: cachedAliyunSlbFleet({ count: slbCount, seed, now, regions }).certificates,
      };
    }
  }
  if (!fleet.ucloud && !fleet.aliyun) {
    throw new UsageError(
      'give --count, --cdn-count, --slb-count or --accounts (how many certificates to generate)',
    );
  }
  return fleet;
}

function integerOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${name} "${text}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** `--per-account cas=2500,alb=300,...`: how many of each resource every generated account holds. */
function perAccountOption(text: string | undefined): AliyunAccountResourceCounts {
  const counts: AliyunAccountResourceCounts = {};
  for (const entry of (text ?? '').split(',').filter((item) => item.trim() !== '')) {
    const [name = '', value = ''] = entry.split('=').map((part) => part.trim());
    if (!Object.hasOwn(PER_ACCOUNT, name)) {
      throw new UsageError(
        `--per-account "${entry}": the resource must be one of ${Object.keys(PER_ACCOUNT).join(', ')}`,
      );
    }
    counts[name as keyof AliyunAccountResourceCounts] = integerOption(
      `--per-account ${name}`,
      value,
      0,
      1_000_000,
    );
  }
  if (Object.keys(counts).length === 0) {
    throw new UsageError('--accounts needs --per-account, e.g. cas=100,alb=10,cdn=50,slb=50');
  }
  return counts;
}

function listOption(name: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => !/^[a-z0-9-]+$/i.test(item))) {
    throw new UsageError(`${name} "${text}" must be a comma-separated list such as cn-bj2,cn-sh2`);
  }
  return items;
}

/**
 * The emulator's rate limits from `--rate-limits` and `--rate-scale`: undefined (no limits) unless one of them is
 * given; then the defaults, changed by the listed entries, scaled. Throws UsageError naming the flag.
 */
export function rateLimitOptions(
  limitsText: string | undefined,
  scaleText: string | undefined,
): RateLimitOptions | undefined {
  if (limitsText === undefined && scaleText === undefined) return undefined;
  const perSecond: Record<string, number> = { ...DEFAULT_RATE_LIMITS };
  if (limitsText !== undefined) {
    let changes: Record<string, number | null>;
    try {
      changes = parseRateLimits(limitsText);
    } catch (error) {
      throw new UsageError(`--rate-limits: ${(error as Error).message}`);
    }
    for (const [action, value] of Object.entries(changes)) {
      if (value === null) delete perSecond[action];
      else perSecond[action] = value;
    }
  }
  let scale = 1;
  if (scaleText !== undefined) {
    scale = Number(scaleText);
    if (scaleText.trim() === '' || !Number.isFinite(scale) || scale <= 0) {
      throw new UsageError(
        `--rate-scale "${scaleText}" must be a number > 0 (it multiplies every rate limit)`,
      );
    }
  }
  return { perSecond, scale };
}

function rateOption(name: string, text: string | undefined): number {
  if (text === undefined) return 0;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${name} "${text}" must be a number from 0 to 1 (a share of requests)`);
  }
  return value;
}
