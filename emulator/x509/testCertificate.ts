/**
 * One certificate chain made to order, for tests: "an RSA leaf expiring at T whose intermediate expires at U".
 * Issued by a fixed test root through a fresh intermediate, so every call's chain verifies.
 */
import { randomBytes } from 'node:crypto';
import { issueCertificate, toWholeSeconds } from './certificate';
import { type KeyType, pooledKey } from './keys';

const DAY_MS = 86_400_000;
/** RFC 5280 §4.1.2.5: 99991231235959Z means "no well-defined expiration date". */
const NO_EXPIRY_MS = Date.UTC(9999, 11, 31, 23, 59, 59);
const ROOT_NOT_BEFORE_MS = Date.UTC(1950, 0, 1);

export interface TestCertificateOptions {
  /** The leaf key: RSA-2048 or ECDSA P-256. Default 'ec'. */
  keyType?: KeyType;
  notAfter: Date | number;
  /** Default: 90 days before notAfter. */
  notBefore?: Date | number;
  /** Default ['test.example']. */
  dnsNames?: string[];
  /** Default: the first DNS name. */
  commonName?: string;
  /** Default: a year after the leaf's notAfter (so the leaf is what expires first). */
  intermediateNotAfter?: Date | number;
  /** Append the self-signed root after the intermediate, as some uploads do. */
  includeRoot?: boolean;
  /** Append the leaf's private key (PKCS#8 PEM), as UCloud's SSLContent may carry it. */
  includeKey?: boolean;
}

export interface TestCertificate {
  /** The whole SSLContent: leaf, intermediate, root if asked, key if asked. */
  pem: string;
  leafPem: string;
  /** What follows the leaf in `pem`: the intermediate, then the root if asked. */
  chainPems: string[];
  intermediatePem: string;
  rootPem: string;
  leafPrivateKeyPem: string;
  /** The validity as written: the requested instants truncated to whole seconds. */
  notBeforeMs: number;
  notAfterMs: number;
  intermediateNotAfterMs: number;
}

let testRoot: { pem: string } | null = null;

function rootCertificate(): { pem: string } {
  testRoot ??= issueCertificate({
    subject: { commonName: 'Certwatch Test Root', organization: 'Certwatch Tests' },
    publicKey: pooledKey('ec', 'test-root').publicKey,
    issuer: { selfSigned: true, privateKey: pooledKey('ec', 'test-root').privateKey },
    serialNumber: 1n,
    notBefore: ROOT_NOT_BEFORE_MS,
    notAfter: NO_EXPIRY_MS,
    ca: true,
  });
  return testRoot;
}

/** Issues a leaf, its intermediate and (shared) root with the given validity. Fast after the first RSA key. */
export function makeTestCertificate(options: TestCertificateOptions): TestCertificate {
  const notAfterMs = toWholeSeconds(options.notAfter);
  const notBeforeMs = toWholeSeconds(options.notBefore ?? notAfterMs - 90 * DAY_MS);
  const intermediateNotAfterMs = toWholeSeconds(options.intermediateNotAfter ?? notAfterMs + 365 * DAY_MS);
  const dnsNames = options.dnsNames ?? ['test.example'];
  const commonName = options.commonName ?? dnsNames[0] ?? 'test.example';

  const root = rootCertificate();
  const intermediateKey = pooledKey('ec', 'test-intermediate');
  const intermediate = issueCertificate({
    subject: { commonName: 'Certwatch Test Intermediate CA', organization: 'Certwatch Tests' },
    publicKey: intermediateKey.publicKey,
    issuer: { certificate: root.pem, privateKey: pooledKey('ec', 'test-root').privateKey },
    serialNumber: randomBytes(12),
    notBefore: Math.max(ROOT_NOT_BEFORE_MS, Math.min(notBeforeMs, intermediateNotAfterMs) - 365 * DAY_MS),
    notAfter: intermediateNotAfterMs,
    ca: true,
    pathLength: 0,
  });
  const leafKey = pooledKey(options.keyType ?? 'ec', 'test-leaf');
  const leaf = issueCertificate({
    subject: { commonName },
    publicKey: leafKey.publicKey,
    issuer: { certificate: intermediate.pem, privateKey: intermediateKey.privateKey },
    serialNumber: randomBytes(16),
    notBefore: notBeforeMs,
    notAfter: notAfterMs,
    dnsNames,
  });

  const chainPems = options.includeRoot ? [intermediate.pem, root.pem] : [intermediate.pem];
  const blocks = [leaf.pem, ...chainPems, ...(options.includeKey ? [leafKey.privateKeyPem] : [])];
  return {
    pem: blocks.join(''),
    leafPem: leaf.pem,
    chainPems,
    intermediatePem: intermediate.pem,
    rootPem: root.pem,
    leafPrivateKeyPem: leafKey.privateKeyPem,
    notBeforeMs,
    notAfterMs,
    intermediateNotAfterMs,
  };
}
