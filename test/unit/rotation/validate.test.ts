import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../emulator/x509/certificate';
import { pooledKey } from '../../../emulator/x509/keys';
import { makeTestCertificate, type TestCertificateOptions } from '../../../emulator/x509/testCertificate';
import { readCertificateBundle, validateRotation } from '../../../lib/rotation';
import { nodeRootCertificates } from '../../../lib/rotation/issuers';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
const FILES = { cert: 'cert.pem', key: 'key.pem' };

type ChainOptions = Omit<TestCertificateOptions, 'notAfter'> & { notAfter?: number };

function chain(options: ChainOptions = {}) {
  return makeTestCertificate({ keyType: 'rsa', notAfter: NOW + 60 * DAY, ...options });
}

/** Reads `pems` as the certificate file with the test leaf key (or `keyPem`) and validates at NOW. */
function check(
  pems: string[],
  options: { keyPem?: string; keyType?: 'rsa' | 'ec' } & Partial<Parameters<typeof validateRotation>[1]> = {},
) {
  const { keyPem, keyType = 'rsa', ...rest } = options;
  const bundle = readCertificateBundle(
    pems.join(''),
    keyPem ?? pooledKey(keyType, 'test-leaf').privateKeyPem,
    FILES,
  );
  return validateRotation(bundle, { nowMs: NOW, ...rest });
}

describe('validateRotation: a good bundle', () => {
  it('passes an RSA leaf with its intermediate, the root known', () => {
    const cert = chain({ dnsNames: ['shop.example', 'www.shop.example'] });
    const result = check([cert.leafPem, cert.intermediatePem], { knownIssuers: [cert.rootPem] });
    expect(result).toMatchObject({ ok: true, problems: [], warnings: [] });
    const x509 = new X509Certificate(cert.leafPem);
    expect(result.summary).toEqual({
      subject: 'CN=shop.example',
      issuer: 'O=Certwatch Tests, CN=Certwatch Test Intermediate CA',
      names: ['shop.example', 'www.shop.example'],
      notBefore: new Date(cert.notBeforeMs).toISOString().replace('.000Z', 'Z'),
      notAfter: new Date(cert.notAfterMs).toISOString().replace('.000Z', 'Z'),
      fingerprintSha1: x509.fingerprint.toLowerCase(),
      fingerprintSha256: x509.fingerprint256.toLowerCase(),
      chainLength: 2,
      keyAlgorithm: 'RSA 2048',
    });
    expect(result.summary.fingerprintSha1).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
  });

  it('passes an EC leaf, warning that SLB documents RSA certificates only', () => {
    const cert = chain({ keyType: 'ec' });
    const result = check([cert.leafPem, cert.intermediatePem], {
      keyType: 'ec',
      knownIssuers: [cert.rootPem],
    });
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.summary.keyAlgorithm).toBe('EC P-256');
    expect(result.warnings).toEqual([
      'the certificate "test.example" in cert.pem has an EC P-256 key; Alibaba SLB documents RSA certificates ' +
        'only, so the upload may be refused',
    ]);
  });

  it('passes a chain that ends in its self-signed root, with nothing else known', () => {
    const cert = chain({ includeRoot: true });
    const result = check([cert.pem]);
    expect(result.problems).toEqual([]);
    expect(result.summary.chainLength).toBe(3);
  });

  it('passes a leaf alone when its issuer is a known intermediate', () => {
    const cert = chain();
    const result = check([cert.leafPem], { knownIssuers: [new X509Certificate(cert.intermediatePem)] });
    expect(result.problems).toEqual([]);
    expect(result.summary.chainLength).toBe(1);
  });

  it('accepts known issuers as one PEM text holding several certificates', () => {
    const cert = chain();
    const result = check([cert.leafPem], { knownIssuers: [cert.intermediatePem + cert.rootPem] });
    expect(result.ok).toBe(true);
  });
});

describe('validateRotation: the key', () => {
  it('refuses a key that belongs to another certificate', () => {
    const cert = chain();
    const result = check([cert.leafPem, cert.intermediatePem], {
      keyPem: pooledKey('rsa', 'someone-else').privateKeyPem,
      knownIssuers: [cert.rootPem],
    });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      'the private key in key.pem does not belong to the certificate "test.example" in cert.pem: use the key ' +
        'the certificate was requested with, or the certificate issued for this key',
    ]);
  });

  it('refuses a key of another type than the certificate', () => {
    const cert = chain();
    const result = check([cert.leafPem, cert.intermediatePem], {
      keyPem: pooledKey('ec', 'test-leaf').privateKeyPem,
      knownIssuers: [cert.rootPem],
    });
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^the private key in key\.pem does not belong to the certificate/);
  });

  it('refuses a key whose public half matches but whose private half is damaged', () => {
    const cert = chain();
    const jwk = pooledKey('rsa', 'test-leaf').privateKey.export({ format: 'jwk' });
    // OpenSSL signs with the CRT parts and falls back to d when the result is wrong: spoil both.
    const spoil = (b64url = '') =>
      `${b64url.slice(0, 10)}${b64url[10] === 'A' ? 'B' : 'A'}${b64url.slice(11)}`;
    const damaged = createPrivateKey({ key: { ...jwk, d: spoil(jwk.d), qi: spoil(jwk.qi) }, format: 'jwk' });
    const result = check([cert.leafPem, cert.intermediatePem], {
      keyPem: damaged.export({ type: 'pkcs1', format: 'pem' }).toString(),
      knownIssuers: [cert.rootPem],
    });
    expect(result.problems[0]).toMatch(/^the private key in key\.pem does not belong to the certificate/);
  });
});

