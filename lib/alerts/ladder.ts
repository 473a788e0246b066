/**
 * The alert ladder: the rungs a certificate passes on its way to expiry (`d30`, `d14`, ..., `p20`, `expired`).
 * A certificate alerts once per rung it enters, so the ladder decides how often people hear about it. Pure: the
 * clock is a parameter.
 */
import { ConfigError } from '../errors';
import { MS_PER_DAY } from '../expiry/instant';
import type { Rung } from '../expiry/status';
import type { CertificateRecord } from '../model';

/** The steps of the ladder. */
export interface Ladder {
  /** Days-left steps, largest first, each a whole number ≥ 1, no repeats. Never empty. */
  days: number[];
  /** A share of the certificate's lifetime (0 < share < 100, in percent), or null when not configured. */
  lifetimePercent: number | null;
}

/** What `rungOf` reads of a certificate: a CertificateRecord has all of it. */
export interface RungSubject {
  /** Effective expiry (epoch ms): the remaining time for the share-of-lifetime rung is measured to it. */
  notAfterMs: number | null;
  daysLeft: number | null;
  status: CertificateRecord['status'];
}

/**
 * The certificate's validity period, for the share-of-lifetime rung: usually the leaf's notBefore and notAfter.
 * Without a notBefore the lifetime is unknown and the share rung is never entered.
 */
export interface Lifetime {
  notBeforeMs?: number | null;
  notAfterMs: number;
}

/** The ladder used when none is configured. */
export const DEFAULT_LADDER_TEXT = '30,14,7,3,1';
const DEFAULT_DAYS: readonly number[] = [30, 14, 7, 3, 1];

/** A day step beyond this is surely a typo (and would overflow the millisecond arithmetic of `rungOrder`). */
export const MAX_LADDER_DAYS = 36_500;

const NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
const PERCENT = /^([+-]?\d+(?:\.\d+)?)\s*%$/;

/**
 * Reads a ladder such as `30,14,7,3,1` or `30,14,7,3,1,20%`: whole days ≥ 1 in any order (sorted largest
 * first), no repeats, plus at most one share of lifetime strictly between 0% and 100%. At least one day step is
 * required: a share alone would never alert for a certificate whose start date is unknown. Undefined, empty or
 * blank text gives the default `30,14,7,3,1`.
 *
 * Throws ConfigError listing every problem, each starting with `key` and naming the bad item.
 */
