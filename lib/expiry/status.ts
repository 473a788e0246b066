/**
 * Status and severity, the one place they are decided. A status is what a report row says at an instant (from
 * the days left and the status days); a severity is how loud an alert is (from a status or a ladder rung). Pure.
 */
import type { Status } from '../model';
import { MS_PER_DAY } from './instant';

/** The days that make a certificate `warning` and `critical` (CERTWATCH_WARNING_DAYS, _CRITICAL_DAYS). */
export interface StatusDays {
  warningDays: number;
  criticalDays: number;
}

export const DEFAULT_STATUS_DAYS: StatusDays = { warningDays: 30, criticalDays: 7 };

/** How loud an alert is. */
export type Severity = 'warning' | 'critical' | 'expired';

/** A rung of the alert ladder: `d<N>` (N days or fewer left), `p<P>` (P% or less of the lifetime left) or `expired`. */
export type Rung = 'expired' | `d${number}` | `p${number}`;

/**
 * Status at `nowMs`: expired once notAfter ≤ now (to the second); otherwise by whole days left, as people read
 * them — critical when `daysLeft` ≤ `criticalDays` (so "7 days left" is critical at the default 7), warning when
 * `daysLeft` ≤ `warningDays`.
 */
export function statusAt(notAfterMs: number | null, nowMs: number, statusDays: StatusDays): Status {
  if (notAfterMs === null) return 'unknown';
  if (notAfterMs <= nowMs) return 'expired';
  const days = daysLeft(notAfterMs, nowMs);
  if (days <= statusDays.criticalDays) return 'critical';
  if (days <= statusDays.warningDays) return 'warning';
  return 'ok';
}

/**
 * Whole days remaining, rounded down: 0 in the last day before expiry; negative once expired (-1 from the instant
 * of expiry through its first day, -2 in the second, ...).
 */
export function daysLeft(notAfterMs: number, nowMs: number): number {
  const days = Math.floor((notAfterMs - nowMs) / MS_PER_DAY);
  return notAfterMs <= nowMs ? Math.min(days, -1) : days;
}

/**
 * The severity of an alert for `rung`: a day step above `criticalDays` is a warning, at or below it critical; a
 * share-of-lifetime rung takes the severity of the certificate's `daysLeft` (a warning when that is unknown).
 */
export function severityOf(rung: Rung, criticalDays = 7, daysLeft?: number | null): Severity {
  if (rung === 'expired') return 'expired';
  // The more severe of the rung and the days left: with a ladder of 30,14 a certificate 2 days out is critical.
  if (rung.startsWith('d')) {
    const near = Number(rung.slice(1)) <= criticalDays || (daysLeft != null && daysLeft <= criticalDays);
    return near ? 'critical' : 'warning';
  }
  if (daysLeft === undefined || daysLeft === null) return 'warning';
  if (daysLeft < 0) return 'expired';
  return daysLeft <= criticalDays ? 'critical' : 'warning';
}