describe('validateRotation: the chain', () => {
  it('refuses an incomplete chain, naming where it stops and what to add', () => {
    const cert = chain();
    const result = check([cert.leafPem]);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      'the chain in cert.pem stops at "test.example", issued by "O=Certwatch Tests, CN=Certwatch Test ' +
        'Intermediate CA", which is neither included nor a known root: add the intermediate certificate(s) to cert.pem',
    ]);
  });

  it('refuses a chain that stops at an intermediate whose root is unknown', () => {
    const cert = chain();
    const result = check([cert.leafPem, cert.intermediatePem]);
    expect(result.problems).toEqual([
      'the chain in cert.pem stops at "Certwatch Test Intermediate CA", issued by "O=Certwatch Tests, ' +
        'CN=Certwatch Test Root", which is neither included nor a known root: add the intermediate certificate(s) to cert.pem',
    ]);
  });

  it('passes a chain ending in a cross-signed copy of a known root (same name and key, another issuer)', () => {
    const cert = chain();
    // Like Let's Encrypt's ISRG Root X1 cross-signed by DST Root CA X3: clients that trust the root stop there.
    const crossSigned = issueCertificate({
      subject: { commonName: 'Certwatch Test Root', organization: 'Certwatch Tests' },
      publicKey: pooledKey('ec', 'test-root').publicKey,
      issuer: {
        name: { commonName: 'Retired Legacy Root' },
        privateKey: pooledKey('ec', 'legacy-root').privateKey,
      },
      serialNumber: 7n,
      notBefore: NOW - 365 * DAY,
      notAfter: NOW + 365 * DAY,
      ca: true,
    });
    const withCopy = check([cert.leafPem, cert.intermediatePem, crossSigned.pem], {
      knownIssuers: [cert.rootPem],
    });
    expect(withCopy.problems).toEqual([]);
    expect(withCopy.summary.chainLength).toBe(3);
    expect(check([cert.leafPem, cert.intermediatePem, crossSigned.pem]).problems[0]).toMatch(
      /^the chain in cert\.pem stops at "Certwatch Test Root", issued by "CN=Retired Legacy Root"/,
    );
  });

  it("trusts Node's bundled roots", () => {
    expect(nodeRootCertificates().length).toBeGreaterThan(50);
    expect(nodeRootCertificates()).toBe(nodeRootCertificates());
  });

  it('refuses a chain out of order, naming the right order', () => {
    const cert = chain({ dnsNames: ['shop.example'] });
    const result = check([cert.intermediatePem, cert.rootPem, cert.leafPem]);
    expect(result.problems).toEqual([
      'cert.pem lists its certificates out of order: put the leaf first, then each issuer: ' +
        '1. "shop.example", 2. "Certwatch Test Intermediate CA", 3. "Certwatch Test Root"',
    ]);
    // The leaf is found for the other checks all the same.
    expect(result.summary.subject).toBe('CN=shop.example');
    expect(result.summary.chainLength).toBe(3);
  });

  it('refuses a leaf and root stored with the intermediate last', () => {
    const cert = chain();
    const result = check([cert.leafPem, cert.rootPem, cert.intermediatePem]);
    expect(result.problems).toEqual([
      'cert.pem lists its certificates out of order: put the leaf first, then each issuer: ' +
        '1. "test.example", 2. "Certwatch Test Intermediate CA", 3. "Certwatch Test Root"',
    ]);
  });

  it('warns about copies and certificates outside the chain', () => {
    const cert = chain();
    const stranger = makeTestCertificate({
      keyType: 'ec',
      notAfter: NOW + 90 * DAY,
      dnsNames: ['other.example'],
    });
    const result = check([cert.leafPem, cert.intermediatePem, cert.intermediatePem, stranger.leafPem], {
      knownIssuers: [cert.rootPem],
    });
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([
      'cert.pem holds "Certwatch Test Intermediate CA" more than once; remove the copy',
      'cert.pem holds a certificate outside the leaf\'s chain ("other.example"): clients would be sent it for ' +
        'nothing; remove it',
    ]);
  });

  it('refuses a CA certificate given as the leaf', () => {
    const cert = chain();
    const result = check([cert.intermediatePem], {
      keyPem: pooledKey('ec', 'test-intermediate').privateKeyPem,
      knownIssuers: [cert.rootPem],
    });
    expect(result.problems).toEqual([
      'the certificate "Certwatch Test Intermediate CA" in cert.pem is a CA certificate, not a server ' +
        'certificate: give the certificate issued for your domain, followed by its chain',
    ]);
  });
});

