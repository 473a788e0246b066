/**
 * Publishes many SNS messages with PublishBatch, retrying what SNS did not take, and reports what failed instead
 * of throwing halfway: every message is tried before the caller decides (throwIfFailed) to fail the run.
 *
 * PublishBatch limits (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html): at most 10 entries per
 * call; each message and the whole call at most 256 KiB, bodies and attributes counted; entry Ids unique within the
 * call and matching [A-Za-z0-9_-]{1,80}. A call can succeed (HTTP 200) with some entries in `Failed`.
 */
import {
  PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
} from '@aws-sdk/client-sns';
import {
  type AlertFailure,
  type AlertsResult,
  alertPayloadBytes,
  type OutgoingAlert,
  type PublishProgress,
} from '../alerts/sink';
import { sleep as realSleep } from '../http/abort';
import { type RetryPolicy, retrying } from '../http/retry';
import { SNS_MAX_MESSAGE_BYTES, snsMessageAttributes } from './snsMessage';

/** SNS's cap on entries per PublishBatch call. */
export const SNS_MAX_BATCH_ENTRIES = 10;

/** The one SNS call this publisher makes; SNSClient satisfies it, and so does a hand-written fake in tests. */
export interface SnsPublishBatchClient {
  send(command: PublishBatchCommand): Promise<PublishBatchCommandOutput>;
}

export interface SnsBatchPublisherOptions {
  /** Tries per message, the first included (default 3). */
  attempts?: number;
  /** Waits between rounds of retries; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the backoff jitter (default Math.random). */
  random?: () => number;
  /** First retry waits up to this (default 200 ms); each further retry doubles it, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Largest message and call in bytes; lowered only by tests that want to see size splits. */
  maxBatchBytes?: number;
}

interface Entry {
  /** Position in the caller's list: orders the failures. */
  index: number;
  /** Batch entry Id: `m` and the index, unique across the whole publishAll call and valid whatever `id` is. */
  entryId: string;
  source: OutgoingAlert;
  bytes: number;
}

export class SnsBatchPublisher {
  readonly topicArn: string;
  readonly #client: SnsPublishBatchClient;
  readonly #retryPolicy: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #maxBatchBytes: number;

