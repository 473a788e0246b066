/**
 * certwatch's reading of validity against a second reader, over the system trust store and certificates crafted
 * with the traits real fleets show (empty names, the UTCTime/GeneralizedTime edges, years below 1000,
 * fractions, offsets, missing seconds, BER lengths). Each certificate is read alone and, the crafted ones, as
 * the leaf and as the intermediate of a real chain in every order, by both decoders. The rule: certwatch's
 * date is the certificate's to the millisecond, or certwatch has no chain and says why — never another date;
 * and a chain with an unreadable member never reports another member's date or fingerprint.
 *
 * Each crafted certificate is held to the dates the test crafted it with (TRAITS: the instant each time names
 * as OpenSSL 3.0 reads it). The second reader checks those dates, and dates the trust store:
 * - the machine's `openssl` when it is OpenSSL 3.x: `openssl storeutl -text` prints each validity with the
 *   function `openssl x509 -enddate` uses (ASN1_TIME_print), and a few are checked against `x509 -enddate`
 *   itself. Which crafted certificates it does not load is taken from its own answers; its version says which
 *   it may refuse (OpenSSL 3.5 refuses a time shorter than …HHMMSSZ as it decodes, as Node 22's does);
 * - otherwise (no `openssl`, LibreSSL as macOS has, OpenSSL 1.x): X509Certificate's validFrom and validTo where
 *   Date.parse reads them exactly (a four-digit year, no fraction), so the test runs the same on any machine.
 * CERTWATCH_TEST_NO_OPENSSL=1 ignores the `openssl` command, to run the test as a machine without one does.
 */
import { spawnSync } from 'node:child_process';
import { hash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificatePem } from '../../../emulator/x509/certificate';
import { readElement, sequence } from '../../../emulator/x509/der';
import { createPemReader, type ParsedCertificate, type PemReadResult } from '../../../lib/pem/chain';
import {
  type CraftOptions,
  checksTimesAsItDecodes,
  craftAuthority,
  craftLeaf,
  decodedOrRefused,
  dnsName,
  generalizedTime,
  hasShortTime,
  indefiniteLength,
  longFormLength,
  NOT_AFTER,
  NOT_BEFORE,
  subjectAltName,
  utcTime,
} from './craftedCertificate';

const DEBIAN_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** How many of [leaf, intermediate, root] the chain links by name, with the trait on the leaf or the CA. */
type Linked = 1 | 2 | 3;

/** A validity as the test knows it: instants in ms (a fraction of one where the time is finer), or none. */
interface Dates {
  notBefore: number | null;
  notAfter: number | null;
}

interface Trait {
  label: string;
  options?: CraftOptions;
  /** A change to the whole certificate's encoding (outside what the signature covers). */
  reencode?: (der: Buffer) => Buffer;
  /**
   * The instant the odd time names, as OpenSSL 3.0 reads it: what certwatch must read, unless `unreadBecause`.
   * Null where OpenSSL gives no date. The other time is NOT_BEFORE or NOT_AFTER.
   */
  notBefore?: number | null;
  notAfter?: number | null;
  /** Why certwatch does not read it, worded to follow "a certificate whose": no exact date, to the millisecond. */
  unreadBecause?: string;
  linkedAsLeaf?: Linked;
  linkedAsIntermediate?: Linked;
}

/** An instant in any year, months from 0 (Date.UTC alone maps years 0–99 to 19YY). */
function yearMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(Date.UTC(2000, month, day, hour, minute, second));
  date.setUTCFullYear(year, month, day);
  return date.getTime();
}

const notAfter = (time: Buffer) => ({ notAfter: time });
const san = (name: string) => [subjectAltName(dnsName(name))];
const outerIndefinite = (der: Buffer) =>
  indefiniteLength(0x30, der.subarray(readElement(der, 0).contentStart));
const noDate = (reason: string) => ({ notAfter: null, unreadBecause: `notAfter is a ${reason}` });

