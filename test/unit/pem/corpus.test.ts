/**
 * certwatch's reading of validity against OpenSSL's, over the system trust store and certificates crafted
 * with the traits real fleets show (empty names, the UTCTime/GeneralizedTime edges, years below 1000,
 * fractions, offsets, missing seconds, BER lengths). Each certificate is read alone and, the crafted ones, as
 * the leaf and as the intermediate of a real chain in every order, by both decoders. The rule: certwatch's
 * date equals OpenSSL's to the millisecond, or certwatch has no chain and says why — never another date; and
 * a chain with an unreadable member never reports another member's date or fingerprint.
 *
 * OpenSSL is asked once for the whole corpus: `openssl storeutl -text` prints each validity with the function
 * `openssl x509 -enddate` uses (ASN1_TIME_print); a few are checked against `x509 -enddate` itself. That is the
 * machine's OpenSSL, whichever Node runs the test: Node 22's own (3.5) refuses to decode a certificate whose
 * time lacks its seconds or its zone; the DER reader reads it there all the same, and only the x509 decoder (the
 * reference) says it cannot.
 */
import { execFileSync } from 'node:child_process';
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
  craftAuthority,
  craftLeaf,
  decodedOrRefused,
  dnsName,
  generalizedTime,
  indefiniteLength,
  longFormLength,
  OPENSSL_CHECKS_TIMES_AS_IT_DECODES,
  subjectAltName,
  utcTime,
} from './craftedCertificate';

const DEBIAN_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** How many of [leaf, intermediate, root] the chain links by name, with the trait on the leaf or the CA. */
type Linked = 1 | 2 | 3;

interface Trait {
  label: string;
  options?: CraftOptions;
  /** A change to the whole certificate's encoding (outside what the signature covers). */
  reencode?: (der: Buffer) => Buffer;
  /**
   * certwatch must read it (so that "unknown" alone cannot pass); otherwise it may say unknown. `where decoded`:
   * the DER decoder must, and the x509 decoder wherever Node's X509Certificate decodes it, which OpenSSL 3.0
   * (Node 20) does and 3.5 (Node 22) does not (see decodedOrRefused).
   */
  mustRead: boolean | 'where decoded';
  /** What certwatch says of its validity where it does not read it, worded to follow "a certificate whose". */
  unreadBecause?: string;
  linkedAsLeaf?: Linked;
  linkedAsIntermediate?: Linked;
}

const notAfter = (time: Buffer) => ({ notAfter: time });
const san = (name: string) => [subjectAltName(dnsName(name))];
const outerIndefinite = (der: Buffer) =>
  indefiniteLength(0x30, der.subarray(readElement(der, 0).contentStart));

