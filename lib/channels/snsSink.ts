/**
 * The SNS channel's sink (lib/channels/sns.ts builds it, importing this file and the SDK on first use): delivers
 * digests to an SNS topic (which fans out to email, SQS, chat webhooks...).
 *
 * SNS limits (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): Subject is ASCII without line breaks
 * or control characters, starts with a letter, number or punctuation mark, at most 100 characters; Message is at
 * most 256 KiB of UTF-8. A larger digest is sent as numbered parts split between lines.
 */
import {
  type PublishBatchCommand,
  type PublishBatchCommandOutput,
  PublishCommand,
  type PublishCommandOutput,
  SNSClient,
  type SNSClientConfig,
} from '@aws-sdk/client-sns';
import { fitSubject, SUBJECT_MAX_LENGTH, type TextDigest } from '../alerts/digest';
import type {
  AlertSink,
  AlertsResult,
  OutgoingAlert,
  PreviewedRequest,
  PublishProgress,
} from '../alerts/sink';
import { AlertDeliveryError } from '../errors';
import { describeAwsError } from './awsError';
import { SnsBatchPublisher, type SnsPublishBatchClient } from './snsBatch';
import { publishBatchError, SNS_MAX_MESSAGE_BYTES } from './snsMessage';

/** The one SNS call this sink makes; SNSClient satisfies it, and so does a hand-written fake in tests. */
/** The SNS client calls the sink makes: SNSClient, or a hand-written fake in tests. */
export interface SnsPublishClient {
  send(
    command: PublishCommand | PublishBatchCommand,
  ): Promise<PublishCommandOutput | PublishBatchCommandOutput>;
}

export interface SnsSinkOptions {
  /** Largest Message in bytes; lowered only by tests that want to see the split without building 256 KiB. */
  maxMessageBytes?: number;
}

export class SnsSink implements AlertSink {
  readonly name = 'sns';
  readonly topicArn: string;
  /** The topic's ARN. */
  readonly destination: string;
  readonly #client: SnsPublishClient;
  readonly #maxMessageBytes: number;

  readonly #batch: SnsBatchPublisher;

  constructor(client: SnsPublishClient, topicArn: string, options: SnsSinkOptions = {}) {
    this.#client = client;
    this.topicArn = topicArn;
    this.destination = topicArn;
    this.#maxMessageBytes = options.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES;
    // The same client answers PublishBatch with a PublishBatch output (SNSClient does; so must a fake).
    this.#batch = new SnsBatchPublisher(client as SnsPublishBatchClient, topicArn);
  }

  /** One structured message per alert, with filterable attributes, in batches of ten. */
  publishAlerts(alerts: readonly OutgoingAlert[], progress?: PublishProgress): Promise<AlertsResult> {
    return this.#batch.publishAll(alerts, progress);
  }

  /** Names the topic, the codes SNS gave and what to check. */
  undeliveredAlertsError(result: AlertsResult): AlertDeliveryError {
    return publishBatchError(result, this.topicArn);
  }

