/**
 * The sharded mode's own settings, read from the environment the sharded functions get (serverless.yml with
 * `--param="mode=sharded"`, deploy/shardedMode.cjs). Pure; every problem is reported at once, each naming its key.
 */
import { ConfigError } from '../errors';
import { readWholeNumber } from '../settings/readers';
import type { Setting } from '../settings/setting';

export interface ShardSettings {
  /** DynamoDB table of runs, their shards' results and the open-runs index (CERTWATCH_RUN_TABLE). */
  runTable: string;
  /** The SQS queue the planner sends one message per shard to (CERTWATCH_SHARD_QUEUE_URL); planner only. */
  queueUrl: string | null;
  /** Regions one shard scans (CERTWATCH_SHARD_REGIONS, default 4). */
  regionsPerShard: number;
  /**
   * How long after it was planned a run that still misses shards is closed anyway, its digest naming the missing
   * ones (CERTWATCH_SHARD_DEADLINE_MINUTES, default 240: three SQS attempts of a 15-minute worker, 90 minutes
   * apart, and a margin).
   */
  deadlineMs: number;
}

export const DEFAULT_REGIONS_PER_SHARD = 4;
export const DEFAULT_DEADLINE_MINUTES = 240;

/**
 * The sharded functions' own settings, which serverless.yml sets (not read by loadConfig, so not in a config file).
 * CERTWATCH_SHARD_PROVIDERS is the planner's (lib/shard/scope.ts).
 */
export const SHARD_SETTINGS: readonly Setting[] = [
  { key: 'CERTWATCH_RUN_TABLE', description: 'DynamoDB table of the sharded runs and their shards’ results' },
  {
    key: 'CERTWATCH_SHARD_QUEUE_URL',
    description: 'the SQS queue the planner sends one message per shard to',
  },
  {
    key: 'CERTWATCH_SHARD_REGIONS',
    description: 'regions one shard scans',
    default: String(DEFAULT_REGIONS_PER_SHARD),
  },
  {
    key: 'CERTWATCH_SHARD_DEADLINE_MINUTES',
    description: 'how long after it was planned a run that still misses shards is closed anyway',
    default: String(DEFAULT_DEADLINE_MINUTES),
  },
  {
    key: 'CERTWATCH_SHARD_PROVIDERS',
    description:
      'the providers the planner plans shards for, comma-separated (derived from the key parameters)',
  },
];

/** Reads the settings; `needsQueue` for the planner, which is the only one that sends to the queue. */
export function loadShardSettings(
  env: Readonly<Record<string, string | undefined>>,
  options: { needsQueue: boolean },
): ShardSettings {
  const problems: string[] = [];
  const get = (key: string) => env[key]?.trim() || undefined;
  const runTable = get('CERTWATCH_RUN_TABLE');
  if (runTable === undefined) {
    problems.push('CERTWATCH_RUN_TABLE is missing: the sharded mode keeps its runs in a DynamoDB table');
  } else if (!/^[A-Za-z0-9_.-]{3,255}$/.test(runTable)) {
    problems.push(
      `CERTWATCH_RUN_TABLE "${runTable}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`,
    );
  }
  const queueUrl = get('CERTWATCH_SHARD_QUEUE_URL') ?? null;
  if (queueUrl === null && options.needsQueue) {
    problems.push(
      'CERTWATCH_SHARD_QUEUE_URL is missing: the planner sends one message per shard to that queue',
    );
  } else if (queueUrl !== null && !/^https?:\/\/\S+$/.test(queueUrl)) {
    problems.push(`CERTWATCH_SHARD_QUEUE_URL "${queueUrl}" is not an SQS queue URL (https://sqs.REGION...)`);
  }
  const whole = (key: string, fallback: number, max: number) =>
    readWholeNumber(get, key, { fallback, max, statesRange: true }, problems) ?? fallback;
  const regionsPerShard = whole('CERTWATCH_SHARD_REGIONS', DEFAULT_REGIONS_PER_SHARD, 100);
  // A week at most: run items live a week (their TTL), and a run open longer than that could never close.
  const deadlineMinutes = whole(
    'CERTWATCH_SHARD_DEADLINE_MINUTES',
    DEFAULT_DEADLINE_MINUTES,
    7 * 24 * 60 - 60,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return { runTable: runTable!, queueUrl, regionsPerShard, deadlineMs: deadlineMinutes * 60_000 };
}
