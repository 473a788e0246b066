/**
 * The `-----BEGIN X-----…-----END X-----` blocks of a PEM text (RFC 7468), found exactly as the regular
 * expression `/-----BEGIN ([A-Z0-9 ]+)-----((?:(?!-----BEGIN )[\s\S])*?)-----END \1-----/g` finds them, without
 * its cost: one pass over the text, however many BEGIN lines never find their END.
 */

export interface PemBlock {
  label: string;
  /** The text between the two armour lines, whitespace and all. */
  body: string;
}

export interface PemScan {
  /** Every block, in order. */
  blocks: PemBlock[];
  /** BEGIN lines that formed no block: no END line of their label before the next BEGIN line or the end. */
  unterminated: number;
  /**
   * The labels (`CERTIFICATE`, `PRIVATE KEY`, ...) of those BEGIN lines that some text follows before the next
   * BEGIN line or the end: a block cut short, not a stray armour line.
   */
  cutShort: Set<string>;
  /**
   * Characters the scan's searches passed over: at most about twice the text's length. The measure of its work
   * that tests hold it to, since time would flake.
   */
  searched: number;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';

/**
 * Every block, in order. A BEGIN line whose END never comes is skipped, as the expression skips it, and counted.
 *
 * The expression's own cost is the reason for this scanner: each BEGIN line without its END makes it search to
 * the end of the text, so a megabyte of them costs seconds. Here a block's END is looked for only up to the next
 * BEGIN line (the body may not hold one), among the END lines met on the way, and neither search ever goes back
 * over text it has passed, but for the few characters of an armour line that a failed BEGIN shares with the next.
 */
export function scanPem(text: string): PemScan {
  const begins = new Occurrences(text, BEGIN);
  const ends = new Occurrences(text, END);
  const blocks: PemBlock[] = [];
  const cutShort = new Set<string>();
  let unterminated = 0;
  let from = 0;
  for (;;) {
    const begin = begins.next(from);
    if (begin < 0) break;
    const labelStart = begin + BEGIN.length;
    let labelEnd = labelStart;
    while (labelEnd < text.length && isLabelCharacter(text.charCodeAt(labelEnd))) labelEnd++;
    // The label is the longest run of [A-Z0-9 ]: no shorter one can be followed by dashes either.
    if (labelEnd === labelStart || !text.startsWith(DASHES, labelEnd)) {
      from = begin + 1;
      continue;
    }
    const label = text.slice(labelStart, labelEnd);
    const bodyStart = labelEnd + DASHES.length;
    // A body never holds another BEGIN line: a block cut short (its END lost) must not swallow the next one, as
    // a lazy `[\s\S]*?` would when both have the same label, hiding the leaf behind it.
    const nextBegin = begins.next(bodyStart);
    const limit = nextBegin < 0 ? text.length : nextBegin;
    let end = ends.next(bodyStart);
    while (end >= 0 && end < limit && !isEndOf(text, end, label)) end = ends.next(end + 1);
    if (end < 0 || end >= limit) {
      unterminated++;
      if (holdsText(text, bodyStart, limit)) cutShort.add(label);
      // The expression tries again one character on. No BEGIN line starts inside this one's `-----BEGIN LABEL`,
      // nor in the body; one may start in its closing dashes (`-----BEGIN A-----BEGIN B-----`).
      const overlapping = beginWithin(text, labelEnd, bodyStart);
      if (overlapping < 0 && nextBegin < 0) break;
      from = overlapping < 0 ? nextBegin : overlapping;
      continue;
    }
    blocks.push({ label, body: text.slice(bodyStart, end) });
    from = end + END.length + label.length + DASHES.length;
  }
  return { blocks, unterminated, cutShort, searched: begins.searched + ends.searched };
}

/** Every block, in order: `scanPem(text).blocks`. */
export function pemBlocks(text: string): PemBlock[] {
  return scanPem(text).blocks;
}

/** Whether [from, to) holds anything but whitespace. Bodies do not overlap, so this stays linear overall. */
function holdsText(text: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) {
    const code = text.charCodeAt(at);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true;
  }
  return false;
}

/** The first BEGIN line starting in [from, to), or -1: a handful of positions, so no search. */
function beginWithin(text: string, from: number, to: number): number {
  for (let at = from; at < to; at++) if (text.startsWith(BEGIN, at)) return at;
  return -1;
}

function isEndOf(text: string, at: number, label: string): boolean {
  const labelStart = at + END.length;
  return text.startsWith(label, labelStart) && text.startsWith(DASHES, labelStart + label.length);
}

/**
 * The occurrences of one string, asked for in (mostly) increasing order. It remembers its last answer and that
 * none starts between where that search began and the answer, so asking again from anywhere in that span
 * costs nothing; only asking from before it searches again.
 */
class Occurrences {
  #searchedFrom = 0;
  #found = Number.NaN;
  searched = 0;

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  /** The first occurrence at or after `from`, or -1. */
  next(from: number): number {
    const known = from >= this.#searchedFrom && (this.#found < 0 || from <= this.#found);
    if (!known) {
      this.#searchedFrom = from;
      this.#found = this.text.indexOf(this.needle, from);
      const stop = this.#found < 0 ? this.text.length : this.#found + this.needle.length;
      this.searched += Math.max(0, stop - from);
    }
    return this.#found;
  }
}

function isLabelCharacter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x20;
}

/**
 * The DER in a block's base64 body. Node's decoder skips ASCII whitespace by itself; other whitespace (which
 * `\s` also matches) it would read differently, so a body that is not all ASCII has its whitespace removed
 * first, as lib/pem always did.
 */
export function decodeBody(body: string, ascii: boolean): Buffer {
  return Buffer.from(ascii ? body : body.replace(/\s+/g, ''), 'base64');
}

/** Whether a string is all ASCII (UTF-8 spends more than one byte on anything else). */
export function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}
