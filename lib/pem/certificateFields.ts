/**
 * What lib/pem reads from one certificate, by either of two readers that must agree: the strict DER reader
 * (derCertificate.ts, no key decoding) and Node's X509Certificate (the reference, and the fallback).
 */
import type { X509Certificate } from 'node:crypto';
import { inertText } from '../inert';
import { utcEpochMs } from './utcCalendar';

/**
 * Names are inert (lib/inert.ts): a character a terminal or a text layout would obey, which a certificate may
 * carry in a UTF8String name or a quoted SAN, is shown as an escape (`\u202e`, `\n`), here where it enters.
 */
export interface CertificateFields {
  /** Node's `subject` on one line: `C=CN, O=Example, CN=www.example.com`; `''` for an empty name. */
  subject: string;
  issuer: string;
  commonName: string | null;
  dnsNames: string[];
  notBeforeMs: number;
  notAfterMs: number;
  /** Node's `X509Certificate.ca`: basicConstraints cA, keyUsage (if any) allowing keyCertSign. */
  ca: boolean;
}

/** Why a certificate's fields cannot be given, worded to follow "PEM block 2 is a certificate whose ...". */
export interface UnreadableFields {
  unreadable: string;
}

/**
 * The reference reading: Node's X509Certificate, its getters' text parsed back. A validity that this text
 * does not give exactly (see {@link readOpensslTime}) makes the certificate unreadable, with the reason: it is
 * never guessed.
 */
export function fieldsFromX509(x509: X509Certificate): CertificateFields | UnreadableFields {
  // Node 22 gives undefined where OpenSSL 3.5 prints no time at all (an offset that takes it out of 1900–9999).
  const validFrom: string | undefined = x509.validFrom;
  const validTo: string | undefined = x509.validTo;
  const notBeforeMs = validFrom === undefined ? null : readOpensslTime(validFrom);
  const notAfterMs = validTo === undefined ? null : readOpensslTime(validTo);
  if (notAfterMs === null) return { unreadable: unreadableTime('notAfter', validTo) };
  if (notBeforeMs === null) return { unreadable: unreadableTime('notBefore', validFrom) };
  return {
    // Node 20 gives undefined for an empty name, Node 22 ''.
    subject: oneLineName(x509.subject ?? ''),
    issuer: oneLineName(x509.issuer ?? ''),
    commonName: commonNameOf(x509.subject ?? ''),
    dnsNames: dnsNamesOf(x509.subjectAltName),
    notBeforeMs,
    notAfterMs,
    ca: x509.ca,
  };
}

function unreadableTime(field: string, text: string | undefined): string {
  if (text === undefined) return `${field} cannot be read (OpenSSL gives no text for it)`;
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return `${field} cannot be read exactly (OpenSSL gives ${JSON.stringify(shown)})`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * OpenSSL 3's `ASN1_TIME_print` text, as `validFrom`/`validTo` give it (`Jan  1 00:00:00 2049 GMT`), read
 * exactly: null where it is not that form or not exact to the millisecond. Never Date.parse: the year is
 * printed with `%d`, so year 49 reads "49", which Date.parse takes for 2049. A GeneralizedTime's fraction is
 * printed as written (`00:00:00.5`); an offset is already applied and the text says GMT. Node 22's
 * `validToDate` would do, but Node 20 has none.
 */
export function readOpensslTime(text: string): number | null {
  const match = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\d{1,4}) GMT$/.exec(text);
  if (!match) return null;
  const [, month, day, hour, minute, second, fraction = '', year] = match;
  // Digits past the millisecond must be zeros: an instant here is a whole number of milliseconds.
  if (!/^\d{0,3}0*$/.test(fraction)) return null;
  return utcEpochMs(
    Number(year),
    MONTHS.indexOf(month!) + 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.slice(0, 3).padEnd(3, '0')),
  );
}

/**
 * Node prints distinguished names one attribute per line (a line break inside a value as `\0A`); reports want
 * them on one. OpenSSL passes non-ASCII through, bidi controls and U+2028 included: those are made inert.
 */
function oneLineName(name: string): string {
  return inertText(name.split('\n').filter(Boolean).join(', '));
}

function commonNameOf(name: string): string | null {
  for (const line of name.split('\n')) {
    if (line.startsWith('CN=')) return inertText(line.slice(3));
  }
  return null;
}

/**
 * `subjectAltName` reads like `DNS:a.example, DNS:"b,example", IP Address:1.2.3.4`. Node quotes a name it
 * would not print safely, with JSON's escapes (`"a\u000ab"`): read back, its quotes and `\"` go, and a control
 * character is made inert again, never handed on raw.
 */
function dnsNamesOf(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  for (const match of subjectAltName.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = match[1] ?? '';
    names.push(raw.startsWith('"') ? inertText(JSON.parse(raw) as string) : raw);
  }
  return names;
}
