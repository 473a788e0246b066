import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pooledKey } from '../../../emulator/x509/keys';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { RotationError, readPkcs12, validateRotation } from '../../../lib/rotation';
import { makePfx } from '../../helpers/pfx';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
const PASSPHRASE = 'correct horse';

async function readError(pfx: Buffer, passphrase = PASSPHRASE): Promise<RotationError> {
  const error = await readPkcs12(pfx, passphrase, 'site.pfx').then(
    () => new Error('expected readPkcs12 to fail'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RotationError);
  return error as RotationError;
}

describe('readPkcs12', () => {
  const rsa = makeTestCertificate({ keyType: 'rsa', notAfter: NOW + 60 * DAY, dnsNames: ['shop.example'] });

  it('reads an RSA leaf, its chain and key: the same certificates, byte for byte, as the PEM', async () => {
    const pfx = makePfx({
      certificatePems: [rsa.leafPem, rsa.intermediatePem],
      keyPem: rsa.leafPrivateKeyPem,
      passphrase: PASSPHRASE,
    });
    const bundle = await readPkcs12(pfx, PASSPHRASE, 'site.pfx');
    expect(bundle.source).toBe('pkcs12');
    expect(bundle.files).toEqual({ cert: 'site.pfx', key: 'site.pfx' });
    // The RSA leaf is signed by an ECDSA intermediate: node-forge's re-encoding would have changed its bytes.
    expect(bundle.certificatePem).toBe(rsa.leafPem + rsa.intermediatePem);
    expect(bundle.leaf.fingerprintSha256).toBe(
      new X509Certificate(rsa.leafPem).fingerprint256.replaceAll(':', '').toLowerCase(),
    );
    expect(bundle.key.equals(pooledKey('rsa', 'test-leaf').privateKey)).toBe(true);
    expect(bundle.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE [K]EY-----\n/);

    const result = validateRotation(bundle, { nowMs: NOW, knownIssuers: [rsa.rootPem] });
    expect(result).toMatchObject({ ok: true, problems: [], warnings: [] });
  });

  it('puts the leaf first and each issuer after it, whatever order the file keeps them in', async () => {
    const pfx = makePfx({
      certificatePems: [rsa.rootPem, rsa.leafPem, rsa.intermediatePem],
      keyPem: rsa.leafPrivateKeyPem,
      passphrase: PASSPHRASE,
    });
    const bundle = await readPkcs12(pfx, PASSPHRASE, 'site.pfx');
    expect(bundle.leaf.commonName).toBe('shop.example');
    expect(bundle.chain.map((c) => c.commonName)).toEqual([
      'Certwatch Test Intermediate CA',
      'Certwatch Test Root',
    ]);
    expect(validateRotation(bundle, { nowMs: NOW }).problems).toEqual([]);
  });

  it('reads an EC key, which node-forge hands over as PKCS#8 for Node to open', async () => {
    const ec = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 60 * DAY });
    const pfx = makePfx({
      certificatePems: [ec.leafPem, ec.intermediatePem],
      keyPem: ec.leafPrivateKeyPem,
      passphrase: PASSPHRASE,
    });
    const bundle = await readPkcs12(pfx, PASSPHRASE, 'site.pfx');
    expect(bundle.key.equals(pooledKey('ec', 'test-leaf').privateKey)).toBe(true);
    expect(bundle.certificatePem).toBe(ec.leafPem + ec.intermediatePem);
    expect(validateRotation(bundle, { nowMs: NOW, knownIssuers: [ec.rootPem] }).problems).toEqual([]);
  });

  it('reads a file encrypted as OpenSSL 3 does (AES, PBES2), with a non-ASCII passphrase too', async () => {
    for (const passphrase of [PASSPHRASE, 'pässwört 证书']) {
      const pfx = makePfx({
        certificatePems: [rsa.leafPem, rsa.intermediatePem],
        keyPem: rsa.leafPrivateKeyPem,
        passphrase,
        keyCipher: 'aes256',
      });
      const bundle = await readPkcs12(pfx, passphrase, 'site.pfx');
      expect(bundle.key.equals(pooledKey('rsa', 'test-leaf').privateKey)).toBe(true);
    }
  });

  it('reads a non-ASCII passphrase with the older 3DES encryption', async () => {
    const pfx = makePfx({
      certificatePems: [rsa.leafPem],
      keyPem: rsa.leafPrivateKeyPem,
      passphrase: 'pässwört',
    });
    expect((await readPkcs12(pfx, 'pässwört', 'site.pfx')).leaf.commonName).toBe('shop.example');
  });

  it('refuses a wrong passphrase, naming the file', async () => {
    for (const keyCipher of ['3des', 'aes256'] as const) {
      const pfx = makePfx({
        certificatePems: [rsa.leafPem],
        keyPem: rsa.leafPrivateKeyPem,
        passphrase: 'pässwört',
        keyCipher,
      });
      for (const wrong of ['wrong', 'pässwort', '']) {
        const error = await readError(pfx, wrong);
        expect(error.message).toBe('wrong passphrase for site.pfx (or the file is damaged)');
        expect(error.cause).toBeInstanceOf(Error);
      }
    }
  });

  it('refuses a file without a private key', async () => {
    const pfx = makePfx({ certificatePems: [rsa.leafPem], passphrase: PASSPHRASE });
    expect((await readError(pfx)).message).toBe(
      'site.pfx holds no private key: export it again with the private key ' +
        '(`openssl pkcs12 -export -inkey key.pem -in cert.pem -out site.pfx`)',
    );
  });

  it('refuses a file without a certificate', async () => {
    const pfx = makePfx({ certificatePems: [], keyPem: rsa.leafPrivateKeyPem, passphrase: PASSPHRASE });
    expect((await readError(pfx)).message).toBe(
      'site.pfx holds no certificate: export it again with the certificate and its chain',
    );
  });

  it('refuses a key it cannot open, saying how to convert the file to PEM', async () => {
    // PrivateKeyInfo { version 0, algorithm 1.2.3.4, privateKey '00' }: no reader knows the algorithm.
    const unknownKey = Buffer.from('300d020100300506032a0304040100', 'hex');
    const pfx = makePfx({
      certificatePems: [rsa.leafPem],
      privateKeyInfoDer: unknownKey,
      passphrase: PASSPHRASE,
    });
    expect((await readError(pfx)).message).toBe(
      'site.pfx holds a private key this reader cannot open: export the key and certificate as PEM with ' +
        '`openssl pkcs12 -in site.pfx -nodes` and use --cert/--key',
    );
  });

  it('refuses a PEM file given as PKCS#12, and a file that is neither', async () => {
    expect((await readError(Buffer.from(rsa.pem))).message).toBe(
      'site.pfx is a PEM file, not PKCS#12: pass it with --cert, and its key with --key',
    );
    expect((await readError(Buffer.from('not a pfx at all'))).message).toBe(
      'site.pfx is not a PKCS#12 (.pfx/.p12) file: it cannot be decoded',
    );
  });

  it('refuses a damaged file as a wrong passphrase or damage', async () => {
    const pfx = makePfx({
      certificatePems: [rsa.leafPem],
      keyPem: rsa.leafPrivateKeyPem,
      passphrase: PASSPHRASE,
    });
    const damaged = Buffer.from(pfx);
    damaged[200] = (damaged[200] ?? 0) ^ 0x01;
    const error = await readError(damaged);
    expect(error.message).toMatch(/site\.pfx/);
  });

  /**
   * Files made by OpenSSL 3.0 itself (self-signed, valid to 2125), passphrase `pässwört`:
   *   openssl pkcs12 -export [-legacy] -inkey key.pem -in cert.pem -out FILE -passout 'pass:pässwört'
   * The default encrypts certificates and key with AES-256 (PBES2, HMAC-SHA-256) under a SHA-256 MAC; -legacy
   * uses RC2 and 3DES under a SHA-1 MAC.
   */
  describe('reads what OpenSSL 3 exports', () => {
    for (const [file, subject, keyType] of [
      ['openssl3-rsa-aes.pfx', 'CN=openssl-rsa.example', 'rsa'],
      ['openssl3-rsa-legacy.pfx', 'CN=openssl-rsa.example', 'rsa'],
      ['openssl3-ec-aes.pfx', 'CN=openssl-ec.example', 'ec'],
    ] as const) {
      it(file, async () => {
        const pfx = readFileSync(new URL(`fixtures/${file}`, import.meta.url));
        const bundle = await readPkcs12(pfx, 'pässwört', file);
        expect(bundle.leaf.subject).toBe(subject);
        expect(bundle.key.asymmetricKeyType).toBe(keyType);
        const { problems } = validateRotation(bundle, { nowMs: Date.parse('2030-01-01T00:00:00Z') });
        // Self-signed CA certificates, as `openssl req -x509` makes them: only that is wrong with them.
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/is a CA certificate, not a server certificate/);
        expect((await readError(pfx, 'passwort')).message).toBe(
          `wrong passphrase for site.pfx (or the file is damaged)`,
        );
      });
    }
  });
});
