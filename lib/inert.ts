/**
 * Text from outside certwatch — a cloud's reply, a certificate's names — made inert where it enters: every
 * character a terminal, a mail reader or a text layout would obey instead of showing is shown as an escape.
 */
import type { ObservedCertificate, SourceFailure } from './model';

/**
 * Characters that are obeyed rather than shown, by Unicode general category: controls (Cc: C0 with line breaks,
 * tabs and ESC of ANSI sequences, DEL, C1), format characters (Cf: bidi embeddings, overrides, isolates and marks,
 * zero-width spaces and joiners, the BOM, soft hyphens, tag characters), line and paragraph separators (Zl, Zp:
 * U+2028, U+2029) and lone surrogates (Cs: no encoding carries one, so a reader would see U+FFFD or nothing).
 */
const OBEYED = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const EVERY_OBEYED = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every character that would be obeyed (see OBEYED) shown as the escape JavaScript and JSON write it
 * with: `\n` `\r` `\t`, `\x1b` up to U+00FF, `\u202e`, and `\u{e0041}` beyond the BMP. Everything else, the
 * backslash included, is left as it is, so ordinary text (an RFC 2253 `\,` in a subject) reads as before and
 * making text inert twice changes nothing. An escape is therefore a display, not an encoding: a name may spell
 * `\n` itself, and it shows the same — which forges nothing, since whoever controls a name can type any visible
 * text anyway. Text with nothing to escape is returned as it is, after one regular expression test.
 */
export function inertText(text: string): string {
  return OBEYED.test(text) ? text.replace(EVERY_OBEYED, escapeCharacter) : text;
}

function escapeCharacter(character: string): string {
  const short = SHORT_ESCAPES[character];
  if (short) return short;
  const code = character.codePointAt(0)!;
  const hex = code.toString(16);
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\u{${hex}}`;
}

/**
 * The certificate with every string of its own inert: location, id, name, domains, bindings, notes, the API
 * field's name. Its chain is not walked: lib/pem reads certificate names inert already. The same object when
 * nothing needs escaping, which is nearly always (then it costs one test per string and allocates nothing).
 */
export function inertCertificate(cert: ObservedCertificate): ObservedCertificate {
  const clean =
    isInert(cert.provider) &&
    isInert(cert.service) &&
    isInert(cert.region) &&
    (cert.project === null || isInert(cert.project)) &&
    isInert(cert.id) &&
    isInert(cert.name) &&
    cert.domains.every(isInert) &&
    cert.boundTo.every(isInert) &&
    cert.notes.every(isInert) &&
    (cert.apiNotAfter === null || isInert(cert.apiNotAfter.source)) &&
    (typeof cert.apiFingerprintSha1 !== 'string' || isInert(cert.apiFingerprintSha1));
  if (clean) return cert;
  return {
    ...cert,
    provider: inertText(cert.provider),
    service: inertText(cert.service),
    region: inertText(cert.region),
    project: cert.project === null ? null : inertText(cert.project),
    id: inertText(cert.id),
    name: inertText(cert.name),
    domains: cert.domains.map(inertText),
    boundTo: cert.boundTo.map(inertText),
    notes: cert.notes.map(inertText),
    apiNotAfter: cert.apiNotAfter && { ...cert.apiNotAfter, source: inertText(cert.apiNotAfter.source) },
    apiFingerprintSha1:
      typeof cert.apiFingerprintSha1 === 'string'
        ? inertText(cert.apiFingerprintSha1)
        : cert.apiFingerprintSha1,
  };
}

/** The failure with its location and message inert; the same object when nothing needs escaping. */
export function inertFailure(failure: SourceFailure): SourceFailure {
  const { provider, service, region, project, message } = failure;
  const clean =
    isInert(message) &&
    isInert(provider) &&
    isInert(service) &&
    (region === null || isInert(region)) &&
    (project === null || isInert(project));
  if (clean) return failure;
  return {
    ...failure,
    provider: inertText(provider),
    service: inertText(service),
    region: region === null ? null : inertText(region),
    project: project === null ? null : inertText(project),
    message: inertText(message),
  };
}

function isInert(text: string): boolean {
  return !OBEYED.test(text);
}
