/**
 * A Lambda that dies between two publishes, for delivery tests: a sink that passes the first `afterMessages`
 * messages (the digest counts as one, each structured alert as one) through to a real sink, and throws
 * `SimulatedCrash` when asked to send the next one. Every call after that throws too: the process is gone, so
 * nothing it would have done afterwards (a confirm, a release, another publish) happens.
 *
 * The crash falls between publishes, not inside one: a publish that SNS took and the run then died before writing
 * down is the window no sender can close without a deduplicating receiver, and is not what these tests measure.
 */
import type { AlertSink, AlertsResult, Digest, OutgoingAlert, PublishProgress } from '../../lib/alerts/sink';

export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

export interface CrashingSink extends AlertSink {
  /** Messages passed through before the crash. */
  readonly delivered: () => number;
  readonly crashed: () => boolean;
}

export function crashingSink(inner: AlertSink, afterMessages: number): CrashingSink {
  const publishAlerts = inner.publishAlerts?.bind(inner);
  if (!publishAlerts)
    throw new Error(`crashingSink wraps a channel with structured messages, not ${inner.name}`);
  let delivered = 0;
  let crashed = false;
  const crash = (): never => {
    crashed = true;
    throw new SimulatedCrash(`the run died after ${delivered} messages`);
  };
  return {
    name: inner.name,
    delivered: () => delivered,
    crashed: () => crashed,
    async publishDigest(digest: Digest): Promise<void> {
      if (crashed || delivered >= afterMessages) crash();
      await inner.publishDigest(digest);
      delivered += 1;
    },
    async publishAlerts(alerts: readonly OutgoingAlert[], progress?: PublishProgress): Promise<AlertsResult> {
      if (crashed) crash();
      const room = Math.max(0, afterMessages - delivered);
      if (alerts.length <= room) {
        const result = await publishAlerts(alerts, progress);
        delivered += result.sent;
        return result;
      }
      if (room > 0) {
        const result = await publishAlerts(alerts.slice(0, room), progress);
        delivered += result.sent;
      }
      return crash();
    },
  };
}
