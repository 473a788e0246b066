/**
 * The `-----BEGIN X-----…-----END X-----` blocks of a PEM text (RFC 7468), found exactly as the regular
 * expression `/-----BEGIN ([A-Z0-9 ]+)-----((?:(?!-----BEGIN )[\s\S])*?)-----END \1-----/g` finds them, without
 * its cost: a body holds no BEGIN line.
 */

export interface PemBlock {
  label: string;
  /** The text between the two armour lines, whitespace and all. */
  body: string;
}

const BEGIN = '-----BEGIN ';
const DASHES = '-----';

/** Every block, in order. A BEGIN line whose END never comes is skipped, as the expression skips it. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let from = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, from);
    if (begin < 0) return blocks;
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
    const endLine = `-----END ${label}${DASHES}`;
    const end = text.indexOf(endLine, bodyStart);
    if (end < 0) {
      from = begin + 1;
      continue;
    }
    // A body never holds another BEGIN line: a block cut short (its END lost) must not swallow the next one, as
    // a lazy `[\s\S]*?` would when both have the same label, hiding the leaf behind it.
    const nested = text.indexOf(BEGIN, bodyStart);
    if (nested >= 0 && nested < end) {
      from = nested;
      continue;
    }
    blocks.push({ label, body: text.slice(bodyStart, end) });
    from = end + endLine.length;
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
