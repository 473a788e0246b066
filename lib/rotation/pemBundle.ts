/**
 * Reading a certificate file and a key file, both PEM, into a bundle for upload. No I/O: the caller reads the
 * files and passes their text and names.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  type BundleCertificate,
  type CertificateBundle,
  createBundle,
  readBundleCertificate,
} from './bundle';
import { RotationError } from './errors';

/** The key blocks Node reads: PKCS#8, PKCS#1 (RSA) and SEC1 (EC). */
const READABLE_KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

interface PemBlock {
  label: string;
  /** Base64, possibly preceded by RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`). */
  body: string;
  /** The whole block, armour included. */
  text: string;
}

/**
 * Reads a certificate file (leaf first, then its chain) and a private key file.
 *
 * Key blocks in the certificate file are ignored unread, with a warning: the key comes from the key file only.
 * An encrypted key is refused, since SLB needs it unencrypted. Throws {@link RotationError} for input that cannot
 * be read; whether the pair is a good replacement is `validateRotation`'s question.
 */
export function readCertificateBundle(
  certPem: string,
  keyPem: string,
  names: { cert: string; key: string },
): CertificateBundle {
  const warnings: string[] = [];
  const certificates = readCertificates(certPem, names.cert, warnings);
  const key = readPrivateKey(keyPem, names.key);
  return createBundle({ source: 'pem', files: names, certificates, key, warnings });
}

function readCertificates(text: string, file: string, warnings: string[]): BundleCertificate[] {
  const blocks = pemBlocks(text, file);
  const certificates: BundleCertificate[] = [];
  let keyBlocks = 0;
  const otherLabels: string[] = [];
  blocks.forEach((block, index) => {
    if (block.label === 'CERTIFICATE') {
      const der = Buffer.from(block.body.replace(/\s+/g, ''), 'base64');
      certificates.push(readBundleCertificate(der, `block ${index + 1} of ${file}`));
    } else if (block.label.endsWith('PRIVATE KEY')) {
      keyBlocks++;
    } else {
      otherLabels.push(block.label);
    }
  });
  if (certificates.length === 0) {
    const found = blocks.map((b) => b.label);
    throw new RotationError(
      found.length > 0
        ? `${file} holds no certificate (only ${describeLabels(found)}): give the PEM file with the certificate and its chain`
        : `${file} holds no PEM certificate: give the certificate in PEM (if it is DER, convert it with \`openssl x509 -inform der -in ${file} -out cert-converted.pem\`)`,
    );
  }
  if (keyBlocks > 0) {
    warnings.push(
      `${file} also holds ${keyBlocks === 1 ? 'a private key block' : `${keyBlocks} private key blocks`}, ignored unread: the key is taken from the key file`,
    );
  }
  if (otherLabels.length > 0) {
    warnings.push(`${file} also holds ${describeLabels(otherLabels)}, ignored`);
  }
  return certificates;
}

function readPrivateKey(text: string, file: string): KeyObject {
  const blocks = pemBlocks(text, file);
  const keyBlocks = blocks.filter((block) => block.label.endsWith('PRIVATE KEY'));
  if (keyBlocks.some(isEncrypted)) {
    throw new RotationError(
      `${file} holds an encrypted private key, but SLB needs the key unencrypted: decrypt it with ` +
        `\`openssl pkey -in ${file} -out key-plain.pem\` and pass --key key-plain.pem`,
    );
  }
  if (keyBlocks.length === 0) throw new RotationError(noKeyMessage(file, blocks));
  if (keyBlocks.length > 1) {
    throw new RotationError(
      `${file} holds ${keyBlocks.length} private keys: give a file with only the key that belongs to the certificate`,
    );
  }
  const block = keyBlocks[0]!;
  if (!READABLE_KEY_LABELS.has(block.label)) {
    throw new RotationError(
      `${file} holds a "${block.label}" block, which cannot be uploaded: give an RSA or EC key in PEM ` +
        `(PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)`,
    );
  }
  try {
    return createPrivateKey({ key: block.text, format: 'pem' });
  } catch (cause) {
    // Node's message names the decoder step, never the key's content.
    throw new RotationError(
      `the private key in ${file} cannot be read: the file is damaged or the key of a kind Node cannot open; ` +
        `check it with \`openssl pkey -in ${file} -noout\``,
      { cause },
    );
  }
}

function noKeyMessage(file: string, blocks: PemBlock[]): string {
  const labels = blocks.map((b) => b.label);
  if (labels.includes('CERTIFICATE')) {
    return `${file} holds certificates but no private key: check that --cert and --key are not swapped`;
  }
  if (labels.some((label) => label.endsWith('PUBLIC KEY'))) {
    return `${file} holds a public key, not the private key: give the private key the certificate was requested with`;
  }
  return `${file} holds no PEM private key: give the private key in PEM (if it is DER, convert it with \`openssl pkey -inform der -in ${file} -out key-converted.pem\`)`;
}

/** RFC 7468 PKCS#8 `ENCRYPTED PRIVATE KEY`, or RFC 1421 headers on a traditional (PKCS#1, SEC1) key. */
function isEncrypted(block: PemBlock): boolean {
  return block.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4\s*,\s*ENCRYPTED/i.test(block.body);
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** The PEM blocks of a text, refusing one cut short (a BEGIN line without its END line). */
function pemBlocks(text: string, file: string): PemBlock[] {
  if (text.trim() === '') throw new RotationError(`${file} is empty`);
  const blocks = [...text.matchAll(PEM_BLOCK)].map((match) => ({
    label: match[1] ?? '',
    body: match[2] ?? '',
    text: match[0],
  }));
  const begins = text.match(/-----BEGIN [A-Z0-9 ]+-----/g)?.length ?? 0;
  if (begins > blocks.length) {
    throw new RotationError(
      `${file} has a BEGIN line without its matching END line: the file is cut short or damaged`,
    );
  }
  return blocks;
}

function describeLabels(labels: string[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts]
    .map(([label, n]) => (n === 1 ? `one "${label}" block` : `${n} "${label}" blocks`))
    .join(', ');
}