const TRAITS: Trait[] = [
  { label: 'plain DER', mustRead: true },
  {
    label: 'empty subject, names in the SAN',
    options: { subject: sequence(), extensions: san('san-only.example') },
    mustRead: true,
    // As a CA, an empty subject names no one: its child's empty issuer is not matched to it.
    linkedAsIntermediate: 1,
  },
  {
    label: 'empty issuer',
    options: { issuer: sequence() },
    mustRead: true,
    linkedAsLeaf: 1,
    linkedAsIntermediate: 2,
  },
  {
    label: 'empty subject and issuer',
    options: { subject: sequence(), issuer: sequence(), extensions: san('nameless.example') },
    mustRead: true,
    linkedAsLeaf: 1,
    linkedAsIntermediate: 1,
  },
  { label: 'UTCTime 1950', options: notAfter(utcTime('500101000000Z')), mustRead: true },
  { label: 'UTCTime 2049', options: notAfter(utcTime('491231235959Z')), mustRead: true },
  { label: 'GeneralizedTime 2050', options: notAfter(generalizedTime('20500101000000Z')), mustRead: true },
  { label: 'GeneralizedTime 1949', options: notAfter(generalizedTime('19491231235959Z')), mustRead: true },
  { label: 'GeneralizedTime 2049', options: notAfter(generalizedTime('20491231235959Z')), mustRead: true },
  { label: 'GeneralizedTime 0000', options: notAfter(generalizedTime('00000101000000Z')), mustRead: true },
  {
    label: 'GeneralizedTime 0000-02-29',
    options: notAfter(generalizedTime('00000229120000Z')),
    mustRead: true,
  },
  { label: 'GeneralizedTime 0001', options: notAfter(generalizedTime('00010101000000Z')), mustRead: true },
  { label: 'GeneralizedTime 0049', options: notAfter(generalizedTime('00490101000000Z')), mustRead: true },
  { label: 'GeneralizedTime 0099', options: notAfter(generalizedTime('00991231235959Z')), mustRead: true },
  { label: 'GeneralizedTime 0999', options: notAfter(generalizedTime('09991231235959Z')), mustRead: true },
  { label: 'GeneralizedTime 1000', options: notAfter(generalizedTime('10000101000000Z')), mustRead: true },
  { label: 'GeneralizedTime 9999', options: notAfter(generalizedTime('99991231235959Z')), mustRead: true },
  {
    label: 'notBefore in year 0049',
    options: { notBefore: generalizedTime('00490101000000Z') },
    mustRead: true,
  },
  { label: 'fraction .5', options: notAfter(generalizedTime('20500101000000.5Z')), mustRead: true },
  { label: 'fraction .123', options: notAfter(generalizedTime('20500101000000.123Z')), mustRead: true },
  { label: 'fraction .1230', options: notAfter(generalizedTime('20500101000000.1230Z')), mustRead: true },
  {
    label: 'fraction finer than 1 ms',
    options: notAfter(generalizedTime('20500101000000.123456Z')),
    mustRead: false,
    unreadBecause:
      'notAfter is a GeneralizedTime with a fraction finer than a millisecond ("20500101000000.123456Z")',
  },
  {
    label: 'fraction in notBefore',
    options: { notBefore: generalizedTime('20250101000000.75Z') },
    mustRead: true,
  },
  {
    label: 'UTCTime without seconds',
    options: notAfter(utcTime('3001010000Z')),
    mustRead: 'where decoded',
  },
  {
    label: 'GeneralizedTime without seconds',
    options: notAfter(generalizedTime('205001010000Z')),
    mustRead: 'where decoded',
  },
  { label: 'UTCTime +0100', options: notAfter(utcTime('300101000000+0100')), mustRead: true },
  { label: 'UTCTime -0530', options: notAfter(utcTime('301231200000-0530')), mustRead: true },
  { label: 'UTCTime +0000', options: notAfter(utcTime('300101000000+0000')), mustRead: true },
  {
    label: 'GeneralizedTime +0100',
    options: notAfter(generalizedTime('20500101000000+0100')),
    mustRead: true,
  },
  {
    label: 'GeneralizedTime fraction and offset',
    options: notAfter(generalizedTime('20500101000000.25+0130')),
    mustRead: true,
  },
  // OpenSSL itself gives no date for these ("Bad time value").
  {
    label: 'GeneralizedTime without a zone',
    options: notAfter(generalizedTime('20300101000000')),
    mustRead: false,
    unreadBecause: 'notAfter is a GeneralizedTime without a zone ("20300101000000")',
  },
  {
    label: 'February 29th of 2027',
    options: notAfter(generalizedTime('20270229000000Z')),
    mustRead: false,
    unreadBecause:
      'notAfter is a GeneralizedTime naming a date or time that does not exist ("20270229000000Z")',
  },
  {
    label: 'year 0000 less an hour',
    options: notAfter(generalizedTime('00000101000000+0100')),
    mustRead: false,
    unreadBecause:
      'notAfter is a GeneralizedTime with an offset that takes it outside the years 1900–9999, where OpenSSL ' +
      'applies none ("00000101000000+0100")',
  },
  // BER: the TBS as signed, or only the outer certificate (which the signature does not cover).
  {
    label: 'BER long-form length of notAfter',
    options: notAfter(longFormLength(utcTime('300101000000Z'))),
    mustRead: true,
  },
  {
    label: 'BER long-form length of the TBS',
    options: { encodeTbs: (c) => longFormLength(sequence(c)) },
    mustRead: true,
  },
  {
    label: 'BER indefinite-length TBS',
    options: { encodeTbs: (c) => indefiniteLength(0x30, c) },
    mustRead: true,
  },
  { label: 'BER long-form outer length', reencode: longFormLength, mustRead: true },
  { label: 'BER indefinite outer length', reencode: outerIndefinite, mustRead: true },
];

/** What OpenSSL prints for a validity date: an instant (ms, perhaps with a fraction of one), or nothing. */
type Reading = number | null;

interface Member {
  label: string;
  der: Buffer;
  pem: string;
  /**
   * X509Certificate's SHA-256 of the certificate, lowercase hex (the DER reader's, for DER); the DER's SHA-256
   * where this Node's OpenSSL refuses to decode it.
   */
  fingerprint: string;
  /** Whether this Node's X509Certificate decodes it. */
  decoded: boolean;
  openssl: { notBefore: Reading; notAfter: Reading } | null;
  mustRead: Trait['mustRead'];
  unreadBecause?: string;
}

