import { createPrivateKey } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pooledKey } from '../../../emulator/x509/keys';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { RotationError, readCertificateBundle } from '../../../lib/rotation';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
const FILES = { cert: 'cert.pem', key: 'key.pem' };

function rsaChain() {
  return makeTestCertificate({ keyType: 'rsa', notAfter: NOW + 60 * DAY });
}

function readError(certPem: string, keyPem: string): RotationError {
  try {
    readCertificateBundle(certPem, keyPem, FILES);
  } catch (error) {
    expect(error).toBeInstanceOf(RotationError);
    return error as RotationError;
  }
  throw new Error('expected readCertificateBundle to throw');
}

describe('readCertificateBundle', () => {
  it('reads the leaf, its chain in the given order and the key', () => {
    const cert = makeTestCertificate({ keyType: 'rsa', notAfter: NOW + 60 * DAY, includeRoot: true });
    const bundle = readCertificateBundle(cert.pem, cert.leafPrivateKeyPem, FILES);
    expect(bundle.source).toBe('pem');
    expect(bundle.files).toEqual(FILES);
    expect(bundle.leaf.commonName).toBe('test.example');
    expect(bundle.chain.map((c) => c.commonName)).toEqual([
      'Certwatch Test Intermediate CA',
      'Certwatch Test Root',
    ]);
    expect(bundle.key.type).toBe('private');
    expect(bundle.key.asymmetricKeyType).toBe('rsa');
    expect(bundle.warnings).toEqual([]);
  });

  it('normalises the certificate PEM to 64-character lines without blank lines, certificates only', () => {
    const cert = rsaChain();
    const messy = [cert.leafPem, cert.intermediatePem]
      .map((pem) => pem.replace(/\n/g, '\r\n').replace(/([A-Za-z0-9+/=]{64})\r\n/, '$1\r\n\r\n  '))
      .join('\n\n');
    const bundle = readCertificateBundle(`# comment\n${messy}`, cert.leafPrivateKeyPem, FILES);
    expect(bundle.certificatePem).toBe(cert.leafPem + cert.intermediatePem);
  });

  it('gives the RSA key for upload as PKCS#1, the form SLB documents, whatever form it came in', () => {
    const cert = rsaChain();
    const bundle = readCertificateBundle(cert.pem, cert.leafPrivateKeyPem, FILES);
    expect(bundle.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE [K]EY-----\n/);
    const again = createPrivateKey(bundle.privateKeyPem);
    expect(again.equals(pooledKey('rsa', 'test-leaf').privateKey)).toBe(true);
  });

  it('gives an EC key for upload as PKCS#8', () => {
    const cert = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 60 * DAY });
    const bundle = readCertificateBundle(cert.pem, cert.leafPrivateKeyPem, FILES);
    expect(bundle.key.asymmetricKeyType).toBe('ec');
    expect(bundle.privateKeyPem).toMatch(/^-----BEGIN PRIVATE [K]EY-----\n/);
  });

  it('accepts a PKCS#1 (RSA PRIVATE KEY) key', () => {
    const cert = rsaChain();
    const pkcs1 = pooledKey('rsa', 'test-leaf')
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    expect(pkcs1).toMatch(/BEGIN RSA PRIVATE [K]EY/);
    const bundle = readCertificateBundle(cert.pem, pkcs1, FILES);
    expect(bundle.key.equals(pooledKey('rsa', 'test-leaf').privateKey)).toBe(true);
  });

  it('accepts a SEC1 (EC PRIVATE KEY) key, with the EC PARAMETERS block openssl ecparam writes before it', () => {
    const cert = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 60 * DAY });
    const sec1 = pooledKey('ec', 'test-leaf').privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    expect(sec1).toMatch(/BEGIN EC PRIVATE [K]EY/);
    const withParameters = `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${sec1}`;
    const bundle = readCertificateBundle(cert.pem, withParameters, FILES);
    expect(bundle.key.equals(pooledKey('ec', 'test-leaf').privateKey)).toBe(true);
  });

  it('keeps the key out of JSON and console output', () => {
    const cert = rsaChain();
    const bundle = readCertificateBundle(cert.pem, cert.leafPrivateKeyPem, FILES);
    for (const shown of [
      JSON.stringify(bundle),
      inspect(bundle, { depth: 10 }),
      JSON.stringify({ ...bundle }),
    ]) {
      expect(shown).not.toContain('PRIVATE KEY');
    }
    expect(Object.keys(bundle)).not.toContain('privateKeyPem');
    expect(Object.keys(bundle)).not.toContain('key');
  });

  it('ignores key blocks in the certificate file, unread, and says so', () => {
    const cert = makeTestCertificate({ keyType: 'rsa', notAfter: NOW + 60 * DAY, includeKey: true });
    const otherKey = pooledKey('ec', 'stray').privateKeyPem;
    const bundle = readCertificateBundle(cert.pem + otherKey, cert.leafPrivateKeyPem, FILES);
    expect(bundle.key.asymmetricKeyType).toBe('rsa');
    expect(bundle.certificatePem).not.toContain('PRIVATE KEY');
    expect(bundle.warnings).toEqual([
      'cert.pem also holds 2 private key blocks, ignored unread: the key is taken from the key file',
    ]);
  });

  it('notes other blocks in the certificate file', () => {
    const cert = rsaChain();
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n';
    const bundle = readCertificateBundle(cert.pem + csr, cert.leafPrivateKeyPem, FILES);
    expect(bundle.warnings).toEqual(['cert.pem also holds one "CERTIFICATE REQUEST" block, ignored']);
  });

  describe('refuses an encrypted key, saying how to decrypt it', () => {
    const key = pooledKey('rsa', 'test-leaf').privateKey;
    const cases = {
      'PKCS#8 (ENCRYPTED PRIVATE KEY)': key.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'secret',
      }),
      'PKCS#1 with Proc-Type: 4,ENCRYPTED': key.export({
        type: 'pkcs1',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'secret',
      }),
      'SEC1 with Proc-Type: 4,ENCRYPTED': pooledKey('ec', 'test-leaf').privateKey.export({
        type: 'sec1',
        format: 'pem',
        cipher: 'aes-128-cbc',
        passphrase: 'secret',
      }),
    };
    for (const [name, encrypted] of Object.entries(cases)) {
      it(name, () => {
        const error = readError(rsaChain().pem, encrypted.toString());
        expect(error.name).toBe('RotationError');
        expect(error.message).toBe(
          'key.pem holds an encrypted private key, but SLB needs the key unencrypted: decrypt it with ' +
            '`openssl pkey -in key.pem -out key-plain.pem` and pass --key key-plain.pem',
        );
      });
    }
  });

  it('refuses a key file without a private key, guessing why', () => {
    const cert = rsaChain();
    expect(readError(cert.pem, cert.pem).message).toBe(
      'key.pem holds certificates but no private key: check that --cert and --key are not swapped',
    );
    const publicKey = pooledKey('rsa', 'test-leaf')
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(readError(cert.pem, publicKey).message).toMatch(
      /^key\.pem holds a public key, not the private key/,
    );
    expect(readError(cert.pem, 'not a key').message).toMatch(/^key\.pem holds no PEM private key/);
    expect(readError(cert.pem, '  \n').message).toBe('key.pem is empty');
  });

  it('refuses a key file with two keys', () => {
    const cert = rsaChain();
    const two = cert.leafPrivateKeyPem + pooledKey('rsa', 'other').privateKeyPem;
    expect(readError(cert.pem, two).message).toBe(
      'key.pem holds 2 private keys: give a file with only the key that belongs to the certificate',
    );
  });

  it('refuses a key of a kind that cannot be uploaded', () => {
    const openssh = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(readError(rsaChain().pem, openssh).message).toMatch(
      /^key\.pem holds a "OPENSSH PRIVATE KEY" block, which cannot be uploaded/,
    );
  });

  it('refuses a damaged key, with the error from Node as the cause', () => {
    const cert = rsaChain();
    const lines = cert.leafPrivateKeyPem.split('\n');
    lines.splice(3, 2);
    const error = readError(cert.pem, lines.join('\n'));
    expect(error.message).toMatch(/^the private key in key\.pem cannot be read/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses a certificate file without certificates, saying what it holds', () => {
    const cert = rsaChain();
    expect(readError(cert.leafPrivateKeyPem, cert.leafPrivateKeyPem).message).toBe(
      'cert.pem holds no certificate (only one "PRIVATE KEY" block): give the PEM file with the certificate and its chain',
    );
    expect(readError('\x30\x82\x01\x0a binary', cert.leafPrivateKeyPem).message).toBe(
      'cert.pem holds no PEM certificate: give the certificate in PEM (if it is DER, convert it with ' +
        '`openssl x509 -inform der -in cert.pem -out cert-converted.pem`)',
    );
  });

  it('refuses a certificate file cut short', () => {
    const cert = rsaChain();
    const cut = cert.pem.slice(0, cert.pem.length - 40);
    expect(readError(cut, cert.leafPrivateKeyPem).message).toBe(
      'cert.pem has a BEGIN line without its matching END line: the file is cut short or damaged',
    );
  });

  it('refuses a certificate block that is not a certificate, naming the block', () => {
    const cert = rsaChain();
    const broken = `${cert.leafPem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`;
    const error = readError(broken, cert.leafPrivateKeyPem);
    expect(error.message).toBe(
      'block 2 of cert.pem is not a readable X.509 certificate: the file may be damaged',
    );
    expect(error.cause).toBeDefined();
  });
});
