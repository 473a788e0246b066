/**
 * From a report to delivered alerts, each once: plan against the remembered history, claim what is new (so a
 * concurrent or retried run cannot send it too), send the digest and the structured alerts, then confirm what
 * arrived and release what did not (the next run sends it). If the state store cannot be reached, everything
 * due is sent anyway and the digest says so: a duplicate is better than silence.
 */

import { AlertDeliveryError } from '../errors';
import { toIsoUtc } from '../expiry/instant';
import { severityOf } from '../expiry/status';
import type { CertificateRecord, ScanReport } from '../model';
import { StateStoreError } from '../state/errors';
import type { AlertHistory, AlertStateStore, UnusableHistory } from '../state/store';
import { certificateKey } from '../state/store';
import { buildAlertDigest, type Digest } from './digest';
import { type Ladder, rungOf } from './ladder';
import { type AlertPlan, type PlannedAlert, planAlerts, type RungAssessment } from './plan';
import { isSilenced, type Rules, ruleFor } from './rules';
import type { AlertSink, AlertsResult, OutgoingAlert } from './sink';
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

/**
 * Alerts on a report through one sink: load the history and plan, then claim, send and settle (see the file
 * header). Every step is tried whatever happened to the one before; what failed is raised at the end.
 */
export async function alertOn(report: ScanReport, options: AlertingOptions): Promise<AlertOutcome> {
  const { store, sink, nowMs } = options;
  const state = new StateProblem();
  const { history, unusableHistory } = await loadHistory(report, { store, state });
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
      digest: buildAlertDigest(report, plan, state.problem),
      alerts: messages.filter((message) => message.id !== 'incomplete').length,
      messages,
      stateProblem: state.problem,
      unusableHistory,
    };
  }

  const claims = await claimAlerts(plan, {
    store,
    nowMs,
    state,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    owner: options.owner,
  });
  const delivery = await sendAlerts(report, claims, { sink, store, nowMs, state });
  await settleClaims(claims, delivery, { store, nowMs, state, history });
  await Promise.all(plan.forget.map((key) => store.forget(key).catch(state.note)));

  throwIfUndelivered(delivery, { sink, state });
  return {
    plan: claims.plan,
    digest: delivery.digest,
    alerts: sink.publishAlerts ? delivery.structured.length : 0,
    messages: delivery.messages,
    stateProblem: state.problem,
    unusableHistory,
  };
}

/**
 * The first error of the state store in this run. The run goes on without the store (a duplicate is better than
 * silence); the digest says so and the run fails at the end.
 */
class StateProblem {
  problem: string | null = null;
  readonly note = (error: unknown): void => {
    this.problem ??= error instanceof Error ? error.message : String(error);
  };
}

/** The history of the report's certificates; empty when the store cannot be read (noted in `state`). */
async function loadHistory(
  report: ScanReport,
  options: { store: AlertStateStore; state: StateProblem },
): Promise<{ history: Map<string, AlertHistory>; unusableHistory: UnusableHistory[] }> {
  let history: Map<string, AlertHistory> = new Map();
  const unusableHistory: UnusableHistory[] = [];
  try {
    history = await options.store.load(report.certificates.map(certificateKey), {
      onUnusable: (entry) => unusableHistory.push(entry),
    });
  } catch (error) {
    options.state.note(error);
  }
  return { history, unusableHistory };
}

/** What the claim step leaves to the others. */
interface Claims {
  /** The plan as this run carries it out: alerts another run claimed first are still open, not to send. */
  plan: AlertPlan;
  /** The alerts this run holds a claim on (none of those sent without a usable store). */
  claimed: ReadonlySet<PlannedAlert>;
}

/**
 * Claims each alert due, one by one: of two runs (or a retried one), only the one that wins a claim sends that
 * alert. Without a usable store everything due is sent, and nothing is claimed (so nothing of another run's is
 * released). Of the structured messages a refused run still owes (`owed`, their digest already went out), only
 * those won are sent.
 */
