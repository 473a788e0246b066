/**
 * From a report to delivered alerts, each once: plan against the remembered history, claim what is new (so a
 * concurrent or retried run cannot send it too), send the digest and the structured alerts, then confirm what
 * arrived and release what did not (the next run sends it). If the state store cannot be reached, everything
 * due is sent anyway and the digest says so: a duplicate is better than silence.
 */

import { throwIfFailed } from '../channels/snsMessage';
import { AlertDeliveryError } from '../errors';
import { toIsoUtc, toIsoUtcOrNull } from '../expiry/instant';
import { severityOf } from '../expiry/status';
import type { CertificateRecord, ScanReport } from '../model';
import { StateStoreError } from '../state/errors';
import type { AlertHistory, AlertStateStore, UnusableHistory } from '../state/store';
import { certificateKey } from '../state/store';
import { buildAlertDigest, type Digest } from './digest';
import { type Ladder, rungOf } from './ladder';
import { type AlertPlan, type PlannedAlert, planAlerts, type RungAssessment } from './plan';
import { isSilenced, type Rules, ruleFor } from './rules';
import type { AlertSink, OutgoingAlert } from './sink';
import { incompleteScanMessage, structuredMessage } from './structured';

export interface AlertingOptions {
  sink: AlertSink;
  store: AlertStateStore;
  ladder: Ladder;
  rules?: Rules | null;
  nowMs: number;
  /** Rungs at or below this many days are critical. */
  criticalDays: number;
  /** How often an expired certificate still in use reminds. */
  reminderIntervalMs: number;
  /** How long a claim blocks other runs before it may be taken over (a run that crashed mid-way). */
  leaseMs?: number;
  /** Plan and render, but send nothing and change no state. */
  dryRun?: boolean;
  /**
   * The invocation (the Lambda request id, which a retry keeps): claims are marked with it, and a retry takes
   * back the ones its crashed attempt left unconfirmed instead of leaving them blocked for the whole lease.
   */
  owner?: string;
}

export interface AlertOutcome {
  plan: AlertPlan;
  /** The digest sent (or, on a dry run, that would be sent); null when nothing needed telling. */
  digest: Digest | null;
  /** Structured alerts delivered (or, on a dry run, that would be). */
  alerts: number;
  /** The structured messages sent (or, on a dry run, that would be): `a<i>` per alert, `incomplete` last. */
  messages: OutgoingAlert[];
  /** Why the state store could not be used, when it could not. */
  stateProblem: string | null;
  /**
   * Entries of the history that were skipped as unusable: their certificates may have been alerted once more.
   * The caller says so where a person sees it (the CLI's stderr, the function's log).
   */
  unusableHistory: UnusableHistory[];
}

const DEFAULT_LEASE_MS = 15 * 60_000;

