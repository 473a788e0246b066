/**
 * The PEM/chain reader, fuzzed: garbage, truncated base64, a key block first, CRLF, several chains concatenated,
 * damaged DER in PEM clothing, binary DER where PEM was expected. The reader never throws, never lets a key
 * through, gives a chain or a reason, and its two decoders (the strict DER reader and X509Certificate) agree.
 */
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificatePem, issueCertificate } from '../../emulator/x509/certificate';
import { pooledKey } from '../../emulator/x509/keys';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { evaluate } from '../../lib/expiry/evaluate';
import {
  createPemReader,
  MAX_CERTIFICATE_BLOCKS,
  MAX_ISSUER_SIGNATURE_CHECKS,
  type PemReadResult,
  readPemChain,
} from '../../lib/pem/chain';
import { readCertificateFields } from '../../lib/pem/derCertificate';
import { mapCdnCertificate } from '../../lib/providers/aliyun/cdn/certificateInfo';
import { mapSslInfo } from '../../lib/providers/ucloud/mapper';
import { armour, cutShort } from '../helpers/pem';
import {
  craft,
  decodedOrRefused,
  generalizedTime,
  hasShortTime,
  timeText,
} from '../unit/pem/craftedCertificate';
import { fuzz } from './fuzz';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
const THRESHOLDS = { warningDays: 30, criticalDays: 7 };

const chains = [
  makeTestCertificate({ keyType: 'ec', notAfter: NOW + 30 * DAY, includeRoot: true }),
  makeTestCertificate({ keyType: 'rsa', notAfter: NOW + 400 * DAY, includeKey: true }),
  makeTestCertificate({
    keyType: 'ec',
    notAfter: NOW + 90 * DAY,
    intermediateNotAfter: NOW + 10 * DAY,
    dnsNames: ['*.shop.example', 'shop.example'],
  }),
  makeTestCertificate({ keyType: 'rsa', notAfter: NOW - DAY, notBefore: NOW - 100 * DAY }),
];
const certificatePems = chains.flatMap((c) => [c.leafPem, c.intermediatePem, c.rootPem]);
const keyPems = chains.map((c) => c.leafPrivateKeyPem);
const ders = certificatePems.map((pem) => Buffer.from(new X509Certificate(pem).raw));
/** The base64 lines of every key: none may ever show in a result. */
const keyLines = keyPems.flatMap((pem) =>
  pem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-')),
);

/**
 * Certificates named like the chains' intermediate that signed none of their leaves, expiring before and after
 * it: self-signed, issued by a name like its own (not self-signed), or issued in the root's name with another
 * key. Each is a candidate issuer the reader must check, and none may lend the chain its date.
 */
const decoyIntermediates = Array.from({ length: 40 }, (_, i) => {
  const intermediateName = { commonName: 'Certwatch Test Intermediate CA', organization: 'Certwatch Tests' };
  const rootName = { commonName: 'Certwatch Test Root', organization: 'Certwatch Tests' };
  const decoyKey = pooledKey('ec', 'fuzz-decoy-intermediate');
  const otherKey = pooledKey('ec', 'fuzz-decoy-issuer');
  const issuers = [
    { selfSigned: true as const, privateKey: decoyKey.privateKey },
    { name: intermediateName, privateKey: otherKey.privateKey },
    { name: rootName, privateKey: otherKey.privateKey },
  ];
  return issueCertificate({
    subject: intermediateName,
    publicKey: decoyKey.publicKey,
    issuer: issuers[i % issuers.length]!,
    serialNumber: BigInt(1000 + i),
    notBefore: NOW - 400 * DAY,
    notAfter: NOW + (i - 20) * 7 * DAY,
    ca: true,
  }).pem;
});

/** A real DER certificate with a few bytes changed and perhaps cut short. */
const damagedDer = fc
  .tuple(
    fc.constantFrom(...ders),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([original, edits, cut]) => {
    const der = Buffer.from(original);
    for (const [at, byte] of edits) der[at % der.length] = byte;
    return cut === undefined ? der : der.subarray(0, cut % (der.length + 1));
  });

/** Base64 wrapped at any width, as different tools write it. */
const wrapped = (der: Buffer, width: number, eol: string) =>
  (der.toString('base64').match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol);

