/**
 * A strict reader for DER (ITU-T X.690), the encoding of X.509 certificates. Strict: one-byte tags, definite
 * minimal lengths, minimal integers, DER booleans; times in every form OpenSSL 3.0 reads exactly, as it reads
 * them (see {@link readTime}). Whatever falls outside that is refused with {@link NotUnderstood} instead of
 * being read leniently: the caller then leaves the certificate to OpenSSL.
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
 * An X.509 Time, read exactly in every form OpenSSL 3.0 reads it (Node 20's X509Certificate and
 * `openssl x509 -enddate` print what its ossl_asn1_time_to_tm makes of a time):
 *
 * - UTCTime `YYMMDDHHMM[SS](Z|±HHMM)`: YY ≥ 50 is 19YY, otherwise 20YY;
 * - GeneralizedTime `YYYYMMDDHHMM[SS[.F…]](Z|±HHMM)`: any year 0000–9999 (RFC 5280 keeps it for years outside
 *   1950–2049, but a four-digit year is unambiguous wherever it is used).
 *
 * RFC 5280 §4.1.2.5 writes only `…HHMMSSZ`, which is read first and fast. The other forms are read as OpenSSL
 * 3.0 reads them: missing seconds are 00, a fraction counts to the millisecond, an offset is arithmetic
 * (`+0100` is an hour before UTC). Node 22's OpenSSL 3.5 does not decode a certificate with a time shorter
 * than `…HHMMSSZ` at all, so reading them here is what gives Lambda and the command the same date.
 *
 * Refused, the NotUnderstood message saying what the time holds (see {@link describeTime}), is what OpenSSL 3.0
 * prints as "Bad time value" and what cannot be had to the millisecond: no zone (local time, of some unknown
 * place), a fraction in a UTCTime, without seconds, after a comma or finer than a millisecond, an offset past
 * 12 hours or 59 minutes, an offset that moves the time out of the years 1900–9999 (where OpenSSL applies
 * none), a date or time that does not exist, anything else.
 */
export function readTime(der: Uint8Array, element: Tlv): number {
  const epochMs = rfc5280Time(der, element) ?? otherTime(der, element);
  if (epochMs === null) throw new NotUnderstood(describeTime(der, element));
  return epochMs;
}

