import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readUpload } from '../../../../emulator/aliyun/uploadedCertificate';
import { makeTestCertificate } from '../../../../emulator/x509/testCertificate';

const rsa = makeTestCertificate({
  keyType: 'rsa',
  notAfter: Date.UTC(2027, 4, 6, 7, 8, 9),
  dnsNames: ['*.shop.example', 'shop.example'],
  includeRoot: true,
});
const ec = makeTestCertificate({ keyType: 'ec', notAfter: Date.UTC(2027, 0, 1), dnsNames: ['ec.example'] });

describe('readUpload', () => {
  it("reads the leaf's fingerprint, names and expiry, and keeps only the certificate blocks", () => {
    const result = readUpload(rsa.pem, rsa.leafPrivateKeyPem);
    if (!result.ok) throw new Error(result.error.message);
    const leaf = new X509Certificate(rsa.leafPem);
    expect(result.certificate).toEqual({
      pem: rsa.pem,
      fingerprint: createHash('sha1').update(leaf.raw).digest('hex').match(/../g)!.join(':'),
      commonName: '*.shop.example',
      subjectAlternativeNames: ['*.shop.example', 'shop.example'],
      notAfterMs: Date.UTC(2027, 4, 6, 7, 8, 9),
    });
  });

  it('accepts PKCS#1 and SEC1 keys, an EC PARAMETERS block, and CRLF line ends', () => {
    const pkcs1 = createPrivateKey(rsa.leafPrivateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    const sec1 = createPrivateKey(ec.leafPrivateKeyPem).export({ type: 'sec1', format: 'pem' }).toString();
    const ecParameters = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    expect(readUpload(rsa.pem, pkcs1).ok).toBe(true);
    expect(readUpload(ec.pem, ecParameters + sec1).ok).toBe(true);
    const crlf = readUpload(ec.pem.replaceAll('\n', '\r\n'), ec.leafPrivateKeyPem.replaceAll('\n', '\r\n'));
    expect(crlf.ok && crlf.certificate.pem).toBe(ec.pem);
  });

  it('checks in order: encrypted key, unreadable key, certificate, match', () => {
    const encrypted = createPrivateKey(ec.leafPrivateKeyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' })
      .toString();
    const codeOf = (certificate: string, key: string) => {
      const result = readUpload(certificate, key);
      return result.ok ? 'ok' : result.error.code;
    };
    expect(codeOf('garbage', encrypted)).toBe('PrivateKeyEncryption');
    expect(codeOf('garbage', 'garbage')).toBe('KeyFormatError');
    expect(codeOf('garbage', ec.leafPrivateKeyPem)).toBe('InvalidParameter');
    expect(codeOf(ec.pem, rsa.leafPrivateKeyPem)).toBe('CertificateNotMatchPrivateKey');
    expect(codeOf(ec.pem + ec.leafPrivateKeyPem, ec.leafPrivateKeyPem)).toBe('InvalidParameter');
  });
});