/** One piece of a stored SSLContent / HttpsCrt, good or bad. */
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...certificatePems) },
  { weight: 1, arbitrary: fc.constantFrom(...keyPems) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(damagedDer, fc.integer({ min: 1, max: 128 }), fc.constantFrom('\n', '\r\n', ' ', ''))
      .map(([der, width, eol]) => armour('CERTIFICATE', wrapped(der, width, eol))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...certificatePems, ...keyPems), fc.nat())
      .map(([pem, cut]) => pem.slice(0, cut % pem.length)),
  },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 200 }).map((body) => armour('CERTIFICATE', body)) },
  { weight: 1, arbitrary: damagedDer.map((der) => der.toString('latin1')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PUBLIC KEY', 'X509 CRL', 'CERTIFICATE REQUEST'),
        fc.base64String({ maxLength: 120 }),
      )
      .map(([label, body]) => armour(label, body)),
  },
);

/** Several pieces joined, then perhaps CRLF line ends or non-ASCII whitespace sprinkled in. */
const pemText = fc
  .tuple(
    fc.array(piece, { minLength: 0, maxLength: 6 }),
    fc.constantFrom('', '\n', '\r\n', '\n\n', ' junk between\n'),
    fc.constantFrom('none', 'crlf', 'nbsp', 'tabs'),
  )
  .map(([pieces, separator, mangle]) => {
    const text = pieces.join(separator);
    if (mangle === 'crlf') return text.replaceAll('\n', '\r\n');
    if (mangle === 'nbsp') return text.replaceAll('\n', '\n\u00a0');
    if (mangle === 'tabs') return text.replaceAll('\n', '\n\t');
    return text;
  });

function expectSound(result: PemReadResult): void {
  const json = JSON.stringify(result);
  // Plain checks first: a few expect calls per input, not one per key line (the suite runs 17,500 inputs).
  expect(json.includes('PRIVATE KEY') || keyLines.some((line) => json.includes(line))).toBe(false);
  expect(result.problems.every((problem) => typeof problem === 'string' && problem !== '')).toBe(true);
  if (result.chain === null) {
    expect(result.problems.length).toBeGreaterThan(0);
    return;
  }
  for (const cert of [result.chain.leaf, ...result.chain.intermediates, ...result.chain.roots]) {
    expect(Number.isSafeInteger(cert.notAfterMs)).toBe(true);
    expect(Number.isSafeInteger(cert.notBeforeMs)).toBe(true);
    expect(cert.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cert.fingerprintSha1).toMatch(/^[0-9a-f]{40}$/);
  }
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A validity time in any of the forms OpenSSL reads or refuses: UTCTime or GeneralizedTime, fields in and just
 * out of range, seconds or none, a fraction (after a point or a comma, up to 7 digits) or none, Z, an offset up
 * to ±14:60 or no zone, the years where offsets and UTCTime change meaning; now and then a character changed,
 * added or dropped.
 */
const validityTime = fc
  .record({
    utc: fc.boolean(),
    year: fc.oneof(
      fc.integer({ min: 0, max: 9999 }),
      fc.constantFrom(0, 1, 49, 50, 99, 1899, 1900, 1949, 1950, 2049, 2050, 9999),
    ),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    fraction: fc.option(
      fc.tuple(fc.constantFrom('.', '.', '.', ','), fc.stringMatching(/^\d{0,7}$/)).map(([p, d]) => p + d),
      { nil: undefined, freq: 3 },
    ),
    zone: fc.oneof(
      { weight: 3, arbitrary: fc.constant('Z') },
      { weight: 1, arbitrary: fc.constant('') },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 60 }))
          .map(([sign, hours, minutes]) => `${sign}${two(hours)}${two(minutes)}`),
      },
    ),
    edit: fc.option(
      fc.tuple(fc.nat(), fc.nat({ max: 1 }), fc.constantFrom('0', '9', 'Z', '+', '-', '.', 'z', ' ')),
      {
        nil: undefined,
        freq: 4,
      },
    ),
  })
  .map(({ utc, year, month, day, hour, minute, second, fraction, zone, edit }) => {
    const yearText = utc ? two(year % 100) : String(year).padStart(4, '0');
    const seconds = second === undefined ? '' : two(second);
    let text = `${yearText}${two(month)}${two(day)}${two(hour)}${two(minute)}${seconds}${fraction ?? ''}${zone}`;
    if (edit) {
      const [at, drop, character] = edit;
      const i = at % (text.length + 1);
      text = text.slice(0, i) + (drop ? '' : character) + text.slice(i + drop);
    }
    return timeText(utc ? 0x17 : 0x18, text);
  });

