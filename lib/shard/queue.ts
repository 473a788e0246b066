/**
 * Where the planner puts one message per shard: an SQS queue whose consumer is the worker function (batch size 1,
 * a dead-letter queue after a few attempts). Behind a one-method interface so the planner needs no SQS to test.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CertwatchError } from '../errors';

export interface ShardQueue {
  /** Sends every body, each once at least; throws naming what could not be sent. */
  send(messages: readonly { id: string; body: string }[]): Promise<void>;
}

/** SendMessageBatch takes at most 10 entries. */
const BATCH = 10;
/** Entries SQS refused for a reason that may pass (its side, throttling) are sent again this many times. */
const ATTEMPTS = 3;

export class SqsShardQueue implements ShardQueue {
  constructor(
    private readonly client: Pick<SQSClient, 'send'>,
    readonly queueUrl: string,
  ) {}

  async send(messages: readonly { id: string; body: string }[]): Promise<void> {
    for (let start = 0; start < messages.length; start += BATCH) {
      let pending = messages.slice(start, start + BATCH);
      for (let attempt = 1; pending.length > 0; attempt++) {
        let failed: { Id?: string; Code?: string; Message?: string; SenderFault?: boolean }[];
        try {
          const output = await this.client.send(
            new SendMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: pending.map((message) => ({ Id: message.id, MessageBody: message.body })),
            }),
          );
          failed = output.Failed ?? [];
        } catch (error) {
          const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          throw new CertwatchError(
            `SQS SendMessageBatch to ${this.queueUrl} failed: ${reason}. Check that the queue exists and that ` +
              "the planner's role allows sqs:SendMessage on it.",
            { cause: error },
          );
        }
        const retry = failed.filter((entry) => !entry.SenderFault);
        if (failed.length > retry.length || (retry.length > 0 && attempt >= ATTEMPTS)) {
          const first = failed[0]!;
          throw new CertwatchError(
            `SQS refused ${failed.length} of ${pending.length} shard messages to ${this.queueUrl} ` +
              `(${first.Id}: ${first.Code} ${first.Message}). A retry of the planner sends them again (same run); ` +
              'shards never sent are named as not checked when the run reaches its deadline.',
          );
        }
        pending = pending.filter((message) => retry.some((entry) => entry.Id === message.id));
      }
    }
  }
}
