import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificatePem } from '../../../emulator/x509/certificate';
import { sequence } from '../../../emulator/x509/der';
import { fieldsFromX509, readOpensslTime } from '../../../lib/pem/certificateFields';
import { readPemChain } from '../../../lib/pem/chain';
import { utcEpochMs } from '../../../lib/pem/utcCalendar';
import {
  craft,
  decodedOrRefused,
  dnsName,
  generalizedTime,
  NODE_MAJOR,
  NOT_AFTER,
  NOT_BEFORE,
  subjectAltName,
  utcTime,
} from './craftedCertificate';

/** An instant in any year, months from 0 as Date.UTC takes them (Date.UTC alone maps years 0–99 to 19YY). */
function yearMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(Date.UTC(2000, month, day, hour, minute, second, ms));
  date.setUTCFullYear(year, month, day);
  return date.getTime();
}

const x509Fields = (der: Buffer) => fieldsFromX509(new X509Certificate(der));

describe('utcEpochMs', () => {
  it('gives the instant for any year 0000–9999, years below 100 included', () => {
    expect(utcEpochMs(2049, 12, 31, 23, 59, 59, 0)).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(utcEpochMs(49, 1, 1, 0, 0, 0, 0)).toBe(yearMs(49, 0, 1));
    expect(new Date(utcEpochMs(49, 1, 1, 0, 0, 0, 0)!).getUTCFullYear()).toBe(49);
    expect(utcEpochMs(0, 1, 1, 0, 0, 0, 0)).toBe(-62_167_219_200_000);
    expect(utcEpochMs(0, 2, 29, 6, 0, 0, 0)).toBe(yearMs(0, 1, 29, 6));
    expect(utcEpochMs(4, 2, 29, 0, 0, 0, 0)).toBe(yearMs(4, 1, 29));
    expect(utcEpochMs(9999, 12, 31, 23, 59, 59, 999)).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
  });

  it('refuses a time that does not exist rather than rolling it over', () => {
    const impossible: [number, number, number, number, number, number, number][] = [
      [2026, 2, 29, 0, 0, 0, 0],
      [2100, 2, 29, 0, 0, 0, 0],
      [100, 2, 29, 0, 0, 0, 0],
      [1, 2, 29, 0, 0, 0, 0],
      [2026, 4, 31, 0, 0, 0, 0],
      [2026, 0, 1, 0, 0, 0, 0],
      [2026, 13, 1, 0, 0, 0, 0],
      [2026, 1, 0, 0, 0, 0, 0],
      [2026, 1, 1, 24, 0, 0, 0],
      [2026, 1, 1, 0, 60, 0, 0],
      [2026, 1, 1, 0, 0, 60, 0],
      [2026, 1, 1, 0, 0, 0, 1000],
      [10000, 1, 1, 0, 0, 0, 0],
      [-1, 1, 1, 0, 0, 0, 0],
      [2026, 1, 1, -1, 0, 0, 0],
      [2026, 1, 1, 0, -1, 0, 0],
      [2026, 1, 1, 0, 0, -1, 0],
      [2026, 1, 1, 0, 0, 0, -1],
      // A field that is not a number at all.
      [Number.NaN, 1, 1, 0, 0, 0, 0],
      [2026, Number.NaN, 1, 0, 0, 0, 0],
      [2026, 1, Number.NaN, 0, 0, 0, 0],
      [2026, 1, 1, Number.NaN, 0, 0, 0],
      [2026, 1, 1, 0, Number.NaN, 0, 0],
      [2026, 1, 1, 0, 0, Number.NaN, 0],
      [2026, 1, 1, 0, 0, 0, Number.NaN],
    ];
    for (const fields of impossible) expect(utcEpochMs(...fields)).toBeNull();
  });

  it('agrees with Date for every day of years 100–9999 and, through setUTCFullYear, of years 0–99', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (epochMs) => {
        const d = new Date(epochMs);
        const read = utcEpochMs(
          d.getUTCFullYear(),
          d.getUTCMonth() + 1,
          d.getUTCDate(),
          d.getUTCHours(),
          d.getUTCMinutes(),
          d.getUTCSeconds(),
          d.getUTCMilliseconds(),
        );
        expect(read).toBe(epochMs);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('readOpensslTime', () => {
  it('reads the year OpenSSL prints with %d as that year: "49" is 49, never 2049', () => {
    expect(readOpensslTime('Jan  1 00:00:00 49 GMT')).toBe(yearMs(49, 0, 1));
    expect(readOpensslTime('Jan  1 00:00:00 0 GMT')).toBe(yearMs(0, 0, 1));
    expect(readOpensslTime('Feb 29 00:00:00 0 GMT')).toBe(yearMs(0, 1, 29));
    expect(readOpensslTime('Dec 31 23:59:59 999 GMT')).toBe(yearMs(999, 11, 31, 23, 59, 59));
    expect(readOpensslTime('Jan  1 00:00:00 1000 GMT')).toBe(Date.UTC(1000, 0, 1));
    expect(readOpensslTime('Dec 31 23:59:59 2049 GMT')).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(readOpensslTime('Dec 31 23:59:59 9999 GMT')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
    expect(readOpensslTime('Nov 23 05:46:01 2026 GMT')).toBe(Date.UTC(2026, 10, 23, 5, 46, 1));
  });

  it('reads fractional seconds to the millisecond, and nothing finer', () => {
    expect(readOpensslTime('Jan  1 00:00:00.5 2050 GMT')).toBe(Date.UTC(2050, 0, 1, 0, 0, 0, 500));
    expect(readOpensslTime('Jan  1 00:00:00.123 2050 GMT')).toBe(Date.UTC(2050, 0, 1, 0, 0, 0, 123));
    expect(readOpensslTime('Jan  1 00:00:00.1230000 2050 GMT')).toBe(Date.UTC(2050, 0, 1, 0, 0, 0, 123));
    expect(readOpensslTime('Jan  1 00:00:00.123456 2050 GMT')).toBeNull();
    expect(readOpensslTime('Jan  1 00:00:00.0001 2050 GMT')).toBeNull();
  });

  it('reads nothing it cannot read exactly', () => {
    const unreadable = [
      'Bad time value',
      '',
      'Jan  1 00:00:00 2050', // no zone: not the text OpenSSL 3 prints for a certificate
      'Jan  1 00:00:00 2050 UTC',
      'Jan 1 00:00:00 2050 GMT',
      'jan  1 00:00:00 2050 GMT',
      'Foo  1 00:00:00 2050 GMT',
      'Feb 29 00:00:00 2100 GMT',
      'Feb 30 00:00:00 2024 GMT',
      'Jan  1 24:00:00 2050 GMT',
      'Jan  1 00:00:60 2050 GMT',
      'Jan  1 00:00:00 10000 GMT',
      'Jan  1 00:00:00 -1 GMT',
      'Jan  1 00:00:00. 2050 GMT',
      ' Jan  1 00:00:00 2050 GMT',
      '2050-01-01T00:00:00Z',
    ];
    for (const text of unreadable) expect(readOpensslTime(text)).toBeNull();
  });
});

describe('fieldsFromX509', () => {
  it("reads an empty subject or issuer as empty text (Node 20 gives undefined for them, Node 22 '')", () => {
    const der = craft({ subject: sequence(), extensions: [subjectAltName(dnsName('a.example'))] });
    expect(new X509Certificate(der).subject).toBe(NODE_MAJOR >= 22 ? '' : undefined);
    expect(x509Fields(der)).toMatchObject({
      subject: '',
      issuer: 'CN=Crafted CA',
      commonName: null,
      dnsNames: ['a.example'],
      notAfterMs: NOT_AFTER,
    });
    const emptyIssuer = craft({ issuer: sequence() });
    expect(new X509Certificate(emptyIssuer).issuer).toBe(NODE_MAJOR >= 22 ? '' : undefined);
    expect(x509Fields(emptyIssuer)).toMatchObject({ issuer: '', notBeforeMs: NOT_BEFORE });
  });

  it('reads a GeneralizedTime year below 1000 as that year, fractions and offsets as OpenSSL does', () => {
    expect(x509Fields(craft({ notAfter: generalizedTime('00490101000000Z') }))).toMatchObject({
      notAfterMs: yearMs(49, 0, 1),
    });
    expect(x509Fields(craft({ notBefore: generalizedTime('00010101000000Z') }))).toMatchObject({
      notBeforeMs: yearMs(1, 0, 1),
    });
    expect(x509Fields(craft({ notAfter: utcTime('260101000000+0100') }))).toMatchObject({
      notAfterMs: Date.UTC(2025, 11, 31, 23),
    });
    expect(x509Fields(craft({ notAfter: generalizedTime('20500101000000.25Z') }))).toMatchObject({
      notAfterMs: Date.UTC(2050, 0, 1, 0, 0, 0, 250),
    });
    expect(x509Fields(craft({ notAfter: generalizedTime('20500101000000.25+0130') }))).toMatchObject({
      notAfterMs: Date.UTC(2049, 11, 31, 22, 30, 0, 250),
    });
  });

  it('reads a time without seconds as OpenSSL 3.0 does; the chain reads it where OpenSSL does not decode it', () => {
    const cases: [Buffer, number][] = [
      [utcTime('2601010000Z'), Date.UTC(2026, 0, 1)],
      [generalizedTime('205001010000Z'), Date.UTC(2050, 0, 1)],
    ];
    for (const [time, epochMs] of cases) {
      const der = craft({ notAfter: time });
      // OpenSSL 3.5 (Node 22) does not decode it: decodedOrRefused allows that there, and only there.
      const x509 = decodedOrRefused(der);
      if (x509) expect(fieldsFromX509(x509)).toMatchObject({ notAfterMs: epochMs });
      expect(readPemChain(certificatePem(der)).chain?.leaf.notAfterMs).toBe(epochMs);
    }
  });

  it('says which validity date it cannot read exactly, and what OpenSSL made of it', () => {
    expect(x509Fields(craft({ notAfter: generalizedTime('20270229000000Z') }))).toEqual({
      unreadable: 'notAfter cannot be read exactly (OpenSSL gives "Bad time value")',
    });
    expect(x509Fields(craft({ notBefore: generalizedTime('20500101000000.123456Z') }))).toEqual({
      unreadable: 'notBefore cannot be read exactly (OpenSSL gives "Jan  1 00:00:00.123456 2050 GMT")',
    });
    // A time with no zone: OpenSSL 3.0 decodes it and prints "Bad time value"; 3.5 does not decode it. The
    // chain says the same either way, in the DER reader's words.
    const noZone = craft({ notAfter: generalizedTime('20300101000000') });
    const decoded = decodedOrRefused(noZone);
    if (decoded) {
      expect(fieldsFromX509(decoded)).toEqual({
        unreadable: 'notAfter cannot be read exactly (OpenSSL gives "Bad time value")',
      });
    }
    expect(readPemChain(certificatePem(noZone)).problems).toEqual([
      'PEM block 1 is a certificate whose notAfter is a GeneralizedTime without a zone ("20300101000000"), ' +
        'so the expiry cannot be read from the PEM',
    ]);
    // Year 0000 less an hour is before any year OpenSSL prints: Node 20 (OpenSSL 3.0) gives "Bad time value",
    // Node 22 (OpenSSL 3.5) undefined.
    const beforeYearZero = new X509Certificate(craft({ notAfter: generalizedTime('00000101000000+0100') }));
    expect(beforeYearZero.validTo).toBe(NODE_MAJOR >= 22 ? undefined : 'Bad time value');
    expect(fieldsFromX509(beforeYearZero)).toEqual({
      unreadable:
        NODE_MAJOR >= 22
          ? 'notAfter cannot be read (OpenSSL gives no text for it)'
          : 'notAfter cannot be read exactly (OpenSSL gives "Bad time value")',
    });
  });
});
