import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boolean,
  explicit,
  namedBits,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
  tlv,
  unsignedInteger,
  utf8String,
} from '../../../emulator/x509/der';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { type CertificateFields, fieldsFromX509 } from '../../../lib/pem/certificateFields';
import { Tag } from '../../../lib/pem/der';
import { type DeclinedFields, readCertificateFields } from '../../../lib/pem/derCertificate';
import {
  cn,
  craft,
  decodedOrRefused,
  dnsName,
  extension,
  generalizedTime,
  NOT_AFTER,
  NOT_BEFORE,
  name,
  stringValue,
  subjectAltName,
  utcTime,
} from './craftedCertificate';

/** What the X509Certificate path reads, or null where it cannot read the certificate, or not exactly. */
function reference(der: Buffer): CertificateFields | null {
  try {
    const fields = fieldsFromX509(new X509Certificate(der));
    return 'unreadable' in fields ? null : fields;
  } catch {
    return null;
  }
}

/** The DER reader reads it, and reads exactly what X509Certificate reads. */
function expectRead(der: Buffer): CertificateFields {
  const fields = readCertificateFields(der);
  expect(fields).not.toHaveProperty('declined');
  expect(fields).toEqual(reference(der));
  return fields as CertificateFields;
}

/** The DER reader leaves it to X509Certificate, and says why. */
function expectDeclined(der: Buffer): DeclinedFields {
  const fields = readCertificateFields(der);
  expect(fields).toMatchObject({ declined: expect.any(String), validity: expect.any(Boolean) });
  return fields as DeclinedFields;
}

/** An instant in any year, months from 0 as Date.UTC takes them: Date.UTC alone maps years 0–99 to 19YY. */
function yearMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(Date.UTC(2000, month, day, hour, minute, second));
  date.setUTCFullYear(year, month, day);
  return date.getTime();
}

const basicConstraints = (...content: Buffer[]) => extension('2.5.29.19', sequence(...content), true);
const keyUsage = (...bits: number[]) => extension('2.5.29.15', namedBits(bits), true);
const KEY_CERT_SIGN = 5;

