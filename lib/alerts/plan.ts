/**
 * Who gets told what this run. Pure: the report, what was alerted before and the rules in; a plan out.
 *
 * A certificate alerts when it crosses into a new rung, not on every run; an expired certificate still in use
 * reminds once a day. Context changes the verdict: a certificate bound nowhere, or superseded by a renewed one
 * that already serves its listeners, is a clean-up note, never a page; a renewed one that exists but is not bound
 * yet turns the alert into "rebind"; an intermediate expiring first turns it into "fix the chain".
 */
import { toIsoUtc } from '../expiry/instant';
import { daysLeft, type Severity } from '../expiry/status';
import { type CertificateRecord, identityOf, type ScanReport } from '../model';
import { type AlertHistory, certificateKey } from '../state/store';

export type AlertKind = 'new' | 'reminder' | 'rebind' | 'chain';

/** Where a certificate stands on its ladder now; null when no rung is crossed. */
export interface RungAssessment {
  rung: string;
  severity: Severity;
}

export interface RenewedBy {
  provider: string;
  service: string;
  region: string;
  id: string;
  name: string;
  notAfterMs: number;
}

export interface PlannedAlert {
  certificateKey: string;
  record: CertificateRecord;
  /** The rung as remembered: `d30`...`expired`, and `expired@YYYY-MM-DD` for a daily reminder. */
  rung: string;
  severity: Severity;
  kind: AlertKind;
  /** One sentence: what a person should do. */
  action: string;
  renewedBy?: RenewedBy;
}

export interface CleanupNote {
  record: CertificateRecord;
  why: string;
}

export interface AlertPlan {
  /** Crossed into a new rung (or a reminder is due): claim, send, confirm. */
  toSend: PlannedAlert[];
  /** In a rung already alerted: listed in the digest, not sent again as an alert. */
  stillOpen: PlannedAlert[];
  /**
   * Alerts whose digest went out but whose structured message did not (SNS refused it): owed to subscribers,
   * sent as a structured message only. Also listed in `stillOpen`.
   */
  owed: PlannedAlert[];
  /** Needs tidying, not paging: unbound or superseded certificates. */
  cleanup: CleanupNote[];
  /** Held back by a rule (mute, ignore). */
  silenced: CleanupNote[];
  /** Keys whose history no longer applies (renewed, or fine again). */
  forget: string[];
}

export interface PlanOptions {
  nowMs: number;
  /** The rung a certificate is in (ladder and rules applied); null when none is crossed. */
  assess: (record: CertificateRecord) => RungAssessment | null;
  /** Why a rule holds this certificate's alert back, or null. */
  silencedBy?: (record: CertificateRecord) => string | null;
  history: ReadonlyMap<string, AlertHistory>;
  /** How often an expired certificate still in use reminds. */
  reminderIntervalMs?: number;
  /** The invocation planning (AlertHistory.owner): its own unconfirmed claims are sent again. */
  owner?: string;
}

const DAY_MS = 86_400_000;
const REMINDER_SLACK_MS = 3_600_000;

export function planAlerts(report: ScanReport, options: PlanOptions): AlertPlan {
  const plan: AlertPlan = { toSend: [], stillOpen: [], owed: [], cleanup: [], silenced: [], forget: [] };
  const renewals = new RenewalIndex(report.certificates);
  for (const copies of copiesOfEachCertificate(report.certificates)) {
    const { record, key, previous, keysWithHistory } = oneCertificate(copies, options.history);
    const assessment = options.assess(record);
    if (!assessment) {
      plan.forget.push(...keysWithHistory);
      continue;
    }
    const newer = renewals.newerThan(record);
    if (record.inUse === false) {
      plan.cleanup.push({
        record,
        why: newer
          ? `superseded by ${describe(newer)}, and bound nowhere: delete it`
          : 'bound to no listener or domain: delete it, or bind it if it is still needed',
      });
      continue;
    }
    if (
      newer &&
      record.boundTo.length > 0 &&
      record.boundTo.every((where) => newer.boundTo.includes(where))
    ) {
      plan.cleanup.push({
        record,
        why: `superseded by ${describe(newer)}, which serves the same places: delete it`,
      });
      continue;
    }
    const silenced = options.silencedBy?.(record) ?? null;
    if (silenced) {
      plan.silenced.push({ record, why: silenced });
      continue;
    }
    const alert = describeAlert(key, record, assessment, newer, previous, options);
    if (isNewFor(alert, previous, options)) plan.toSend.push(alert);
    else {
      plan.stillOpen.push(alert);
      if (previous?.state === 'digested' && previous.rung === alert.rung) plan.owed.push(alert);
    }
  }
  return plan;
}

