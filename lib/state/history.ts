/**
 * What a store accepts when it reads alert history back: one check for the file and DynamoDB alike, so both skip
 * the same entries for the same reasons, and the one representation of "no known expiry" (null) on the way in.
 */
import { parseIsoInstant } from '../expiry/instant';
import type { AlertHistory, UnusableHistory } from './store';

/** An entry as a store decoded it from its own format; any field may be missing or of the wrong type. */
export type StoredFields = Partial<Record<keyof AlertHistory, unknown>>;

const STATES: ReadonlySet<unknown> = new Set(['sending', 'digested', 'sent']);

/**
 * The AlertHistory stored under `key`, or what is wrong with it (naming fields, never quoting their values: the
 * text is not ours, and may be anything). A notAfter of "" is how older versions wrote "no known expiry": it is
 * read as null, so that their history is kept.
 */
export function readStoredHistory(
  key: string,
  fields: StoredFields,
): { history: AlertHistory } | { problem: string } {
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
  return {
    history: {
      certificateKey: key,
      rung,
      notAfter: notAfter === '' ? null : (notAfter as string | null),
      state: state as AlertHistory['state'],
      at: at as string,
      leaseUntil: leaseUntil as string,
      ...(owner ? { owner } : {}),
    },
  };
}

/** Whether `value` is a notAfter a claim may carry: null (no known expiry) or an ISO 8601 instant. */
export function isClaimableNotAfter(value: unknown): value is string | null {
  return value === null || isInstant(value);
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
