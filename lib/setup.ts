/**
 * What every function builds once per container from its environment: the configuration (provider keys and
 * webhook secrets read from SSM when the environment holds only their parameter names), the alert channels (each
 * built by its module: lib/channels/index.ts), the alert history and the rules. The scan function adds its
 * sources, the sharded functions their run store and queue. Each part can be handed in instead, as tests do.
 *
 * The AWS SDK clients are imported on first use (here, and by the SNS and email channels' build), not at the top:
 * loading them is most of a cold start (npm run bench:coldstart), and a function without a topic, a sender or a
 * table never loads SNS, SES or DynamoDB.
 */
import { readFileSync } from 'node:fs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { parseRules } from './alerts/rules';
import type { AlertSink } from './alerts/sink';
import type { AwsClientConfig } from './awsClientConfig';
import { ConsoleSink } from './channels/console';
import { buildChannelSinks } from './channels/index';
import type { ChannelDeps } from './channels/module';
import { loadConfig } from './config';
import type { AlertSetup } from './run';
import { MemoryStateStore } from './state/memory';
import type { AlertStateStore } from './state/store';

export type { AwsClientConfig } from './awsClientConfig';

export interface AlertingDeps extends ChannelDeps {
  /** One channel in place of every configured one (tests). */
  sink?: AlertSink;
  store?: AlertStateStore;
  /** Where secret parameters are read from (default: an SSMClient with the SDK's own settings). */
  ssm?: Pick<SSMClient, 'send'>;
  /** For the SNS, SES, SSM and DynamoDB clients built here (tests point them at moto_server). */
  awsClientConfig?: AwsClientConfig;
}

export async function prepareAlerting(
  env: Readonly<Record<string, string | undefined>>,
  deps: AlertingDeps,
): Promise<AlertSetup> {
  // Secrets come from SSM at cold start (the environment holds only their names), then stay in memory.
  const secrets = await import('./secrets/ssm');
  const needsSsm = secrets.SECRET_SETTINGS.some((key) => env[`${key}_PARAMETER`]);
  const ssm = needsSsm ? (deps.ssm ?? (await ssmClient(deps.awsClientConfig))) : undefined;
  const config = loadConfig(ssm ? await secrets.resolveSecretParameters(env, ssm) : env);
  const { stateTable, rulesFile } = config.alerting;
  const sinks = deps.sink ? [deps.sink] : await buildChannelSinks(config.channels, deps);
  return {
    config,
    // Without any channel configured (invoke local, a bare deployment) the digest goes to the log.
    sinks: sinks.length > 0 ? sinks : [new ConsoleSink()],
    // Without a table (invoke local, a bare deployment) history lives only as long as this container.
    store:
      deps.store ??
      (stateTable ? await dynamoStore(stateTable, deps.awsClientConfig) : new MemoryStateStore()),
    rules: rulesFile ? await parseRules(readFileSync(rulesFile, 'utf8'), rulesFile) : null,
  };
}

async function ssmClient(clientConfig: AwsClientConfig = {}): Promise<SSMClient> {
  const { SSMClient } = await import('@aws-sdk/client-ssm');
  return new SSMClient(clientConfig);
}

async function dynamoStore(tableName: string, clientConfig: AwsClientConfig = {}): Promise<AlertStateStore> {
  const [{ DynamoDBClient }, { DynamoStateStore }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('./state/dynamodb'),
  ]);
  return new DynamoStateStore({ client: new DynamoDBClient(clientConfig), tableName });
}
