/**
 * A DER Name printed exactly as Node's X509Certificate prints `subject`/`issuer` — OpenSSL's
 * `X509_NAME_print_ex` with ESC_2253 | ESC_CTRL | UTF8_CONVERT, short field names, one RDN per line — but on
 * one line, joined by ", " (how lib/pem reports names). Only the common case is read: single-valued RDNs whose
 * attribute type is in the table below and whose value is a PrintableString, IA5String or valid UTF8String.
 * Anything else is NotUnderstood. Characters OpenSSL passes through but a terminal or a text layout would obey
 * (bidi controls, U+2028, C1 controls) are made inert (lib/inert.ts), as certificateFields.ts does for Node's text.
 */
import { inertText } from '../inert';
import { checkObjectIdentifier, expectTlv, NotUnderstood, readTlv, Tag, type Tlv } from './der';

export interface PrintedName {
  /** `C=CN, O=Example, CN=www.example.com` */
  text: string;
  /** The first CN's value as printed (escaped), or null. */
  commonName: string | null;
}

/** OpenSSL's short names (obj_dat.h) for the 2.5.4.x attribute types, by the last OID byte. */
const X520_SHORT_NAMES: Record<number, string> = {
  3: 'CN',
  4: 'SN',
  5: 'serialNumber',
  6: 'C',
  7: 'L',
  8: 'ST',
  9: 'street',
  10: 'O',
  11: 'OU',
  12: 'title',
  13: 'description',
  15: 'businessCategory',
  17: 'postalCode',
  42: 'GN',
  43: 'initials',
  44: 'generationQualifier',
  46: 'dnQualifier',
  65: 'pseudonym',
  97: 'organizationIdentifier',
};

/** Other attribute types seen in server certificates, by their OID body as latin1 text. */
const OTHER_SHORT_NAMES = new Map<string, string>(
  [
    ['2a864886f70d010901', 'emailAddress'], // 1.2.840.113549.1.9.1
    ['0992268993f22c640119', 'DC'], // 0.9.2342.19200300.100.1.25
    ['0992268993f22c640101', 'UID'], // 0.9.2342.19200300.100.1.1
    ['2b0601040182373c020101', 'jurisdictionL'], // 1.3.6.1.4.1.311.60.2.1.1 (EV certificates)
    ['2b0601040182373c020102', 'jurisdictionST'],
    ['2b0601040182373c020103', 'jurisdictionC'],
  ].map(([hex, name]) => [Buffer.from(hex!, 'hex').toString('latin1'), name!]),
);

const COMMON_NAME = 3;

/**
 * Reads the Name element `name` (a SEQUENCE of RDNs). An empty one, legitimate in a leaf whose names are all
 * in its subjectAltName (RFC 5280 §4.1.2.6), is `''`.
 */
export function printName(der: Buffer, name: Tlv): PrintedName {
  if (name.tag !== Tag.Sequence) throw new NotUnderstood('name is not a sequence');
  let text = '';
  let commonName: string | null = null;
  for (let offset = name.contentStart; offset < name.end; ) {
    const rdn = expectTlv(der, offset, name.end, Tag.Set);
    offset = rdn.end;
    const attribute = expectTlv(der, rdn.contentStart, rdn.end, Tag.Sequence);
    if (attribute.end !== rdn.end) throw new NotUnderstood('multi-valued RDN');
    const type = readTlv(der, attribute.contentStart, attribute.end);
    checkObjectIdentifier(der, type);
    const value = readTlv(der, type.end, attribute.end);
    if (value.end !== attribute.end) throw new NotUnderstood('attribute with trailing data');
    const short = shortName(der, type);
    const printed = printValue(der, value);
    text += text === '' ? `${short}=${printed}` : `, ${short}=${printed}`;
    if (commonName === null && short === X520_SHORT_NAMES[COMMON_NAME]) commonName = printed;
  }
  return { text, commonName };
}

