/**
 * Where alerts go. Each channel (SNS, console, ...) is one file under lib/alerts/ implementing this interface;
 * the scan only ever sees an AlertSink.
 */
import type { Digest } from './digest';

export type { Digest } from './digest';

/** A channel alerts are delivered to. Kept small on purpose: later issues add per-certificate messages. */
export interface AlertSink {
  /** Short name for logs and errors ("sns", "console"). */
  readonly name: string;
  /**
   * Delivers one digest. Resolves once the channel accepted it; rejects with AlertDeliveryError otherwise, so a
   * run whose alert was lost fails loudly.
   */
  publishDigest(digest: Digest): Promise<void>;
}