export function parseLadder(text: string | undefined, key = 'CERTWATCH_THRESHOLDS'): Ladder {
  if (text === undefined || text.trim() === '') return { days: [...DEFAULT_DAYS], lifetimePercent: null };
  const problems: string[] = [];
  const days: number[] = [];
  const percents: string[] = [];
  let lifetimePercent: number | null = null;
  let sawEmpty = false;

  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') {
      sawEmpty = true;
      continue;
    }
    const percent = PERCENT.exec(item);
    if (percent) {
      percents.push(item);
      const value = Number(percent[1]);
      if (!(value > 0 && value < 100)) {
        problems.push(`${key}: "${item}" must be a share of lifetime above 0% and below 100%`);
      } else if (lifetimePercent === null) {
        lifetimePercent = value;
      }
      continue;
    }
    if (!NUMBER.test(item)) {
      problems.push(
        `${key}: "${item}" is neither a number of days (such as 30) nor a share of lifetime (such as 20%)`,
      );
      continue;
    }
    const value = Number(item);
    if (!Number.isInteger(value)) problems.push(`${key}: "${item}" is not a whole number of days`);
    else if (value < 1) problems.push(`${key}: "${item}" must be at least 1 day`);
    else if (value > MAX_LADDER_DAYS)
      problems.push(`${key}: "${item}" is more than ${MAX_LADDER_DAYS} days (100 years)`);
    else if (days.includes(value)) problems.push(`${key}: ${value} is listed more than once`);
    else days.push(value);
  }

  if (sawEmpty) {
    problems.push(`${key}: has an empty item; give comma-separated days such as ${DEFAULT_LADDER_TEXT}`);
  }
  if (percents.length > 1) {
    problems.push(
      `${key}: has more than one share of lifetime (${percents.map((p) => `"${p}"`).join(', ')}); give at most one`,
    );
  }
  if (problems.length === 0 && days.length === 0) {
    problems.push(
      `${key}: has no number of days; give at least one (such as ${DEFAULT_LADDER_TEXT}), ` +
        'optionally with one share of lifetime (such as 20%)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { days: days.sort((a, b) => b - a), lifetimePercent };
}

/** The ladder as text, in the form `parseLadder` reads: `30,14,7,3,1,20%`. */
export function formatLadder(ladder: Ladder): string {
  const items = ladder.days.map(String);
  if (ladder.lifetimePercent !== null) items.push(`${ladder.lifetimePercent}%`);
  return items.join(',');
}

/**
 * The rung the certificate is in at `nowMs`, or null when it has entered none.
 *
 * - `expired` when the record says so (status `expired`, or negative days left).
 * - `d<N>`: the smallest day step N with `daysLeft ≤ N` (with 30,14,7: 20 days left → d30, 7 → d7, 0 → d7).
 * - `p<P>`: the share-of-lifetime step, entered once the time left until `notAfter` is at most P% of the
 *   lifetime (`lifetime.notAfterMs − lifetime.notBeforeMs`).
 *
 * When both kinds are crossed, the certificate is in the one it entered last — "whichever comes first" alerts
 * at the first crossing and again at each later one. So a 1-year certificate with `30,14,7,20%` enters p20 at
 * 73 days left (before any day step), then d30, d14, d7; a 90-day one enters d30, then p20 at 18 days left,
 * then d14. A day step and the share entered at the same millisecond give the day step.
 *
 * Days left come from the record (`daysLeft`, whole days rounded down as `lib/expiry` computes them at `nowMs`);
 * the time left for the share is `notAfterMs − nowMs`, with `notAfterMs` from the record, else from `lifetime`.
 */
export function rungOf(
  record: RungSubject,
  ladder: Ladder,
  lifetime: Lifetime | null,
  nowMs: number,
): Rung | null {
  if (record.status === 'expired' || (record.daysLeft !== null && record.daysLeft < 0)) return 'expired';

  let dayStep: number | null = null;
  if (record.daysLeft !== null) {
    for (const step of ladder.days) {
      if (record.daysLeft <= step && (dayStep === null || step < dayStep)) dayStep = step;
    }
  }

  const shareMs = shareThresholdMs(ladder.lifetimePercent, lifetime);
  if (shareMs !== null && ladder.lifetimePercent !== null) {
    const notAfterMs = record.notAfterMs ?? lifetime!.notAfterMs;
    const shareCrossed = notAfterMs - nowMs <= shareMs;
    if (shareCrossed && (dayStep === null || shareMs < dayThresholdMs(dayStep))) {
      return `p${ladder.lifetimePercent}`;
    }
  }
  return dayStep === null ? null : `d${dayStep}`;
}

/**
 * A number that grows as a certificate moves down its ladder, for "entered a new, later rung" comparisons of one
 * certificate's rungs: minus the time left (ms) at which the rung is entered; `expired` is 1, no rung (null) is
 * −Infinity.
 *
 * Where a share-of-lifetime rung falls among the day steps depends on the certificate, so `p<P>` needs its
 * `lifetime`; without one (or with no notBefore) it ranks below every day step, so that any day step or expiry
 * after it still counts as later (an extra alert rather than a lost one). Unrecognised text ranks like no rung.
 */
export function rungOrder(rung: Rung | null, lifetime?: Lifetime | null): number {
  if (rung === null) return Number.NEGATIVE_INFINITY;
  if (rung === 'expired') return 1;
  const value = Number(rung.slice(1));
  if (rung.length < 2 || !Number.isFinite(value)) return Number.NEGATIVE_INFINITY;
  if (rung.startsWith('d')) return -dayThresholdMs(value);
  if (rung.startsWith('p')) {
    const shareMs = shareThresholdMs(value, lifetime ?? null);
    return shareMs === null ? -Number.MAX_SAFE_INTEGER : -shareMs;
  }
  return Number.NEGATIVE_INFINITY;
}

/** Whether `text` names a rung (`expired`, `d<N>`, `p<P>`): for rungs read back from alert history. */
export function isRung(text: string): text is Rung {
  return text === 'expired' || /^d[1-9]\d*$/.test(text) || /^p\d+(?:\.\d+)?$/.test(text);
}

/** Day step N is entered when fewer than N+1 whole days are left: at most (N+1) days − 1 ms. */
function dayThresholdMs(step: number): number {
  return (step + 1) * MS_PER_DAY - 1;
}

/** The share rung is entered when at most this much time (whole ms) is left; null when it cannot apply. */
function shareThresholdMs(percent: number | null, lifetime: Lifetime | null): number | null {
  if (percent === null || !lifetime) return null;
  const { notBeforeMs, notAfterMs } = lifetime;
  if (typeof notBeforeMs !== 'number' || !(notAfterMs > notBeforeMs)) return null;
  return Math.floor(((notAfterMs - notBeforeMs) * percent) / 100);
}