export async function alertOn(report: ScanReport, options: AlertingOptions): Promise<AlertOutcome> {
  const { store, sink, nowMs } = options;
  const now = new Date(nowMs).toISOString();
  let stateProblem: string | null = null;
  const noteState = (error: unknown) => {
    stateProblem ??= error instanceof Error ? error.message : String(error);
  };

  let history: Map<string, AlertHistory> = new Map();
  const unusableHistory: UnusableHistory[] = [];
  try {
    history = await store.load(report.certificates.map(certificateKey), {
      onUnusable: (entry) => unusableHistory.push(entry),
    });
  } catch (error) {
    noteState(error);
  }
  const plan = planAlerts(report, {
    nowMs,
    history,
    reminderIntervalMs: options.reminderIntervalMs,
    ...(options.owner ? { owner: options.owner } : {}),
    assess: (record) => assess(record, options),
    silencedBy: (record) => silencedBy(record, options),
  });

  if (options.dryRun) {
    const messages = sink.publishAlerts ? structuredMessages(report, [...plan.toSend, ...plan.owed]) : [];
    return {
      plan,
      digest: buildAlertDigest(report, plan, stateProblem),
      alerts: messages.filter((message) => message.id !== 'incomplete').length,
      messages,
      stateProblem,
      unusableHistory,
    };
  }

  // Claim first: of two runs (or a retried one), only the one that wins a claim sends that alert. Without a
  // usable store everything due is sent, and nothing is claimed (so nothing of another run's is released).
  const claim = async (alert: PlannedAlert): Promise<'won' | 'lost' | 'unclaimed'> => {
    if (stateProblem !== null) return 'unclaimed';
    try {
      const won = await store.claim({
        certificateKey: alert.certificateKey,
        rung: alert.rung,
        notAfter: toIsoUtcOrNull(alert.record.notAfterMs),
        now,
        leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
        ...(options.owner ? { owner: options.owner } : {}),
      });
      return won ? 'won' : 'lost';
    } catch (error) {
      noteState(error);
      return 'unclaimed';
    }
  };
  const claimed = new Set<PlannedAlert>();
  const toSend: PlannedAlert[] = [];
  const lost: PlannedAlert[] = [];
  for (const alert of plan.toSend) {
    const outcome = await claim(alert);
    if (outcome === 'lost') lost.push(alert);
    else toSend.push(alert);
    if (outcome === 'won') claimed.add(alert);
  }
  // Structured messages a refused run still owes; their digest already went out.
  const owed: PlannedAlert[] = [];
  for (const alert of plan.owed) {
    if ((await claim(alert)) === 'won') {
      owed.push(alert);
      claimed.add(alert);
    }
  }
  const sending: AlertPlan = { ...plan, toSend, owed, stillOpen: [...plan.stillOpen, ...lost] };
  const digest = buildAlertDigest(report, sending, stateProblem);

  // Both kinds of message are attempted whatever happens to the other; failures are raised after both.
  let digestError: unknown = null;
  if (digest) {
    try {
      await sink.publishDigest(digest);
    } catch (error) {
      digestError = error;
    }
  }
  // Each step is written down as soon as it is done, so a run that dies between two publishes is retried with
  // only what it still owes. The digest told people: the structured messages are owed now, not the digest. The
  // claims keep their lease while this run sends those, so another run cannot take one and send it too.
  if (digest && digestError === null) {
    await Promise.all(
      toSend
        .filter((alert) => claimed.has(alert))
        .map((alert) =>
          store.confirm(alert.certificateKey, alert.rung, now, 'digested', true).catch(noteState),
        ),
    );
  }
  const isOwed = new Set(owed);
  const structured = [...toSend, ...owed];
  const messages = structuredMessages(report, structured);
  // Each batch the channel took is `sent` before the next goes out (when its digest went out too).
  const byId = new Map(structured.map((alert, index) => [`a${index}`, alert]));
  const settled = new Set<PlannedAlert>();
  const onDelivered = async (ids: readonly string[]) => {
    const delivered = ids
      .map((id) => byId.get(id))
      .filter((alert): alert is PlannedAlert => alert !== undefined && claimed.has(alert))
      .filter((alert) => isOwed.has(alert) || digestError === null);
    for (const alert of delivered) settled.add(alert);
    await Promise.all(
      delivered.map((alert) => store.confirm(alert.certificateKey, alert.rung, now, 'sent').catch(noteState)),
    );
  };
  // A channel read by people has no structured messages: its digest told everything.
  const result = sink.publishAlerts
    ? await sink.publishAlerts(messages, { onDelivered })
    : { sent: 0, failed: [] };
  const failedIds = new Set(result.failed.map((failure) => failure.id));

  // Settle each claim: both delivered, `sent`; the digest delivered but not the structured message, `digested`
  // (the next run sends only that, so nobody reads the alert twice); the digest refused, undo the claim, putting
  // back the history it replaced, so the next run tells people.
  await Promise.all(
    structured.map((alert, index) => {
      if (!claimed.has(alert) || settled.has(alert)) return Promise.resolve();
      const digestReached = isOwed.has(alert) || digestError === null;
      const structuredReached = !failedIds.has(`a${index}`);
      const previous = history.get(alert.certificateKey);
      const settle = !digestReached
        ? store.release(alert.certificateKey, alert.rung, previous)
        : structuredReached
          ? store.confirm(alert.certificateKey, alert.rung, now, 'sent')
          : isOwed.has(alert) && previous
            ? store.release(alert.certificateKey, alert.rung, previous)
            : store.confirm(alert.certificateKey, alert.rung, now, 'digested');
      return settle.catch(noteState);
    }),
  );
  await Promise.all(plan.forget.map((key) => store.forget(key).catch(noteState)));

  // Everything was tried; now fail loudly for what did not work.
  if (digestError !== null) throw digestError;
  if (result.failed.length > 0) {
    if ('topicArn' in sink && typeof sink.topicArn === 'string') throwIfFailed(result, sink.topicArn);
    throw new AlertDeliveryError(
      `${result.failed.length} of ${messages.length} alerts could not be delivered through ${sink.name}: ` +
        `${result.failed[0]?.code} ${result.failed[0]?.message}`,
    );
  }
  if (stateProblem !== null) {
    // The alerts went out, but without history the next runs will repeat them: make the run fail, so the
    // function's error alarm says so, rather than a note in a digest nobody reads twice.
    throw new StateStoreError(
      `alerts were sent, but the alert history could not be used (${stateProblem}): until it can, every run ` +
        'sends every alert due again',
    );
  }
  return {
    plan: sending,
    digest,
    alerts: sink.publishAlerts ? structured.length : 0,
    messages,
    stateProblem,
    unusableHistory,
  };
}

function assess(record: CertificateRecord, options: AlertingOptions): RungAssessment | null {
  if (record.status === 'unknown') return { rung: 'unknown', severity: 'warning' };
  const ladder = (options.rules ? ruleFor(record, options.rules).ladder : undefined) ?? options.ladder;
  const { notAfterMs } = record;
  const lifetime = notAfterMs === null ? null : { notAfterMs, notBeforeMs: record.notBeforeMs ?? null };
  const rung = rungOf(record, ladder, lifetime, options.nowMs);
  return rung === null ? null : { rung, severity: severityOf(rung, options.criticalDays, record.daysLeft) };
}

function silencedBy(record: CertificateRecord, options: AlertingOptions): string | null {
  if (!options.rules) return null;
  const resolved = ruleFor(record, options.rules);
  const verdict = isSilenced(record, resolved, options.nowMs);
  return verdict.silenced ? (verdict.why ?? 'held back by a rule') : null;
}

/** One structured message per alert (`a0`, `a1`, ...), and one for an incomplete scan. */
function structuredMessages(report: ScanReport, alerts: readonly PlannedAlert[]): OutgoingAlert[] {
  const messages: OutgoingAlert[] = alerts.map((alert, index) => ({
    id: `a${index}`,
    ...structuredMessage(alert, { generatedAt: toIsoUtc(report.generatedAtMs) }),
  }));
  if (report.failures.length > 0) {
    messages.push({
      id: 'incomplete',
      ...incompleteScanMessage(report.failures, { generatedAt: toIsoUtc(report.generatedAtMs) }),
    });
  }
  return messages;
}
