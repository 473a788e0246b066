import { generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IssuedCertificate, issueCertificate } from '../../../emulator/x509/certificate';
import { type KeyType, pooledKey } from '../../../emulator/x509/keys';
import { readPemChain } from '../../../lib/pem/chain';

const DAY = 86_400_000;
const NOT_BEFORE = Date.UTC(2026, 0, 1, 8, 30, 15);
const NOT_AFTER = Date.UTC(2026, 3, 1, 8, 30, 15);

function caChain(rootType: KeyType, intermediateType: KeyType) {
  const rootKey = pooledKey(rootType, 'x509-test-root');
  const root = issueCertificate({
    subject: { commonName: `Test Root ${rootType}`, organization: 'Certwatch Tests', country: 'CN' },
    publicKey: rootKey.publicKey,
    issuer: { selfSigned: true, privateKey: rootKey.privateKey },
    serialNumber: 1n,
    notBefore: Date.UTC(2020, 0, 1),
    notAfter: Date.UTC(2040, 0, 1),
    ca: true,
  });
  const intermediateKey = pooledKey(intermediateType, 'x509-test-intermediate');
  const intermediate = issueCertificate({
    subject: { commonName: `Test Intermediate ${intermediateType}`, organization: 'Certwatch Tests' },
    publicKey: intermediateKey.publicKey,
    issuer: { certificate: root.pem, privateKey: rootKey.privateKey },
    serialNumber: 2n,
    notBefore: Date.UTC(2021, 0, 1),
    notAfter: Date.UTC(2035, 0, 1),
    ca: true,
    pathLength: 0,
  });
  return { root, intermediate, intermediateKey };
}

function leafOf(
  issuer: { certificate: IssuedCertificate; key: KeyObject },
  leafType: KeyType,
  overrides: Partial<Parameters<typeof issueCertificate>[0]> = {},
) {
  return issueCertificate({
    subject: { commonName: 'www.shop.example' },
    publicKey: pooledKey(leafType, 'x509-test-leaf').publicKey,
    issuer: { certificate: issuer.certificate.pem, privateKey: issuer.key },
    serialNumber: 0x8f00_1234_5678_9abc_def0n,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    dnsNames: ['www.shop.example', 'shop.example', '*.cdn.shop.example'],
    ...overrides,
  });
}

