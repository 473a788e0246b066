/**
 * What every function builds once per container from its environment: the configuration (provider keys and
 * webhook secrets read from SSM when the environment holds only their parameter names), the alert channels, the
 * alert history and the rules. The scan function adds its sources, the sharded functions their run store and
 * queue. Each part can be handed in instead, as tests do.
 *
 * The AWS SDK clients are imported here on first use, not at the top: loading them is most of a cold start
 * (npm run bench:coldstart), and a function without a topic, a sender or a table never loads SNS, SES or DynamoDB.
 */
import { readFileSync } from 'node:fs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { parseRules } from './alerts/rules';
import type { AlertSink } from './alerts/sink';
import { ConsoleSink } from './channels/console';
import type { WebhookPlatform, WebhookSinkOptions } from './channels/webhook';
import { type Config, loadConfig } from './config';
import type { AlertSetup } from './run';
import { MemoryStateStore } from './state/memory';
import type { AlertStateStore } from './state/store';

/** What the SDK clients built here take: the SDK's own chain fills in what is left out. */
export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface AlertingDeps {
  /** One channel in place of every configured one (tests). */
  sink?: AlertSink;
  store?: AlertStateStore;
  /** Where secret parameters are read from (default: an SSMClient with the SDK's own settings). */
  ssm?: Pick<SSMClient, 'send'>;
  /** For the SNS, SES and DynamoDB clients built here (tests point them at moto_server). */
  awsClientConfig?: AwsClientConfig;
  /** For the chat webhooks (tests pass a clock and a sleep); default: real sockets, Date.now, real waits. */
  webhookOptions?: WebhookSinkOptions;
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
  const sinks = deps.sink ? [deps.sink] : await buildChannels(config, deps);
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

/** The names `--channel` takes, in the order channels are built and reported. */
export const CHANNEL_NAMES = ['sns', 'email', 'dingtalk', 'feishu', 'wecom', 'slack'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** The channels a configuration names, in CHANNEL_NAMES order; none when it names none. */
export function configuredChannels(config: Config): ChannelName[] {
  const { channels } = config;
  return CHANNEL_NAMES.filter((name) =>
    name === 'sns' ? config.snsTopicArn !== null : channels[name] !== null,
  );
}

/**
 * The configured channels (or those of `only`), each built with its client: SNS and SES over the AWS SDK
 * (imported here, on first use), the chat webhooks over node:http(s).
 */
export async function buildChannels(
  config: Config,
  deps: Pick<AlertingDeps, 'awsClientConfig' | 'webhookOptions'>,
  only: readonly ChannelName[] = configuredChannels(config),
): Promise<AlertSink[]> {
  const { channels } = config;
  const sinks: AlertSink[] = [];
  for (const name of only) {
    if (name === 'sns' && config.snsTopicArn) {
      const { createSnsSink } = await import('./channels/sns');
      sinks.push(createSnsSink(config.snsTopicArn, deps.awsClientConfig));
    } else if (name === 'email' && channels.email) {
      const { createSesEmailSink } = await import('./channels/email');
      sinks.push(createSesEmailSink({ ...channels.email, clientConfig: deps.awsClientConfig ?? {} }));
    } else if (name !== 'sns' && name !== 'email') {
      const platform = await webhookPlatform(config, name);
      if (platform) sinks.push(await webhookSink(platform, deps.webhookOptions));
    }
  }
  return sinks;
}

async function webhookPlatform(
  config: Config,
  name: Exclude<ChannelName, 'sns' | 'email'>,
): Promise<WebhookPlatform | null> {
  const { channels } = config;
  switch (name) {
    case 'dingtalk': {
      const settings = channels.dingtalk;
      return settings && (await import('./channels/dingtalk')).dingtalkPlatform(settings);
    }
    case 'feishu': {
      const settings = channels.feishu;
      return settings && (await import('./channels/feishu')).feishuPlatform(settings);
    }
    case 'wecom': {
      const settings = channels.wecom;
      return settings && (await import('./channels/wecom')).wecomPlatform({ url: settings.url });
    }
    case 'slack': {
      const settings = channels.slack;
      return settings && (await import('./channels/slack')).slackPlatform({ url: settings.url });
    }
  }
}

async function webhookSink(platform: WebhookPlatform, options: WebhookSinkOptions = {}): Promise<AlertSink> {
  const { WebhookSink } = await import('./channels/webhook');
  return new WebhookSink(platform, options);
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