async function claimAlerts(
  plan: AlertPlan,
  options: {
    store: AlertStateStore;
    nowMs: number;
    state: StateProblem;
    leaseMs: number;
    owner?: string | undefined;
  },
): Promise<Claims> {
  const { store, nowMs, state } = options;
  const claim = async (alert: PlannedAlert): Promise<'won' | 'lost' | 'unclaimed'> => {
    if (state.problem !== null) return 'unclaimed';
    try {
      const won = await store.claim({
        certificateKey: alert.certificateKey,
        rung: alert.rung,
        notAfterMs: alert.record.notAfterMs,
        nowMs,
        leaseMs: options.leaseMs,
        ...(options.owner ? { owner: options.owner } : {}),
      });
      return won ? 'won' : 'lost';
    } catch (error) {
      state.note(error);
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
  const owed: PlannedAlert[] = [];
  for (const alert of plan.owed) {
    if ((await claim(alert)) === 'won') {
      owed.push(alert);
      claimed.add(alert);
    }
  }
  return { plan: { ...plan, toSend, owed, stillOpen: [...plan.stillOpen, ...lost] }, claimed };
}

/** What the send step delivered, and what it wrote down as it went. */
interface Delivery {
  /** The digest sent; null when nothing needed telling. */
  digest: Digest | null;
  /** Why the sink refused the digest; null when it took it (or there was none). */
  digestError: unknown;
  /** The alerts of the structured messages, in order: message `a<i>` is `structured[i]`. */
  structured: PlannedAlert[];
  /** The structured messages given to the sink (none when it has no publishAlerts). */
  messages: OutgoingAlert[];
  /** What the sink reported of the structured messages (nothing sent without publishAlerts). */
  result: AlertsResult;
  /** Claims already confirmed `sent` while their batch went out. */
  settled: ReadonlySet<PlannedAlert>;
}

/**
 * Sends the digest, then the structured messages: both are attempted whatever happens to the other; failures
 * are raised after both (throwIfUndelivered). Each step is written down as soon as it is done, so a run that
 * dies between two publishes is retried with only what it still owes: once the digest is out, its claims are
 * `digested` (the structured messages are owed now, not the digest), keeping their lease so that no other run
 * takes one and sends it too; each batch the sink takes is `sent` before the next goes out.
 */
async function sendAlerts(
  report: ScanReport,
  claims: Claims,
  options: { sink: AlertSink; store: AlertStateStore; nowMs: number; state: StateProblem },
): Promise<Delivery> {
  const { sink, store, nowMs, state } = options;
  const { toSend, owed } = claims.plan;
  const digest = buildAlertDigest(report, claims.plan, state.problem);
  let digestError: unknown = null;
  if (digest) {
    try {
      await sink.publishDigest(digest);
    } catch (error) {
      digestError = error;
    }
  }
  if (digest && digestError === null) {
    await Promise.all(
      toSend
        .filter((alert) => claims.claimed.has(alert))
        .map((alert) =>
          store.confirm(alert.certificateKey, alert.rung, nowMs, 'digested', true).catch(state.note),
        ),
    );
  }
  const isOwed = new Set(owed);
  const structured = [...toSend, ...owed];
  const messages = structuredMessages(report, structured);
  const byId = new Map(structured.map((alert, index) => [`a${index}`, alert]));
  const settled = new Set<PlannedAlert>();
  const onDelivered = async (ids: readonly string[]) => {
    const delivered = ids
      .map((id) => byId.get(id))
      .filter((alert): alert is PlannedAlert => alert !== undefined && claims.claimed.has(alert))
      .filter((alert) => isOwed.has(alert) || digestError === null);
    for (const alert of delivered) settled.add(alert);
    await Promise.all(
      delivered.map((alert) =>
        store.confirm(alert.certificateKey, alert.rung, nowMs, 'sent').catch(state.note),
      ),
    );
  };
  // A channel read by people has no structured messages: its digest told everything.
  const result = sink.publishAlerts
    ? await sink.publishAlerts(messages, { onDelivered })
    : { sent: 0, failed: [] };
  return { digest, digestError, structured, messages, result, settled };
}

/**
 * Settles each claim the send step did not: confirmed `sent` when its digest and its structured message were
 * delivered, `digested` when only the digest was, released when the digest was refused (see settlementOf).
 * A store that fails here is noted in `state`, never thrown.
 */
async function settleClaims(
  claims: Claims,
  delivery: Delivery,
  options: {
    store: AlertStateStore;
    nowMs: number;
    state: StateProblem;
    /** The history the claims replaced, put back when a claim is released. */
    history: ReadonlyMap<string, AlertHistory>;
  },
): Promise<void> {
  const { store, nowMs, state } = options;
  const isOwed = new Set(claims.plan.owed);
  const failedIds = new Set(delivery.result.failed.map((failure) => failure.id));
  await Promise.all(
    delivery.structured.map((alert, index) => {
      if (!claims.claimed.has(alert) || delivery.settled.has(alert)) return Promise.resolve();
      const previous = options.history.get(alert.certificateKey);
      const settlement = settlementOf({
        digestReached: isOwed.has(alert) || delivery.digestError === null,
        structuredReached: !failedIds.has(`a${index}`),
        owed: isOwed.has(alert),
        hadHistory: previous !== undefined,
      });
      const settle =
        settlement === 'release'
          ? store.release(alert.certificateKey, alert.rung, previous)
          : store.confirm(alert.certificateKey, alert.rung, nowMs, settlement);
      return settle.catch(state.note);
    }),
  );
}

/**
 * What becomes of one claim once everything was sent. The digest refused: release it, putting back the history
 * it replaced, so the next run tells people. Both delivered: `sent`. The digest delivered but not the structured
 * message: `digested`, so the next run sends only that and nobody reads the alert twice; a message that was
 * already owed and failed again goes back to the history it came from.
 */
function settlementOf(claim: {
  /** The alert's digest reached people (this run's, or an earlier run's for an owed message). */
  digestReached: boolean;
  structuredReached: boolean;
  /** A structured message an earlier run owed. */
  owed: boolean;
  hadHistory: boolean;
}): 'sent' | 'digested' | 'release' {
  if (!claim.digestReached) return 'release';
  if (claim.structuredReached) return 'sent';
  if (claim.owed && claim.hadHistory) return 'release';
  return 'digested';
}

/**
 * Fails the run loudly once everything was tried: for a refused digest (its own error), for structured messages
 * the sink did not take, and for a state store that could not be used while the alerts went out.
 */
function throwIfUndelivered(delivery: Delivery, options: { sink: AlertSink; state: StateProblem }): void {
  const { sink } = options;
  const { result, messages } = delivery;
  if (delivery.digestError !== null) throw delivery.digestError;
  if (result.failed.length > 0) {
    if (sink.undeliveredAlertsError) throw sink.undeliveredAlertsError(result);
    throw new AlertDeliveryError(
      `${result.failed.length} of ${messages.length} alerts could not be delivered through ${sink.name}: ` +
        `${result.failed[0]?.code} ${result.failed[0]?.message}`,
    );
  }
  const stateProblem = options.state.problem;
  if (stateProblem !== null) {
    // The alerts went out, but without history the next runs will repeat them: make the run fail, so the
    // function's error alarm says so, rather than a note in a digest nobody reads twice.
    throw new StateStoreError(
      `alerts were sent, but the alert history could not be used (${stateProblem}): until it can, every run ` +
        'sends every alert due again',
    );
  }
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
