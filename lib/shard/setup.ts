/**
 * What the sharded functions (functions/shardPlan.ts, shardWork.ts, shardFinish.ts) build once per container:
 * the configuration (provider keys from SSM, as the single scan reads them), the alert sink and history, the run
 * store and, for the planner, the queue. Each can be handed in instead, as tests do.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ConsoleSink } from '../alerts/console';
import { parseRules } from '../alerts/rules';
import type { AlertSink } from '../alerts/sink';
import { SnsSink } from '../alerts/sns';
import { loadConfig } from '../config';
import type { ProviderDeps } from '../providers/source';
import { resolveSecretParameters, SECRET_SETTINGS } from '../secrets/ssm';
import { DynamoStateStore } from '../state/dynamodb';
import { MemoryStateStore } from '../state/memory';
import type { AlertStateStore } from '../state/store';
import { DynamoRunStore } from './dynamoRunStore';
import { type ShardQueue, SqsShardQueue } from './queue';
import type { RunStore } from './runStore';
import { loadShardSettings } from './settings';
import type { WorkerSetup } from './worker';

export interface ShardDeps extends ProviderDeps {
  sink?: AlertSink;
  store?: AlertStateStore;
  runs?: RunStore;
  queue?: ShardQueue;
  /** Where secret parameters are read from (default: an SSMClient with the SDK's own settings). */
  ssm?: Pick<SSMClient, 'send'>;
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
  const needsSsm = SECRET_SETTINGS.some((key) => env[`${key}_PARAMETER`]);
  const resolved = needsSsm ? await resolveSecretParameters(env, deps.ssm ?? new SSMClient({})) : env;
  const config = loadConfig(resolved);
  const settings = loadShardSettings(env, options);
  let dynamo: DynamoDBClient | undefined;
  const dynamoClient = () => {
    dynamo ??= new DynamoDBClient({});
    return dynamo;
  };
  const { stateTable, rulesFile } = config.alerting;
  const { sink, store, runs, queue, ssm: _ssm, ...providerDeps } = deps;
  return {
    config,
    settings,
    sink:
      sink ?? (config.snsTopicArn ? new SnsSink(new SNSClient({}), config.snsTopicArn) : new ConsoleSink()),
    store:
      store ??
      (stateTable
        ? new DynamoStateStore({ client: dynamoClient(), tableName: stateTable })
        : new MemoryStateStore()),
    rules: rulesFile ? await parseRules(readFileSync(rulesFile, 'utf8'), rulesFile) : null,
    runs: runs ?? new DynamoRunStore({ client: dynamoClient(), tableName: settings.runTable }),
    queue: queue ?? (settings.queueUrl ? new SqsShardQueue(new SQSClient({}), settings.queueUrl) : null),
    providerDeps,
  };
}

/**
 * `build` run on first use and its result kept for the container's later invocations; a failure is not kept, so
 * the next invocation tries again (SSM unreachable at one cold start, say).
 */
export function preparedOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let prepared: Promise<T> | undefined;
  return () => {
    prepared ??= build().catch((error: unknown) => {
      prepared = undefined;
      throw error;
    });
    return prepared;
  };
}
