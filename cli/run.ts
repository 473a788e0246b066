/**
 * The scan as the CLI runs it: configuration, sources, report; and the exit code a report deserves.
 */
import { type Config, loadConfig } from '../lib/config';
import { ConfigError, UsageError } from '../lib/errors';
import { parseIsoInstant } from '../lib/expiry/instant';
import { jsonErrorPlace } from '../lib/jsonText';
import type { ScanReport } from '../lib/model';
import { buildSources } from '../lib/providers';
import { newRequestCounters, type RequestCounters } from '../lib/providers/source';
import { scanFleet } from '../lib/scan';
import type { CliIo } from './io';
import { createProgress } from './progress';

export const EXIT = { complete: 0, failed: 1, usage: 2, incomplete: 3 } as const;

/** Where the CLI remembers what it alerted, unless CERTWATCH_STATE_FILE says otherwise. */
export const DEFAULT_STATE_FILE = '.certwatch/alert-state.json';

/** Reads `--config FILE` (JSON) and the environment into a Config. */
export async function configFrom(io: CliIo, configPath: string | undefined): Promise<Config> {
  if (!configPath) return loadConfig(io.env);
  let text: string;
  try {
    text = await io.readFile(configPath);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new ConfigError([`cannot read --config ${configPath} (${reason}): check the path`], {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the error, and the file may hold a key: say only where it is, and keep
    // that error out of the cause too (--debug prints causes).
    throw new ConfigError([`--config ${configPath} is not valid JSON (${jsonErrorPlace(text)})`]);
  }
  return loadConfig(io.env, parsed, configPath);
}

/** Reads a file named by a setting or option, with an error that names it. */
export async function readConfigFile(io: CliIo, path: string, setting: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new ConfigError([`cannot read ${setting} ${path} (${reason}): check the path`], { cause: error });
  }
}

/** The instant to judge at: `--now` when given (ISO 8601), else the clock. */
export function nowFrom(io: CliIo, nowOption: string | undefined): number {
  if (nowOption === undefined) return io.clock();
  const parsed = parseIsoInstant(nowOption);
  if (parsed === null) {
    throw new UsageError(
      `--now "${nowOption}" is not an ISO 8601 instant (for example 2026-12-01T00:00:00Z)`,
    );
  }
  return parsed;
}

export async function scanWithProgress(
  io: CliIo,
  config: Config,
  nowMs: number,
  fetchImpl?: typeof globalThis.fetch,
): Promise<ScanReport> {
  const counters: RequestCounters = newRequestCounters();
  const progress = createProgress(io, counters);
  try {
    return await scanFleet(buildSources(config, { counters, fetch: fetchImpl }), {
      statusDays: config.statusDays,
      nowMs,
      clock: io.clock,
      onProgress: progress.update,
    });
  } finally {
    progress.done();
  }
}

export function exitCodeFor(report: ScanReport): number {
  return report.complete ? EXIT.complete : EXIT.incomplete;
}
