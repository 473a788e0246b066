/**
 * Where alerts go. Each channel (SNS, console, ...) is one file under lib/alerts/ implementing this interface;
 * the scan only ever sees an AlertSink.
 */
import type { Digest } from './digest';
import type { OutgoingSnsMessage, PublishAllResult } from './snsBatch';

export type { Digest } from './digest';

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

/** A channel alerts are delivered to. */
export interface AlertSink {
  /** Short name for logs and errors ("sns", "console"). */
  readonly name: string;
  /**
   * Delivers one digest. Resolves once the channel accepted it; rejects with AlertDeliveryError otherwise, so a
   * run whose alert was lost fails loudly.
   */
  publishDigest(digest: Digest): Promise<void>;
  /**
   * Delivers one structured message per certificate alert. Never rejects: returns what failed, so the caller
   * can confirm what arrived, release what did not, and fail loudly only after everything was tried.
   * `progress.onDelivered` hears of each batch accepted, before the next is sent.
   */
  publishAlerts(alerts: readonly OutgoingAlert[], progress?: PublishProgress): Promise<AlertsResult>;
}
