/**
 * A strict reader for DER (ITU-T X.690), the encoding of X.509 certificates. Strict: one-byte tags, definite
 * minimal lengths, minimal integers, DER booleans, times in Z to the second. Whatever falls outside that is
 * refused with {@link NotUnderstood} instead of being read leniently: the caller then leaves the certificate
 * to OpenSSL.
 */
import { inertText } from '../inert';
import { utcEpochMs } from './utcCalendar';

/** The input is valid for someone, perhaps, but not something this reader can vouch for. */
export class NotUnderstood extends Error {
  override name = 'NotUnderstood';
}

export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  Sequence: 0x30,
  Set: 0x31,
} as const;

/** One TLV: `contentStart..end` is its content, `start..end` the whole element. */
export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the element at `offset`, which must end by `limit`. */
export function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new NotUnderstood('an element cut short');
  const tag = der[offset]!;
  // High tag numbers (0x1f) never occur in a certificate.
  if ((tag & 0x1f) === 0x1f) throw new NotUnderstood('multi-byte tag');
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // 0x80 is BER's indefinite length; more than 3 bytes would be 16 MB.
    if (count === 0 || count > 3 || contentStart + count > limit) {
      throw new NotUnderstood('a length this reader does not read: indefinite, over 16 MB, or cut short');
    }
    if (der[contentStart] === 0) throw new NotUnderstood('non-minimal length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[contentStart + i]!;
    if (length < 0x80) throw new NotUnderstood('non-minimal length');
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new NotUnderstood('an element that runs past the end of what holds it');
  return { tag, start: offset, contentStart, end };
}

/** Reads the element at `offset` and insists on its tag. */
export function expectTlv(der: Uint8Array, offset: number, limit: number, tag: number): Tlv {
  const element = readTlv(der, offset, limit);
  if (element.tag !== tag) {
    throw new NotUnderstood(`${tagName(element.tag)} where ${tagName(tag)} was expected`);
  }
  return element;
}

const TAG_NAMES: Readonly<Record<number, string>> = {
  [Tag.Integer]: 'an INTEGER',
  [Tag.BitString]: 'a BIT STRING',
  [Tag.ObjectIdentifier]: 'an OBJECT IDENTIFIER',
  [Tag.Sequence]: 'a SEQUENCE',
  [Tag.Set]: 'a SET',
  // 0xa0 and 0xa3: [0] and [3], context-specific and constructed.
  160: 'a [0] (the version)',
  163: 'a [3] (the extensions)',
};

/** `a SEQUENCE`, or `tag 0x1c` for a tag with no name here. */
function tagName(tag: number): string {
  return TAG_NAMES[tag] ?? `tag 0x${tag.toString(16).padStart(2, '0')}`;
}

/** An INTEGER in its minimal two's-complement form (its value is not needed, only that it is well formed). */
export function checkInteger(der: Uint8Array, element: Tlv): void {
  const length = element.end - element.contentStart;
  if (length === 0) throw new NotUnderstood('empty integer');
  if (length > 1) {
    const first = der[element.contentStart]!;
    const second = der[element.contentStart + 1]!;
    if ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80)) {
      throw new NotUnderstood('non-minimal integer');
    }
  }
}

/** A small non-negative INTEGER (a path length). */
export function readSmallUnsigned(der: Uint8Array, element: Tlv): number {
  checkInteger(der, element);
  const length = element.end - element.contentStart;
  if (der[element.contentStart]! & 0x80) throw new NotUnderstood('negative integer');
  if (length > 4) throw new NotUnderstood('integer too large');
  let value = 0;
  for (let i = element.contentStart; i < element.end; i++) value = value * 256 + der[i]!;
  return value;
}

/** DER writes TRUE as 0xff; FALSE (0x00) only where no DEFAULT applies, which is nowhere we read. */
export function checkTrue(der: Uint8Array, element: Tlv): void {
  if (element.tag !== Tag.Boolean || element.end - element.contentStart !== 1) {
    throw new NotUnderstood('not a boolean');
  }
  if (der[element.contentStart] !== 0xff) throw new NotUnderstood('boolean that is not DER TRUE');
}

/** Base-128 arcs, each without a leading 0x80 byte, the last byte of each without the continuation bit. */
export function checkObjectIdentifier(der: Uint8Array, element: Tlv): void {
  if (element.tag !== Tag.ObjectIdentifier || element.end === element.contentStart) {
    throw new NotUnderstood('not an object identifier');
  }
  let arcStart = true;
  for (let i = element.contentStart; i < element.end; i++) {
    const byte = der[i]!;
    if (arcStart && byte === 0x80) throw new NotUnderstood('non-minimal object identifier arc');
    arcStart = (byte & 0x80) === 0;
  }
  if (!arcStart) throw new NotUnderstood('object identifier ends inside an arc');
}