  /**
   * Publishes the digest, in numbered parts when the body is over the size limit. Parts go out in order; if one
   * fails, the error says which parts were already delivered.
   */
  async publishDigest(digest: TextDigest): Promise<void> {
    const subject = sanitizeSnsSubject(digest.subject);
    const parts = splitMessage(digest.body, this.#maxMessageBytes);
    for (const [index, part] of parts.entries()) {
      const command = new PublishCommand({
        TopicArn: this.topicArn,
        Subject: parts.length === 1 ? subject : partSubject(subject, index + 1, parts.length),
        Message: part,
      });
      try {
        await this.#client.send(command);
      } catch (error) {
        throw this.#deliveryError(error, index + 1, parts.length);
      }
    }
  }

  /**
   * The Publish of each digest part (subject and message), then each structured message with its filterable
   * attributes, as PublishBatch would carry it.
   */
  preview(digest: TextDigest | null, alerts: readonly OutgoingAlert[]): PreviewedRequest[] {
    const requests: PreviewedRequest[] = [];
    if (digest) {
      const subject = sanitizeSnsSubject(digest.subject);
      const parts = splitMessage(digest.body, this.#maxMessageBytes);
      for (const [index, part] of parts.entries()) {
        const shown = parts.length === 1 ? subject : partSubject(subject, index + 1, parts.length);
        requests.push({ to: `SNS Publish to ${this.topicArn}`, body: `Subject: ${shown}\n\n${part}` });
      }
    }
    for (const alert of alerts) {
      const attributes = Object.entries(alert.attributes)
        .map(([name, value]) => `${name}=${value.StringValue ?? ''}`)
        .join(', ');
      requests.push({
        to: `SNS PublishBatch entry to ${this.topicArn} (attributes: ${attributes || 'none'})`,
        body: alert.message,
      });
    }
    return requests;
  }

  #deliveryError(error: unknown, part: number, total: number): AlertDeliveryError {
    const which =
      total === 1
        ? ''
        : ` (part ${part} of ${total}${part > 1 ? `; parts 1-${part - 1} were delivered` : ''})`;
    const region = this.topicArn.split(':')[3] || 'the topic region';
    return new AlertDeliveryError(
      `SNS Publish to ${this.topicArn} failed${which}: ${describeAwsError(error)}. Check that the function's role ` +
        `allows sns:Publish on this topic, that the topic ARN is right and the topic exists, and that the SNS ` +
        `client uses the topic's region (${region}).`,
      { cause: error },
    );
  }
}

/**
 * An SnsSink over a new SNSClient. The SDK resolves region, credentials and endpoint itself (AWS_REGION, the
 * Lambda role, AWS_ENDPOINT_URL_SNS); `clientConfig` overrides them, as tests do to reach moto_server.
 */
export function createSnsSink(topicArn: string, clientConfig: SNSClientConfig = {}): SnsSink {
  return new SnsSink(new SNSClient(clientConfig), topicArn);
}

/**
 * Makes any text a valid SNS Subject: accents and invisible format characters dropped, other non-ASCII as `?`,
 * line breaks and control characters as spaces, at most 100 characters.
 */
export function sanitizeSnsSubject(subject: string): string {
  const ascii = subject
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .trim();
  return fitSubject(ascii || 'certwatch alert', SUBJECT_MAX_LENGTH);
}

/**
 * Splits `body` into parts of at most `maxBytes` UTF-8 bytes, each made of whole lines and, when there is more
 * than one, headed `[part i of n]`. Only a single line longer than a whole part (which no digest produces) is
 * cut, at a character boundary, because delivering it cut beats not delivering it.
 */
export function splitMessage(body: string, maxBytes: number = SNS_MAX_MESSAGE_BYTES): string[] {
  if (byteLength(body) <= maxBytes) return [body];
  // The header's length depends on the number of parts; retry with room for more digits until it is stable.
  let digits = 1;
  for (;;) {
    const budget = maxBytes - byteLength(partHeader(10 ** digits - 1, 10 ** digits - 1));
    if (budget < 16) throw new RangeError(`maxBytes ${maxBytes} leaves no room for a message part`);
    const chunks = packLines(body, budget);
    if (String(chunks.length).length <= digits) {
      return chunks.map((chunk, index) => partHeader(index + 1, chunks.length) + chunk);
    }
    digits = String(chunks.length).length;
  }
}

function partHeader(part: number, total: number): string {
  return `[part ${part} of ${total}]\n\n`;
}

function partSubject(subject: string, part: number, total: number): string {
  const suffix = ` (part ${part} of ${total})`;
  return fitSubject(subject, SUBJECT_MAX_LENGTH - suffix.length) + suffix;
}

/** Greedy packing of whole lines; a part ends with its last line's newline so parts concatenate back to `body`. */
function packLines(body: string, budget: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let currentBytes = 0;
  const lines = body.split(/(?<=\n)/);
  for (const line of lines) {
    const size = byteLength(line);
    if (currentBytes + size <= budget) {
      current += line;
      currentBytes += size;
      continue;
    }
    if (current) chunks.push(current);
    if (size <= budget) {
      current = line;
      currentBytes = size;
    } else {
      const pieces = cutAtCharacters(line, budget);
      chunks.push(...pieces.slice(0, -1));
      current = pieces[pieces.length - 1] ?? '';
      currentBytes = byteLength(current);
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

function cutAtCharacters(text: string, budget: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (bytes + size > budget) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  pieces.push(piece);
  return pieces;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