const TRAITS: Trait[] = [
  { label: 'plain DER' },
  {
    label: 'empty subject, names in the SAN',
    options: { subject: sequence(), extensions: san('san-only.example') },
    // As a CA, an empty subject names no one: its child's empty issuer is not matched to it.
    linkedAsIntermediate: 1,
  },
  { label: 'empty issuer', options: { issuer: sequence() }, linkedAsLeaf: 1, linkedAsIntermediate: 2 },
  {
    label: 'empty subject and issuer',
    options: { subject: sequence(), issuer: sequence(), extensions: san('nameless.example') },
    linkedAsLeaf: 1,
    linkedAsIntermediate: 1,
  },
  { label: 'UTCTime 1950', options: notAfter(utcTime('500101000000Z')), notAfter: Date.UTC(1950, 0, 1) },
  {
    label: 'UTCTime 2049',
    options: notAfter(utcTime('491231235959Z')),
    notAfter: Date.UTC(2049, 11, 31, 23, 59, 59),
  },
  {
    label: 'GeneralizedTime 2050',
    options: notAfter(generalizedTime('20500101000000Z')),
    notAfter: Date.UTC(2050, 0, 1),
  },
  {
    label: 'GeneralizedTime 1949',
    options: notAfter(generalizedTime('19491231235959Z')),
    notAfter: Date.UTC(1949, 11, 31, 23, 59, 59),
  },
  {
    label: 'GeneralizedTime 2049',
    options: notAfter(generalizedTime('20491231235959Z')),
    notAfter: Date.UTC(2049, 11, 31, 23, 59, 59),
  },
  {
    label: 'GeneralizedTime 0000',
    options: notAfter(generalizedTime('00000101000000Z')),
    notAfter: yearMs(0, 0, 1),
  },
  {
    label: 'GeneralizedTime 0000-02-29',
    options: notAfter(generalizedTime('00000229120000Z')),
    notAfter: yearMs(0, 1, 29, 12),
  },
  {
    label: 'GeneralizedTime 0001',
    options: notAfter(generalizedTime('00010101000000Z')),
    notAfter: yearMs(1, 0, 1),
  },
  {
    label: 'GeneralizedTime 0049',
    options: notAfter(generalizedTime('00490101000000Z')),
    notAfter: yearMs(49, 0, 1),
  },
  {
    label: 'GeneralizedTime 0099',
    options: notAfter(generalizedTime('00991231235959Z')),
    notAfter: yearMs(99, 11, 31, 23, 59, 59),
  },
  {
    label: 'GeneralizedTime 0999',
    options: notAfter(generalizedTime('09991231235959Z')),
    notAfter: yearMs(999, 11, 31, 23, 59, 59),
  },
  {
    label: 'GeneralizedTime 1000',
    options: notAfter(generalizedTime('10000101000000Z')),
    notAfter: Date.UTC(1000, 0, 1),
  },
  {
    label: 'GeneralizedTime 9999',
    options: notAfter(generalizedTime('99991231235959Z')),
    notAfter: Date.UTC(9999, 11, 31, 23, 59, 59),
  },
  {
    label: 'notBefore in year 0049',
    options: { notBefore: generalizedTime('00490101000000Z') },
    notBefore: yearMs(49, 0, 1),
  },
  {
    label: 'fraction .5',
    options: notAfter(generalizedTime('20500101000000.5Z')),
    notAfter: Date.UTC(2050, 0, 1, 0, 0, 0, 500),
  },
  {
    label: 'fraction .123',
    options: notAfter(generalizedTime('20500101000000.123Z')),
    notAfter: Date.UTC(2050, 0, 1, 0, 0, 0, 123),
  },
  {
    label: 'fraction .1230',
    options: notAfter(generalizedTime('20500101000000.1230Z')),
    notAfter: Date.UTC(2050, 0, 1, 0, 0, 0, 123),
  },
  {
    label: 'fraction finer than 1 ms',
    options: notAfter(generalizedTime('20500101000000.123456Z')),
    // 123.456 ms: OpenSSL prints it, no whole millisecond equals it.
    notAfter: Date.UTC(2050, 0, 1) + 123.456,
    unreadBecause:
      'notAfter is a GeneralizedTime with a fraction finer than a millisecond ("20500101000000.123456Z")',
  },
  {
    label: 'fraction in notBefore',
    options: { notBefore: generalizedTime('20250101000000.75Z') },
    notBefore: Date.UTC(2025, 0, 1, 0, 0, 0, 750),
  },
  // Without seconds: 00, as OpenSSL 3.0 reads them. OpenSSL 3.5 (Node 22) does not decode these at all.
  {
    label: 'UTCTime without seconds',
    options: notAfter(utcTime('3001010000Z')),
    notAfter: Date.UTC(2030, 0, 1),
  },
  {
    label: 'GeneralizedTime without seconds',
    options: notAfter(generalizedTime('205001010000Z')),
    notAfter: Date.UTC(2050, 0, 1),
  },
  {
    label: 'UTCTime without seconds, +0100',
    options: notAfter(utcTime('3001010000+0100')),
    notAfter: Date.UTC(2029, 11, 31, 23),
  },
  {
    label: 'GeneralizedTime without seconds, -0530',
    options: notAfter(generalizedTime('205001010000-0530')),
    notAfter: Date.UTC(2050, 0, 1, 5, 30),
  },
  // Offsets: arithmetic, as OpenSSL converts them to GMT.
  {
    label: 'UTCTime +0100',
    options: notAfter(utcTime('300101000000+0100')),
    notAfter: Date.UTC(2029, 11, 31, 23),
  },
  {
    label: 'UTCTime -0530',
    options: notAfter(utcTime('301231200000-0530')),
    notAfter: Date.UTC(2031, 0, 1, 1, 30),
  },
  { label: 'UTCTime +0000', options: notAfter(utcTime('300101000000+0000')), notAfter: Date.UTC(2030, 0, 1) },
  {
    label: 'UTCTime offset into 2050',
    options: notAfter(utcTime('491231230000-0100')),
    notAfter: Date.UTC(2050, 0, 1),
  },
  {
    label: 'GeneralizedTime +0100',
    options: notAfter(generalizedTime('20500101000000+0100')),
    notAfter: Date.UTC(2049, 11, 31, 23),
  },
  {
    label: 'GeneralizedTime +1200',
    options: notAfter(generalizedTime('20500101000000+1200')),
    notAfter: Date.UTC(2049, 11, 31, 12),
  },
  {
    label: 'GeneralizedTime fraction and offset',
    options: notAfter(generalizedTime('20500101000000.25+0130')),
    notAfter: Date.UTC(2049, 11, 31, 22, 30, 0, 250),
  },
  {
    label: 'year 0049, +0000',
    options: notAfter(generalizedTime('00490101000000+0000')),
    notAfter: yearMs(49, 0, 1),
  },
  {
    label: 'year 1899 offset into 1900',
    options: notAfter(generalizedTime('18991231230000-0100')),
    notAfter: Date.UTC(1900, 0, 1),
  },
  // OpenSSL itself gives no date for these ("Bad time value").
  {
    label: 'GeneralizedTime without a zone',
    options: notAfter(generalizedTime('20300101000000')),
    ...noDate('GeneralizedTime without a zone ("20300101000000")'),
  },
  {
    label: 'UTCTime without seconds or zone',
    options: notAfter(utcTime('3001010000')),
    ...noDate('UTCTime without a zone ("3001010000")'),
  },
  {
    label: 'February 29th of 2027',
    options: notAfter(generalizedTime('20270229000000Z')),
    ...noDate('GeneralizedTime naming a date or time that does not exist ("20270229000000Z")'),
  },
  {
    label: 'year 0000 less an hour',
    options: notAfter(generalizedTime('00000101000000+0100')),
    ...noDate(
      'GeneralizedTime with an offset that takes it outside the years 1900–9999, where OpenSSL applies none ' +
        '("00000101000000+0100")',
    ),
  },
  {
    label: 'year 1900 less an hour',
    options: notAfter(generalizedTime('19000101000000+0100')),
    ...noDate(
      'GeneralizedTime with an offset that takes it outside the years 1900–9999, where OpenSSL applies none ' +
        '("19000101000000+0100")',
    ),
  },
  {
    label: 'offset +1300',
    options: notAfter(generalizedTime('20500101000000+1300')),
    ...noDate('GeneralizedTime with an offset past 12 hours or 59 minutes ("20500101000000+1300")'),
  },
  {
    label: 'UTCTime with a fraction',
    options: notAfter(utcTime('300101000000.5Z')),
    ...noDate('UTCTime with a fraction of a second ("300101000000.5Z")'),
  },
  {
    label: 'fraction without seconds',
    options: notAfter(generalizedTime('205001010000.5Z')),
    ...noDate('GeneralizedTime with a fraction but no seconds ("205001010000.5Z")'),
  },
  // BER: the TBS as signed, or only the outer certificate (which the signature does not cover).
  {
    label: 'BER long-form length of notAfter',
    options: notAfter(longFormLength(utcTime('300101000000Z'))),
    notAfter: Date.UTC(2030, 0, 1),
  },
  { label: 'BER long-form length of the TBS', options: { encodeTbs: (c) => longFormLength(sequence(c)) } },
  { label: 'BER indefinite-length TBS', options: { encodeTbs: (c) => indefiniteLength(0x30, c) } },
  { label: 'BER long-form outer length', reencode: longFormLength },
  { label: 'BER indefinite outer length', reencode: outerIndefinite },
];

