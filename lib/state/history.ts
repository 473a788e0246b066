/**
 * Alert history as the stores write it (instants as ISO text) and what they accept when they read it back: one
 * writer and one check for the file and DynamoDB alike, so both store the same text and skip the same entries for
 * the same reasons, and the one representation of "no known expiry" (null) on the way in.
 */
import { parseIsoInstant, toIsoUtcOrNull } from '../expiry/instant';
import type { AlertHistory, UnusableHistory } from './store';

/** An AlertHistory as the stores write it: its instants as ISO text, under the names the stored entries use. */
export interface StoredHistory {
  certificateKey: string;
  rung: string;
  /** toIsoUtc of notAfterMs, or null: the text DynamoDB's claim condition compares with the stored one. */
  notAfter: string | null;
  state: AlertHistory['state'];
  /** `toISOString`: fixed width, so that instants order as strings (DynamoDB's `leaseUntil < :now`). */
  at: string;
  leaseUntil: string;
  owner?: string;
}

/** An entry as a store decoded it from its own format; any field may be missing or of the wrong type. */
export type StoredFields = Partial<Record<keyof StoredHistory, unknown>>;

/** The stored form of `history`, in the field order the stores have always written. */
export function storedHistory(history: AlertHistory): StoredHistory {
  return {
    certificateKey: history.certificateKey,
    rung: history.rung,
    notAfter: storedNotAfter(history.notAfterMs),
    state: history.state,
    at: storedInstant(history.atMs),
    leaseUntil: storedInstant(history.leaseUntilMs),
    ...(history.owner ? { owner: history.owner } : {}),
  };
}

/** A notAfter as the stores write it: ISO text as the report prints it (toIsoUtc), null for no known expiry. */
export function storedNotAfter(notAfterMs: number | null): string | null {
  return toIsoUtcOrNull(notAfterMs);
}

/**
 * `at` or `leaseUntil` as the stores write it: ISO UTC with milliseconds always present (`toISOString`). Fixed
 * width makes instants order as strings, which the DynamoDB condition `leaseUntil < :now` relies on;
 * `2026-01-01T00:00:00Z` and `...00.500Z` would not.
 */
export function storedInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const STATES: ReadonlySet<unknown> = new Set(['sending', 'digested', 'sent']);

/**
 * The AlertHistory stored under `key`, or what is wrong with it (naming fields, never quoting their values: the
 * text is not ours, and may be anything). A notAfter of "" is how older versions wrote "no known expiry": it is
 * read as null, so that their history is kept.
 */
export function readStoredHistory(
  key: string,
  fields: StoredFields,
): { history: AlertHistory; stored: StoredHistory } | { problem: string } {
  const { certificateKey, rung, notAfter, state, at, leaseUntil, owner } = fields;
  if (certificateKey !== key)
    return { problem: 'has a certificateKey other than the key it is stored under' };
  if (typeof rung !== 'string' || rung === '') return { problem: 'has no rung' };
  if (notAfter !== null && notAfter !== '' && !isInstant(notAfter)) {
    return { problem: 'has a notAfter that is neither an ISO 8601 instant nor null (no known expiry)' };
  }
  if (!STATES.has(state)) return { problem: 'has a state other than "sending", "digested" or "sent"' };
  for (const [field, value] of [
    ['at', at],
    ['leaseUntil', leaseUntil],
  ] as const) {
    if (value === undefined || value === null || value === '') return { problem: `has no ${field}` };
    if (!isInstant(value)) return { problem: `has ${field} that is not an ISO 8601 instant` };
  }
  if (owner !== undefined && typeof owner !== 'string')
    return { problem: 'has an owner that is not a string' };
  const stored: StoredHistory = {
    certificateKey: key,
    rung,
    notAfter: notAfter === '' ? null : (notAfter as string | null),
    state: state as AlertHistory['state'],
    at: at as string,
    leaseUntil: leaseUntil as string,
    ...(owner ? { owner } : {}),
  };
  return {
    history: {
      certificateKey: key,
      rung,
      notAfterMs: stored.notAfter === null ? null : instantOf(stored.notAfter),
      state: stored.state,
      atMs: instantOf(stored.at),
      leaseUntilMs: instantOf(stored.leaseUntil),
      ...(owner ? { owner } : {}),
    },
    stored,
  };
}

/**
 * Whether `notAfterMs` is a notAfter a claim may carry: null (no known expiry) or an instant whose stored text
 * reads back as an instant.
 */
export function isClaimableNotAfter(notAfterMs: number | null): boolean {
  if (notAfterMs === null) return true;
  const text = Number.isFinite(notAfterMs) ? storedNotAfter(notAfterMs) : null;
  return text !== null && isInstant(text);
}

/** An instant checked by isInstant. */
function instantOf(text: string): number {
  return parseIsoInstant(text) ?? Number.NaN;
}

function isInstant(value: unknown): value is string {
  return typeof value === 'string' && parseIsoInstant(value) !== null;
}

/** How many skipped entries a warning names; the rest are counted. */
const NAMED_UNUSABLE = 3;

/**
 * One sentence for a person: how many entries were skipped, the first few by key and problem (never their text),
 * what that costs and what to do.
 */
export function describeUnusableHistory(unusable: readonly UnusableHistory[]): string {
  const one = unusable.length === 1;
  const named = unusable
    .slice(0, NAMED_UNUSABLE)
    .map(({ certificateKey, problem }) => `${JSON.stringify(certificateKey)} ${problem}`);
  const more = unusable.length > NAMED_UNUSABLE ? `; and ${unusable.length - NAMED_UNUSABLE} more` : '';
  return (
    `${unusable.length} ${one ? 'entry' : 'entries'} of the alert history cannot be used and ` +
    `${one ? 'is' : 'are'} skipped, so ${one ? 'its certificate' : 'their certificates'} may be alerted once ` +
    `more (${named.join('; ')}${more}): mend or delete ${one ? 'it' : 'them'}`
  );
}
