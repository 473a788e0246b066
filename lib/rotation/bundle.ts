/**
 * A certificate and its private key as given for upload: the shape both readers (PEM, PKCS#12) produce and
 * `validateRotation` checks. Building one only reads; whether it makes a good replacement is not asked here.
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import { type ParsedCertificate, readPemChain } from '../pem/chain';
import { RotationError } from './errors';

/** One certificate of a bundle: what certwatch reads from every certificate, plus Node's object for checks. */
export interface BundleCertificate extends ParsedCertificate {
  /** For signature, issuer and key checks. */
  readonly x509: X509Certificate;
}

export interface CertificateBundle {
  readonly source: 'pem' | 'pkcs12';
  /** The files as the user named them, for messages. Both are the .pfx when the bundle came from PKCS#12. */
  readonly files: { readonly cert: string; readonly key: string };
  /** The first certificate as given (PEM), or the one the key belongs to (PKCS#12). */
  readonly leaf: BundleCertificate;
  /** The certificates after the leaf: in the file's order (PEM), or leaf's issuer first (PKCS#12). */
  readonly chain: readonly BundleCertificate[];
  /** The private key. Not enumerable, so logging or serialising the bundle does not print it. */
  readonly key: KeyObject;
  /** The certificate blocks only, leaf first as given: 64-character lines, no blank lines (SLB's format). */
  readonly certificatePem: string;
  /**
   * The unencrypted private key for the upload: PKCS#1 (`RSA PRIVATE KEY`) for RSA, which is the form Alibaba SLB
   * documents for UploadServerCertificate, PKCS#8 otherwise. Not enumerable, like `key`.
   */
  readonly privateKeyPem: string;
  /** Things found while reading that do not stop an upload (blocks ignored, say). */
  readonly warnings: readonly string[];
}

export interface BundleParts {
  source: CertificateBundle['source'];
  files: CertificateBundle['files'];
  /** Leaf first. */
  certificates: BundleCertificate[];
  key: KeyObject;
  warnings: string[];
}

/** Assembles a bundle, keeping the key out of `JSON.stringify`, `console.log` and spreads. */
export function createBundle(parts: BundleParts): CertificateBundle {
  const [leaf, ...chain] = parts.certificates;
  if (!leaf) throw new RotationError(`${parts.files.cert} holds no certificate`);
  const bundle = {
    source: parts.source,
    files: parts.files,
    leaf,
    chain,
    certificatePem: parts.certificates
      .map((certificate) => pemArmour('CERTIFICATE', certificate.x509.raw))
      .join(''),
    warnings: parts.warnings,
  };
  Object.defineProperties(bundle, {
    key: { value: parts.key, enumerable: false },
    privateKeyPem: { value: privateKeyForUpload(parts.key), enumerable: false },
  });
  return bundle as typeof bundle & Pick<CertificateBundle, 'key' | 'privateKeyPem'>;
}

/**
 * Reads one DER certificate into a bundle certificate. `where` names it in the error ("block 2 of cert.pem").
 * Reuses the PEM reader so names, fingerprints and validity are read exactly as the monitor reads them.
 */
export function readBundleCertificate(der: Buffer, where: string): BundleCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (cause) {
    throw new RotationError(`${where} is not a readable X.509 certificate: the file may be damaged`, {
      cause,
    });
  }
  const parsed = readPemChain(pemArmour('CERTIFICATE', x509.raw)).chain?.leaf;
  if (!parsed) {
    throw new RotationError(
      `${where} is not a readable X.509 certificate: its validity dates cannot be read`,
    );
  }
  return { ...parsed, x509 };
}

/** PEM armour (RFC 7468): base64 in 64-character lines, which SLB insists on. */
export function pemArmour(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function privateKeyForUpload(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'pkcs8';
  return key.export({ type, format: 'pem' }).toString();
}
