/**
 * Per-certificate alert rules, read from an optional rules file (YAML or JSON): other ladder thresholds, mutes
 * and ignores for the certificates a rule matches. Pure: text in, rules out; the clock is a parameter.
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
import { ConfigError } from '../errors';
import { parseIsoInstant, toIsoUtc } from '../expiry/instant';
import type { CertificateRecord } from '../model';
import { type Ladder, parseLadder } from './ladder';

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

/** What applies to one certificate: the first matching rule, or nothing (`ruleIndex` absent). */
export interface ResolvedRule {
  ladder?: Ladder;
  mutedUntilMs?: number;
  ignore: boolean;
  muteExpiredInUse: boolean;
  reason?: string;
  ruleIndex?: number;
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
type MatchKey = (typeof MATCH_KEYS)[number];

/** Match fields compared without regard to case; ids and project ids are compared exactly. */
const CASE_INSENSITIVE: ReadonlySet<MatchKey> = new Set(['provider', 'service', 'region', 'name', 'domain']);

/** A date (start of that day, UTC) or an ISO instant with a time; without an offset, UTC. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads a rules file. The format follows the extension (`.json`, `.yaml`, `.yml`); otherwise text starting with
 * `{` or `[` is JSON and anything else YAML. `fileName` names the file in messages.
 *
 * Rejects with ConfigError listing every problem at once, each as `<file>: <path>: <what is wrong>`. Syntax errors
 * give only the line (never the file's text: it could hold a secret pasted by mistake). Asynchronous only because
 * the YAML parser is loaded on first use (readYaml).
 */
export async function parseRules(fileText: string, fileName: string): Promise<Rules> {
  const problems: string[] = [];
  const text = fileText.replace(/^\uFEFF/, ''); // editors on Windows save UTF-8 with a byte-order mark
  const value = isJson(text, fileName)
    ? readJson(text, fileName, problems)
    : await readYaml(text, fileName, problems);
  if (problems.length > 0) throw new ConfigError(problems);

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
    const hint = closest(key, known);
    at(
      path === '' ? key : `${path}.${key}`,
      hint ? `unknown key (did you mean ${hint}?)` : `unknown key; known keys: ${known.join(', ')}`,
    );
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function isJson(text: string, fileName: string): boolean {
  const name = fileName.toLowerCase();
  if (name.endsWith('.json')) return true;
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return false;
  return /^\s*[{[]/.test(text);
}

function readJson(text: string, fileName: string, problems: string[]): unknown {
  if (text.trim() === '') return null;
  const error = jsonSyntaxError(text);
  if (error) {
    problems.push(`${fileName}: line ${lineOf(text, error.offset)}: not valid JSON: ${error.what}`);
    return undefined;
  }
  return JSON.parse(text);
}

async function readYaml(text: string, fileName: string, problems: string[]): Promise<unknown> {
  // Imported here, not at the top: most deployments have no rules file or a JSON one. The Lambda bundle leaves
  // the parser out (serverless.yml: it was a third of the bundle), so there it is not found.
  let parseDocument: typeof import('yaml').parseDocument;
  try {
    ({ parseDocument } = await import('yaml'));
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    problems.push(
      `${fileName}: YAML rules are read by the certwatch CLI; the Lambda function reads JSON rules only: convert ` +
        'the file to JSON (same keys and values)',
    );
    return undefined;
  }
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  for (const error of document.errors) {
    const what = YAML_ERRORS[error.code] ?? `syntax error ${error.code}`;
    problems.push(`${fileName}: line ${lineOf(text, error.pos[0])}: not valid YAML: ${what}`);
  }
  if (document.errors.length > 0) return undefined;
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Not in document.errors but thrown here (a ReferenceError): an alias whose anchor is not set before it, or
    // aliases that expand too far. Said in words of our own: the parser's message quotes the text.
    const tooMany = error instanceof Error && /alias count/i.test(error.message);
    problems.push(
      `${fileName}: not valid YAML: ${tooMany ? 'aliases (*name) expand too far; write the values out' : 'an alias (*name) refers to no anchor (&name) set before it; quote a value that starts with *'}`,
    );
    return undefined;
  }
}

/** Plain words for the YAML parser's error codes: its own messages quote the text, which we must not echo. */
const YAML_ERRORS: Readonly<Record<string, string>> = {
  BAD_INDENT: 'bad indentation',
  TAB_AS_INDENT: 'tabs are not allowed as indentation',
  DUPLICATE_KEY: 'a key is repeated in the same object',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  MULTIPLE_DOCS: 'more than one document (---): keep one',
  BLOCK_AS_IMPLICIT_KEY: 'nested mapping on one line (quote values that contain ": ")',
  MULTILINE_IMPLICIT_KEY: 'a key spans more than one line',
  UNEXPECTED_TOKEN: 'unexpected character',
  TAG_RESOLVE_FAILED: 'a value does not fit its tag',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote it)',
  BAD_DQ_ESCAPE: 'bad escape in a double-quoted string',
  BAD_ALIAS: 'bad alias',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
};

class JsonSyntaxError {
  constructor(
    readonly offset: number,
    readonly what: string,
  ) {}
}

const JSON_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const JSON_MAX_DEPTH = 100;

/**
 * Where strict JSON first goes wrong, in words that never quote the text (V8's messages do, and often give no
 * position); null when the text is valid. Also refuses a repeated key, which JSON.parse silently resolves to the
 * last one (a second `match` would widen a mute).
 */
function jsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const stop = (what: string, at = i): never => {
    throw new JsonSyntaxError(
      at,
      at >= text.length ? 'the text ends too early (a closing bracket is missing)' : what,
    );
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const closing = (after: 'comma' | 'start', close: string): boolean => {
    if (text[i] !== close) return false;
    if (after === 'comma') stop('a comma before a closing bracket (JSON allows no trailing comma)');
    i++;
    return true;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') return text.slice(start, ++i);
      if (c === '\\') {
        if (!/^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(text.slice(i + 1, i + 6)))
          stop('a bad escape in a string');
        i += text[i + 1] === 'u' ? 6 : 2;
      } else if (c < ' ') {
        stop('a control character (such as a tab or a line break) inside a string');
      } else {
        i++;
      }
    }
    return stop('a string is not closed', start);
  };
  const value = (depth: number): void => {
    space();
    if (depth > JSON_MAX_DEPTH) stop('nested too deeply');
    const c = text[i];
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      for (let after: 'comma' | 'start' = 'start'; ; after = 'comma') {
        space();
        if (closing(after, '}')) return;
        if (text[i] !== '"') stop('expected a key in double quotes');
        const keyAt = i;
        const key = JSON.parse(string()) as string;
        if (keys.has(key)) stop('a key is repeated in the same object', keyAt);
        keys.add(key);
        space();
        if (text[i] !== ':') stop('expected ":" after a key');
        i++;
        value(depth + 1);
        space();
        if (text[i] === '}') return void i++;
        if (text[i] !== ',') stop('expected "," or "}"');
        i++;
      }
    }
    if (c === '[') {
      i++;
      for (let after: 'comma' | 'start' = 'start'; ; after = 'comma') {
        space();
        if (closing(after, ']')) return;
        value(depth + 1);
        space();
        if (text[i] === ']') return void i++;
        if (text[i] !== ',') stop('expected "," or "]"');
        i++;
      }
    }
    if (c === '"') return void string();
    if (c === '/' || c === '#') stop('comments are not allowed in JSON');
    JSON_LITERAL.lastIndex = i;
    const literal = JSON_LITERAL.exec(text);
    if (!literal)
      stop('expected a value (a string in double quotes, a number, an object, a list, true, false or null)');
    i = JSON_LITERAL.lastIndex;
  };
  try {
    value(0);
    space();
    if (i < text.length) {
      stop(
        text[i] === '/' || text[i] === '#'
          ? 'comments are not allowed in JSON'
          : 'more text after the end of the JSON value',
      );
    }
    return null;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
}

/** One-based line number of a character offset; an error found at the very end is put on the last line of text. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.trimEnd().length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** A likely intended key for a typo: same letters ignoring case, `_` and `-`, or within two edits. */
function closest(key: string, known: readonly string[]): string | null {
  const normal = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | null = null;
  let bestDistance = normal(key).length <= 3 ? 2 : 3;
  for (const candidate of known) {
    const distance = editDistance(normal(key), normal(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, counting a swap of two neighbouring letters as one edit (`domian` → `domain`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const row = rows[i]!;
      const up = rows[i - 1]!;
      let d = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}
