import { hash, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificatePem, issueCertificate } from '../../../emulator/x509/certificate';
import { sequence, utf8String } from '../../../emulator/x509/der';
import { pooledKey } from '../../../emulator/x509/keys';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { evaluate } from '../../../lib/expiry/evaluate';
import { toIsoUtc } from '../../../lib/expiry/instant';
import { createPemReader, readPemChain } from '../../../lib/pem/chain';
import { mapSslInfo } from '../../../lib/providers/ucloud/mapper';
import { observed } from '../../helpers/observed';
import { armour } from '../../helpers/pem';
import {
  cn,
  craftAuthority,
  craftLeaf,
  decodedOrRefused,
  dnsName,
  generalizedTime,
  longFormLength,
  NOT_AFTER,
  name,
  subjectAltName,
  utcTime,
} from './craftedCertificate';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;

describe('readPemChain', () => {
  it('reads leaf, intermediate and root in order, with names and fingerprints', () => {
    const cert = makeTestCertificate({
      keyType: 'ec',
      notAfter: NOW + 30 * DAY,
      dnsNames: ['shop.example', 'www.shop.example'],
      includeRoot: true,
    });
    const { chain, droppedBlocks } = readPemChain(cert.pem);
    expect(droppedBlocks).toBe(0);
    expect(chain?.leaf).toMatchObject({
      commonName: 'shop.example',
      dnsNames: ['shop.example', 'www.shop.example'],
      notAfterMs: NOW + 30 * DAY,
      selfSigned: false,
      ca: false,
    });
    expect(chain?.intermediates).toHaveLength(1);
    expect(chain?.roots).toHaveLength(1);
    expect(chain?.roots[0]?.selfSigned).toBe(true);
    expect(chain?.problems).toEqual([]);
  });

  it('drops a private key block unread: nothing of it is in the result', () => {
    const cert = makeTestCertificate({ keyType: 'rsa', notAfter: NOW + DAY, includeKey: true });
    expect(cert.pem).toContain('PRIVATE KEY');
    const result = readPemChain(cert.pem);
    expect(result.droppedBlocks).toBe(1);
    expect(result.chain?.leaf.notAfterMs).toBe(NOW + DAY);
    const keyBody = cert.leafPrivateKeyPem.split('\n')[1]!;
    expect(JSON.stringify(result)).not.toContain(keyBody);
    expect(JSON.stringify(result)).not.toContain('PRIVATE');
  });

  it('reads a key block first, CRLF line ends and a chain stored out of order, and says so', () => {
    const cert = makeTestCertificate({ notAfter: NOW + DAY, includeKey: false });
    const messy = `${cert.leafPrivateKeyPem}${cert.intermediatePem}${cert.leafPem}`.replaceAll('\n', '\r\n');
    const { chain } = readPemChain(messy);
    expect(chain?.leaf.notAfterMs).toBe(NOW + DAY);
    expect(chain?.intermediates).toHaveLength(1);
    expect(chain?.problems).toContain('chain is stored out of order (leaf, then each issuer, is expected)');
  });

  it('picks the intermediate that signed the leaf when several share its name', () => {
    const stale = makeTestCertificate({ notAfter: NOW + 100 * DAY, intermediateNotAfter: NOW - DAY });
    const renewed = makeTestCertificate({ notAfter: NOW + 100 * DAY, intermediateNotAfter: NOW + 300 * DAY });
    // Same name, another key, the latest expiry of all: it did not sign the leaf, so it is not the issuer.
    const impostorKey = pooledKey('ec', 'impostor-intermediate');
    const impostor = issueCertificate({
      subject: { commonName: 'Certwatch Test Intermediate CA', organization: 'Certwatch Tests' },
      publicKey: impostorKey.publicKey,
      issuer: { selfSigned: true, privateKey: impostorKey.privateKey },
      serialNumber: 99n,
      notBefore: NOW - DAY,
      notAfter: NOW + 900 * DAY,
      ca: true,
    });
    const pem = renewed.leafPem + stale.intermediatePem + impostor.pem + renewed.intermediatePem;
    const { chain } = readPemChain(pem);
    expect(chain?.intermediates.map((c) => c.notAfterMs)).toEqual([NOW + 300 * DAY]);
    expect(chain?.problems.join('\n')).toMatch(
      /3 certificates are named ".*Intermediate CA.*"; the one that signed/,
    );
  });

  it('reads a certificate stored twice once, and says when there is no end-entity certificate', () => {
    const cert = makeTestCertificate({ notAfter: NOW + DAY });
    const doubled = readPemChain(cert.leafPem + cert.leafPem + cert.intermediatePem + cert.intermediatePem);
    expect(doubled.chain?.problems).toEqual([]);
    expect(doubled.chain?.intermediates).toHaveLength(1);

    const caOnly = readPemChain(cert.intermediatePem + cert.rootPem);
    expect(caOnly.chain?.leaf.ca).toBe(true);
    expect(caOnly.chain?.problems.join()).toMatch(/no end-entity certificate/);
  });

  it('explains what is wrong instead of throwing', () => {
    expect(readPemChain('').problems).toEqual(['no PEM content']);
    expect(readPemChain('hello').problems).toEqual(['no PEM blocks found']);
    expect(readPemChain(armour('CERTIFICATE', 'AAAA')).problems).toEqual([
      'PEM block 1 is not a readable X.509 certificate (tag 0x00 where a SEQUENCE was expected), ' +
        'so the expiry cannot be read from the PEM',
    ]);
    expect(readPemChain(armour('PRIVATE KEY', 'AAAA'))).toEqual({
      chain: null,
      problems: ['PEM contains no certificate'],
      droppedBlocks: 1,
    });
  });

  it('never throws, whatever the text', () => {
    const cert = makeTestCertificate({ notAfter: NOW + DAY });
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: cert.pem.length }), (noise, cut) => {
        readPemChain(noise);
        readPemChain(cert.pem.slice(0, cut) + noise);
        return true;
      }),
      { numRuns: 500 },
    );
  });
});

