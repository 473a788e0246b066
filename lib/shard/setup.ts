/**
 * What the sharded functions (functions/shardPlan.ts, shardWork.ts, shardFinish.ts) build once per container. The
 * worker and the finisher: what every function builds (lib/setup.ts: configuration with its secrets, alert
 * channels, history, rules), then the run store. The planner alerts nobody and reads no secret: its scope (which
 * providers, regions and services), the run store and the queue. Each can be handed in instead, as tests do, and
 * every AWS client built here takes `awsClientConfig` as lib/setup.ts's do.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../errors';
import type { ProviderDeps } from '../providers/source';
import { type AlertingDeps, type AwsClientConfig, prepareAlerting } from '../setup';
import { DynamoRunStore } from './dynamoRunStore';
import type { PlannerSetup } from './planner';
import { type ShardQueue, SqsShardQueue } from './queue';
import type { RunStore } from './runStore';
import { loadShardScope } from './scope';
import { loadShardSettings } from './settings';
import type { WorkerSetup } from './worker';

export { preparedOnce } from '../setup';

export interface ShardDeps extends ProviderDeps, AlertingDeps {
  runs?: RunStore;
  queue?: ShardQueue;
}

/** The worker's and the finisher's setup. */
export async function prepareShardSetup(
  env: Readonly<Record<string, string | undefined>>,
  deps: ShardDeps,
): Promise<WorkerSetup> {
  const alerting = await prepareAlerting(env, deps);
  const settings = loadShardSettings(env, { needsQueue: false });
  const {
    sink: _sink,
    store: _store,
    runs,
    queue: _queue,
    ssm: _ssm,
    awsClientConfig: _aws,
    webhookOptions: _webhook,
    ...providerDeps
  } = deps;
  return {
    ...alerting,
    settings,
    runs: runs ?? runStore(settings.runTable, deps.awsClientConfig),
    providerDeps,
  };
}

/** The planner's setup: no SSM, no alert channel, no history; every problem of its settings reported at once. */
export async function preparePlanSetup(
  env: Readonly<Record<string, string | undefined>>,
  deps: Pick<ShardDeps, 'runs' | 'queue' | 'awsClientConfig'>,
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
    runs: deps.runs ?? runStore(settings.runTable, deps.awsClientConfig),
    queue: deps.queue ?? new SqsShardQueue(new SQSClient(deps.awsClientConfig ?? {}), settings.queueUrl!),
  };
}

function runStore(tableName: string, clientConfig: AwsClientConfig = {}): RunStore {
  return new DynamoRunStore({ client: new DynamoDBClient(clientConfig), tableName });
}