/**
 * The records grouped by certificate: copies of one certificate (the same identity, lib/model.ts identityOf) that
 * stop serving at the same instant are one certificate to a person, alerted once wherever it is stored or bound.
 * Copies whose chains expire at different instants (one stored with an old intermediate) stay apart: each needs its
 * own fix. A record with no identity is a certificate of its own. In report order, by each group's first record.
 */
function copiesOfEachCertificate(records: readonly CertificateRecord[]): CertificateRecord[][] {
  const groups: CertificateRecord[][] = [];
  const byIdentity = new Map<string, CertificateRecord[]>();
  for (const record of records) {
    const identity = identityOf(record);
    if (identity === null) {
      groups.push([record]);
      continue;
    }
    const key = `${identity} ${record.notAfterMs}`;
    const copies = byIdentity.get(key);
    if (copies) copies.push(record);
    else {
      const group = [record];
      byIdentity.set(key, group);
      groups.push(group);
    }
  }
  return groups;
}

/**
 * One certificate from its copies: the copy with the first key stands for it (its key is the one claimed and
 * remembered), bound everywhere any copy is, in use when any copy is. Its history is its own, else that of the
 * copy alerted last: a certificate alerted as one copy (before copies were tied together, or before another copy
 * appeared with a key that sorts first) is not alerted again for the same rung.
 */
