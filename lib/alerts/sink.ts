/**
 * Where alerts go. Each channel (SNS, SES email, a chat webhook, the console...) is one file under lib/alerts/
 * implementing this interface; the scan only ever sees AlertSinks. A channel adds delivery, never alert logic:
 * what is due, and when, is decided once (plan.ts) and every channel tells the same digest.
 */

import type { OutgoingSnsMessage, PublishAllResult } from '../channels/snsBatch';
import type { Digest } from './digest';

export type { Digest, TextDigest } from './digest';

/** One structured alert, ready to send: an id, the JSON body and its filterable attributes. */
export type OutgoingAlert = OutgoingSnsMessage;
export type AlertsResult = PublishAllResult;

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
  /** Short name for logs, errors and `--channel`: "sns", "email", "dingtalk", ... */
  readonly name: string;
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
   * Exactly what this channel would send for this digest (if any) and these alerts, for `--dry-run`. Pure.
   * Every channel certwatch ships has one; a test's fake may leave it out.
   */
  preview?(digest: Digest | null, alerts: readonly OutgoingAlert[]): PreviewedRequest[];
}
