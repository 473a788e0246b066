/**
 * One run, every channel: SNS, email and the chat webhooks are each told the run's alerts through alertOn, the
 * same plan and the same digest, side by side. What differs is only the delivery record: a channel with a
 * `historyScope` keeps its own alert history (its keys prefixed `<scope>#` in the same store), so
 *
 * - a channel that fails does not hold the others back, and is not held back by them: the others confirm what
 *   they delivered, the failing one releases its claims, and the next run (or the Lambda's retry) sends again
 *   only to it, only what it missed;
 * - a channel added later hears once of every alert still open, instead of waiting for the next rung.
 *
 * A channel with no scope (SNS, the console, a file) keeps the history certwatch always kept, under the plain
 * keys, so upgrading does not alert everything again. After every channel was tried, the run fails loudly if
 * any failed, naming each one and saying which were delivered.
 */
import { AlertDeliveryError } from '../errors';
import type { ScanReport } from '../model';
import type { AlertHistory, AlertStateStore, ClaimRequest } from '../state/store';
import { type AlertingOptions, type AlertOutcome, alertOn } from './alerting';
import type { AlertSink } from './sink';

/** How one channel fared. */
export interface ChannelResult {
  channel: string;
  /** Null when the channel failed: its error says what it did deliver. */
  outcome: AlertOutcome | null;
  error: unknown;
}

export interface ChannelsOutcome {
  /** In the order the channels were given. */
  channels: ChannelResult[];
}

/**
 * Alerts every channel at once on the same report and options, each through its own scope of `options.store`.
 * Never rejects for a channel's failure: look at the results, then call throwIfAnyChannelFailed.
 */
export async function alertOnChannels(
  report: ScanReport,
  sinks: readonly AlertSink[],
  options: Omit<AlertingOptions, 'sink'>,
): Promise<ChannelsOutcome> {
  assertDistinctScopes(sinks);
  const channels = await Promise.all(
    sinks.map(async (sink): Promise<ChannelResult> => {
      const store = sink.historyScope ? scopedStore(options.store, sink.historyScope) : options.store;
      try {
        return {
          channel: sink.name,
          outcome: await alertOn(report, { ...options, sink, store }),
          error: null,
        };
      } catch (error) {
        return { channel: sink.name, outcome: null, error };
      }
    }),
  );
  return { channels };
}

/**
 * Fails the run when any channel failed. One channel alone fails with its own error, untouched; of several, the
 * error names every failure and the channels that were delivered, with the first failure as its cause.
 */
export function throwIfAnyChannelFailed(outcome: ChannelsOutcome): void {
  const failed = outcome.channels.filter((result) => result.outcome === null);
  if (failed.length === 0) return;
  if (outcome.channels.length === 1) throw failed[0]!.error;
  const delivered = outcome.channels
    .filter((result) => result.outcome !== null)
    .map((result) => result.channel);
  const reasons = failed.map((result) => `${result.channel}: ${messageOf(result.error)}`).join(' | ');
  throw new AlertDeliveryError(
    `${failed.length} of ${outcome.channels.length} alert channels failed (${failed.map((r) => r.channel).join(', ')})` +
      `${delivered.length > 0 ? `; delivered to ${delivered.join(', ')}` : ''}. The next run sends each failed ` +
      `channel what it missed, and only that. ${reasons}`,
    { cause: failed[0]!.error },
  );
}

/** What a run reports per channel: delivered or not, and why not. */
export function channelSummaries(
  outcome: ChannelsOutcome,
): { channel: string; delivered: boolean; digest: string | null; alerts: number; error: string | null }[] {
  return outcome.channels.map(({ channel, outcome: result, error }) => ({
    channel,
    delivered: result !== null,
    digest: result?.digest?.subject ?? null,
    alerts: result?.alerts ?? 0,
    error: result === null ? messageOf(error) : null,
  }));
}

/** Two channels with one scope would each take the other's deliveries for its own. */
function assertDistinctScopes(sinks: readonly AlertSink[]): void {
  const seen = new Set<string>();
  for (const sink of sinks) {
    const scope = sink.historyScope ?? '';
    if (seen.has(scope)) {
      throw new AlertDeliveryError(
        `two alert channels keep the same history (${scope || 'the unscoped one'}, ${sink.name}): configure ` +
          'each channel once',
      );
    }
    seen.add(scope);
  }
}

/**
 * The store as seen by one channel: every key prefixed `<scope>#` on the way in and stripped on the way out. The
 * prefix cannot collide with a certificate key, which starts with a provider name and holds no `#`.
 */
export function scopedStore(store: AlertStateStore, scope: string): AlertStateStore {
  const prefix = `${scope}#`;
  const inner = (key: string) => prefix + key;
  const outer = (history: AlertHistory): AlertHistory => ({
    ...history,
    certificateKey: history.certificateKey.startsWith(prefix)
      ? history.certificateKey.slice(prefix.length)
      : history.certificateKey,
  });
  return {
    name: `${store.name} (${scope})`,
    async load(keys, options) {
      // Unusable entries are reported under the key they are stored as (with the prefix): that is what a person
      // looks for to mend or delete one.
      const found = await store.load(keys.map(inner), options);
      return new Map([...found.values()].map((history) => [outer(history).certificateKey, outer(history)]));
    },
    claim: (request: ClaimRequest) =>
      store.claim({ ...request, certificateKey: inner(request.certificateKey) }),
    confirm: (key, rung, nowMs, delivered, keepLease) =>
      store.confirm(inner(key), rung, nowMs, delivered, keepLease),
    release: (key, rung, restore) =>
      store.release(
        inner(key),
        rung,
        restore && { ...restore, certificateKey: inner(restore.certificateKey) },
      ),
    forget: (key) => store.forget(inner(key)),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