describe('validateRotation: validity', () => {
  it('refuses an expired certificate', () => {
    const cert = chain({ notAfter: NOW - DAY });
    const result = check([cert.leafPem, cert.intermediatePem], { knownIssuers: [cert.rootPem] });
    expect(result.problems).toEqual([
      'the certificate "test.example" in cert.pem expired on 2026-11-22T00:00:00Z: upload the renewed certificate',
    ]);
  });

  it('refuses a certificate that expires at this very instant', () => {
    const cert = chain({ notAfter: NOW });
    const result = check([cert.leafPem, cert.intermediatePem], { knownIssuers: [cert.rootPem] });
    expect(result.ok).toBe(false);
  });

  it('refuses a certificate not yet valid', () => {
    const cert = chain({ notBefore: NOW + DAY, notAfter: NOW + 90 * DAY });
    const result = check([cert.leafPem, cert.intermediatePem], { knownIssuers: [cert.rootPem] });
    expect(result.problems).toEqual([
      'the certificate "test.example" in cert.pem is not valid until 2026-11-24T00:00:00Z: clients would refuse ' +
        'it until then; upload it after that',
    ]);
  });

  it('warns when the intermediate expires before the leaf', () => {
    const cert = chain({ intermediateNotAfter: NOW + 30 * DAY });
    const result = check([cert.leafPem, cert.intermediatePem], { knownIssuers: [cert.rootPem] });
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      'the intermediate "Certwatch Test Intermediate CA" in cert.pem expires on 2026-12-23T00:00:00Z, before the ' +
        'certificate (2027-01-22T00:00:00Z): the chain breaks then unless the intermediate is replaced',
    ]);
  });

  it('refuses an expired intermediate', () => {
    const cert = chain({ intermediateNotAfter: NOW - DAY });
    const result = check([cert.leafPem, cert.intermediatePem], { knownIssuers: [cert.rootPem] });
    expect(result.problems).toEqual([
      'the intermediate "Certwatch Test Intermediate CA" in cert.pem expired on 2026-11-22T00:00:00Z: clients ' +
        'will refuse the chain; get the current intermediate from your CA',
    ]);
  });
});

describe('validateRotation: replacing a certificate', () => {
  const cert = chain({ dnsNames: ['shop.example', '*.shop.example'] });
  const replace = (names: string[], notAfterMs: number | null = NOW + 10 * DAY, fingerprintSha1?: string) =>
    check([cert.leafPem, cert.intermediatePem], {
      knownIssuers: [cert.rootPem],
      replaces: { id: 'cert-123', names, notAfterMs, ...(fingerprintSha1 ? { fingerprintSha1 } : {}) },
    });

  it('passes when every old name is covered and the new one lasts longer', () => {
    const result = replace(['shop.example', 'www.shop.example', 'API.Shop.Example.', '*.shop.example']);
    expect(result.problems).toEqual([]);
  });

  it('refuses a certificate that drops a name, naming each missing one', () => {
    const result = replace(['shop.example', 'a.b.shop.example', 'shop.test', 'shop.test']);
    expect(result.problems).toEqual([
      'the new certificate in cert.pem does not cover a.b.shop.example, shop.test, which cert-123 serves: clients ' +
        'would get a name mismatch; get a certificate that includes them, or do not replace cert-123',
    ]);
  });

  it('refuses a replacement that expires no later than the old one', () => {
    for (const oldNotAfter of [cert.notAfterMs, cert.notAfterMs + DAY]) {
      const result = replace(['shop.example'], oldNotAfter);
      expect(result.problems).toEqual([
        `the new certificate in cert.pem expires on 2027-01-22T00:00:00Z, no later than cert-123 (${new Date(
          oldNotAfter,
        )
          .toISOString()
          .replace('.000Z', 'Z')}) which it replaces: check that cert.pem is the renewed certificate`,
      ]);
    }
  });

  it('refuses to vouch for a replacement whose names or expiry SLB does not give', () => {
    expect(replace(['shop.example'], null).problems).toEqual([
      'SLB gives no expiry for cert-123, so certwatch cannot check that the new certificate in cert.pem outlives ' +
        'it: compare them yourself (SLB console), then upload without --replaces',
    ]);
    expect(replace([], NOW).problems).toEqual([
      'SLB lists no names for cert-123, so certwatch cannot check that the new certificate in cert.pem serves ' +
        'what it served: compare them yourself (SLB console), then upload without --replaces',
    ]);
  });

  it('refuses the very certificate it would replace', () => {
    const fingerprint = new X509Certificate(cert.leafPem).fingerprint;
    const result = replace(['shop.example'], NOW, fingerprint);
    expect(result.problems).toContain(
      'the certificate in cert.pem is cert-123 itself (same SHA-1 fingerprint): there is nothing to rotate; check ' +
        'that cert.pem is the renewed certificate',
    );
  });
});