describe('issueCertificate', () => {
  const combinations: [KeyType, KeyType][] = [
    ['ec', 'ec'],
    ['ec', 'rsa'],
    ['rsa', 'ec'],
    ['rsa', 'rsa'],
  ];

  it.each(combinations)('issues a %s leaf under a %s intermediate that verifies', (leafType, issuerType) => {
    const { root, intermediate, intermediateKey } = caChain(issuerType === 'ec' ? 'rsa' : 'ec', issuerType);
    const leaf = leafOf({ certificate: intermediate, key: intermediateKey.privateKey }, leafType);

    const leafX509 = new X509Certificate(leaf.pem);
    const intermediateX509 = new X509Certificate(intermediate.pem);
    const rootX509 = new X509Certificate(root.der);
    expect(leafX509.publicKey.asymmetricKeyType).toBe(leafType);
    expect(leafX509.verify(intermediateKey.publicKey)).toBe(true);
    expect(leafX509.checkIssued(intermediateX509)).toBe(true);
    expect(intermediateX509.checkIssued(rootX509)).toBe(true);
    expect(intermediateX509.verify(rootX509.publicKey)).toBe(true);
    expect(rootX509.checkIssued(rootX509)).toBe(true);
    expect(leafX509.checkIssued(rootX509)).toBe(false);
  });

  it('writes the subject, issuer, serial number and CA flags', () => {
    const { root, intermediate, intermediateKey } = caChain('ec', 'ec');
    const leaf = new X509Certificate(
      leafOf({ certificate: intermediate, key: intermediateKey.privateKey }, 'ec').der,
    );
    expect(leaf.subject).toBe('CN=www.shop.example');
    expect(leaf.issuer).toBe('O=Certwatch Tests\nCN=Test Intermediate ec');
    expect(new X509Certificate(root.pem).subject).toBe('C=CN\nO=Certwatch Tests\nCN=Test Root ec');
    expect(leaf.serialNumber.toUpperCase()).toBe('8F00123456789ABCDEF0');
    expect(leaf.ca).toBe(false);
    expect(new X509Certificate(intermediate.pem).ca).toBe(true);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  });

  it('reads back the DNS names', () => {
    const { intermediate, intermediateKey } = caChain('ec', 'ec');
    const leaf = new X509Certificate(
      leafOf({ certificate: intermediate, key: intermediateKey.privateKey }, 'rsa').pem,
    );
    expect(leaf.subjectAltName).toBe('DNS:www.shop.example, DNS:shop.example, DNS:*.cdn.shop.example');
    expect(leaf.checkHost('a.cdn.shop.example')).toBe('*.cdn.shop.example');
  });

  it('writes validity to the second, in UTCTime and in GeneralizedTime from 2050', () => {
    const { intermediate, intermediateKey } = caChain('ec', 'ec');
    const cases = [
      { notBefore: NOT_BEFORE, notAfter: NOT_AFTER },
      { notBefore: Date.UTC(2049, 11, 31, 23, 59, 59), notAfter: Date.UTC(2050, 0, 1, 0, 0, 1) },
      { notBefore: Date.UTC(1949, 5, 1, 12), notAfter: Date.UTC(2120, 6, 30, 1, 2, 3) },
    ];
    for (const { notBefore, notAfter } of cases) {
      const leaf = new X509Certificate(
        leafOf({ certificate: intermediate, key: intermediateKey.privateKey }, 'ec', { notBefore, notAfter })
          .pem,
      );
      expect(Date.parse(leaf.validFrom)).toBe(notBefore);
      expect(Date.parse(leaf.validTo)).toBe(notAfter);
    }
  });

  it('truncates sub-second instants to the second', () => {
    const { intermediate, intermediateKey } = caChain('ec', 'ec');
    const leaf = new X509Certificate(
      leafOf({ certificate: intermediate, key: intermediateKey.privateKey }, 'ec', {
        notBefore: new Date(NOT_BEFORE + 999),
        notAfter: NOT_AFTER + 1,
      }).pem,
    );
    expect(Date.parse(leaf.validFrom)).toBe(NOT_BEFORE);
    expect(Date.parse(leaf.validTo)).toBe(NOT_AFTER);
  });

  it('issues under a bare issuer name', () => {
    const issuerKey = pooledKey('ec', 'x509-test-named-issuer');
    const leaf = issueCertificate({
      subject: { commonName: 'named.example' },
      publicKey: pooledKey('ec', 'x509-test-leaf').privateKey,
      issuer: {
        name: { commonName: 'Named CA', organization: 'Certwatch Tests' },
        privateKey: issuerKey.privateKey,
      },
      serialNumber: Buffer.from('01ff', 'hex'),
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    });
    const x509 = new X509Certificate(leaf.pem);
    expect(x509.issuer).toBe('O=Certwatch Tests\nCN=Named CA');
    expect(x509.verify(issuerKey.publicKey)).toBe(true);
    expect(x509.serialNumber.toUpperCase()).toBe('01FF');
    expect(x509.subjectAltName).toBeUndefined();
  });

  it('signs with P-384 issuers too', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const root = issueCertificate({
      subject: { commonName: 'P-384 Root' },
      publicKey,
      issuer: { selfSigned: true, privateKey },
      serialNumber: 7n,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER + 365 * DAY,
      ca: true,
    });
    expect(new X509Certificate(root.pem).verify(publicKey)).toBe(true);
  });

  it('refuses an issuer key that does not match the issuer certificate', () => {
    const { intermediate } = caChain('ec', 'ec');
    expect(() =>
      leafOf({ certificate: intermediate, key: pooledKey('ec', 'x509-test-stranger').privateKey }, 'ec'),
    ).toThrow(/does not match/);
  });

  describe('a chain read by readPemChain', () => {
    let pem = '';
    beforeAll(() => {
      const { root, intermediate, intermediateKey } = caChain('ec', 'rsa');
      const leaf = leafOf({ certificate: intermediate, key: intermediateKey.privateKey }, 'ec');
      pem = leaf.pem + intermediate.pem + root.pem + pooledKey('ec', 'x509-test-leaf').privateKeyPem;
    });

    it('orders leaf, intermediate and root, and drops the key unread', () => {
      const result = readPemChain(pem);
      expect(result.problems).toEqual([]);
      expect(result.droppedBlocks).toBe(1);
      expect(result.chain?.leaf.commonName).toBe('www.shop.example');
      expect(result.chain?.leaf.notAfterMs).toBe(NOT_AFTER);
      expect(result.chain?.intermediates.map((c) => c.commonName)).toEqual(['Test Intermediate rsa']);
      expect(result.chain?.roots.map((c) => c.commonName)).toEqual(['Test Root ec']);
    });
  });
});