/** The machine's `openssl`, when it is OpenSSL 3.x and not to be ignored; else null. */
function opensslCommand(): { version: string } | null {
  if (process.env.CERTWATCH_TEST_NO_OPENSSL) return null;
  const answer = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (answer.error || answer.status !== 0) return null;
  const version = /^OpenSSL (3\.\d+\.\d+)/.exec(answer.stdout)?.[1];
  return version === undefined ? null : { version };
}

const OPENSSL = opensslCommand();

/**
 * Both dates of each certificate, as the `openssl` command reads them; null where it does not load one. Each
 * crafted certificate has a serial number of its own, so that an answer is matched to its certificate even
 * where the command skips one it does not load; the trust store's, which repeat, are matched in order, and it
 * must load them all.
 */
function opensslValidity(ders: Buffer[], match: 'serial' | 'order'): (Dates | null)[] {
  const entries = storeutl(ders);
  if (match === 'order') {
    expect(entries).toHaveLength(ders.length);
    return entries.map((entry) => entry.dates);
  }
  const serials = ders.map((der) => serialOf(der));
  expect(new Set(serials).size, 'crafted serial numbers must be unique').toBe(ders.length);
  const bySerial = new Map(entries.map((entry) => [entry.serial, entry.dates]));
  // What storeutl did not load is asked of `openssl x509` one by one: it loads it, or says it cannot.
  return ders.map((der, i) => bySerial.get(serials[i]!) ?? opensslX509(der));
}

