/**
 * Checking what SLB UploadServerCertificate receives: a PEM certificate (leaf first, chain optional) and the leaf's
 * private key, as Alibaba checks them before storing anything (SLB UploadServerCertificate doc, error codes
 * KeyFormatError, PrivateKeyEncryption, CertificateNotMatchPrivateKey, InvalidParameter; 400 each).
 *
 * The private key is read here and dropped here: nothing this module returns holds it, and no error message
 * quotes it (or any other parameter value).
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { type AliyunError, aliyunError } from './errors';

/** What the store keeps about a valid upload. */
export interface UploadedCertificate {
  /** The certificate blocks only, normalised to `\n` line ends: what the fleet keeps as ServerCertificate. */
  pem: string;
  /** SHA-1 of the leaf DER, colon-separated lowercase, as DescribeServerCertificates reports it. */
  fingerprint: string;
  commonName: string | undefined;
  /** DNS subjectAltNames of the leaf, in certificate order. */
  subjectAlternativeNames: string[];
  notAfterMs: number;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Checks one upload; the first problem wins, in this order: the key is encrypted (PrivateKeyEncryption); the key
 * cannot be read (KeyFormatError); the certificate is missing, holds something other than certificates, or a
 * block does not parse (InvalidParameter naming ServerCertificate); the key is not the leaf's
 * (CertificateNotMatchPrivateKey). The key is read leniently, as OpenSSL reads it: PKCS#8, PKCS#1 or SEC1, with
 * other blocks (such as `EC PARAMETERS`) around it.
 */
export function readUpload(
  certificateText: string,
  privateKeyText: string,
): { ok: true; certificate: UploadedCertificate } | { ok: false; error: AliyunError } {
  const fail = (error: AliyunError) => ({ ok: false as const, error });
  // Node would only fail to decrypt these; Alibaba names the case, so the emulator does too.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4\s*,\s*ENCRYPTED/.test(privateKeyText)) {
    return fail(aliyunError('PrivateKeyEncryption'));
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: privateKeyText, format: 'pem' });
  } catch {
    return fail(aliyunError('KeyFormatError'));
  }

  const certificates: X509Certificate[] = [];
  const pems: string[] = [];
  for (const match of certificateText.matchAll(BLOCK)) {
    if (match[1] !== 'CERTIFICATE') {
      // Emulator choice: refuse rather than store a key (or anything else) pasted into the certificate field.
      return fail(invalidCertificate('it may hold only CERTIFICATE blocks'));
    }
    const lines = (match[2] ?? '').replace(/\s+/g, '').match(/.{1,64}/g) ?? [];
    const pem = `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    try {
      certificates.push(new X509Certificate(pem));
    } catch {
      return fail(invalidCertificate(`block ${pems.length + 1} is not a readable X.509 certificate`));
    }
    pems.push(pem);
  }
  const leaf = certificates[0];
  if (!leaf) return fail(invalidCertificate('no PEM certificate found'));

  let matches = false;
  try {
    matches = leaf.checkPrivateKey(privateKey);
  } catch {
    // Node throws for some mixed key types instead of answering false.
  }
  if (!matches) return fail(aliyunError('CertificateNotMatchPrivateKey'));

  return {
    ok: true,
    certificate: {
      pem: pems.join(''),
      fingerprint: colonFingerprint(leaf.raw),
      commonName: commonNameOf(leaf),
      subjectAlternativeNames: dnsNamesOf(leaf),
      notAfterMs: Date.parse(leaf.validTo),
    },
  };
}

/** SHA-1 of DER bytes as SLB writes it: `68:08:1a:...`, lowercase. */
export function colonFingerprint(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex').match(/../g)?.join(':') ?? '';
}

function invalidCertificate(why: string): AliyunError {
  return aliyunError('InvalidParameter', 'ServerCertificate', why);
}

function commonNameOf(certificate: X509Certificate): string | undefined {
  for (const line of certificate.subject.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return undefined;
}

function dnsNamesOf(certificate: X509Certificate): string[] {
  const text = certificate.subjectAltName;
  if (!text) return [];
  return text
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}