/** `YYMMDDHHMMSSZ` or `YYYYMMDDHHMMSSZ`, the form nearly every certificate uses; null for any other. */
function rfc5280Time(der: Uint8Array, element: Tlv): number | null {
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
  if (der[at + 10] !== Z) return null;
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

const Z = 0x5a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const POINT = 0x2e;
/** OpenSSL's bounds for an offset's hours and minutes. */
const MAX_OFFSET_HOURS = 12;
const MAX_OFFSET_MINUTES = 59;
/** The years OpenSSL 3.0's OPENSSL_gmtime_adj keeps a time in when it applies an offset. */
const OFFSET_FIRST_YEAR = 1900;
const OFFSET_LAST_YEAR = 9999;

/** The forms besides RFC 5280's, field by field as ossl_asn1_time_to_tm reads them; null where it would not. */
function otherTime(der: Uint8Array, element: Tlv): number | null {
  const utc = element.tag === Tag.UtcTime;
  if (!utc && element.tag !== Tag.GeneralizedTime) return null;
  const end = element.end;
  let at = element.contentStart;
  // Year, then MMDDHHMM: the fields every form has, and at least one byte after them.
  const yearDigits = utc ? 2 : 4;
  if (at + yearDigits + 8 >= end) return null;
  const yy = digits(der, at, yearDigits);
  const year = utc ? (yy >= 50 ? 1900 + yy : 2000 + yy) : yy;
  at += yearDigits;
  const [month, day, hour, minute] = [at, at + 2, at + 4, at + 6].map((field) => digits(der, field, 2));
  at += 8;
  let second = 0;
  let millisecond = 0;
  // Where the seconds go, only the zone may stand instead of two digits.
  if (der[at] !== Z && der[at] !== PLUS && der[at] !== MINUS) {
    if (at + 2 >= end) return null;
    second = digits(der, at, 2);
    at += 2;
    if (!utc && der[at] === POINT) {
      const fractionStart = ++at;
      while (at < end && isDigit(der[at]!)) at++;
      if (at === fractionStart || at === end) return null;
      // Past the third digit only zeros: an instant here is a whole number of milliseconds.
      for (let i = fractionStart + 3; i < at; i++) if (der[i] !== 0x30) return null;
      const shown = Math.min(at - fractionStart, 3);
      millisecond = digits(der, fractionStart, shown) * 10 ** (3 - shown);
    }
  }
  let offsetMinutes = 0;
  if (der[at] === Z) {
    if (at + 1 !== end) return null;
  } else if (der[at] === PLUS || der[at] === MINUS) {
    if (at + 5 !== end) return null;
    const hours = digits(der, at + 1, 2);
    const minutes = digits(der, at + 3, 2);
    // Asked to be in range, so that NaN is refused too.
    if (!(hours <= MAX_OFFSET_HOURS && minutes <= MAX_OFFSET_MINUTES)) return null;
    offsetMinutes = (der[at] === PLUS ? 1 : -1) * (hours * 60 + minutes);
  } else {
    return null;
  }
  const local = utcEpochMs(year, month!, day!, hour!, minute!, second, millisecond);
  if (local === null || offsetMinutes === 0) return local;
  const epochMs = local - offsetMinutes * 60_000;
  const utcYear = new Date(epochMs).getUTCFullYear();
  return utcYear >= OFFSET_FIRST_YEAR && utcYear <= OFFSET_LAST_YEAR ? epochMs : null;
}

/** The longest time text described field by field; a longer one is no date and time anyone writes. */
const DESCRIBED_TIME_LENGTH = 64;
/** How much of a time's text a reason quotes. */
const QUOTED_TIME_LENGTH = 40;
const UTC_TIME_FORM = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?([.,]\d+)?(Z|[+-]\d{4})?$/;
const GENERALIZED_TIME_FORM = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?([.,]\d+)?(Z|[+-]\d{4})?$/;

/**
 * Why a time is not read, in words, with its text quoted inert: `a GeneralizedTime without a zone
 * ("20300101000000")`. It names each thing that keeps the time from being read exactly — no zone, a fraction
 * a UTCTime cannot have or one finer than a millisecond, an offset out of range or one OpenSSL does not apply,
 * a date or time that does not exist — which are also why OpenSSL 3.0 prints "Bad time value" for it.
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
    if (fraction !== undefined) {
      if (kind === 'UTCTime') ways.push('with a fraction of a second');
      else if (second === undefined) ways.push('with a fraction but no seconds');
      else if (fraction.startsWith(',')) ways.push('with a comma for a decimal point');
      // Past the third digit a fraction is finer than the millisecond an instant here is counted in.
      else if (/[1-9]/.test(fraction.slice(4))) ways.push('with a fraction finer than a millisecond');
    }
    const offsetMinutes =
      zone === undefined || zone === 'Z'
        ? 0
        : (zone[0] === '+' ? 1 : -1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3)));
    if (zone === undefined) ways.push('without a zone');
    else if (Number(zone.slice(1, 3)) > MAX_OFFSET_HOURS || Number(zone.slice(3)) > MAX_OFFSET_MINUTES) {
      ways.push(`with an offset past ${MAX_OFFSET_HOURS} hours or ${MAX_OFFSET_MINUTES} minutes`);
    }
    const yy = Number(year);
    const fullYear = kind === 'UTCTime' ? (yy >= 50 ? 1900 + yy : 2000 + yy) : yy;
    const [mm, dd, hh, mi, ss] = [month, day, hour, minute, second ?? '00'].map(Number);
    const local = utcEpochMs(fullYear, mm!, dd!, hh!, mi!, ss!, 0);
    if (local === null) {
      ways.push('naming a date or time that does not exist');
    } else if (ways.length === 0 && offsetMinutes !== 0) {
      const utcYear = new Date(local - offsetMinutes * 60_000).getUTCFullYear();
      if (utcYear < OFFSET_FIRST_YEAR || utcYear > OFFSET_LAST_YEAR) {
        ways.push(
          `with an offset that takes it outside the years ${OFFSET_FIRST_YEAR}–${OFFSET_LAST_YEAR}, ` +
            'where OpenSSL applies none',
        );
      }
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

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
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