function oneCertificate(
  copies: readonly CertificateRecord[],
  history: ReadonlyMap<string, AlertHistory>,
): {
  record: CertificateRecord;
  key: string;
  previous: AlertHistory | undefined;
  keysWithHistory: string[];
} {
  if (copies.length === 1) {
    const key = certificateKey(copies[0]!);
    const previous = history.get(key);
    return { record: copies[0]!, key, previous, keysWithHistory: previous ? [key] : [] };
  }
  const keyed = copies.map((record) => ({ record, key: certificateKey(record) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const first = keyed[0]!;
  const keysWithHistory = keyed.filter(({ key }) => history.has(key)).map(({ key }) => key);
  let previous = history.get(first.key);
  if (!previous) {
    for (const key of keysWithHistory) {
      const candidate = history.get(key)!;
      if (!previous || candidate.atMs > previous.atMs) previous = candidate;
    }
  }
  const boundTo = [...new Set(keyed.flatMap(({ record }) => record.boundTo))];
  const inUse = copies.some((record) => record.inUse === true)
    ? true
    : copies.every((record) => record.inUse === false)
      ? false
      : null;
  return { record: { ...first.record, boundTo, inUse }, key: first.key, previous, keysWithHistory };
}

function describeAlert(
  key: string,
  record: CertificateRecord,
  assessment: RungAssessment,
  newer: CertificateRecord | undefined,
  previous: AlertHistory | undefined,
  options: PlanOptions,
): PlannedAlert {
  let rung = assessment.rung;
  let kind: AlertKind = 'new';
  // Expired and still serving: remind once a day after the first alert, so it cannot be forgotten.
  if (
    assessment.severity === 'expired' &&
    previous?.rung.startsWith('expired') &&
    previous.notAfterMs === record.notAfterMs
  ) {
    const interval = options.reminderIntervalMs ?? DAY_MS;
    // Runs on a schedule drift by seconds: a reminder is due a little before the interval is quite over, never
    // twice in one UTC day (the rung names the day).
    const due = previous.atMs + interval - REMINDER_SLACK_MS <= options.nowMs;
    if (due) {
      rung = `expired@${new Date(options.nowMs).toISOString().slice(0, 10)}`;
      kind = 'reminder';
    } else rung = previous.rung;
  }
  const base = { certificateKey: key, record, rung, severity: assessment.severity };
  if (newer) {
    return {
      ...base,
      kind: 'rebind',
      action: `renewed certificate ${describe(newer)} exists: bind it in place of this one (${record.boundTo.join('; ') || 'where this one is used'})`,
      renewedBy: {
        provider: newer.provider,
        service: newer.service,
        region: newer.region,
        id: newer.id,
        name: newer.name,
        // The index holds only certificates with a known expiry.
        notAfterMs: newer.notAfterMs ?? 0,
      },
    };
  }
  if (record.expirySource === 'pem:intermediate') {
    const note = record.notes.find((n) => n.startsWith('intermediate ')) ?? 'an intermediate expires first';
    return {
      ...base,
      kind: kind === 'reminder' ? kind : 'chain',
      action: `${note}: upload this certificate again with the renewed intermediate chain`,
    };
  }
  return { ...base, kind, action: actionFor(assessment.severity, record) };
}

function actionFor(severity: Severity, record: CertificateRecord): string {
  if (record.status === 'unknown') return 'find out when it expires (see the notes), then renew it in time';
  if (severity === 'expired') return 'replace it now: clients already refuse it';
  if (severity === 'critical') return 'renew it and deploy the new certificate now';
  return 'plan its renewal';
}

/**
 * New when never alerted, alerted at another rung, alerted for a certificate since renewed or whose expiry became
 * known (notAfter null before), or claimed by a run that never confirmed it and whose lease ran out or that this
 * invocation made before (it crashed, and this is its retry: send it now). A passing `unknown` does not replace a
 * real rung while nothing would have been told had the expiry stayed readable (so a certificate unreadable for a
 * run or two is not told its rung twice); once the expiry last read has moved on to another rung, or passed,
 * `unknown` is told: certwatch cannot see what it would have said. This comes before the notAfter test, which
 * null against the date last alerted would pass.
 */
function isNewFor(alert: PlannedAlert, previous: AlertHistory | undefined, options: PlanOptions): boolean {
  if (!previous) return true;
  if (previous.state === 'sending') {
    if (previous.leaseUntilMs < options.nowMs) return true;
    if (options.owner !== undefined && previous.owner === options.owner) return true;
  }
  if (alert.rung === 'unknown' && previous.rung !== 'unknown') {
    return rungOfLastKnown(alert.record, previous, options) !== previous.rung;
  }
  if (previous.notAfterMs !== alert.record.notAfterMs) return true;
  return previous.rung !== alert.rung;
}

/** The rung the certificate would be in now had its expiry stayed what was last alerted; null when none. */
function rungOfLastKnown(
  record: CertificateRecord,
  previous: AlertHistory,
  options: PlanOptions,
): string | null {
  const notAfterMs = previous.notAfterMs ?? Number.NaN;
  if (!Number.isFinite(notAfterMs) || notAfterMs <= options.nowMs) return null;
  const days = daysLeft(notAfterMs, options.nowMs);
  // Its status only has to be a dated one: the rung comes from the date and the days left.
  const known: CertificateRecord = {
    ...record,
    status: 'warning',
    notAfterMs,
    daysLeft: days,
  };
  return options.assess(known)?.rung ?? null;
}

function describe(record: CertificateRecord): string {
  return `${record.name} (${record.id}, expires ${record.notAfterMs === null ? 'unknown' : toIsoUtc(record.notAfterMs)})`;
}

/** Renewals count only where they can replace: the same service, region and project. */
function renewalKey(record: CertificateRecord, name: string): string {
  return [record.provider, record.service, record.region, record.project ?? '-', name.toLowerCase()].join(
    '/',
  );
}

/**
 * Renewed certificates: another one of the same provider, service, region and project that covers every name of this one and
 * expires later (and is not expired itself).
 */
class RenewalIndex {
  private readonly byName = new Map<string, CertificateRecord[]>();

  constructor(records: readonly CertificateRecord[]) {
    for (const record of records) {
      if (record.status === 'expired' || record.notAfterMs === null) continue;
      for (const name of record.domains) {
        const key = renewalKey(record, name);
        const list = this.byName.get(key);
        if (list) list.push(record);
        else this.byName.set(key, [record]);
      }
    }
  }

  newerThan(record: CertificateRecord): CertificateRecord | undefined {
    const [first] = record.domains;
    if (first === undefined || record.notAfterMs === null) return undefined;
    const names = new Set(record.domains.map((name) => name.toLowerCase()));
    const candidates = this.byName.get(renewalKey(record, first)) ?? [];
    let best: CertificateRecord | undefined;
    for (const candidate of candidates) {
      if (candidate === record || candidate.notAfterMs === null || candidate.notAfterMs <= record.notAfterMs)
        continue;
      const covered = new Set(candidate.domains.map((name) => name.toLowerCase()));
      if (![...names].every((name) => covered.has(name))) continue;
      if (!best || candidate.notAfterMs > (best.notAfterMs ?? Number.NEGATIVE_INFINITY)) best = candidate;
    }
    return best;
  }
}