function shortName(der: Buffer, type: Tlv): string {
  const length = type.end - type.contentStart;
  const at = type.contentStart;
  if (length === 3 && der[at] === 0x55 && der[at + 1] === 0x04) {
    const short = X520_SHORT_NAMES[der[at + 2]!];
    if (short) return short;
  } else {
    const short = OTHER_SHORT_NAMES.get(der.toString('latin1', at, type.end));
    if (short) return short;
  }
  // OpenSSL knows many more; which short name it would print is not for this reader to guess.
  throw new NotUnderstood('attribute type without a known short name');
}

/** ignoreBOM keeps a leading U+FEFF, as OpenSSL and Node do. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new NotUnderstood('UTF8String that is not UTF-8');
  }
}

/**
 * The value as OpenSSL prints it: RFC 2253 escapes (`\,` `\+` `\"` `\\` `\<` `\>` `\;`, a leading `#` or
 * space, a trailing space), control characters as `\XX`, everything else as is (UTF-8 passes through), then
 * made inert.
 */
function printValue(der: Buffer, value: Tlv): string {
  const { contentStart: start, end } = value;
  let ascii = true;
  let plain = true;
  for (let i = start; i < end; i++) {
    const byte = der[i]!;
    if (byte >= 0x80) ascii = false;
    else if (NEEDS_ESCAPE[byte]) plain = false;
  }
  let text: string;
  switch (value.tag) {
    case Tag.PrintableString:
      for (let i = start; i < end; i++) {
        if (!PRINTABLE[der[i]!]) throw new NotUnderstood('not a PrintableString');
      }
      text = der.toString('latin1', start, end);
      break;
    case Tag.Ia5String:
      if (!ascii) throw new NotUnderstood('IA5String beyond ASCII');
      text = der.toString('latin1', start, end);
      break;
    case Tag.Utf8String:
      // OpenSSL refuses a name with invalid UTF-8 outright; this decoder refuses a little more (surrogates).
      text = ascii ? der.toString('latin1', start, end) : decodeUtf8(der.subarray(start, end));
      break;
    default:
      throw new NotUnderstood('attribute value of an unusual string type');
  }
  const printed = plain && !edgeNeedsEscape(text) ? text : escapeValue(text);
  // ASCII is printed with its controls escaped already: only a value beyond ASCII can hold more to make inert.
  return ascii ? printed : inertText(printed);
}

function edgeNeedsEscape(text: string): boolean {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // OpenSSL marks the first character, then overwrites that mark with "last" when it is also the last one:
  // a lone '#' is printed as is, a lone space escaped.
  return (first === 0x23 && text.length > 1) || first === 0x20 || last === 0x20;
}

function escapeValue(text: string): string {
  let out = '';
  const lastIndex = text.length - 1;
  for (let i = 0; i <= lastIndex; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).toUpperCase().padStart(2, '0')}`;
    } else if (
      (code < 0x80 && RFC2253_SPECIAL[code]) ||
      (code === 0x23 && i === 0 && i !== lastIndex) ||
      (code === 0x20 && (i === 0 || i === lastIndex))
    ) {
      out += `\\${text[i]}`;
    } else {
      out += text[i];
    }
  }
  return out;
}

function byteTable(member: (byte: number) => boolean): boolean[] {
  return Array.from({ length: 128 }, (_, byte) => member(byte));
}

const RFC2253_SPECIAL = byteTable((byte) => ',+"\\<>;'.includes(String.fromCharCode(byte)));
/** Anywhere in a value: the RFC 2253 specials and the control characters. */
const NEEDS_ESCAPE = byteTable((byte) => byte < 0x20 || byte === 0x7f || RFC2253_SPECIAL[byte] === true);
const PRINTABLE = byteTable((byte) => /[A-Za-z0-9 '()+,\-./:=?]/.test(String.fromCharCode(byte)));