describe('readCertificateFields, against X509Certificate', () => {
  it('reads the emulator chains, RSA and ECDSA, leaf, intermediate and root', () => {
    for (const keyType of ['rsa', 'ec'] as const) {
      const made = makeTestCertificate({
        keyType,
        notAfter: NOT_AFTER,
        dnsNames: ['a.example', 'b.example'],
      });
      for (const pem of [made.leafPem, made.intermediatePem, made.rootPem]) {
        expectRead(new X509Certificate(pem).raw);
      }
    }
  });

  it('prints names as Node does: RFC 2253 escapes, control characters, UTF-8, the known short names', () => {
    const values = [
      'plain',
      'a,b+c"d\\e<f>g;h',
      '#lead',
      'trail#',
      '#',
      ' ',
      ' both ',
      'x=y',
      "it's",
      '',
      '中文 名称',
      '\uFEFFbom',
      'tab\there',
    ];
    for (const value of values) {
      const fields = expectRead(craft({ subject: cn(value) }));
      expect(fields.commonName).not.toBeNull();
    }
    expect(expectRead(craft({ subject: cn('a,b') })).subject).toBe('CN=a\\,b');
    expect(
      expectRead(craft({ subject: name(['2.5.4.3', stringValue(Tag.Ia5String, 'a\x01b')]) })).subject,
    ).toBe('CN=a\\01b');
    expectRead(craft({ subject: name(['2.5.4.6', stringValue(Tag.PrintableString, "CN (x+y), '?:=/-.")]) }));
    const shortNames = [
      '2.5.4.3',
      '2.5.4.4',
      '2.5.4.5',
      '2.5.4.6',
      '2.5.4.7',
      '2.5.4.8',
      '2.5.4.9',
      '2.5.4.10',
      '2.5.4.11',
      '2.5.4.12',
      '2.5.4.13',
      '2.5.4.15',
      '2.5.4.17',
      '2.5.4.42',
      '2.5.4.43',
      '2.5.4.44',
      '2.5.4.46',
      '2.5.4.65',
      '2.5.4.97',
      '1.2.840.113549.1.9.1',
      '0.9.2342.19200300.100.1.25',
      '0.9.2342.19200300.100.1.1',
      '1.3.6.1.4.1.311.60.2.1.1',
      '1.3.6.1.4.1.311.60.2.1.2',
      '1.3.6.1.4.1.311.60.2.1.3',
    ];
    const all = name(...shortNames.map((oid): [string, Buffer] => [oid, utf8String('v')]));
    expect(expectRead(craft({ subject: all, issuer: all })).subject.split(', ')).toHaveLength(
      shortNames.length,
    );
    // The first CN is the common name, escaped as printed.
    const twoNames = name(
      ['2.5.4.10', utf8String('Org')],
      ['2.5.4.3', utf8String('a+b')],
      ['2.5.4.3', utf8String('c')],
    );
    expect(expectRead(craft({ subject: twoNames })).commonName).toBe('a\\+b');
    expect(expectRead(craft({ subject: name(['2.5.4.10', utf8String('Org only')]) })).commonName).toBeNull();
  });

  it('leaves unusual names to X509Certificate', () => {
    const multiValued = sequence(
      set(
        sequence(objectIdentifier('2.5.4.3'), utf8String('a')),
        sequence(objectIdentifier('2.5.4.10'), utf8String('b')),
      ),
    );
    expectDeclined(craft({ subject: multiValued }));
    expectDeclined(craft({ subject: name(['1.2.3.4.5', utf8String('unknown type')]) }));
    expectDeclined(craft({ subject: name(['2.5.4.3', stringValue(0x1e, Buffer.from('\0a\0b'))]) })); // BMPString
    expectDeclined(craft({ subject: name(['2.5.4.3', stringValue(Tag.PrintableString, 'under_score')]) }));
    expectDeclined(
      craft({ subject: name(['2.5.4.3', stringValue(Tag.Ia5String, Buffer.from([0x61, 0xe9]))]) }),
    );
    expectDeclined(craft({ subject: name(['2.5.4.3', tlv(Tag.Utf8String, Buffer.from([0x61, 0xc3]))]) }));
  });

  it('reads an empty subject (a leaf named in its subjectAltName only) and an empty issuer as empty text', () => {
    const sanOnly = expectRead(
      craft({ subject: sequence(), extensions: [subjectAltName(dnsName('a.example'))] }),
    );
    expect(sanOnly).toMatchObject({ subject: '', commonName: null, dnsNames: ['a.example'] });
    expect(sanOnly.issuer).toBe('CN=Crafted CA');
    expect(expectRead(craft({ issuer: sequence() }))).toMatchObject({
      issuer: '',
      subject: 'CN=crafted.example',
    });
    expect(expectRead(craft({ subject: sequence(), issuer: sequence() }))).toMatchObject({
      subject: '',
      issuer: '',
      commonName: null,
    });
  });

  it('reads times in Z to the second: UTCTime YY ≥ 50 is 19YY, GeneralizedTime for any year 0000–9999', () => {
    const cases: [Buffer, number][] = [
      [utcTime('500101000000Z'), Date.UTC(1950, 0, 1)],
      [utcTime('491231235959Z'), Date.UTC(2049, 11, 31, 23, 59, 59)],
      [utcTime('991231235959Z'), Date.UTC(1999, 11, 31, 23, 59, 59)],
      [utcTime('000101000000Z'), Date.UTC(2000, 0, 1)],
      [utcTime('280229120000Z'), Date.UTC(2028, 1, 29, 12)],
      [utcTime('000229000000Z'), Date.UTC(2000, 1, 29)],
      [generalizedTime('20500101000000Z'), Date.UTC(2050, 0, 1)],
      [generalizedTime('99991231235959Z'), Date.UTC(9999, 11, 31, 23, 59, 59)],
      [generalizedTime('19491231235959Z'), Date.UTC(1949, 11, 31, 23, 59, 59)],
      [generalizedTime('10000101000000Z'), Date.UTC(1000, 0, 1)],
      // RFC 5280 wants UTCTime for these years, but four digits are unambiguous (and OpenSSL reads them).
      [generalizedTime('20260101000000Z'), Date.UTC(2026, 0, 1)],
      [generalizedTime('19500101000000Z'), Date.UTC(1950, 0, 1)],
      [generalizedTime('20491231235959Z'), Date.UTC(2049, 11, 31, 23, 59, 59)],
      // Years below 1000 are those years: Date.UTC would make 0049 into 1949, Date.parse of "49" 2049.
      [generalizedTime('09991231235959Z'), yearMs(999, 11, 31, 23, 59, 59)],
      [generalizedTime('00490101000000Z'), yearMs(49, 0, 1)],
      [generalizedTime('00010101000000Z'), yearMs(1, 0, 1)],
      [generalizedTime('00000101000000Z'), yearMs(0, 0, 1)],
      [generalizedTime('00000229000000Z'), yearMs(0, 1, 29)], // year 0 is a leap year (divisible by 400)
      [generalizedTime('00040229120000Z'), yearMs(4, 1, 29, 12)],
    ];
    for (const [encoded, epochMs] of cases) {
      expect(expectRead(craft({ notBefore: encoded })).notBeforeMs).toBe(epochMs);
      expect(expectRead(craft({ notAfter: encoded })).notAfterMs).toBe(epochMs);
    }
  });

  it('reads the other forms OpenSSL 3.0 reads, as it reads them: no seconds, a fraction, an offset', () => {
    // What `openssl x509 -enddate` (OpenSSL 3.0.19) prints for each. Node 22's OpenSSL 3.5 does not decode a
    // certificate whose time is shorter than …HHMMSSZ: the DER reader must read those alone.
    const cases: [Buffer, number][] = [
      [utcTime('3001010000Z'), Date.UTC(2030, 0, 1)],
      [utcTime('2802290000Z'), Date.UTC(2028, 1, 29)],
      [utcTime('300101000000+0100'), Date.UTC(2029, 11, 31, 23)],
      [utcTime('3001010000+0100'), Date.UTC(2029, 11, 31, 23)],
      [utcTime('3001010000-0530'), Date.UTC(2030, 0, 1, 5, 30)],
      [utcTime('300101000000+1200'), Date.UTC(2029, 11, 31, 12)],
      [utcTime('300101000000-1259'), Date.UTC(2030, 0, 1, 12, 59)],
      [utcTime('300101000000+0000'), Date.UTC(2030, 0, 1)],
      [utcTime('300101000000-0000'), Date.UTC(2030, 0, 1)],
      // An offset may carry a UTCTime past 2049 or before 1950: it is arithmetic, not a new encoding.
      [utcTime('491231230000-0100'), Date.UTC(2050, 0, 1)],
      [utcTime('500101000000+0100'), Date.UTC(1949, 11, 31, 23)],
      [generalizedTime('205001010000Z'), Date.UTC(2050, 0, 1)],
      [generalizedTime('004801010000Z'), yearMs(48, 0, 1)],
      [generalizedTime('205001010000+0100'), Date.UTC(2049, 11, 31, 23)],
      [generalizedTime('20500101000000.5Z'), Date.UTC(2050, 0, 1, 0, 0, 0, 500)],
      [generalizedTime('20500101000000.0Z'), Date.UTC(2050, 0, 1)],
      [generalizedTime('20500101000000.999Z'), Date.UTC(2050, 0, 1, 0, 0, 0, 999)],
      [generalizedTime('20500101000000.1230000Z'), Date.UTC(2050, 0, 1, 0, 0, 0, 123)],
      [generalizedTime(`20500101000000.${'0'.repeat(60)}Z`), Date.UTC(2050, 0, 1)],
      [generalizedTime('20500101000000.5+0100'), Date.UTC(2049, 11, 31, 23, 0, 0, 500)],
      [generalizedTime('20500101000000.5-0030'), Date.UTC(2050, 0, 1, 0, 30, 0, 500)],
      [generalizedTime('20280301000000+0100'), Date.UTC(2028, 1, 29, 23)],
      // OpenSSL applies no offset of zero, so any year keeps one; another offset keeps to 1900–9999.
      [generalizedTime('00490101000000+0000'), yearMs(49, 0, 1)],
      [generalizedTime('18991231230000-0100'), Date.UTC(1900, 0, 1)],
      [generalizedTime('19000101010000+0100'), Date.UTC(1900, 0, 1)],
      [generalizedTime('99991231225959-0100'), Date.UTC(9999, 11, 31, 23, 59, 59)],
    ];
    for (const [encoded, epochMs] of cases) {
      for (const field of ['notBefore', 'notAfter'] as const) {
        const der = craft({ [field]: encoded });
        const fields = readCertificateFields(der);
        expect(fields, encoded.toString('latin1')).toMatchObject({ [`${field}Ms`]: epochMs });
        const x509 = decodedOrRefused(der);
        if (x509) expect(fieldsFromX509(x509), encoded.toString('latin1')).toEqual(fields);
      }
    }
  });

  it('declines what OpenSSL 3.0 gives no exact date for, saying what the time holds', () => {
    const unusual: [Buffer, string][] = [
      [utcTime('260101000000z'), 'a UTCTime that is not a date and time ("260101000000z")'],
      [utcTime('260101000000'), 'a UTCTime without a zone ("260101000000")'],
      [utcTime('2601010000'), 'a UTCTime without a zone ("2601010000")'],
      [utcTime('260229000000Z'), 'a UTCTime naming a date or time that does not exist ("260229000000Z")'],
      [utcTime('260101000060Z'), 'a UTCTime naming a date or time that does not exist ("260101000060Z")'],
      [utcTime('261301000000Z'), 'a UTCTime naming a date or time that does not exist ("261301000000Z")'],
      [utcTime('260100000000Z'), 'a UTCTime naming a date or time that does not exist ("260100000000Z")'],
      [utcTime('260101240000Z'), 'a UTCTime naming a date or time that does not exist ("260101240000Z")'],
      [utcTime('2602290000Z'), 'a UTCTime naming a date or time that does not exist ("2602290000Z")'],
      [utcTime('26010100000AZ'), 'a UTCTime that is not a date and time ("26010100000AZ")'],
      [utcTime('26010100Z'), 'a UTCTime that is not a date and time ("26010100Z")'],
      [utcTime('300101000000.5Z'), 'a UTCTime with a fraction of a second ("300101000000.5Z")'],
      [utcTime('300101000000+01'), 'a UTCTime that is not a date and time ("300101000000+01")'],
      [
        utcTime('300101000000+1300'),
        'a UTCTime with an offset past 12 hours or 59 minutes ("300101000000+1300")',
      ],
      [
        utcTime('300101000000-0060'),
        'a UTCTime with an offset past 12 hours or 59 minutes ("300101000000-0060")',
      ],
      [
        generalizedTime('20500101000000.1234Z'),
        'a GeneralizedTime with a fraction finer than a millisecond ("20500101000000.1234Z")',
      ],
      [
        generalizedTime('205001010000.5Z'),
        'a GeneralizedTime with a fraction but no seconds ("205001010000.5Z")',
      ],
      [
        generalizedTime('20500101000000,5Z'),
        'a GeneralizedTime with a comma for a decimal point ("20500101000000,5Z")',
      ],
      [
        generalizedTime('20500101000000.Z'),
        'a GeneralizedTime that is not a date and time ("20500101000000.Z")',
      ],
      [generalizedTime('20500101000000.5'), 'a GeneralizedTime without a zone ("20500101000000.5")'],
      [generalizedTime('20300101000000'), 'a GeneralizedTime without a zone ("20300101000000")'],
      [
        generalizedTime('21000229000000Z'), // 2100 is not a leap year
        'a GeneralizedTime naming a date or time that does not exist ("21000229000000Z")',
      ],
      [
        generalizedTime('01000229000000Z'), // nor is year 100
        'a GeneralizedTime naming a date or time that does not exist ("01000229000000Z")',
      ],
      [
        // The date is checked as written, before the offset.
        generalizedTime('20500229000000+0100'),
        'a GeneralizedTime naming a date or time that does not exist ("20500229000000+0100")',
      ],
      [
        generalizedTime('00000101000000+0100'),
        'a GeneralizedTime with an offset that takes it outside the years 1900–9999, where OpenSSL applies ' +
          'none ("00000101000000+0100")',
      ],
      [
        generalizedTime('19000101000000+0100'),
        'a GeneralizedTime with an offset that takes it outside the years 1900–9999, where OpenSSL applies ' +
          'none ("19000101000000+0100")',
      ],
      [
        generalizedTime('99991231235959-0100'),
        'a GeneralizedTime with an offset that takes it outside the years 1900–9999, where OpenSSL applies ' +
          'none ("99991231235959-0100")',
      ],
      [generalizedTime('2050010100Z'), 'a GeneralizedTime that is not a date and time ("2050010100Z")'],
      [
        generalizedTime('20500101000000ZZ'),
        'a GeneralizedTime that is not a date and time ("20500101000000ZZ")',
      ],
      // The text is quoted inert and cut short: a time is no place for a control character or a page of text.
      [
        generalizedTime('20\x1b50\x850101000000Z'),
        'a GeneralizedTime that is not a date and time ("20\\u001b50\\x850101000000Z")',
      ],
      [
        generalizedTime(`20500101000000.${'0'.repeat(60)}`),
        `a GeneralizedTime that is not a date and time ("20500101000000.${'0'.repeat(25)}…")`,
      ],
      [tlv(Tag.Utf8String, Buffer.from('260101000000Z')), 'not a UTCTime or GeneralizedTime (tag 0x0c)'],
    ];
    for (const [encoded, description] of unusual) {
      expect(expectDeclined(craft({ notBefore: encoded }))).toEqual({
        declined: `notBefore is ${description}`,
        validity: true,
      });
      expect(expectDeclined(craft({ notAfter: encoded }))).toEqual({
        declined: `notAfter is ${description}`,
        validity: true,
      });
    }
    // Both times, when neither is read; and the validity before an odd name, which would be declined too.
    expect(
      expectDeclined(
        craft({
          notBefore: utcTime('2601010000'),
          notAfter: generalizedTime('20300101000000'),
          subject: name(['1.2.3.4.5', utf8String('unknown type')]),
        }),
      ),
    ).toEqual({
      declined:
        'notBefore is a UTCTime without a zone ("2601010000") and whose notAfter is a GeneralizedTime ' +
        'without a zone ("20300101000000")',
      validity: true,
    });
    expect(expectDeclined(craft({ subject: name(['1.2.3.4.5', utf8String('unknown type')]) }))).toEqual({
      declined: 'attribute type without a known short name',
      validity: false,
    });
  });

  it('reads ca as OpenSSL does: basicConstraints cA, and keyCertSign when keyUsage is there', () => {
    const caFields = (extensions: Buffer[]) => expectRead(craft({ extensions })).ca;
    expect(caFields([basicConstraints(boolean(true))])).toBe(true);
    expect(caFields([basicConstraints(boolean(true), unsignedInteger(0))])).toBe(true);
    expect(caFields([basicConstraints(boolean(true)), keyUsage(0, KEY_CERT_SIGN, 6)])).toBe(true);
    expect(caFields([basicConstraints(boolean(true)), keyUsage(0)])).toBe(false);
    expect(caFields([basicConstraints(boolean(true)), keyUsage(0, 8)])).toBe(false); // decipherOnly
    expect(caFields([basicConstraints()])).toBe(false);
    expect(caFields([keyUsage(KEY_CERT_SIGN)])).toBe(false);
    expect(caFields([subjectAltName(dnsName('x.example'))])).toBe(false);
    expect(expectRead(craft({ extensions: null })).ca).toBe(false);
  });

  it('reads SAN dNSNames in order beside addresses, e-mail and URIs, and common extensions it need not read', () => {
    const aia = extension(
      '1.3.6.1.5.5.7.1.1',
      sequence(
        sequence(objectIdentifier('1.3.6.1.5.5.7.48.1'), tlv(0x86, Buffer.from('http://ocsp.example'))),
      ),
    );
    const policies = extension('2.5.29.32', sequence(sequence(objectIdentifier('2.23.140.1.2.1'))));
    const crl = extension(
      '2.5.29.31',
      sequence(sequence(explicit(0, tlv(0xa0, tlv(0x86, Buffer.from('http://crl.example/ca.crl')))))),
    );
    const sct = extension('1.3.6.1.4.1.11129.2.4.2', octetString(Buffer.alloc(40, 7)));
    const eku = extension('2.5.29.37', sequence(objectIdentifier('1.3.6.1.5.5.7.3.1')));
    const keyIds = [
      extension('2.5.29.14', octetString(Buffer.alloc(20, 1))),
      extension('2.5.29.35', sequence(tlv(0x80, Buffer.alloc(20, 2)))),
    ];
    const san = subjectAltName(
      dnsName('www.example'),
      tlv(0x87, Buffer.from([192, 0, 2, 1])),
      tlv(0x81, Buffer.from('ops@example')),
      dnsName('*.example'),
      tlv(0x87, Buffer.alloc(16, 1)),
      tlv(0x86, Buffer.from('https://example/')),
      dnsName(''),
    );
    const fields = expectRead(
      craft({ extensions: [basicConstraints(), keyUsage(0), eku, san, ...keyIds, aia, policies, crl, sct] }),
    );
    expect(fields.dnsNames).toEqual(['www.example', '*.example', '']);
  });

  it('leaves extensions it does not fully understand to X509Certificate', () => {
    const declined = [
      [extension('1.2.3.4', octetString(Buffer.from('x')), true)], // unknown, critical
      [extension('1.2.3.4', octetString(Buffer.from('x')))], // unknown
      [extension('2.5.29.30', sequence(), true)], // nameConstraints
      [subjectAltName(dnsName('a.example')), subjectAltName(dnsName('b.example'))], // twice
      [subjectAltName(dnsName('a,b.example'))], // Node would quote it
      [subjectAltName(dnsName("o'brien.example"))],
      [subjectAltName(dnsName(Buffer.from([0x61, 0xe9])))],
      [subjectAltName(tlv(0xa4, cn('dir')))], // directoryName
      [subjectAltName()],
      [basicConstraints(unsignedInteger(1))], // a path length without cA
      [basicConstraints(boolean(false))], // FALSE written out, which DER forbids
      [extension('2.5.29.15', tlv(Tag.BitString, Buffer.from([0])), true)], // empty keyUsage
      [extension('2.5.29.15', tlv(Tag.BitString, Buffer.from([0, 0x80])), true)], // trailing zero bits
      [extension('2.5.29.35', sequence(tlv(0x82, Buffer.from([1]))))], // authority serial only
      [extension('2.5.29.32', sequence(), true)], // critical policies
      [sequence(objectIdentifier('2.5.29.17'), boolean(false), octetString(sequence(dnsName('x'))))],
      [extension('2.5.29.17', Buffer.concat([sequence(dnsName('x')), Buffer.from([0])]))], // trailing byte
      [],
    ];
    for (const extensions of declined) expectDeclined(craft({ extensions }));
  });

  it('leaves v1, unique identifiers, unusual algorithms and BER to X509Certificate', () => {
    expectDeclined(craft({ version: Buffer.alloc(0), extensions: null }));
    expectDeclined(craft({ version: explicit(0, unsignedInteger(1)) }));
    expectDeclined(craft({ extraFields: [tlv(0x81, Buffer.from([0, 1]))] }));
    const pss = sequence(objectIdentifier('1.2.840.113549.1.1.10'), sequence());
    expectDeclined(craft({ signatureAlgorithm: pss }));
    expectDeclined(
      craft({
        signatureAlgorithm: sequence(objectIdentifier('1.2.840.10045.4.3.2'), nullValue(), nullValue()),
      }),
    );
    const der = craft();
    expectDeclined(Buffer.concat([der, Buffer.from([0])]));
    // The same certificate with its outer length in a needless long form.
    const length = der.readUInt16BE(2);
    const ber = Buffer.concat([Buffer.from([0x30, 0x83, 0, length >> 8, length & 0xff]), der.subarray(4)]);
    expectDeclined(ber);
    expect(reference(ber)).not.toBeNull();
  });

  it('never reads a damaged certificate differently from X509Certificate: it reads it the same, or declines', () => {
    const samples = [
      craft(),
      new X509Certificate(makeTestCertificate({ keyType: 'rsa', notAfter: NOT_AFTER }).leafPem).raw,
      craft({ extensions: [basicConstraints(boolean(true)), keyUsage(KEY_CERT_SIGN)], subject: cn('a,b') }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        fc.option(fc.nat(), { nil: undefined }),
        (original, edits, cut) => {
          const der = Buffer.from(original);
          for (const [at, byte] of edits) der[at % der.length] = byte;
          const damaged = cut === undefined ? der : der.subarray(0, cut % der.length);
          const fields = readCertificateFields(damaged);
          if (!('declined' in fields)) expect(fields).toEqual(reference(damaged));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('is not misled by validity the old path could not read, nor by garbage', () => {
    expectDeclined(Buffer.alloc(0));
    expectDeclined(Buffer.from([0x30, 0x80, 0, 0]));
    expectDeclined(Buffer.from('not a certificate'));
    expect(expectRead(craft({ notBefore: utcTime('260101000000Z') })).notBeforeMs).toBe(Date.UTC(2026, 0, 1));
    expect(NOT_BEFORE).toBeLessThan(NOT_AFTER);
  });
});