/** `openssl storeutl -text` over the certificates: each it loads, in order, with its serial and dates. */
function storeutl(ders: Buffer[]): { serial: string; dates: Dates }[] {
  // storeutl opens a file (a pipe on stdin will not do).
  const directory = mkdtempSync(join(tmpdir(), 'certwatch-corpus-'));
  let text: string;
  try {
    const file = join(directory, 'corpus.pem');
    writeFileSync(file, ders.map((der) => certificatePem(der)).join(''));
    const answer = spawnSync('openssl', ['storeutl', '-noout', '-text', '-certs', file], {
      maxBuffer: 64 * 1024 * 1024,
    });
    text = answer.stdout.toString('latin1');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return text
    .split(/^\d+: /m)
    .slice(1)
    .filter((entry) => entry.startsWith('Certificate\n'))
    .map((entry) => ({
      // `Serial Number: 4096 (0x1000)`, or the hex bytes on the next line when it is longer than a long.
      serial: normalSerial(/Serial Number: ?\n? *(\d+ \(0x[0-9a-f]+\)|[0-9a-f:]+)/i.exec(entry)?.[1] ?? ''),
      dates: {
        notBefore: instantOf(/Not Before: (.*)$/m.exec(entry)?.[1] ?? ''),
        notAfter: instantOf(/Not After : (.*)$/m.exec(entry)?.[1] ?? ''),
      },
    }));
}

/** `openssl x509 -startdate -enddate` of one certificate, or null where it does not load it. */
function opensslX509(der: Buffer): Dates | null {
  const answer = spawnSync('openssl', ['x509', '-noout', '-startdate', '-enddate'], {
    input: certificatePem(der),
  });
  if (answer.status !== 0) return null;
  const text = answer.stdout.toString('latin1');
  return {
    notBefore: instantOf(/^notBefore=(.*)$/m.exec(text)?.[1] ?? ''),
    notAfter: instantOf(/^notAfter=(.*)$/m.exec(text)?.[1] ?? ''),
  };
}

/**
 * The serial number as lowercase hex without leading zeros: X509Certificate's (which reads BER too), or, where
 * this Node's OpenSSL does not decode the certificate (a short time, in DER), read from the DER.
 */
function serialOf(der: Buffer): string {
  const x509 = decodedOrRefused(der);
  if (x509) return normalSerial(x509.serialNumber);
  const tbs = readElement(der, readElement(der, 0).contentStart);
  let at = tbs.contentStart;
  if (der[at] === 0xa0) at = readElement(der, at).end;
  const serial = readElement(der, at);
  return normalSerial(der.subarray(serial.contentStart, serial.end).toString('hex'));
}

function normalSerial(text: string): string {
  const hex = /\(0x([0-9a-f]+)\)/i.exec(text)?.[1] ?? text.replaceAll(':', '');
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

/** `Jan  1 00:00:00.5 49 GMT`, read with setUTCFullYear (Date.UTC and Date.parse both move years 0–99). */
function instantOf(text: string): number | null {
  const match = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)(\.\d+)? (\d+) GMT$/.exec(text);
  if (!match) return null;
  const [, month, day, hour, minute, second, fraction, year] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(month!) / 3, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  // The fraction as milliseconds, written out: ".123456" is 123.456, which no integer instant can equal.
  const digits = fraction?.slice(1) ?? '';
  return date.getTime() + Number(`${digits.slice(0, 3).padEnd(3, '0')}.${digits.slice(3) || '0'}`);
}

/** X509Certificate's text where Date.parse reads it exactly (a four-digit year, no fraction); else null. */
const EXACT_TEXT = /^\w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/;
function exactNodeText(text: string | undefined): number | null {
  return text !== undefined && EXACT_TEXT.test(text) ? Date.parse(text) : null;
}

/** The second reader's dates where X509Certificate's text is exact: null where either is not. */
function nodeValidity(der: Buffer): Dates | null {
  const x509 = decodedOrRefused(der);
  if (!x509) return null;
  const dates = { notBefore: exactNodeText(x509.validFrom), notAfter: exactNodeText(x509.validTo) };
  return dates.notBefore === null || dates.notAfter === null ? null : dates;
}

interface Member {
  label: string;
  der: Buffer;
  pem: string;
  /**
   * X509Certificate's SHA-256 of the certificate, lowercase hex (the DER reader's, for DER); the SHA-256 of the
   * DER where this Node's OpenSSL does not decode it.
   */
  fingerprint: string;
  /** Whether this Node's X509Certificate decodes it: OpenSSL 3.5 does not where a time is short. */
  decoded: boolean;
  /** The crafted dates (trait), or the second reader's for the trust store (null where it gives none). */
  dates: Dates | null;
  unreadBecause?: string;
  /** The second reader's dates: `openssl`'s (null where it does not load it), or X509Certificate's exact text. */
  second: Dates | null;
}

function fingerprintOf(der: Buffer): { fingerprint: string; decoded: boolean } {
  const x509 = decodedOrRefused(der);
  return x509
    ? { fingerprint: x509.fingerprint256.replaceAll(':', '').toLowerCase(), decoded: true }
    : { fingerprint: hash('sha256', der, 'hex'), decoded: false };
}

function trustStore(): { label: string; der: Buffer }[] {
  const pems = [...rootCertificates];
  if (existsSync(DEBIAN_BUNDLE)) {
    pems.push(
      ...(readFileSync(DEBIAN_BUNDLE, 'latin1').match(
        /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
      ) ?? []),
    );
  }
  const seen = new Map<string, { label: string; der: Buffer }>();
  for (const pem of pems) {
    const der = new X509Certificate(pem).raw;
    const key = der.toString('base64');
    if (!seen.has(key)) seen.set(key, { label: `trust store #${seen.size + 1}`, der });
  }
  return [...seen.values()];
}

/** Every order of the given items. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

const DECODERS = ['der', 'x509'] as const;
type Decoder = (typeof DECODERS)[number];

/**
 * Why `decoder` gives no chain for this certificate alone, or null where it must read it. Only the x509 decoder
 * (the reference, which production does not use) meets a certificate this Node's OpenSSL does not decode.
 */
function unreadReason(member: Member, decoder: Decoder): string | null {
  if (member.unreadBecause) return `is a certificate whose ${member.unreadBecause}`;
  if (decoder === 'x509' && !member.decoded) {
    return `is a certificate that OpenSSL ${process.versions.openssl} does not decode`;
  }
  return null;
}

/** One certificate read alone: its own dates, or no chain, the block named and why. */
function expectReadAlone(member: Member, result: PemReadResult, decoder: Decoder): void {
  const where = `${member.label}, ${decoder}`;
  const reason = unreadReason(member, decoder);
  if (reason !== null) {
    expect(result.chain, where).toBeNull();
    expect(result.problems, where).toHaveLength(1);
    const [, why] =
      /^PEM block 1 (.*), so the expiry cannot be read from the PEM$/.exec(result.problems[0]!) ?? [];
    if (typeof reason === 'string') expect(why, where).toBe(reason);
    else expect(why, where).toMatch(reason);
    return;
  }
  expect(result.chain, `${where}: ${result.problems.join('; ')}`).not.toBeNull();
  expect(result.chain!.leaf.fingerprintSha256, where).toBe(member.fingerprint);
  expect(member.dates, where).not.toBeNull();
  expect(result.chain!.leaf.notAfterMs, where).toBe(member.dates!.notAfter);
  expect(result.chain!.leaf.notBeforeMs, where).toBe(member.dates!.notBefore);
}

const SECOND_READER = OPENSSL ? `openssl ${OPENSSL.version}` : 'X509Certificate where exact';

describe(`the corpus (second reader: ${SECOND_READER}): certwatch reads each date, or says it cannot`, () => {
  const crafted: Member[] = [];
  const roots: Member[] = [];
  const chains: { label: string; members: Member[]; linked: Linked }[] = [];

  beforeAll(() => {
    let serial = 1000n;
    const serialNumber = () => serial++;
    const root = craftAuthority('Corpus Root', null, { serialNumber: serialNumber() });
    const intermediate = craftAuthority('Corpus Intermediate', root, { serialNumber: serialNumber() });
    const made: (Omit<Member, 'pem' | 'fingerprint' | 'decoded' | 'second'> & { der: Buffer })[] = [
      { label: 'corpus root', der: root.der, dates: { notBefore: NOT_BEFORE, notAfter: NOT_AFTER } },
      {
        label: 'corpus intermediate',
        der: intermediate.der,
        dates: { notBefore: NOT_BEFORE, notAfter: NOT_AFTER },
      },
    ];
    const chainShapes: { label: string; indices: [number, number, number]; linked: Linked }[] = [];
    for (const trait of TRAITS) {
      const reencode = trait.reencode ?? ((der: Buffer) => der);
      const oddLeaf = reencode(
        craftLeaf(intermediate, {
          extensions: san('odd.example'),
          ...trait.options,
          serialNumber: serialNumber(),
        }),
      );
      // A CA keeps its CA extensions: a trait's subjectAltName is for leaves.
      const { extensions: _leafExtensions, ...caOptions } = trait.options ?? {};
      const oddCa = craftAuthority(`Corpus ${trait.label}`, root, {
        ...caOptions,
        serialNumber: serialNumber(),
      });
      const leafOfOddCa = craftLeaf(oddCa, {
        extensions: san('child.example'),
        serialNumber: serialNumber(),
      });
      const dates = {
        notBefore: trait.notBefore === undefined ? NOT_BEFORE : trait.notBefore,
        notAfter: trait.notAfter === undefined ? NOT_AFTER : trait.notAfter,
      };
      const at = made.length;
      const { unreadBecause } = trait;
      made.push(
        { label: `${trait.label} (leaf)`, der: oddLeaf, dates, unreadBecause },
        { label: `${trait.label} (CA)`, der: reencode(oddCa.der), dates, unreadBecause },
        {
          label: `leaf of ${trait.label} CA`,
          der: leafOfOddCa,
          dates: { notBefore: NOT_BEFORE, notAfter: NOT_AFTER },
        },
      );
      chainShapes.push(
        { label: `${trait.label} as leaf`, indices: [at, 1, 0], linked: trait.linkedAsLeaf ?? 3 },
        {
          label: `${trait.label} as intermediate`,
          indices: [at + 2, at + 1, 0],
          linked: trait.linkedAsIntermediate ?? 3,
        },
      );
    }
    const store = trustStore();
    const second = OPENSSL
      ? [
          ...opensslValidity(
            made.map((c) => c.der),
            'serial',
          ),
          ...opensslValidity(
            store.map((c) => c.der),
            'order',
          ),
        ]
      : [...made, ...store].map((c) => nodeValidity(c.der));
    const all = [...made, ...store.map((c) => ({ ...c, dates: null }))];
    const members = all.map(
      (c, i): Member => ({
        ...c,
        pem: certificatePem(c.der),
        ...fingerprintOf(c.der),
        second: second[i]!,
        // The trust store's dates are the second reader's.
        dates: c.dates ?? second[i]!,
      }),
    );
    crafted.push(...members.slice(0, made.length));
    roots.push(...members.slice(made.length));
    for (const shape of chainShapes) {
      chains.push({
        label: shape.label,
        members: shape.indices.map((i) => members[i]!),
        linked: shape.linked,
      });
    }
  }, 60_000);

  it('holds the trust store and every crafted trait', () => {
    expect(roots.length).toBeGreaterThanOrEqual(100);
    expect(chains).toHaveLength(TRAITS.length * 2);
    expect(crafted).toHaveLength(2 + TRAITS.length * 3);
    // Node's X509Certificate decodes every one under OpenSSL 3.0; under 3.5 not those with a short time.
    const short = crafted.filter((member) => hasShortTime(member.der)).map((member) => member.label);
    expect(short.sort()).toEqual([
      'GeneralizedTime without a zone (CA)',
      'GeneralizedTime without a zone (leaf)',
      'GeneralizedTime without seconds (CA)',
      'GeneralizedTime without seconds (leaf)',
      'UTCTime without seconds (CA)',
      'UTCTime without seconds (leaf)',
      'UTCTime without seconds or zone (CA)',
      'UTCTime without seconds or zone (leaf)',
    ]);
    const refused = crafted.filter((member) => !member.decoded).map((member) => member.label);
    expect(refused.sort()).toEqual(checksTimesAsItDecodes(process.versions.openssl) ? short : []);
  });

  it('holds each crafted certificate to its crafted dates by the second reader, where it gives one', () => {
    if (OPENSSL) {
      // The command dates every crafted time OpenSSL 3.0 dates: from its own answers, it loads all but those
      // its version checks as it decodes (3.5: a short time), and prints "Bad time value" where there is none.
      const notLoaded = crafted.filter((member) => member.second === null).map((member) => member.label);
      expect(notLoaded).toEqual(
        checksTimesAsItDecodes(OPENSSL.version)
          ? crafted.filter((member) => hasShortTime(member.der)).map((member) => member.label)
          : [],
      );
      for (const member of crafted.filter((m) => m.second !== null)) {
        expect(member.second, member.label).toEqual(member.dates);
      }
    } else {
      // X509Certificate's text where it is exact: a four-digit year, no fraction, and decoded by this Node.
      const compared = crafted.filter((member) => member.second !== null);
      for (const member of compared) expect(member.second, member.label).toEqual(member.dates);
      expect(compared.length).toBeGreaterThan(crafted.length * 0.6);
    }
  });

  it('agrees with `openssl x509 -enddate` itself, or X509Certificate, on odd years, fractions, offsets', () => {
    const picked = [
      'GeneralizedTime 0049 (leaf)',
      'fraction .5 (leaf)',
      'UTCTime -0530 (leaf)',
      'GeneralizedTime 0000 (leaf)',
      'UTCTime without seconds (leaf)',
      'GeneralizedTime without seconds, -0530 (leaf)',
    ].map((label) => crafted.find((member) => member.label === label)!);
    let compared = 0;
    for (const member of picked) {
      // Without the command, X509Certificate's text, read with the parser the command's is read with.
      const printed = OPENSSL
        ? (opensslX509(member.der)?.notAfter ?? null)
        : member.decoded
          ? instantOf(new X509Certificate(member.der).validTo)
          : null;
      if (OPENSSL && member.second === null) {
        expect(printed, `${member.label}: not loaded by storeutl, nor by x509`).toBeNull();
      } else if (printed !== null || OPENSSL) {
        expect(printed, member.label).toBe(member.dates!.notAfter);
        compared++;
      }
      expect(createPemReader().read(member.pem).chain?.leaf.notAfterMs, member.label).toBe(
        member.dates!.notAfter,
      );
    }
    // Only an OpenSSL that checks times as it decodes leaves the short one (no seconds, Z) uncompared.
    expect(compared).toBe(checksTimesAsItDecodes(OPENSSL?.version ?? process.versions.openssl) ? 5 : 6);
  });

  it('reads each trust-store certificate as the second reader does, and as Date.parse reads them', () => {
    for (const decoder of DECODERS) {
      const reader = createPemReader({ decoder });
      for (const member of roots) {
        const result = reader.read(member.pem);
        if (member.dates !== null) {
          expectReadAlone(member, result, decoder);
        } else {
          // No exact second reading (X509Certificate's text has an odd year): the two decoders must agree.
          expect(result, member.label).toStrictEqual(createPemReader({ decoder: 'x509' }).read(member.pem));
          expect(result.chain, member.label).not.toBeNull();
        }
      }
    }
    const exact = roots.filter((member) => nodeValidity(member.der) !== null);
    for (const member of exact) expect(member.dates, member.label).toEqual(nodeValidity(member.der));
    expect(exact.length).toBeGreaterThan(roots.length * 0.9);
    if (OPENSSL) expect(roots.filter((member) => member.second === null)).toEqual([]);
  });

  it('reads each crafted certificate alone with its own dates, or says it cannot', () => {
    for (const decoder of DECODERS) {
      for (const member of crafted)
        expectReadAlone(member, createPemReader({ decoder }).read(member.pem), decoder);
    }
  });

  it('reads each chain in every order: each certificate with its own date, or no chain at all', () => {
    let read = 0;
    let refused = 0;
    for (const { label, members, linked } of chains) {
      const [leaf, intermediate, chainRoot] = members as [Member, Member, Member];
      for (const decoder of DECODERS) {
        const readable = members.map((member) => unreadReason(member, decoder) === null);
        for (const order of permutations([0, 1, 2])) {
          const text = order.map((i) => members[i]!.pem).join('');
          const result = createPemReader({ decoder }).read(text);
          const where = `${label}, order ${order.join('')}, ${decoder}`;
          if (readable.includes(false)) {
            // An unreadable member: no chain, and the block named, whichever it is.
            expect(result.chain, where).toBeNull();
            const blocks = order.flatMap((i, position) => (readable[i] ? [] : [position + 1]));
            expect(
              result.problems.map((p) => Number(/^PEM block (\d+) /.exec(p)?.[1])),
              where,
            ).toEqual(blocks);
            refused++;
            continue;
          }
          const chain = result.chain!;
          expect(chain, `${where}: ${result.problems.join('; ')}`).not.toBeNull();
          expect(chain.leaf.fingerprintSha256, where).toBe(leaf.fingerprint);
          const expectedIssuers = [intermediate, chainRoot].slice(0, linked - 1);
          expect(
            [...chain.intermediates, ...chain.roots].map((c) => c.fingerprintSha256),
            where,
          ).toEqual(expectedIssuers.map((member) => member.fingerprint));
          expect(
            chain.roots.map((c) => c.fingerprintSha256),
            where,
          ).toEqual(linked === 3 ? [chainRoot.fingerprint] : []);
          // Whatever is reported carries its own dates.
          for (const certificate of [chain.leaf, ...chain.intermediates, ...chain.roots]) {
            expectOwnDates(certificate, members, where);
          }
          read++;
        }
      }
    }
    expect(read).toBeGreaterThan(refused);
    expect(refused).toBeGreaterThan(0);
  });
});

function expectOwnDates(certificate: ParsedCertificate, members: Member[], where: string): void {
  const member = members.find((m) => m.fingerprint === certificate.fingerprintSha256);
  expect(member, where).toBeDefined();
  expect(certificate.notAfterMs, `${where}: ${member!.label}`).toBe(member!.dates?.notAfter);
  expect(certificate.notBeforeMs, `${where}: ${member!.label}`).toBe(member!.dates?.notBefore);
}