  constructor(client: SnsPublishBatchClient, topicArn: string, options: SnsBatchPublisherOptions = {}) {
    const {
      attempts = 3,
      sleep = realSleep,
      random = Math.random,
      baseDelayMs = 200,
      maxDelayMs = 5_000,
      maxBatchBytes = SNS_MAX_MESSAGE_BYTES,
    } = options;
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new RangeError(`attempts must be a whole number of at least 1, not ${attempts}`);
    }
    this.#client = client;
    this.topicArn = topicArn;
    this.#retryPolicy = { attempts, baseDelayMs, maxDelayMs };
    this.#sleep = sleep;
    this.#random = random;
    this.#maxBatchBytes = maxBatchBytes;
  }

  /**
   * Publishes every message, in batches within SNS's count and size limits. Entries SNS reports as failed without
   * blaming the sender, and entries of a call that failed retryably (throttling, 5xx, network), are retried in
   * later rounds with jittered exponential backoff, up to `attempts` tries each. Never rejects: what could not be
   * sent is listed in `failed`, in the order the messages were given. `progress.onDelivered` is told the ids SNS
   * took after each call, and awaited before the next.
   */
  async publishAll(
    messages: readonly OutgoingAlert[],
    progress: PublishProgress = {},
  ): Promise<AlertsResult> {
    const failures = new Map<number, AlertFailure>();
    let pending: Entry[] = [];
    for (const [index, source] of messages.entries()) {
      const bytes = alertPayloadBytes(source.message, source.attributes);
      if (bytes > this.#maxBatchBytes) {
        failures.set(index, {
          id: source.id,
          code: 'MessageTooLong',
          message: `${bytes} bytes with attributes; SNS takes at most ${this.#maxBatchBytes}`,
        });
      } else {
        pending.push({ index, entryId: `m${index}`, source, bytes });
      }
    }

    // Rounds: each publishes what is pending, and what SNS did not take but may later is pending again.
    let sent = 0;
    const unsent = await retrying(
      async () => {
        const retry: { entry: Entry; failure: AlertFailure }[] = [];
        for (const batch of packBatches(pending, this.#maxBatchBytes)) {
          const outcome = await this.#publishBatch(batch);
          sent += outcome.delivered.length;
          if (outcome.delivered.length > 0) {
            await progress.onDelivered?.(outcome.delivered.map((entry) => entry.source.id));
          }
          for (const { entry, failure, retryable } of outcome.failed) {
            if (retryable) retry.push({ entry, failure });
            else failures.set(entry.index, failure);
          }
        }
        pending = retry.map(({ entry }) => entry);
        return retry;
      },
      {
        policy: this.#retryPolicy,
        classify: (outcome) => ({ retry: outcome.ok && outcome.value.length > 0 }),
        sleep: this.#sleep,
        random: this.#random,
      },
    );
    // Out of attempts: what is still pending failed as its last round said.
    for (const { entry, failure } of unsent) failures.set(entry.index, failure);

    const failed = [...failures.entries()].sort(([a], [b]) => a - b).map(([, failure]) => failure);
    return { sent, failed };
  }

  /** One PublishBatch call; never rejects. */
  async #publishBatch(batch: Entry[]): Promise<{
    delivered: Entry[];
    failed: { entry: Entry; failure: AlertFailure; retryable: boolean }[];
  }> {
    const command = new PublishBatchCommand({
      TopicArn: this.topicArn,
      PublishBatchRequestEntries: batch.map(
        (entry): PublishBatchRequestEntry => ({
          Id: entry.entryId,
          Message: entry.source.message,
          ...(Object.keys(entry.source.attributes).length > 0
            ? { MessageAttributes: snsMessageAttributes(entry.source.attributes) }
            : {}),
        }),
      ),
    });
    let output: PublishBatchCommandOutput;
    try {
      output = await this.#client.send(command);
    } catch (error) {
      const retryable = isRetryableCallError(error);
      const code = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      return {
        delivered: [],
        failed: batch.map((entry) => ({ entry, failure: { id: entry.source.id, code, message }, retryable })),
      };
    }

    const byId = new Map(batch.map((entry) => [entry.entryId, entry]));
    const delivered: Entry[] = [];
    for (const success of output.Successful ?? []) {
      const entry = success.Id === undefined ? undefined : byId.get(success.Id);
      if (entry === undefined) continue;
      byId.delete(entry.entryId);
      delivered.push(entry);
    }
    const failed: { entry: Entry; failure: AlertFailure; retryable: boolean }[] = [];
    for (const failure of output.Failed ?? []) {
      const entry = failure.Id === undefined ? undefined : byId.get(failure.Id);
      if (entry === undefined) continue;
      byId.delete(entry.entryId);
      failed.push({
        entry,
        failure: { id: entry.source.id, code: failure.Code ?? 'Unknown', message: failure.Message ?? '' },
        retryable: failure.SenderFault !== true,
      });
    }
    // An entry in neither list was not confirmed (moto drops entries that fail unexpectedly): treat it as failed.
    for (const entry of byId.values()) {
      failed.push({
        entry,
        failure: {
          id: entry.source.id,
          code: 'NoResult',
          message: 'SNS reported the entry neither successful nor failed',
        },
        retryable: true,
      });
    }
    return { delivered, failed };
  }
}

/** Greedy, in order: a new batch when the next entry would pass 10 entries or `maxBytes`. */
function packBatches(entries: Entry[], maxBytes: number): Entry[][] {
  const batches: Entry[][] = [];
  let current: Entry[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    if (
      current.length === SNS_MAX_BATCH_ENTRIES ||
      (current.length > 0 && currentBytes + entry.bytes > maxBytes)
    ) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += entry.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Whether a failed call is worth repeating: throttling, a server fault, or no HTTP answer at all (network). An
 * authorization error or a missing topic will fail the same way again.
 */
function isRetryableCallError(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const details = error as {
    $retryable?: unknown;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (details.$retryable) return true;
  if (/throttl/i.test(error.name)) return true;
  const status = details.$metadata?.httpStatusCode;
  if (status === undefined) return details.$fault !== 'client';
  return status === 429 || status >= 500;
}
