/**
 * The rules file's schema (RULE_KEYS, MATCH_KEYS, the Rule types) and its validation: a value read from the file
 * (load.ts) in, rules out, with every problem listed at once. Also the strict JSON reader that points at the line
 * of a syntax error without quoting the text. Pure.
 *
 * ```yaml
 * rules:
 *   - match:                        # at least one field; all given must match; globs with * and ?
 *       provider: aliyun            # case-insensitive: provider, service, region, name, domain
 *       service: cdn
 *       region: cn-hangzhou
 *       project: org-abc            # exact case: project, id
 *       id: "1644*"                 # quote ids: YAML reads 1644 as a number
 *       name: "shop-*"
 *       domain: "*.example.com"     # matches when any of the certificate's domains matches
 *     thresholds: "60,30,14,7"      # this ladder instead of CERTWATCH_THRESHOLDS (also a list: [60, 30, "20%"])
 *     muteUntil: 2026-12-31         # no alerts before this date (its start, UTC) or ISO instant
 *     ignore: true                  # never alert (the certificate stays in audits); not with muteUntil
 *     muteExpiredInUse: true        # needed to silence an expired certificate that is still in use
 *     reason: "migrating to ACM"    # required with ignore or muteUntil; shown in the audit
 * ```
 *
 * The first matching rule wins. A rules file can only make certwatch quieter by an explicit, reasoned entry:
 * unknown keys, wrong types and a rule that would match everything are errors (a typo must not silently change
 * what alerts), and an expired certificate still in use is never silenced unless the rule says so in as many
 * words.
 */
import { ConfigError } from '../../errors';
import { parseIsoInstant } from '../../expiry/instant';
import { jsonSyntaxError, lineOf } from '../../jsonText';
import { closestMatch } from '../../settings/readers';
import { type Ladder, parseLadder } from '../ladder';

/** What a rule matches on: each a glob (`*` any run of characters, `?` one). All given fields must match. */
export interface RuleMatch {
  provider?: string;
  service?: string;
  region?: string;
  project?: string;
  id?: string;
  name?: string;
  /** Matches when any of the certificate's domains matches. */
  domain?: string;
}

/** One validated rule of the file. */
export interface Rule {
  /** Zero-based position in the file's `rules` list (`rules[2]` is index 2). */
  index: number;
  match: RuleMatch;
  ladder?: Ladder;
  mutedUntilMs?: number;
  ignore: boolean;
  muteExpiredInUse: boolean;
  reason?: string;
}

export interface Rules {
  /** The file the rules came from, for messages. */
  fileName: string;
  rules: Rule[];
}