/** `Jan  1 00:00:00.5 49 GMT`, read with setUTCFullYear (Date.UTC and Date.parse both move years 0–99). */
function instantOf(text: string): Reading {
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

/** Both dates of every certificate, by one `openssl storeutl` over all of them, in order. */
function opensslValidity(ders: Buffer[]): { notBefore: Reading; notAfter: Reading }[] {
  // storeutl opens a file (a pipe on stdin will not do).
  const directory = mkdtempSync(join(tmpdir(), 'certwatch-corpus-'));
  let text: string;
  try {
    const file = join(directory, 'corpus.pem');
    writeFileSync(file, ders.map((der) => certificatePem(der)).join(''));
    text = execFileSync('openssl', ['storeutl', '-noout', '-text', '-certs', file], {
      maxBuffer: 64 * 1024 * 1024,
    }).toString('latin1');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  const entries = text.split(/^\d+: Certificate$/m).slice(1);
  expect(text).toContain(`Total found: ${ders.length}\n`);
  expect(entries).toHaveLength(ders.length);
  return entries.map((entry) => ({
    notBefore: instantOf(/Not Before: (.*)$/m.exec(entry)?.[1] ?? ''),
    notAfter: instantOf(/Not After : (.*)$/m.exec(entry)?.[1] ?? ''),
  }));
}

function fingerprintOf(der: Buffer): { fingerprint: string; decoded: boolean } {
  const x509 = decodedOrRefused(der);
  return x509
    ? { fingerprint: x509.fingerprint256.replaceAll(':', '').toLowerCase(), decoded: true }
    : { fingerprint: hash('sha256', der, 'hex'), decoded: false };
}

/** Whether `decoder` must read it: the x509 decoder cannot where this Node's OpenSSL does not decode it. */
function mustReadWith(member: Member, decoder: (typeof DECODERS)[number]): boolean {
  if (member.mustRead !== 'where decoded') return member.mustRead;
  return decoder === 'der' || member.decoded;
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

/** One certificate read alone: its date is OpenSSL's, or there is no chain, the block named and why. */
function expectReadAlone(member: Member, result: PemReadResult, decoder: (typeof DECODERS)[number]): void {
  if (result.chain === null) {
    expect(mustReadWith(member, decoder), `${member.label}: ${result.problems.join('; ')}`).toBe(false);
    const why = member.unreadBecause
      ? `is a certificate whose ${member.unreadBecause}`
      : `is a certificate that OpenSSL ${process.versions.openssl} does not decode`;
    expect(result.problems, member.label).toEqual([
      `PEM block 1 ${why}, so the expiry cannot be read from the PEM`,
    ]);
    return;
  }
  expect(member.openssl, member.label).not.toBeNull();
  expect(result.chain.leaf.fingerprintSha256, member.label).toBe(member.fingerprint);
  expect(result.chain.leaf.notAfterMs, member.label).toBe(member.openssl!.notAfter);
  expect(result.chain.leaf.notBeforeMs, member.label).toBe(member.openssl!.notBefore);
}

describe('the corpus: certwatch reads what OpenSSL reads, or says it cannot', () => {
  const roots: Member[] = [];
  const chains: { label: string; members: Member[]; linked: Linked }[] = [];

  beforeAll(() => {
    const root = craftAuthority('Corpus Root', null);
    const intermediate = craftAuthority('Corpus Intermediate', root);
    const crafted: { label: string; der: Buffer; mustRead: Trait['mustRead']; unreadBecause?: string }[] = [
      { label: 'corpus root', der: root.der, mustRead: true },
      { label: 'corpus intermediate', der: intermediate.der, mustRead: true },
    ];
    const chainShapes: { label: string; indices: [number, number, number]; linked: Linked }[] = [];
    for (const trait of TRAITS) {
      const reencode = trait.reencode ?? ((der: Buffer) => der);
      const oddLeaf = reencode(craftLeaf(intermediate, { extensions: san('odd.example'), ...trait.options }));
      // A CA keeps its CA extensions: a trait's subjectAltName is for leaves.
      const { extensions: _leafExtensions, ...caOptions } = trait.options ?? {};
      const oddCa = craftAuthority(`Corpus ${trait.label}`, root, caOptions);
      const leafOfOddCa = craftLeaf(oddCa, { extensions: san('child.example') });
      const at = crafted.length;
      const { mustRead, unreadBecause } = trait;
      crafted.push(
        { label: `${trait.label} (leaf)`, der: oddLeaf, mustRead, unreadBecause },
        { label: `${trait.label} (CA)`, der: reencode(oddCa.der), mustRead, unreadBecause },
        { label: `leaf of ${trait.label} CA`, der: leafOfOddCa, mustRead: true },
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
    const all = [...crafted, ...store.map((c) => ({ ...c, mustRead: true }))];
    const readings = opensslValidity(all.map((c) => c.der));
    const members = all.map(
      (c, i): Member => ({
        ...c,
        pem: certificatePem(c.der),
        ...fingerprintOf(c.der),
        openssl: readings[i]!.notAfter === null || readings[i]!.notBefore === null ? null : readings[i]!,
      }),
    );
    roots.push(...members.slice(crafted.length));
    for (const shape of chainShapes) {
      chains.push({
        label: shape.label,
        members: shape.indices.map((i) => members[i]!),
        linked: shape.linked,
      });
    }
  }, 60_000);

  it('holds the trust store and every crafted trait, and OpenSSL dates all but the few it cannot', () => {
    expect(roots.length).toBeGreaterThanOrEqual(100);
    expect(chains).toHaveLength(TRAITS.length * 2);
    const crafted = new Set(chains.flatMap((chain) => chain.members));
    const unreadable = [...crafted].filter((member) => member.openssl === null).map((member) => member.label);
    expect(unreadable.sort()).toEqual([
      'February 29th of 2027 (CA)',
      'February 29th of 2027 (leaf)',
      'GeneralizedTime without a zone (CA)',
      'GeneralizedTime without a zone (leaf)',
      'year 0000 less an hour (CA)',
      'year 0000 less an hour (leaf)',
    ]);
    // Node's X509Certificate decodes every one under OpenSSL 3.0; under 3.5 not those whose time lacks its
    // seconds or its zone.
    const refused = [...crafted].filter((member) => !member.decoded).map((member) => member.label);
    expect(refused.sort()).toEqual(
      OPENSSL_CHECKS_TIMES_AS_IT_DECODES
        ? [
            'GeneralizedTime without a zone (CA)',
            'GeneralizedTime without a zone (leaf)',
            'GeneralizedTime without seconds (CA)',
            'GeneralizedTime without seconds (leaf)',
            'UTCTime without seconds (CA)',
            'UTCTime without seconds (leaf)',
          ]
        : [],
    );
    // So what the openssl command reads and the DER decoder may not: fractions finer than a millisecond.
    const notRead = [...crafted].filter((member) => !mustReadWith(member, 'der') && member.openssl !== null);
    expect(notRead.map((member) => member.label).sort()).toEqual([
      'fraction finer than 1 ms (CA)',
      'fraction finer than 1 ms (leaf)',
    ]);
  });

  it('reads each trust-store certificate as OpenSSL does, and as Date.parse reads four-digit years', () => {
    for (const decoder of DECODERS) {
      const reader = createPemReader({ decoder });
      for (const member of roots) expectReadAlone(member, reader.read(member.pem), decoder);
    }
    // A third reader where it is exact: Date.parse of X509Certificate's text, four-digit year, no fraction.
    const exact = roots.filter((member) =>
      /^\w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/.test(new X509Certificate(member.der).validTo),
    );
    for (const member of exact) {
      expect(member.openssl?.notAfter).toBe(Date.parse(new X509Certificate(member.der).validTo));
    }
    expect(exact.length).toBeGreaterThan(roots.length * 0.9);
  });

  it('reads each crafted certificate alone as OpenSSL does, or says it cannot', () => {
    for (const decoder of DECODERS) {
      for (const { members } of chains) {
        for (const member of members) {
          expectReadAlone(member, createPemReader({ decoder }).read(member.pem), decoder);
        }
      }
    }
  });

  it('reads each chain in every order: each certificate with its own date, or no chain at all', () => {
    let read = 0;
    let refused = 0;
    for (const { label, members, linked } of chains) {
      const [leaf, intermediate, chainRoot] = members as [Member, Member, Member];
      for (const decoder of DECODERS) {
        const readable = members.map(
          (member) => createPemReader({ decoder }).read(member.pem).chain !== null,
        );
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
          // Whatever is reported carries its own date, as OpenSSL reads it.
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

  it('agrees with `openssl x509 -enddate -noout` itself, where years, fractions and offsets are odd', () => {
    const picked = [
      'GeneralizedTime 0049 (leaf)',
      'fraction .5 (leaf)',
      'UTCTime -0530 (leaf)',
      'GeneralizedTime 0000 (leaf)',
    ];
    for (const label of picked) {
      const member = chains.flatMap((chain) => chain.members).find((m) => m.label === label)!;
      const printed = execFileSync('openssl', ['x509', '-enddate', '-noout'], {
        input: member.pem,
      }).toString();
      const notAfterMs = instantOf(printed.trim().replace(/^notAfter=/, ''));
      expect(notAfterMs, label).toBe(member.openssl?.notAfter);
      expect(createPemReader().read(member.pem).chain?.leaf.notAfterMs, label).toBe(notAfterMs);
    }
  });
});

function expectOwnDates(certificate: ParsedCertificate, members: Member[], where: string): void {
  const member = members.find((m) => m.fingerprint === certificate.fingerprintSha256);
  expect(member, where).toBeDefined();
  expect(certificate.notAfterMs, `${where}: ${member!.label}`).toBe(member!.openssl?.notAfter);
  expect(certificate.notBeforeMs, `${where}: ${member!.label}`).toBe(member!.openssl?.notBefore);
}
