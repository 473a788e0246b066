/**
 * Which rule applies to a certificate (the first whose every match field matches, with globs) and whether it
 * silences the certificate's alerts at a given instant. Pure: the clock is a parameter.
 */
import { toIsoUtc } from '../../expiry/instant';
import type { CertificateRecord } from '../../model';
import type { Ladder } from '../ladder';
import { MATCH_KEYS, type MatchKey, type RuleMatch, type Rules } from './parse';

/** What applies to one certificate: the first matching rule, or nothing (`ruleIndex` absent). */
export interface ResolvedRule {
  ladder?: Ladder;
  mutedUntilMs?: number;
  ignore: boolean;
  muteExpiredInUse: boolean;
  reason?: string;
  ruleIndex?: number;
}

/** Match fields compared without regard to case; ids and project ids are compared exactly. */
const CASE_INSENSITIVE: ReadonlySet<MatchKey> = new Set(['provider', 'service', 'region', 'name', 'domain']);

/**
 * What applies to `record`: the first rule whose every `match` field matches it (globs; `domain` matches when any
 * of the record's domains does). No matching rule gives `{ ignore: false, muteExpiredInUse: false }`.
 */
export function ruleFor(record: CertificateRecord, rules: Rules): ResolvedRule {
  for (const rule of rules.rules) {
    if (!matches(rule.match, record)) continue;
    const resolved: ResolvedRule = {
      ignore: rule.ignore,
      muteExpiredInUse: rule.muteExpiredInUse,
      ruleIndex: rule.index,
    };
    if (rule.ladder) resolved.ladder = rule.ladder;
    if (rule.mutedUntilMs !== undefined) resolved.mutedUntilMs = rule.mutedUntilMs;
    if (rule.reason !== undefined) resolved.reason = rule.reason;
    return resolved;
  }
  return { ignore: false, muteExpiredInUse: false };
}

/**
 * Whether alerts for `record` are silenced at `nowMs`: an ignore, or a mute in force (`nowMs` before
 * `mutedUntilMs`, to the millisecond). An expired certificate that is in use (`inUse === true`) is never silenced
 * unless the rule sets `muteExpiredInUse`: it is an outage, not a reminder. `why` says which rule decided, and is
 * also given when a rule would have silenced but did not (its mute ended, or the certificate expired in use).
 */
export function isSilenced(
  record: Pick<CertificateRecord, 'status' | 'inUse'>,
  resolved: ResolvedRule,
  nowMs: number,
): { silenced: boolean; why?: string } {
  const by = resolved.ruleIndex === undefined ? 'a rule' : `rules[${resolved.ruleIndex}]`;
  const reason = resolved.reason ? `: ${resolved.reason}` : '';
  let why: string;
  if (resolved.ignore) {
    why = `ignored by ${by}${reason}`;
  } else if (resolved.mutedUntilMs !== undefined) {
    const until = toIsoUtc(resolved.mutedUntilMs);
    if (nowMs >= resolved.mutedUntilMs) return { silenced: false, why: `mute by ${by} ended ${until}` };
    why = `muted until ${until} by ${by}${reason}`;
  } else {
    return { silenced: false };
  }
  // Unknown binding (SLB never says) counts as in use: an expired certificate is silenced only when it is known
  // to serve nothing, or the rule says so explicitly.
  if (record.status === 'expired' && record.inUse !== false && !resolved.muteExpiredInUse) {
    return {
      silenced: false,
      why: `${why}; not silenced: the certificate has expired and is still in use (set muteExpiredInUse: true to silence it)`,
    };
  }
  return { silenced: true, why };
}

/**
 * Whether `text` matches the glob `pattern`: `*` any run of characters (dots included), `?` exactly one; every
 * other character stands for itself. Characters are code points, so `?` matches one emoji.
 */
export function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = Array.from(ignoreCase ? pattern.toLowerCase() : pattern);
  const t = Array.from(ignoreCase ? text.toLowerCase() : text);
  // Greedy with backtracking to the last star: linear in practice, O(p·t) at worst.
  let pi = 0;
  let ti = 0;
  let starAt = -1;
  let starMatched = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      starAt = pi++;
      starMatched = ti;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      ti = ++starMatched;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

function matches(match: RuleMatch, record: CertificateRecord): boolean {
  for (const key of MATCH_KEYS) {
    const pattern = match[key];
    if (pattern === undefined) continue;
    const ignoreCase = CASE_INSENSITIVE.has(key);
    if (key === 'domain') {
      if (!record.domains.some((domain) => globMatch(pattern, domain, ignoreCase))) return false;
      continue;
    }
    const value = record[key];
    if (value === null || !globMatch(pattern, value, ignoreCase)) return false;
  }
  return true;
}
