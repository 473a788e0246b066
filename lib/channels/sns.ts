/**
 * The SNS channel: the text digest and one structured message per alert, published to one topic. The sink, the
 * doctor check and the SDK (snsSink.ts, snsDoctor.ts) load on first use, not with the configuration.
 */
import { deferredCheck } from '../checks/check';
import { channelModule } from './module';

export interface SnsChannelConfig {
  topicArn: string;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export const sns = channelModule({
  name: 'sns',
  settings: [
    {
      key: 'CERTWATCH_SNS_TOPIC_ARN',
      description: 'publish alerts to this SNS topic; no channel at all: print them',
    },
  ],
  enabledBy: 'CERTWATCH_SNS_TOPIC_ARN',
  read(get, problems): SnsChannelConfig | null {
    const topicArn = get('CERTWATCH_SNS_TOPIC_ARN');
    if (topicArn === undefined) return null;
    if (!TOPIC_ARN.test(topicArn)) {
      problems.push(
        `CERTWATCH_SNS_TOPIC_ARN "${topicArn}" is not an SNS topic ARN ` +
          '(arn:aws:sns:REGION:ACCOUNT_ID:TOPIC_NAME); unset it to print alerts to the console instead',
      );
      return null;
    }
    return { topicArn };
  },
  async build({ topicArn }, deps) {
    const { createSnsSink } = await import('./snsSink');
    return createSnsSink(topicArn, deps.awsClientConfig);
  },
  doctor: {
    checks({ topicArn }, clients) {
      const client = clients.sns();
      return [
        deferredCheck(`SNS topic ${topicArn}`, async () => {
          const { snsTopicCheck } = await import('./snsDoctor');
          return snsTopicCheck(client, topicArn, clients.snsRegion);
        }),
      ];
    },
  },
});
