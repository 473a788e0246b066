/**
 * The AWS side of the configuration: the SSM parameters holding provider keys, the SNS topic alerts go to, and the
 * DynamoDB table of alert history. Clients are injected (SDK clients, or fakes in tests).
 */
import { DescribeTableCommand, type DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import {
  GetTopicAttributesCommand,
  type GetTopicAttributesCommandOutput,
  ListSubscriptionsByTopicCommand,
  type ListSubscriptionsByTopicCommandOutput,
} from '@aws-sdk/client-sns';
import type { Check, CheckResult } from '../checks/check';
import type { SecretParameterReading } from '../secrets/ssm';
import { PARTITION_KEY } from '../state/dynamodb';
import { explainAwsError } from './awsErrors';

/** The SNS calls doctor makes; SNSClient satisfies it, and so does a hand-written fake. */
export interface SnsTopicClient {
  send(
    command: GetTopicAttributesCommand | ListSubscriptionsByTopicCommand,
  ): Promise<GetTopicAttributesCommandOutput | ListSubscriptionsByTopicCommandOutput>;
}

/** ListSubscriptionsByTopic's placeholder ARN for a subscription nobody confirmed yet. */
const PENDING = 'PendingConfirmation';

/** The one DynamoDB call doctor makes; DynamoDBClient satisfies it. */
export interface DescribeTableClient {
  send(command: DescribeTableCommand): Promise<DescribeTableCommandOutput>;
}

/**
 * GetTopicAttributes: the topic exists, these credentials reach it, and someone is subscribed. The topic's
 * subscription counts are refreshed only now and then, so when they say nobody is confirmed, the first page of
 * ListSubscriptionsByTopic decides. `clientRegion` tells the region the SNS client uses (null: none), named when a
 * topic is not found and is elsewhere.
 */
export function snsTopicCheck(
  sns: SnsTopicClient,
  topicArn: string,
  clientRegion: () => Promise<string | null>,
): Check {
  const subject = `SNS topic ${topicArn}`;
  return {
    subject,
    async run(): Promise<CheckResult> {
      let attributes: Record<string, string>;
      try {
        const reply = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
        attributes = (reply as GetTopicAttributesCommandOutput).Attributes ?? {};
      } catch (error) {
        const problem = explainAwsError(error, {
          action: 'sns:GetTopicAttributes',
          endpointSetting: 'AWS_ENDPOINT_URL_SNS',
          notFound: ['NotFoundException', 'NotFound'],
        });
        const topicRegion = topicArn.split(':')[3] ?? '';
        let advice = '';
        if (problem.kind === 'not-found') {
          const region = await clientRegion();
          advice =
            region && topicRegion && region !== topicRegion
              ? `; the SNS client uses ${region} but the topic ARN is in ${topicRegion}: set ` +
                `AWS_REGION=${topicRegion}, or fix CERTWATCH_SNS_TOPIC_ARN`
              : ': check CERTWATCH_SNS_TOPIC_ARN (a deployed stack names its topic in the output AlertTopicArn)';
        } else if (problem.kind === 'denied') {
          advice = ', so doctor cannot tell whether it exists or has subscribers (alerts need sns:Publish)';
        } else if (problem.kind === 'region') {
          advice = ` (the topic is in ${topicRegion})`;
        }
        return { status: 'fail', text: `${subject}: ${problem.words}${advice}` };
      }
      let confirmed = Number(attributes.SubscriptionsConfirmed ?? 0);
      let pending = Number(attributes.SubscriptionsPending ?? 0);
      let protocols = '';
      let unlisted = '';
      if (confirmed === 0) {
        const listed = await listSubscriptions(sns, topicArn);
        if (!listed) unlisted = " by the topic's counts, which AWS refreshes only now and then";
        else {
          const live = listed.filter((subscription) => subscription.arn !== PENDING);
          confirmed = live.length;
          pending = Math.max(pending, listed.length - live.length);
          const kinds = [...new Set(live.map((subscription) => subscription.protocol))].sort();
          protocols = kinds.length > 0 ? ` (${kinds.join(', ')})` : '';
        }
      }
      const counts = `${confirmed} confirmed subscription${confirmed === 1 ? '' : 's'}${protocols}, ${pending} pending`;
      if (confirmed > 0) return { status: 'ok', text: `${subject}: ${counts}` };
      const todo =
        pending > 0
          ? 'confirm a pending subscription (AWS mailed a link to each address)'
          : 'subscribe an address to it and confirm the link AWS mails';
      return {
        status: 'warn',
        text:
          `${subject}: exists, but has no confirmed subscription (${pending} pending)${unlisted}: nobody would ` +
          `receive the alerts; ${todo}`,
      };
    },
  };
}

/** The first page of the topic's subscriptions (ARN and protocol only), or null when it cannot be listed. */
async function listSubscriptions(
  sns: SnsTopicClient,
  topicArn: string,
): Promise<{ arn: string; protocol: string }[] | null> {
  try {
    const reply = (await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
    )) as ListSubscriptionsByTopicCommandOutput;
    return (reply.Subscriptions ?? []).map((subscription) => ({
      arn: subscription.SubscriptionArn ?? PENDING,
      protocol: subscription.Protocol ?? 'unknown',
    }));
  } catch {
    // Not allowed to list (sns:ListSubscriptionsByTopic), say: the topic's own counts stand.
    return null;
  }
}

