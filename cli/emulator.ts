/**
 * `certwatch emulator`: the cloud emulator standalone, until interrupted. Prints the `export` lines that point
 * certwatch at it.
 *
 * Rate limits are off unless `--rate-limits` or `--rate-scale` is given; then the defaults
 * (DEFAULT_RATE_LIMITS), changed by the `--rate-limits` entries (`ACTION=N` per second, `ACTION=off`), all
 * multiplied by `--rate-scale`.
 */
import { demoFleet } from '../emulator/fleet/demo';
import { readFleetFile } from '../emulator/fleet/file';
import { GENERATED_FLEETS } from '../emulator/fleet/generated';
import { type FlagValues, integerFlag } from '../emulator/fleet/generatedPart';
import type { Fleet } from '../emulator/fleet/model';
import { DEFAULT_RATE_LIMITS, parseRateLimits, type RateLimitOptions } from '../emulator/rateLimits';
import { startEmulator } from '../emulator/server';
import { UsageError } from '../lib/errors';
import { describeFleet, emulatorEnv } from './emulatorEnv';
import { type CliIo, write } from './io';
import { parse } from './options';

/** Every flag of a generated fleet: `--seed` and each provider's own (emulator/fleet/generated.ts). */
const GENERATED = ['seed', ...GENERATED_FLEETS.flatMap((part) => part.flags.map((flag) => flag.name))];

const GENERATED_OPTIONS = Object.fromEntries(
  GENERATED.map((name) => [name, { type: 'string' as const }]),
) as Record<string, { type: 'string' }>;

export async function runEmulatorCommand(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, {
    port: { type: 'string' },
    fleet: { type: 'string' },
    ...GENERATED_OPTIONS,
    'latency-ms': { type: 'string' },
    'throttle-rate': { type: 'string' },
    'error-rate': { type: 'string' },
    'rate-limits': { type: 'string' },
    'rate-scale': { type: 'string' },
  });
  const port = integerFlag('port', options.port, 0, 65535) ?? 0;
  const values = options as FlagValues;
  const generated = GENERATED.filter((name) => values[name] !== undefined);
  let fleet: Fleet;
  if (options.fleet) {
    if (generated.length > 0) {
      throw new UsageError(
        `--fleet cannot be combined with ${generated.map((name) => `--${name}`).join(', ')}`,
      );
    }
    fleet = readFleetFile(options.fleet);
  } else if (generated.length > 0) {
    fleet = generatedFleet(values, io.clock());
  } else {
    fleet = demoFleet(io.clock());
  }
  const emulator = await startEmulator({
    fleet,
    port,
    latencyMs: integerFlag('latency-ms', options['latency-ms'], 0, 60_000) ?? 0,
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

/** A seeded fleet laid around today's UTC midnight, so it is cached (.cache/fleets) and reused all day. */
function generatedFleet(values: FlagValues, nowMs: number): Fleet {
  const now = nowMs - (nowMs % 86_400_000);
  const seed = integerFlag('seed', values.seed, 0, 2 ** 31) ?? 1;
  // Every part's flags are read before any part generates.
  const prepared = GENERATED_FLEETS.flatMap((part) => {
    const generate = part.prepare(values, { seed, now });
    return generate ? [{ provider: part.provider, generate }] : [];
  });
  if (prepared.length === 0) {
    const counts = GENERATED_FLEETS.flatMap((part) => part.countFlags.map((name) => `--${name}`));
    throw new UsageError(
      `give ${counts.slice(0, -1).join(', ')} or ${counts.at(-1)} (how many certificates to generate)`,
    );
  }
  return Object.fromEntries(prepared.map(({ provider, generate }) => [provider, generate()])) as Fleet;
}

/**
 * `certwatch emulator`'s usage, as `certwatch help` prints it: every flag of a generated fleet (emulator/fleet/
 * generated.ts) among the command's own, each `[--flag VALUE]` kept whole, lines filled up to `width`.
 */
export function emulatorUsage(width: number): string {
  const generated = [
    '[--seed N]',
    ...GENERATED_FLEETS.flatMap((part) => part.flags.map((flag) => `[--${flag.name} ${flag.value}]`)),
  ];
  const items = [
    '[--port N]',
    `[--fleet FILE | ${generated[0]}`,
    ...generated.slice(1, -1),
    `${generated.at(-1)}]`,
    '[--latency-ms N]',
    '[--throttle-rate R]',
    '[--error-rate R]',
    '[--rate-limits ACTION=N,...]',
    '[--rate-scale F]',
  ];
  const first = '  certwatch emulator ';
  const indent = ' '.repeat(first.length + 1);
  const lines: string[] = [];
  let line = first;
  for (const item of items) {
    const start = lines.length === 0 ? first : indent;
    if (line.length > start.length && line.length + 1 + item.length > width) {
      lines.push(line);
      line = indent + item;
    } else line = line.length > start.length ? `${line} ${item}` : line + item;
  }
  return [...lines, line].join('\n');
}

/** What the help says of the generated fleets and of the rate limits, from the same tables the command reads. */
export function emulatorHelp(): string[] {
  const limits = Object.entries(DEFAULT_RATE_LIMITS).map(([action, perSecond]) => `${action}=${perSecond}`);
  return [
    ...GENERATED_FLEETS.flatMap((part) => part.help ?? []),
    `--rate-limits / --rate-scale turn on per-API token buckets (defaults per second: ${limits.join(', ')}; ` +
      'ACTION=off lifts one); F multiplies them all.',
  ];
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