describe('fuzz: the PEM/chain reader', () => {
  it('never throws, never lets a key through, and gives a chain or a reason, for any text', () => {
    fuzz(
      'pem',
      'readPemChain any text',
      fc.property(pemText, (text) => expectSound(readPemChain(text))),
      8_000,
    );
  });

  it('reads the same with the DER reader as with X509Certificate', () => {
    const der = createPemReader({ decoder: 'der' });
    const x509 = createPemReader({ decoder: 'x509' });
    fuzz(
      'pem',
      'DER reader agrees with X509Certificate',
      fc.property(pemText, (text) => {
        expect(der.read(text)).toEqual(x509.read(text));
      }),
      4_000,
    );
  });

  it('finds the same leaf in a real chain whatever is stored around it: keys, junk, CRLF, order', () => {
    const cutCertificate = cutShort('CERTIFICATE', 'AAAA');
    fuzz(
      'pem',
      'real chain amid noise',
      fc.property(
        fc.constantFrom(...chains),
        fc.array(fc.constantFrom(...keyPems, 'garbage\n', cutShort('PRIVATE KEY', 'AAAA'), cutCertificate), {
          maxLength: 3,
        }),
        fc.boolean(),
        fc.boolean(),
        (chain, noise, crlf, reversed) => {
          const blocks = [chain.leafPem, ...chain.chainPems];
          const text = [...noise, ...(reversed ? blocks.reverse() : blocks)].join('\n');
          const result = readPemChain(crlf ? text.replaceAll('\n', '\r\n') : text);
          expectSound(result);
          // A certificate cut short may be the leaf: no chain, and the reason.
          if (noise.includes(cutCertificate)) {
            expect(result.chain).toBeNull();
            expect(result.problems[0]).toMatch(/^a CERTIFICATE block in the PEM has no END line/);
            return;
          }
          expect(result.chain?.leaf.notAfterMs).toBe(chain.notAfterMs);
          expect(result.chain?.intermediates.map((c) => c.notAfterMs)).toEqual([
            chain.intermediateNotAfterMs,
          ]);
        },
      ),
      2_000,
    );
  });

  it('a chain with an unreadable certificate anywhere in it gives no chain, naming that block and why', () => {
    const unreadable: [string, string][] = [
      // Cut short: not a certificate OpenSSL can decode.
      ...ders.map((der): [string, string] => [
        armour('CERTIFICATE', wrapped(der.subarray(0, der.length - 40), 64, '\n')),
        'is not a readable X.509 certificate (an element that runs past the end of what holds it)',
      ]),
      // Its notAfter names no zone: OpenSSL 3.0 decodes it and gives "Bad time value", 3.5 does not decode it.
      [
        armour('CERTIFICATE', wrapped(craft({ notAfter: generalizedTime('20300101000000') }), 64, '\n')),
        'is a certificate whose notAfter is a GeneralizedTime without a zone ("20300101000000")',
      ],
      // Or a date that does not exist: 2027 has no February 29th.
      [
        armour('CERTIFICATE', wrapped(craft({ notAfter: generalizedTime('20270229000000Z') }), 64, '\n')),
        'is a certificate whose notAfter is a GeneralizedTime naming a date or time that does not exist ' +
          '("20270229000000Z")',
      ],
    ];
    fuzz(
      'pem',
      'unreadable member',
      fc.property(
        fc.constantFrom(...chains),
        fc.constantFrom(...unreadable),
        fc.nat(),
        fc.boolean(),
        fc.boolean(),
        (chain, [bad, why], at, withKey, reversed) => {
          const blocks = [chain.leafPem, ...chain.chainPems];
          if (reversed) blocks.reverse();
          const position = at % (blocks.length + 1);
          blocks.splice(position, 0, bad);
          if (withKey) blocks.unshift(chain.leafPrivateKeyPem);
          const result = readPemChain(blocks.join(''));
          expectSound(result);
          expect(result.chain).toBeNull();
          expect(result.problems).toEqual([
            `PEM block ${position + 1 + Number(withKey)} ${why}, so the expiry cannot be read from the PEM`,
          ]);
          const record = evaluate(
            mapSslInfo({ SSLId: 'ssl-1', SSLContent: blocks.join('') }, 'cn-bj2', null),
            NOW,
            THRESHOLDS,
          );
          expect(record).toMatchObject({ status: 'unknown', notAfterMs: null, fingerprintSha256: null });
        },
      ),
      300,
    );
  });

  it('a real chain amid any number of decoys, copies, keys and cut blocks: its own dates, or none', () => {
    // Up to and past every bound: what is read is the chain's own; past a bound, no chain and the bound named.
    const pad = ' '.repeat(64 * 1024);
    fuzz(
      'pem',
      'never a wrong date, up to and past the bounds',
      fc.property(
        fc.constantFrom(...chains),
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...decoyIntermediates) },
            { weight: 2, arbitrary: fc.constantFrom('intermediate', 'root', 'key', 'cut', 'pad') },
          ),
          { maxLength: 60, size: 'max' },
        ),
        fc.nat(),
        (chain, noise, seed) => {
          const pieces = noise.map((piece) => {
            if (piece === 'intermediate') return chain.intermediatePem;
            if (piece === 'root') return chain.rootPem;
            if (piece === 'key') return chain.leafPrivateKeyPem;
            if (piece === 'cut') return '-----BEGIN CERTIFICATE-----\nMIIB\n';
            if (piece === 'pad') return pad;
            return piece;
          });
          // The leaf and its intermediate somewhere among them, in either order.
          pieces.splice(seed % (pieces.length + 1), 0, chain.leafPem);
          pieces.splice((seed >>> 8) % (pieces.length + 1), 0, chain.intermediatePem);
          const reader = createPemReader();
          const result = reader.read(pieces.join('\n'));
          expectSound(result);
          expect(reader.counts.signatureChecks).toBeLessThanOrEqual(
            MAX_CERTIFICATE_BLOCKS + MAX_ISSUER_SIGNATURE_CHECKS,
          );
          if (result.chain === null) {
            expect(result.problems[0]).toMatch(
              /more than the (262,144|32|16) |CERTIFICATE block .* has no END line/,
            );
            return;
          }
          expect(noise, 'a cut certificate block never leaves a chain').not.toContain('cut');
          expect(result.chain.leaf.notAfterMs).toBe(chain.notAfterMs);
          expect(result.chain.intermediates.map((c) => c.notAfterMs)).toEqual([chain.intermediateNotAfterMs]);
        },
      ),
      300,
    );
  });

  it('several chains concatenated: one leaf is read, and the others are named as a problem', () => {
    fuzz(
      'pem',
      'chains concatenated',
      fc.property(fc.shuffledSubarray(chains, { minLength: 2 }), (picked) => {
        const result = readPemChain(picked.map((c) => c.pem).join(''));
        expectSound(result);
        expect(picked.map((c) => c.notAfterMs)).toContain(result.chain?.leaf.notAfterMs);
        expect(result.problems.some((p) => p.includes('unrelated end-entity certificates'))).toBe(true);
      }),
      500,
    );
  });

  it('reads a validity time in any form as OpenSSL reads it, or declines it and says why', () => {
    const der = createPemReader({ decoder: 'der' });
    const x509 = createPemReader({ decoder: 'x509' });
    fuzz(
      'pem',
      'validity times against OpenSSL',
      fc.property(validityTime, fc.boolean(), (time, inNotBefore) => {
        const certificate = craft(inNotBefore ? { notBefore: time } : { notAfter: time });
        const fields = readCertificateFields(certificate);
        // Declined only for the time, and with a reason that says what the time holds.
        if ('declined' in fields) {
          expect(fields.validity).toBe(true);
          expect(fields.declined).not.toMatch(/in a form this reader does not read/);
        }
        const text = certificatePem(certificate);
        if (decodedOrRefused(certificate)) {
          // Where OpenSSL decodes it (always, with Node 20's 3.0), the DER reader reads what X509Certificate
          // reads, to the millisecond, or neither reads it and both say the same.
          expect(der.read(text)).toEqual(x509.read(text));
        } else {
          // OpenSSL 3.5 refuses a short time as it decodes (decodedOrRefused allows only that). The DER reader
          // does not ask OpenSSL, so it reads it as on Node 20, where the same seed compares it with 3.0.
          expect(hasShortTime(certificate)).toBe(true);
          expect(der.read(text).chain?.leaf.notAfterMs ?? null).toBe(
            'declined' in fields ? null : fields.notAfterMs,
          );
        }
      }),
      3_000,
    );
  });

  it('through the mappers: a certificate with unreadable content is unknown only with a reason', () => {
    fuzz(
      'pem',
      'SSLContent/HttpsCrt through the mappers',
      fc.property(pemText, fc.boolean(), (text, ucloud) => {
        const cert = ucloud
          ? mapSslInfo({ SSLId: 'ssl-1', SSLContent: text }, 'cn-bj2', null)
          : mapCdnCertificate({ CertId: 1 }, { CertId: '1', HttpsCrt: text });
        const record = evaluate(cert, NOW, THRESHOLDS);
        if (cert.chain === null) {
          expect(record.status).toBe('unknown');
          expect(record.notes).toContain('expiry unknown: the API gave no date and no readable certificate');
          expect(record.notes.some((note) => /^(SSLContent|HttpsCrt): /.test(note))).toBe(true);
        }
        expect(JSON.stringify(record)).not.toContain('PRIVATE KEY');
      }),
      3_000,
    );
  });
});
