/**
 * What the sharded planner (functions/shardPlan.ts) builds once per container: its scope (which providers, regions
 * and services), the run store and the queue. It alerts nobody and reads no secret, so it loads neither SSM nor the
 * alert channels nor the history (lib/setup.ts): its bundle holds what planning needs. Each part can be handed in
 * instead, as tests do; the AWS clients take `awsClientConfig` as lib/setup.ts's do.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClientConfig } from '../awsClientConfig';
import { ConfigError } from '../errors';
import { dynamoRunStore } from './dynamoRunStore';
import type { PlannerSetup } from './planner';
import { type ShardQueue, SqsShardQueue } from './queue';
import type { RunStore } from './runStore';
import { loadShardScope } from './scope';
import { loadShardSettings } from './settings';

/** What the planner can be handed instead of building it. */
export interface PlanDeps {
  runs?: RunStore;
  queue?: ShardQueue;
  awsClientConfig?: AwsClientConfig;
}

/** The planner's setup: no SSM, no alert channel, no history; every problem of its settings reported at once. */
export async function preparePlanSetup(
  env: Readonly<Record<string, string | undefined>>,
  deps: PlanDeps,
): Promise<PlannerSetup> {
  const problems: string[] = [];
  const read = <T>(load: () => T): T | null => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return null;
    }
  };
  const settings = read(() => loadShardSettings(env, { needsQueue: true }));
  const scope = read(() => loadShardScope(env));
  if (!settings || !scope) throw new ConfigError(problems);
  return {
    scope,
    settings,
    runs: deps.runs ?? dynamoRunStore(settings.runTable, deps.awsClientConfig),
    queue: deps.queue ?? new SqsShardQueue(new SQSClient(deps.awsClientConfig ?? {}), settings.queueUrl!),
  };
}