/** DescribeTable: the table exists, is usable, and is keyed as the DynamoDB state store writes it. */
export function stateTableCheck(dynamodb: DescribeTableClient, tableName: string): Check {
  const subject = `state table ${tableName} (DynamoDB)`;
  return {
    subject,
    async run(): Promise<CheckResult> {
      let table: NonNullable<DescribeTableCommandOutput['Table']>;
      try {
        table = (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table ?? {};
      } catch (error) {
        const problem = explainAwsError(error, {
          action: 'dynamodb:DescribeTable',
          endpointSetting: 'AWS_ENDPOINT_URL_DYNAMODB',
          notFound: ['ResourceNotFoundException'],
        });
        const advice =
          problem.kind === 'not-found'
            ? ' in this region: check CERTWATCH_STATE_TABLE and AWS_REGION (the deployed stack creates it)'
            : '';
        return { status: 'fail', text: `${subject}: ${problem.words}${advice}` };
      }
      const keys = table.KeySchema ?? [];
      const hash = keys.find((key) => key.KeyType === 'HASH')?.AttributeName;
      const range = keys.find((key) => key.KeyType === 'RANGE')?.AttributeName;
      const hashType = table.AttributeDefinitions?.find((a) => a.AttributeName === hash)?.AttributeType;
      if (hash !== PARTITION_KEY || hashType !== 'S' || range !== undefined) {
        const has = `${hash ?? 'none'}${hashType ? ` (${hashType})` : ''}${range ? `, sort key ${range}` : ''}`;
        return {
          status: 'fail',
          text:
            `${subject}: its key is partition key ${has}, but certwatch writes items keyed by partition key ` +
            `${PARTITION_KEY} (S) and no sort key: point CERTWATCH_STATE_TABLE at the table serverless.yml creates`,
        };
      }
      const status = table.TableStatus ?? 'unknown status';
      const seen = `${status}, partition key ${PARTITION_KEY} (S)`;
      if (status === 'ACTIVE' || status === 'UPDATING') return { status: 'ok', text: `${subject}: ${seen}` };
      return { status: 'warn', text: `${subject}: ${seen}: it cannot take writes until it is ACTIVE` };
    },
  };
}

/**
 * One line per `<KEY>_PARAMETER`: read and decrypted, or why not. Names the parameter, never its value.
 * `env` tells whether the key is also set directly (the parameter wins, as in Lambda); `region` is SSM's, when
 * known, for the "does not exist" line.
 */
export function secretParameterResults(
  readings: readonly SecretParameterReading[],
  env: Readonly<Record<string, string | undefined>>,
  region: string | null,
): CheckResult[] {
  return readings.map((reading): CheckResult => {
    const subject = `SSM parameter ${reading.name} (${reading.setting}_PARAMETER)`;
    if (reading.outcome === 'read') {
      const shadows = env[reading.setting]?.trim()
        ? `; used instead of ${reading.setting}, which is set too`
        : '';
      if (reading.type === 'SecureString' || reading.type === undefined) {
        return { status: 'ok', text: `${subject}: read and decrypted${shadows}` };
      }
      return {
        status: 'warn',
        text:
          `${subject}: read, but it is a ${reading.type}, not a SecureString: the key is stored unencrypted; ` +
          `store it again with --type SecureString${shadows}`,
      };
    }
    if (reading.outcome === 'missing') {
      return {
        status: 'fail',
        text: `${subject}: does not exist${region ? ` in ${region}` : ''}: create it (SecureString), or fix the name`,
      };
    }
    const problem = explainAwsError(reading.error, {
      action: 'ssm:GetParameters (and kms:Decrypt on its key)',
      endpointSetting: 'AWS_ENDPOINT_URL_SSM',
      notFound: [],
    });
    return { status: 'fail', text: `${subject}: cannot be read: ${problem.words}` };
  });
}
