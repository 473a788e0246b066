/**
 * What every function builds once per container from its environment: the configuration (provider keys read from
 * SSM when the environment holds only their parameter names), the alert sink, the alert history and the rules.
 * The scan function adds its sources, the sharded functions their run store and queue. Each part can be handed
 * in instead, as tests do.
 *
 * The AWS SDK clients are imported here on first use, not at the top: loading them is most of a cold start
 * (npm run bench:coldstart), and a function without a topic or a table never loads SNS or DynamoDB.
 */
import { readFileSync } from 'node:fs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConsoleSink } from './alerts/console';
import { parseRules } from './alerts/rules';
import type { AlertSink } from './alerts/sink';
import { loadConfig } from './config';
import type { AlertSetup } from './run';
import { MemoryStateStore } from './state/memory';
import type { AlertStateStore } from './state/store';

export interface AlertingDeps {
  sink?: AlertSink;
  store?: AlertStateStore;
  /** Where secret parameters are read from (default: an SSMClient with the SDK's own settings). */
  ssm?: Pick<SSMClient, 'send'>;
}

export async function prepareAlerting(
  env: Readonly<Record<string, string | undefined>>,
  deps: AlertingDeps,
): Promise<AlertSetup> {
  // Secrets come from SSM at cold start (the environment holds only their names), then stay in memory.
  const secrets = await import('./secrets/ssm');
  const needsSsm = secrets.SECRET_SETTINGS.some((key) => env[`${key}_PARAMETER`]);
  const ssm = needsSsm ? (deps.ssm ?? (await ssmClient())) : undefined;
  const config = loadConfig(ssm ? await secrets.resolveSecretParameters(env, ssm) : env);
  const { snsTopicArn } = config;
  const { stateTable, rulesFile } = config.alerting;
  return {
    config,
    sink: deps.sink ?? (snsTopicArn ? await snsSink(snsTopicArn) : new ConsoleSink()),
    // Without a table (invoke local, a bare deployment) history lives only as long as this container.
    store: deps.store ?? (stateTable ? await dynamoStore(stateTable) : new MemoryStateStore()),
    rules: rulesFile ? await parseRules(readFileSync(rulesFile, 'utf8'), rulesFile) : null,
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

async function ssmClient(): Promise<SSMClient> {
  const { SSMClient } = await import('@aws-sdk/client-ssm');
  return new SSMClient({});
}

async function snsSink(topicArn: string): Promise<AlertSink> {
  const { createSnsSink } = await import('./alerts/sns');
  return createSnsSink(topicArn);
}

async function dynamoStore(tableName: string): Promise<AlertStateStore> {
  const [{ DynamoDBClient }, { DynamoStateStore }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('./state/dynamodb'),
  ]);
  return new DynamoStateStore({ client: new DynamoDBClient({}), tableName });
}