export const RULES_FILE_KEYS = ['rules'] as const;
export const RULE_KEYS = [
  'match',
  'thresholds',
  'muteUntil',
  'ignore',
  'muteExpiredInUse',
  'reason',
] as const;
export const MATCH_KEYS = ['provider', 'service', 'region', 'project', 'id', 'name', 'domain'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

/** A date (start of that day, UTC) or an ISO instant with a time; without an offset, UTC. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Validates what a rules file holds (already read from JSON or YAML; null or undefined for an empty file).
 * Throws ConfigError listing every problem at once, each as `<file>: <path>: <what is wrong>`.
 */
export function rulesFromValue(value: unknown, fileName: string): Rules {
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`${fileName}: ${path}: ${message}`);
  const rules: Rule[] = [];
  if (value === null || value === undefined) {
    problems.push(
      `${fileName}: the file is empty: it must hold an object with a "rules" list (an empty list is fine: rules: [])`,
    );
  } else if (!isObject(value)) {
    problems.push(
      `${fileName}: must hold an object with a "rules" list, such as rules: [{ match: ..., ... }]`,
    );
  } else {
    checkKeys(value, RULES_FILE_KEYS, '', at);
    if (!('rules' in value)) at('rules', 'is missing: the file must hold a "rules" list');
    else if (!Array.isArray(value.rules)) at('rules', 'must be a list of rules');
    else {
      value.rules.forEach((entry: unknown, index: number) => {
        const rule = readRule(entry, index, fileName, at, problems);
        if (rule) rules.push(rule);
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { fileName, rules };
}

type Report = (path: string, message: string) => void;

function readRule(
  entry: unknown,
  index: number,
  fileName: string,
  at: Report,
  problems: string[],
): Rule | null {
  const path = `rules[${index}]`;
  if (!isObject(entry)) {
    at(path, 'must be an object with a match, such as { match: { domain: "*.example.com" }, ignore: true }');
    return null;
  }
  const before = problems.length;
  checkKeys(entry, RULE_KEYS, path, at);

  const match = readMatch(entry.match, `${path}.match`, at);
  const ladder = readThresholds(entry.thresholds, `${path}.thresholds`, fileName, at, problems);
  const mutedUntilMs = readMuteUntil(entry.muteUntil, `${path}.muteUntil`, at);
  const ignore = readBoolean(entry.ignore, `${path}.ignore`, at);
  const muteExpiredInUse = readBoolean(entry.muteExpiredInUse, `${path}.muteExpiredInUse`, at);
  let reason: string | undefined;
  if (entry.reason !== undefined) {
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') {
      at(`${path}.reason`, 'must be a non-empty string saying why');
    } else {
      reason = entry.reason.trim();
    }
  }

  const silences = ignore === true || entry.muteUntil !== undefined;
  if (silences && entry.reason === undefined) {
    const what = ignore === true ? 'ignore' : 'muteUntil';
    at(`${path}.reason`, `is missing: ${what} needs a reason (it is shown in the audit)`);
  }
  if (ignore === true && entry.muteUntil !== undefined) {
    at(path, 'has both ignore: true and muteUntil: an ignore never ends, so keep only one');
  }
  if (muteExpiredInUse === true && !silences) {
    at(`${path}.muteExpiredInUse`, 'has no effect without ignore: true or muteUntil');
  }
  if (problems.length > before || !match) return null;

  const rule: Rule = {
    index,
    match,
    ignore: ignore ?? false,
    muteExpiredInUse: muteExpiredInUse ?? false,
  };
  if (ladder) rule.ladder = ladder;
  if (mutedUntilMs !== null) rule.mutedUntilMs = mutedUntilMs;
  if (reason !== undefined) rule.reason = reason;
  return rule;
}

function readMatch(value: unknown, path: string, at: Report): RuleMatch | null {
  const fields = MATCH_KEYS.join(', ');
  if (value === undefined) {
    at(path, `is missing: give at least one of ${fields} (a rule without one would match every certificate)`);
    return null;
  }
  if (!isObject(value)) {
    at(path, 'must be an object such as { domain: "*.example.com" }');
    return null;
  }
  checkKeys(value, MATCH_KEYS, path, at);
  const match: RuleMatch = {};
  let ok = true;
  for (const key of MATCH_KEYS) {
    const pattern = value[key];
    if (pattern === undefined) continue;
    if (typeof pattern === 'number' || typeof pattern === 'bigint') {
      // Quoting matters: YAML reads an unquoted id as a number, and long ids lose digits.
      at(`${path}.${key}`, 'must be a string: put the value in quotes');
      ok = false;
    } else if (typeof pattern !== 'string') {
      at(`${path}.${key}`, 'must be a string (a glob: * matches any run of characters, ? one character)');
      ok = false;
    } else if (pattern === '') {
      at(`${path}.${key}`, 'must not be empty');
      ok = false;
    } else {
      match[key] = pattern;
    }
  }
  if (ok && Object.keys(match).length === 0 && Object.keys(value).length === 0) {
    at(
      path,
      `is empty: give at least one of ${fields} (to match every certificate on purpose, write provider: "*")`,
    );
    return null;
  }
  return ok ? match : null;
}

function readThresholds(
  value: unknown,
  path: string,
  fileName: string,
  at: Report,
  problems: string[],
): Ladder | undefined {
  if (value === undefined) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') text = String(value);
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    text = value.join(',');
  } else {
    at(
      path,
      'must be a string of days such as "60,30,14,7" (optionally with a share of lifetime: "60,30,20%")',
    );
    return undefined;
  }
  if (text.trim() === '') {
    at(path, 'is empty: give days such as "60,30,14,7", or leave thresholds out for the default ladder');
    return undefined;
  }
  try {
    return parseLadder(text, `${fileName}: ${path}`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

function readMuteUntil(value: unknown, path: string, at: Report): number | null {
  if (value === undefined) return null;
  // A `%YAML 1.1` document turns unquoted dates into timestamps.
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
  if (typeof value !== 'string') {
    at(path, 'must be a date such as 2026-12-31 or an ISO instant such as 2026-12-31T18:00:00Z');
    return null;
  }
  const text = value.trim();
  const ms = DATE_ONLY.test(text) || INSTANT.test(text) ? parseIsoInstant(text) : null;
  if (ms === null) {
    at(
      path,
      `"${text}" is not a date: give a date such as 2026-12-31 (the mute ends at its start, UTC) or an ISO ` +
        'instant such as 2026-12-31T18:00:00Z',
    );
    return null;
  }
  return ms;
}

function readBoolean(value: unknown, path: string, at: Report): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  at(path, 'must be true or false');
  return undefined;
}

function checkKeys(value: Record<string, unknown>, known: readonly string[], path: string, at: Report): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    // Same letters ignoring case, `_` and `-`, or within two edits (one for a key of three letters or fewer).
    const normalize = (text: string) => text.toLowerCase().replace(/[_-]/g, '');
    const hint = closestMatch(key, known, { within: normalize(key).length <= 3 ? 2 : 3, normalize });
    at(
      path === '' ? key : `${path}.${key}`,
      hint ? `unknown key (did you mean ${hint}?)` : `unknown key; known keys: ${known.join(', ')}`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Strict JSON (lib/jsonText.ts jsonSyntaxError); a blank text is an empty file (null). Problems name only the line. */
export function readJson(text: string, fileName: string, problems: string[]): unknown {
  if (text.trim() === '') return null;
  const error = jsonSyntaxError(text);
  if (error) {
    problems.push(`${fileName}: line ${lineOf(text, error.offset)}: not valid JSON: ${error.what}`);
    return undefined;
  }
  return JSON.parse(text);
}
