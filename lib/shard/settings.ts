/**
 * The sharded mode's own settings, read from the environment the sharded functions get (serverless.yml with
 * `--param="mode=sharded"`, deploy/shardedMode.cjs). Pure; every problem is reported at once, each naming its key.
 */
import { ConfigError } from '../errors';

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

export const SHARD_SETTING_KEYS = [
  'CERTWATCH_RUN_TABLE',
  'CERTWATCH_SHARD_QUEUE_URL',
  'CERTWATCH_SHARD_REGIONS',
  'CERTWATCH_SHARD_DEADLINE_MINUTES',
] as const;

export const DEFAULT_REGIONS_PER_SHARD = 4;
export const DEFAULT_DEADLINE_MINUTES = 240;

/** Reads the settings; `needsQueue` for the planner, which is the only one that sends to the queue. */
export function loadShardSettings(
  env: Readonly<Record<string, string | undefined>>,
  options: { needsQueue: boolean },
): ShardSettings {
  const problems: string[] = [];
  const get = (key: (typeof SHARD_SETTING_KEYS)[number]) => env[key]?.trim() || undefined;
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
  const whole = (key: (typeof SHARD_SETTING_KEYS)[number], fallback: number, max: number) => {
    const text = get(key);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
      problems.push(`${key} "${text}" must be a whole number from 1 to ${max}`);
      return fallback;
    }
    return Number(text);
  };
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
