/**
 * What the sharded functions (functions/shardPlan.ts, shardWork.ts, shardFinish.ts) build once per container:
 * what every function builds (lib/setup.ts: configuration, alert channels, history, rules), then the run store and,
 * for the planner, the queue. Each can be handed in instead, as tests do.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ProviderDeps } from '../providers/source';
import { type AlertingDeps, prepareAlerting } from '../setup';
import { DynamoRunStore } from './dynamoRunStore';
import { type ShardQueue, SqsShardQueue } from './queue';
import type { RunStore } from './runStore';
import { loadShardSettings } from './settings';
import type { WorkerSetup } from './worker';

export { preparedOnce } from '../setup';

export interface ShardDeps extends ProviderDeps, AlertingDeps {
  runs?: RunStore;
  queue?: ShardQueue;
}

export interface ShardFunctionSetup extends WorkerSetup {
  /** Set for the planner only. */
  queue: ShardQueue | null;
}

export async function prepareShardSetup(
  env: Readonly<Record<string, string | undefined>>,
  deps: ShardDeps,
  options: { needsQueue: boolean },
): Promise<ShardFunctionSetup> {
  const alerting = await prepareAlerting(env, deps);
  const settings = loadShardSettings(env, options);
  const {
    sink: _sink,
    store: _store,
    runs,
    queue,
    ssm: _ssm,
    awsClientConfig: _aws,
    webhookOptions: _webhook,
    ...providerDeps
  } = deps;
  return {
    ...alerting,
    settings,
    runs: runs ?? new DynamoRunStore({ client: new DynamoDBClient({}), tableName: settings.runTable }),
    queue: queue ?? (settings.queueUrl ? new SqsShardQueue(new SQSClient({}), settings.queueUrl) : null),
    providerDeps,
  };
}
