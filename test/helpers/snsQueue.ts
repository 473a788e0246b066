/** An SNS topic with an SQS queue subscribed to it, on moto: what a subscriber of an alert topic receives. */
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** What an SQS subscriber gets without raw delivery: the SNS envelope, which keeps the Subject. */
export interface Notification {
  Type: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
}

/** A fresh topic with a fresh queue subscribed to it, so tests never see each other's messages. */
export async function topicWithQueue(
  sns: SNSClient,
  sqs: SQSClient,
  name: string,
): Promise<{ topicArn: string; queueUrl: string }> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-queue` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
  return { topicArn: TopicArn!, queueUrl: QueueUrl! };
}

/** Reads until `count` notifications arrived (SQS does not promise order) or `waitMs` passed. */
export async function receive(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  waitMs = 15_000,
): Promise<Notification[]> {
  const received: Notification[] = [];
  const deadline = Date.now() + waitMs;
  while (received.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages) {
      received.push(JSON.parse(message.Body ?? '{}') as Notification);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return received;
}

/** A new queue subscribed to `topicArn` with `filterPolicy` on the message attributes. */
export async function filteredQueue(
  sns: SNSClient,
  sqs: SQSClient,
  topicArn: string,
  name: string,
  filterPolicy: object,
): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { FilterPolicy: JSON.stringify(filterPolicy) },
    }),
  );
  return QueueUrl!;
}
