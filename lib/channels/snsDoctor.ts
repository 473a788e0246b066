/**
 * `certwatch doctor`'s check of the SNS channel: the topic exists, these credentials reach it, and someone is
 * subscribed. Loaded by lib/channels/sns.ts on first use, with the SDK it imports.
 */
import {
  GetTopicAttributesCommand,
  type GetTopicAttributesCommandOutput,
  ListSubscriptionsByTopicCommand,
  type ListSubscriptionsByTopicCommandOutput,
} from '@aws-sdk/client-sns';
import { explainAwsError } from '../checks/awsErrors';
import type { Check, CheckResult } from '../checks/check';

/** The SNS calls doctor makes; SNSClient satisfies it, and so does a hand-written fake. */
export interface SnsTopicClient {
  send(
    command: GetTopicAttributesCommand | ListSubscriptionsByTopicCommand,
  ): Promise<GetTopicAttributesCommandOutput | ListSubscriptionsByTopicCommandOutput>;
}

/** ListSubscriptionsByTopic's placeholder ARN for a subscription nobody confirmed yet. */
const PENDING = 'PendingConfirmation';

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
