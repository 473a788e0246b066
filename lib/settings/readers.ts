/**
 * The readers every configuration loader shares (lib/config.ts, the providers, lib/shard/settings.ts): one copy
 * each. Each adds a problem naming its key and never throws; the loader reports every problem at once.
 */
import { isLoopbackHost } from '../plainHttp';
import type { SettingGet } from './setting';

/** A true/false setting (also 1/0, yes/no, any case); `fallback` when unset. */
export function readBoolean(get: SettingGet, key: string, fallback: boolean, problems: string[]): boolean {
  const text = get(key)?.toLowerCase();
  if (text === undefined) return fallback;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  problems.push(`${key} "${text}" must be true or false`);
  return false;
}

/**
 * A comma-separated list whose every entry matches `pattern`, without repeats; empty when unset. Malformed
 * entries are named (they are not secrets) beside `example`.
 */
export function readList(
  text: string | undefined,
  key: string,
  pattern: RegExp,
  example: string,
  problems: string[],
): string[] {
  if (text === undefined) return [];
  const items = text.split(',').map((item) => item.trim());
  const bad = items.filter((item) => !pattern.test(item));
  if (bad.length > 0) {
    const shown = bad.map((item) => (item === '' ? '(empty)' : `"${item}"`)).join(', ');
    problems.push(`${key} has malformed entries ${shown}: give a comma-separated list such as ${example}`);
  }
  return [...new Set(items.filter((item) => pattern.test(item)))];
}

export interface WholeNumberRule {
  /** When unset. */
  fallback: number;
  /** The most it may be (the least is 1). */
  max: number;
  /** One message giving the range (`from 1 to max`) instead of one for too small and one for too large. */
  statesRange?: boolean;
}

/** A whole number from 1 to `max`; `fallback` when unset, null (and a problem) when it is not one. */
export function readWholeNumber(
  get: SettingGet,
  key: string,
  rule: WholeNumberRule,
  problems: string[],
): number | null {
  const text = get(key);
  if (text === undefined) return rule.fallback;
  const malformed = !/^\d+$/.test(text) || Number(text) < 1;
  if (rule.statesRange) {
    if (malformed || Number(text) > rule.max) {
      problems.push(`${key} "${text}" must be a whole number from 1 to ${rule.max}`);
      return null;
    }
    return Number(text);
  }
  if (malformed) {
    problems.push(`${key} "${text}" must be a whole number of at least 1`);
    return null;
  }
  if (Number(text) > rule.max) {
    problems.push(`${key} "${text}" is more than ${rule.max}, the most it may be: check the units`);
    return null;
  }
  return Number(text);
}

/** How provider endpoint URLs are checked. */
export interface EndpointRules {
  /** CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: plain http:// to any host, not only to this machine. */
  allowPlainHttp: boolean;
}

export interface EndpointSetting<T extends string | null> {
  key: string;
  /** When unset or refused. */
  fallback: T;
  /** What crosses in clear over plain http, and what a person on the way can do with it. */
  plainHttpRisk: string;
}

/**
 * A provider endpoint: an http(s) URL, https unless it is this machine (isLoopbackHost) or
 * CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS says plain http may go anywhere. Trailing slashes dropped.
 */
export function readEndpoint<T extends string | null>(
  get: SettingGet,
  setting: EndpointSetting<T>,
  problems: string[],
  rules: EndpointRules,
): string | T {
  const { key, fallback } = setting;
  const value = get(key);
  if (value === undefined) return fallback;
  let url: URL | null = null;
  try {
    url = /^https?:\/\/[^\s/]+/.test(value) ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (url === null) {
    problems.push(`${key} "${value}" is not an http(s) URL${fallback ? ` (default ${fallback})` : ''}`);
    return fallback;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url) && !rules.allowPlainHttp) {
    problems.push(
      `${key} "${value}" is plain http to a host other than this machine: ${setting.plainHttpRisk}. Use ` +
        'https://, or set CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS=true if the network between is yours alone ' +
        '(a proxy on a private link)',
    );
    return fallback;
  }
  return value.replace(/\/+$/, '');
}

/** Region names of both clouds: `cn-bj2`, `jpn-tky`, `cn-hangzhou`, `ap-southeast-1`. */
export const REGION = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export interface MatchOptions {
  /** Only a candidate fewer than this many edits away is suggested. */
  within: number;
  /** Compared after this, applied to the word and each candidate (e.g. case folding); as they are by default. */
  normalize?: (text: string) => string;
}

/** The candidate a typo most likely meant: the nearest by edit distance within `within`; the first of equals. */
export function closestMatch(
  word: string,
  candidates: readonly string[],
  { within, normalize = (text) => text }: MatchOptions,
): string | null {
  let best: string | null = null;
  let bestDistance = within;
  for (const candidate of candidates) {
    const distance = editDistance(normalize(word), normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edit distance: insertions, deletions and substitutions, and a swap of two neighbouring letters, each one edit
 * (`domian` → `domain`, `UCLOUD_REIGONS` → `UCLOUD_REGIONS`).
 */
export function editDistance(a: string, b: string): number {
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

/** `A`, `A and B`, `A, B and C`: keys named in a message. */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