const THRESHOLDS = { warningDays: 30, criticalDays: 7 };
const root = craftAuthority('Chain Test Root', null);
const intermediate = craftAuthority('Chain Test Intermediate', root);
const rootPem = certificatePem(root.der);
const intermediatePem = certificatePem(intermediate.der);
const fingerprint = (der: Buffer) =>
  new X509Certificate(der).fingerprint256.replaceAll(':', '').toLowerCase();

/** Every order of the given items. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('readPemChain: empty names', () => {
  const sanOnly = craftLeaf(intermediate, {
    subject: sequence(),
    extensions: [subjectAltName(dnsName('san-only.example'))],
  });

  it('reads a leaf named only in its subjectAltName, alone and in its chain in any order', () => {
    for (const order of permutations([certificatePem(sanOnly), intermediatePem, rootPem])) {
      const { chain } = readPemChain(order.join(''));
      expect(chain?.leaf).toMatchObject({
        subject: '',
        commonName: null,
        dnsNames: ['san-only.example'],
        notAfterMs: NOT_AFTER,
        fingerprintSha256: fingerprint(sanOnly),
      });
      expect(chain?.intermediates.map((c) => c.subject)).toEqual(['CN=Chain Test Intermediate']);
      expect(chain?.roots.map((c) => c.subject)).toEqual(['CN=Chain Test Root']);
    }
  });

  it('never takes an empty subject for the issuer of an empty issuer', () => {
    // A certificate with an empty subject beside one with an empty issuer: the names are equal, yet neither
    // names the other. Each is read as itself, and the one stored first is the leaf.
    const emptyIssuer = craftLeaf(intermediate, {
      issuer: sequence(),
      extensions: [subjectAltName(dnsName('empty-issuer.example'))],
    });
    for (const [first, second] of [
      [sanOnly, emptyIssuer],
      [emptyIssuer, sanOnly],
    ] as const) {
      const { chain } = readPemChain(certificatePem(first) + certificatePem(second) + intermediatePem);
      expect(chain?.leaf.fingerprintSha256).toBe(fingerprint(first));
      expect(chain?.problems.join('\n')).toMatch(
        /2 unrelated end-entity certificates; the first, .* is used/,
      );
    }
    // An empty-subject CA that did sign the empty-issuer leaf is not its issuer by name either.
    const nameless = craftAuthority('nameless', root, { subject: sequence() });
    const child = craftLeaf(nameless, { extensions: [subjectAltName(dnsName('child.example'))] });
    for (const order of permutations([certificatePem(child), certificatePem(nameless.der)])) {
      const { chain } = readPemChain(order.join(''));
      expect(chain?.leaf.fingerprintSha256).toBe(fingerprint(child));
      expect(chain?.leaf.issuer).toBe('');
      expect(chain?.intermediates).toEqual([]);
      expect(chain?.problems).toContain(
        "1 certificate(s) in the PEM are not part of the leaf's chain and were ignored",
      );
    }
  });

  it('names a certificate with an empty subject by its DNS name in what it says', () => {
    const nameless = craftAuthority('nameless-ca', null, { subject: sequence() });
    expect(readPemChain(certificatePem(nameless.der)).problems).toEqual([
      'the PEM holds no end-entity certificate; the CA certificate with an empty subject and no DNS name ' +
        'is read as the leaf',
    ]);
    const other = craftLeaf(intermediate, { extensions: [subjectAltName(dnsName('other.example'))] });
    expect(readPemChain(certificatePem(sanOnly) + certificatePem(other)).problems).toEqual([
      'PEM holds 2 unrelated end-entity certificates; the first, named only in its subjectAltName ' +
        '(DNS:san-only.example), is used',
    ]);
  });
});

describe('readPemChain: a chain with an unreadable certificate', () => {
  // A notAfter that names no zone: OpenSSL 3.0 decodes the certificate and prints "Bad time value" for it, 3.5
  // does not decode it. No date to be had either way, and the same reason given.
  const unreadableLeaf = craftLeaf(intermediate, { notAfter: generalizedTime('20300101000000') });
  const unreadableIntermediate = craftAuthority('Chain Test Unreadable CA', root, {
    notAfter: generalizedTime('20300101000000'),
  });
  const leafOfUnreadable = craftLeaf(unreadableIntermediate);
  const damaged = armour('CERTIFICATE', certificatePem(intermediate.der).split('\n')[1]!);

  it("gives no chain rather than the next certificate's date and fingerprint", () => {
    const cases: [string, number][] = [
      [certificatePem(unreadableLeaf) + intermediatePem + rootPem, 1],
      [rootPem + intermediatePem + certificatePem(unreadableLeaf), 3],
      [certificatePem(leafOfUnreadable) + certificatePem(unreadableIntermediate.der) + rootPem, 2],
      [damaged + intermediatePem + rootPem, 1],
      [certificatePem(craftLeaf(intermediate)) + damaged + rootPem, 2],
    ];
    for (const [text, block] of cases) {
      const result = readPemChain(text);
      expect(result.chain).toBeNull();
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatch(
        new RegExp(`^PEM block ${block} is .*, so the expiry cannot be read from the PEM$`),
      );
      const record = evaluate(observed({ pem: text }), NOW, THRESHOLDS);
      expect(record).toMatchObject({ status: 'unknown', notAfterMs: null, fingerprintSha256: null });
    }
    expect(readPemChain(certificatePem(unreadableLeaf) + intermediatePem + rootPem).problems).toEqual([
      'PEM block 1 is a certificate whose notAfter is a GeneralizedTime without a zone ("20300101000000"), ' +
        'so the expiry cannot be read from the PEM',
    ]);
    expect(readPemChain(damaged + intermediatePem + rootPem).problems).toEqual([
      'PEM block 1 is not a readable X.509 certificate (an element that runs past the end of what holds it), ' +
        'so the expiry cannot be read from the PEM',
    ]);
  });

  it('says why, in the same words whichever decoder reads and whether or not OpenSSL decodes the certificate', () => {
    const cases: [Buffer, string][] = [
      [
        craftLeaf(intermediate, { notAfter: generalizedTime('20270229000000Z') }),
        'is a certificate whose notAfter is a GeneralizedTime naming a date or time that does not exist ' +
          '("20270229000000Z")',
      ],
      [
        craftLeaf(intermediate, { notBefore: generalizedTime('20250101000000.123456Z') }),
        'is a certificate whose notBefore is a GeneralizedTime with a fraction finer than a millisecond ' +
          '("20250101000000.123456Z")',
      ],
      [
        // Year 0000 less an hour: OpenSSL 3.0 prints "Bad time value", Node 22 gives no text at all.
        craftLeaf(intermediate, { notAfter: generalizedTime('00000101000000+0100') }),
        'is a certificate whose notAfter is a GeneralizedTime with an offset that takes it outside the years ' +
          '1900–9999, where OpenSSL applies none ("00000101000000+0100")',
      ],
      [
        // No zone and too short: OpenSSL 3.0 decodes it and prints "Bad time value"; 3.5 does not decode it.
        craftLeaf(intermediate, {
          notBefore: utcTime('2501010000'),
          notAfter: generalizedTime('20300101000000'),
        }),
        'is a certificate whose notBefore is a UTCTime without a zone ("2501010000") and whose ' +
          'notAfter is a GeneralizedTime without a zone ("20300101000000")',
      ],
    ];
    for (const [der, reason] of cases) {
      for (const decoder of ['der', 'x509'] as const) {
        expect(createPemReader({ decoder }).read(certificatePem(der) + intermediatePem).problems).toEqual([
          `PEM block 1 ${reason}, so the expiry cannot be read from the PEM`,
        ]);
      }
    }
  });

  it("through the UCloud mapper: the API's date when it gives one, else unknown, the block named either way", () => {
    const sslContent = certificatePem(unreadableLeaf) + intermediatePem + rootPem;
    const apiNotAfter = Date.UTC(2030, 0, 1);
    const withDate = evaluate(
      mapSslInfo({ SSLId: 'ssl-1', SSLContent: sslContent, NotAfter: apiNotAfter / 1000 }, 'cn-bj2', null),
      NOW,
      THRESHOLDS,
    );
    expect(withDate).toMatchObject({
      expirySource: 'api:NotAfter',
      notAfterMs: Date.parse('2030-01-01T00:00:00Z'),
    });
    expect(withDate.fingerprintSha256).toBeNull();
    expect(withDate.notes.join('\n')).toMatch(/^SSLContent: PEM block 1 is a certificate whose notAfter/m);
    const withoutDate = evaluate(
      mapSslInfo({ SSLId: 'ssl-1', SSLContent: sslContent }, 'cn-bj2', null),
      NOW,
      THRESHOLDS,
    );
    expect(withoutDate).toMatchObject({ status: 'unknown', expirySource: 'none', daysLeft: null });
    expect(withoutDate.notes).toContain('expiry unknown: the API gave no date and no readable certificate');
  });
});

describe('readPemChain: validity years below 1000', () => {
  it('reads a GeneralizedTime year 0049 as year 49, so the certificate is expired, not good until 2049', () => {
    const leaf = craftLeaf(intermediate, { notAfter: generalizedTime('00490101000000Z') });
    const { chain } = readPemChain(certificatePem(leaf) + intermediatePem);
    expect(new Date(chain!.leaf.notAfterMs).getUTCFullYear()).toBe(49);
    const record = evaluate(observed({ pem: certificatePem(leaf) + intermediatePem }), NOW, THRESHOLDS);
    expect(record).toMatchObject({ status: 'expired', expirySource: 'pem:leaf' });
    expect(toIsoUtc(record.notAfterMs!)).toBe('0049-01-01T00:00:00Z');
  });

  it('reads the same year through the X509Certificate path, when the DER reader leaves a certificate to it', () => {
    // A needless long-form length (BER) on notBefore sends the certificate to X509Certificate, which prints year
    // 49 as "49".
    const leaf = craftLeaf(intermediate, {
      notBefore: longFormLength(generalizedTime('00480101000000Z')),
      notAfter: generalizedTime('00490101000000Z'),
    });
    const reader = createPemReader();
    const { chain } = reader.read(certificatePem(leaf));
    expect(reader.counts).toMatchObject({ der: 0, x509: 1 });
    expect(chain?.leaf.notAfterMs).toBe(new Date('0049-01-01T00:00:00Z').getTime());
    expect(chain?.leaf.notBeforeMs).toBe(new Date('0048-01-01T00:00:00Z').getTime());
  });

  it('reads a year-48 notBefore without seconds as OpenSSL 3.0 does, whether or not OpenSSL decodes it', () => {
    const leaf = craftLeaf(intermediate, {
      notBefore: generalizedTime('004801010000Z'),
      notAfter: generalizedTime('00490101000000Z'),
    });
    const { chain } = readPemChain(certificatePem(leaf));
    expect(chain?.leaf.notAfterMs).toBe(new Date('0049-01-01T00:00:00Z').getTime());
    expect(chain?.leaf.notBeforeMs).toBe(new Date('0048-01-01T00:00:00Z').getTime());
  });
});

describe('readPemChain: times without seconds, the same on Node 20 and 22', () => {
  // OpenSSL 3.5 (Node 22) does not decode these at all; the DER reader reads them and checks their signatures.
  const noSeconds = { notAfter: utcTime('3001010000Z') };
  // X509Certificate's fingerprint is not to be had for them on Node 22: the SHA-256 of the DER is the same.
  const derSha256 = (der: Buffer) => hash('sha256', der, 'hex');

  it('knows a self-signed root whose time lacks its seconds for a root, so its date is not the chain’s', () => {
    const selfSigned = craftAuthority('Chain Test Root Without Seconds', null, noSeconds);
    const issuing = craftAuthority('Chain Test Intermediate Under It', selfSigned);
    const leaf = craftLeaf(issuing, { notAfter: generalizedTime('20400101000000Z') });
    const { chain } = readPemChain(
      certificatePem(leaf) + certificatePem(issuing.der) + certificatePem(selfSigned.der),
    );
    expect(chain?.roots.map((c) => c.fingerprintSha256)).toEqual([derSha256(selfSigned.der)]);
    expect(chain?.roots[0]?.notAfterMs).toBe(Date.UTC(2030, 0, 1));
    expect(chain?.intermediates.map((c) => c.fingerprintSha256)).toEqual([derSha256(issuing.der)]);
    expect(chain?.problems).toEqual([]);
  });

  it('still leaves to OpenSSL one the DER reader declines for another reason: dated on 3.0, unknown on 3.5', () => {
    // A name attribute the DER reader does not know (it reads the validity first, then declines the name).
    const leaf = craftLeaf(intermediate, {
      ...noSeconds,
      subject: name(['1.2.3.4.5', utf8String('unknown type')]),
    });
    const { chain, problems } = readPemChain(certificatePem(leaf) + intermediatePem);
    if (decodedOrRefused(leaf)) {
      expect(chain?.leaf.notAfterMs).toBe(Date.UTC(2030, 0, 1));
    } else {
      expect(chain).toBeNull();
      expect(problems).toEqual([
        'PEM block 1 is not a readable X.509 certificate (attribute type without a known short name), ' +
          'so the expiry cannot be read from the PEM',
      ]);
    }
  });

  it('tells same-named issuers apart by signature when their times lack seconds', () => {
    const twinName = cn('Chain Test Twin CA');
    const signer = craftAuthority('Chain Test Twin Signer', root, { subject: twinName, ...noSeconds });
    const twin = craftAuthority('Chain Test Twin Other', root, {
      subject: twinName,
      notAfter: generalizedTime('20991231000000Z'),
    });
    const leaf = craftLeaf(signer);
    for (const order of [
      [leaf, signer.der, twin.der],
      [leaf, twin.der, signer.der],
    ]) {
      const { chain } = readPemChain(order.map((der) => certificatePem(der)).join('') + rootPem);
      // The twin expires last and would be chosen if no signature could be checked.
      expect(chain?.intermediates.map((c) => c.fingerprintSha256)).toEqual([derSha256(signer.der)]);
      expect(chain?.intermediates[0]?.notAfterMs).toBe(Date.UTC(2030, 0, 1));
    }
  });
});
