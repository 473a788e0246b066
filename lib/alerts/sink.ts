/**
 * Where alerts go, and what they carry. Each channel (SNS, SES email, a chat webhook, the console...) implements
 * AlertSink under lib/channels/; the scan only ever sees AlertSinks. A channel adds delivery, never alert logic:
 * what is due, and when, is decided once (plan.ts) and every channel tells the same digest. The message types are
 * declared here, by the policy, so nothing in lib/alerts/ depends on a channel or on the AWS SDK.
 */

import type { AlertDeliveryError } from '../errors';
import type { Digest } from './digest';

export type { Digest, TextDigest } from './digest';

/**
 * One filterable attribute of a structured alert. Shaped as SNS message attributes are (the SNS channel hands
 * them over as they are), `Number` values as plain decimal text; never empty.
 */
export interface AlertAttribute {
  DataType: 'String' | 'Number';
  StringValue: string;
}

/** One structured alert, ready to send: an id (the caller's, any string), the JSON body and its attributes. */
export interface OutgoingAlert {
  id: string;
  message: string;
  attributes: Record<string, AlertAttribute>;
}

/** A structured alert a channel did not accept after every attempt it allows. */
export interface AlertFailure {
  /** The caller's id. */
  id: string;
  /** The channel's error code (SNS: `Failed[].Code`, a failed call's error name, or `MessageTooLong`). */
  code: string;
  message: string;
}

/** What became of a batch of structured alerts: how many were accepted, and which were not, in order. */
export interface AlertsResult {
  sent: number;
  failed: AlertFailure[];
}

/**
 * The largest structured alert, body and attributes counted by alertPayloadBytes: 256 KiB, what SNS (the
 * strictest channel that takes structured alerts) accepts in one message.
 */
export const MAX_ALERT_PAYLOAD_BYTES = 262_144;

/**
 * Bytes of a structured alert as the channels count them: the UTF-8 body plus, per attribute, its name, data
 * type and value (the accounting SQS documents, and SNS applies).
 */
export function alertPayloadBytes(message: string, attributes: Record<string, AlertAttribute>): number {
  let bytes = Buffer.byteLength(message, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    bytes += Buffer.byteLength(value.StringValue, 'utf8');
  }
  return bytes;
}

/** Told as structured alerts are accepted, batch by batch, before the next batch is sent. */
export interface PublishProgress {
  /**
   * The caller's ids of alerts the channel just accepted. Awaited, so the caller writes down what was delivered
   * before anything more is sent: a run that dies between two batches does not send the first one again. Must not
   * reject. A channel that delivers everything in one step need not call it (the result says the same).
   */
  onDelivered?: (ids: readonly string[]) => Promise<void>;
}

/**
 * One request a channel would make, as `certwatch scan --dry-run` prints it: where it goes and exactly what it
 * carries, with secrets (a webhook's token, a signature) replaced by a `<...>` placeholder.
 */
export interface PreviewedRequest {
  /** `SNS Publish to arn:...`, `SES SendEmail from a@x to b@y`, `POST https://oapi.dingtalk.com/robot/send?access_token=<secret>` */
  to: string;
  /** The body as it would be sent (JSON as serialized, an email as its parts). */
  body: string;
}

/** A channel alerts are delivered to. */
export interface AlertSink {
  /**
   * What the channel is, as logs, errors and `--channel` name it: "sns", "email", "dingtalk", ..., "console",
   * "file"; a registered channel's sink bears its module's name (lib/channels/index.ts).
   */
  readonly name: string;
  /**
   * Where it delivers, for people: the SNS topic's ARN, the file's path. Unset where the name says enough (the
   * console) or the address is a secret (a webhook's URL).
   */
  readonly destination?: string;
  /**
   * Whose alert history this channel keeps. Unset: the history certwatch has always kept (SNS, console, file
   * share it). Set: the channel remembers on its own what it delivered (under `<historyScope>#` keys), so a
   * channel that failed is sent again only what it missed, and one added later hears of what is still open.
   */
  readonly historyScope?: string;
  /**
   * Delivers one digest. Resolves once the channel accepted all of it; rejects with AlertDeliveryError otherwise
   * (naming the channel and what part, if any, was delivered), so a run whose alert was lost fails loudly.
   * Channels that only read text take a TextDigest; the others render `digest.content`.
   */
  publishDigest(digest: Digest): Promise<void>;
  /**
   * Delivers one structured message per certificate alert, for machines that filter (SNS). Channels read by
   * people (email, chat) leave it out: the digest already tells them everything, once. Never rejects: returns
   * what failed, so the caller can confirm what arrived, release what did not, and fail loudly only after
   * everything was tried. `progress.onDelivered` hears of each batch accepted, before the next is sent.
   */
  publishAlerts?(alerts: readonly OutgoingAlert[], progress?: PublishProgress): Promise<AlertsResult>;
  /**
   * The error a run fails with when `publishAlerts` left some alerts undelivered, in the channel's own words
   * (what to check); left out, the run fails with a generic one naming the channel and the first failure.
   */
  undeliveredAlertsError?(result: AlertsResult): AlertDeliveryError;
  /**
   * Exactly what this channel would send for this digest (if any) and these alerts, for `--dry-run`. Pure.
   * Every channel certwatch ships has one; a test's fake may leave it out.
   */
  preview?(digest: Digest | null, alerts: readonly OutgoingAlert[]): PreviewedRequest[];
}
