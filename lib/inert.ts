/**
 * Text from outside certwatch — a cloud's reply, a certificate's names — made inert where it enters: every
 * character a terminal, a mail reader or a text layout would obey instead of showing is shown as an escape.
 */
import { CertwatchError } from './errors';

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
 * A failure's message for any error: ours carry their own words; anything else is named as unexpected. Inert,
 * since it quotes what a provider or a service said: the doctor prints it as it is, and the scan makes every
 * failure inert again where it is collected, which changes nothing here.
 */
export function failureMessage(error: unknown): string {
  if (error instanceof CertwatchError) return inertText(error.message);
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return inertText(`unexpected error: ${detail} (please report this as a certwatch bug)`);
}

/** Whether `text` has nothing that would be obeyed rather than shown. */
export function isInert(text: string): boolean {
  return !OBEYED.test(text);
}