/** Whether the element's content equals `bytes` (an encoded OID body, say). */
export function contentEquals(der: Uint8Array, element: Tlv, bytes: Uint8Array): boolean {
  if (element.end - element.contentStart !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (der[element.contentStart + i] !== bytes[i]) return false;
  return true;
}

/**
 * An X.509 Time to the second, as RFC 5280 §4.1.2.5 writes it: UTCTime `YYMMDDHHMMSSZ` (YY ≥ 50 is 19YY,
 * otherwise 20YY), or GeneralizedTime `YYYYMMDDHHMMSSZ` for any year 0000–9999 (RFC 5280 keeps it for years
 * outside 1950–2049, but a four-digit year is unambiguous wherever it is used). Seconds are required and the
 * zone is Z. Fractions, offsets, missing seconds and impossible dates are refused, the NotUnderstood message
 * saying what the time holds (see {@link describeTime}): the X509Certificate path reads those, or says it
 * cannot, and that message is then the reason a person is given.
 */
export function readTime(der: Uint8Array, element: Tlv): number {
  const epochMs = strictTime(der, element);
  if (epochMs === null) throw new NotUnderstood(describeTime(der, element));
  return epochMs;
}

function strictTime(der: Uint8Array, element: Tlv): number | null {
  let year: number;
  let at = element.contentStart;
  const length = element.end - element.contentStart;
  if (element.tag === Tag.UtcTime && length === 13) {
    const yy = digits(der, at, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    at += 2;
  } else if (element.tag === Tag.GeneralizedTime && length === 15) {
    year = digits(der, at, 4);
    at += 4;
  } else {
    return null;
  }
  if (der[at + 10] !== 0x5a) return null;
  // A non-digit makes its field NaN, which utcEpochMs refuses like any impossible date.
  return utcEpochMs(
    year,
    digits(der, at, 2),
    digits(der, at + 2, 2),
    digits(der, at + 4, 2),
    digits(der, at + 6, 2),
    digits(der, at + 8, 2),
    0,
  );
}

/** The longest time text described field by field; a longer one is no date and time anyone writes. */
const DESCRIBED_TIME_LENGTH = 64;
/** How much of a time's text a reason quotes. */
const QUOTED_TIME_LENGTH = 40;
const UTC_TIME_FORM = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?([.,]\d+)?(Z|[+-]\d{4})?$/;
const GENERALIZED_TIME_FORM = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?([.,]\d+)?(Z|[+-]\d{4})?$/;

/**
 * A time element RFC 5280 does not allow, in words, with its text quoted inert:
 * `a GeneralizedTime without seconds and with an offset ("205001010000+0100")`. It says each way the time
 * departs from `…HHMMSSZ` — no seconds, a fraction, an offset, no zone, a date or time that does not exist —
 * since that is also why OpenSSL may not read it (OpenSSL 3.5 refuses some of these as it decodes).
 */
function describeTime(der: Uint8Array, element: Tlv): string {
  const kind =
    element.tag === Tag.UtcTime ? 'UTCTime' : element.tag === Tag.GeneralizedTime ? 'GeneralizedTime' : null;
  if (kind === null) {
    return `not a UTCTime or GeneralizedTime (${tagName(element.tag)})`;
  }
  const length = element.end - element.contentStart;
  const text = latin1(der, element.contentStart, Math.min(length, DESCRIBED_TIME_LENGTH));
  const shown = length > QUOTED_TIME_LENGTH ? `${text.slice(0, QUOTED_TIME_LENGTH)}…` : text;
  const match =
    length > DESCRIBED_TIME_LENGTH
      ? null
      : (kind === 'UTCTime' ? UTC_TIME_FORM : GENERALIZED_TIME_FORM).exec(text);
  const ways: string[] = [];
  if (!match) {
    ways.push('that is not a date and time');
  } else {
    const [, year = '', month, day, hour, minute, second, fraction, zone] = match;
    if (second === undefined) ways.push('without seconds');
    if (fraction !== undefined) {
      // Past the third digit a fraction is finer than the millisecond an instant here is counted in.
      ways.push(
        /[1-9]/.test(fraction.slice(4))
          ? 'with a fraction finer than a millisecond'
          : 'with a fraction of a second',
      );
    }
    if (zone === undefined) ways.push('without a zone');
    else if (zone !== 'Z') ways.push('with an offset');
    const yy = Number(year);
    const fullYear = kind === 'UTCTime' ? (yy >= 50 ? 1900 + yy : 2000 + yy) : yy;
    const [mm, dd, hh, mi, ss] = [month, day, hour, minute, second ?? '00'].map(Number);
    if (utcEpochMs(fullYear, mm!, dd!, hh!, mi!, ss!, 0) === null) {
      ways.push('naming a date or time that does not exist');
    }
  }
  const what = ways.length > 0 ? ways.join(' and ') : 'in a form this reader does not read';
  return `a ${kind} ${what} (${inertText(JSON.stringify(shown))})`;
}

/** Bytes as Latin-1 text, one character each (TextDecoder's "latin1" is windows-1252). */
function latin1(der: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length; i++) text += String.fromCharCode(der[i]!);
  return text;
}

/** The decimal number the digits at `at` spell, or NaN if one is not a digit. */
function digits(der: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = der[i]! - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}
