/**
 * Reading a PKCS#12 (.pfx/.p12) file into a bundle for upload. Node has no PKCS#12 reader, so node-forge does the
 * unwrapping; Node's crypto then reads the certificates and the key it hands over, so everything after this file
 * sees the same objects as with PEM input. No I/O: the caller reads the file.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type * as Forge from 'node-forge';
import {
  type BundleCertificate,
  type CertificateBundle,
  createBundle,
  readBundleCertificate,
} from './bundle';
import { RotationError } from './errors';
import { findLeaf, issuingPath } from './issuers';

type ForgeModule = typeof Forge;

/**
 * Reads a PKCS#12 file: its certificates, ordered leaf first then each issuer, and its one private key (RSA or
 * EC). node-forge is loaded here, on first call, so that only the upload path pays for it.
 *
 * Throws {@link RotationError} naming `name` for a wrong passphrase, a file that is not PKCS#12, one without a
 * certificate or a key, and features node-forge cannot read (with the `openssl` command that converts to PEM).
 */
export async function readPkcs12(pfx: Buffer, passphrase: string, name: string): Promise<CertificateBundle> {
  const forge = await loadForge();
  const bags = openPkcs12(forge, pfx, passphrase, name).safeContents.flatMap((contents) => contents.safeBags);

  const certificateBags = bags.filter((bag) => bag.type === forge.pki.oids.certBag);
  const keyBags = bags.filter(
    (bag) => bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag,
  );
  if (certificateBags.length === 0) {
    throw new RotationError(
      `${name} holds no certificate: export it again with the certificate and its chain`,
    );
  }
  if (keyBags.length === 0) {
    throw new RotationError(
      `${name} holds no private key: export it again with the private key ` +
        `(\`openssl pkcs12 -export -inkey key.pem -in cert.pem -out ${name}\`)`,
    );
  }
  if (keyBags.length > 1) {
    throw new RotationError(
      `${name} holds ${keyBags.length} private keys: export only the certificate to upload and its key`,
    );
  }

  const certificates = certificateBags.map((bag, index) =>
    readBundleCertificate(certificateDer(forge, bag, name), `certificate ${index + 1} of ${name}`),
  );
  const key = readKey(forge, keyBags[0]!, name);
  return createBundle({
    source: 'pkcs12',
    files: { cert: name, key: name },
    certificates: leafFirst(certificates, key),
    key,
    warnings: [],
  });
}

async function loadForge(): Promise<ForgeModule> {
  const loaded: ForgeModule & { default?: ForgeModule } = await import('node-forge');
  // node-forge is CommonJS: Node's ESM loader exposes it as `default` only, bundlers also spread its properties.
  return loaded.default ?? loaded;
}

function openPkcs12(
  forge: ForgeModule,
  pfx: Buffer,
  passphrase: string,
  name: string,
): Forge.pkcs12.Pkcs12Pfx {
  if (pfx.subarray(0, 64).toString('latin1').includes('-----BEGIN')) {
    throw new RotationError(
      `${name} is a PEM file, not PKCS#12: pass it with --cert, and its key with --key`,
    );
  }
  const decode = () => {
    try {
      return forge.asn1.fromDer(pfx.toString('binary'));
    } catch (cause) {
      throw new RotationError(`${name} is not a PKCS#12 (.pfx/.p12) file: it cannot be decoded`, { cause });
    }
  };
  const pfxAsn1 = decode();
  try {
    return forge.pkcs12.pkcs12FromAsn1(pfxAsn1, true, passphrase);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : '';
    // node-forge's messages name the feature and never the passphrase or key.
    if (message.startsWith('Cannot read PKCS#12 PFX.')) {
      throw new RotationError(`${name} is not a PKCS#12 (.pfx/.p12) file: it cannot be decoded`, { cause });
    }
    if (/unsupported|not supported/i.test(message)) {
      throw new RotationError(
        `${name} uses a PKCS#12 feature this reader does not support (${message}): export the key and ` +
          `certificate as PEM with \`openssl pkcs12 -in ${name} -nodes\` and use --cert/--key`,
        { cause },
      );
    }
    const nonAscii = Buffer.byteLength(passphrase, 'utf8') !== passphrase.length;
    const utf8Retry = nonAscii && !/MAC could not be verified/.test(message);
    if (utf8Retry) {
      const opened = openWithUtf8Passphrase(forge, decode(), passphrase);
      if (opened) return opened;
    }
    throw new RotationError(`wrong passphrase for ${name} (or the file is damaged)`, { cause });
  }
}

/**
 * PKCS#12's MAC and old ciphers take the passphrase as UTF-16, but PBES2 (OpenSSL 3's default AES encryption)
 * takes its UTF-8 bytes; node-forge uses one string for both, so a non-ASCII passphrase passes the MAC and then
 * fails to decrypt. The first attempt got past the MAC (or there is none), so the MAC is dropped for a second
 * attempt with the UTF-8 bytes: integrity was already proven with the right passphrase.
 */
function openWithUtf8Passphrase(
  forge: ForgeModule,
  pfxAsn1: Forge.asn1.Asn1,
  passphrase: string,
): Forge.pkcs12.Pkcs12Pfx | null {
  // PFX ::= SEQUENCE { version, authSafe, macData OPTIONAL } (RFC 7292 §4)
  if (Array.isArray(pfxAsn1.value)) pfxAsn1.value = pfxAsn1.value.slice(0, 2);
  try {
    return forge.pkcs12.pkcs12FromAsn1(pfxAsn1, true, Buffer.from(passphrase, 'utf8').toString('binary'));
  } catch {
    return null;
  }
}

/**
 * The certificate's DER. node-forge passes certificates it cannot parse (ECDSA keys) through as ASN.1, but parses
 * RSA ones and keeps only their TBSCertificate: its own re-encoder would give an ECDSA signature algorithm NULL
 * parameters and break the signature of an RSA leaf signed by an ECDSA intermediate. So the certificate is
 * rebuilt from the TBSCertificate, the algorithm it names (RFC 5280 §4.1.1.2: the outer field must equal it) and
 * the signature, which gives back the original bytes.
 */
function certificateDer(forge: ForgeModule, bag: Forge.pkcs12.Bag, name: string): Buffer {
  const { asn1 } = forge;
  let certificate: Forge.asn1.Asn1 | undefined = bag.asn1;
  if (bag.cert) {
    const tbs = (bag.cert as Forge.pki.Certificate & { tbsCertificate: Forge.asn1.Asn1 }).tbsCertificate;
    const fields = tbs.value as Forge.asn1.Asn1[];
    // TBSCertificate: [0] version (absent in v1), serialNumber, signature, ...
    const signatureAlgorithm = fields[fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 2 : 1];
    if (signatureAlgorithm) {
      certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        tbs,
        signatureAlgorithm,
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${bag.cert.signature}`),
      ]);
    }
  }
  if (!certificate) {
    throw new RotationError(`${name} holds a certificate that cannot be read: the file may be damaged`);
  }
  return Buffer.from(asn1.toDer(certificate).getBytes(), 'binary');
}

/**
 * The key as a KeyObject, through PKCS#8 DER. node-forge parses RSA keys and passes the PrivateKeyInfo of any
 * other kind (EC) through as ASN.1, already decrypted, which Node reads.
 */
function readKey(forge: ForgeModule, bag: Forge.pkcs12.Bag, name: string): KeyObject {
  const privateKeyInfo = bag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))
    : (bag.asn1 as Forge.asn1.Asn1 | undefined);
  const unreadable = (cause?: unknown) =>
    new RotationError(
      `${name} holds a private key this reader cannot open: export the key and certificate as PEM with ` +
        `\`openssl pkcs12 -in ${name} -nodes\` and use --cert/--key`,
      { cause },
    );
  if (!privateKeyInfo) throw unreadable();
  try {
    const der = Buffer.from(forge.asn1.toDer(privateKeyInfo).getBytes(), 'binary');
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw unreadable(cause);
  }
}

/** A PFX keeps its certificates in no particular order: put the key's certificate first, then its issuers. */
function leafFirst(certificates: BundleCertificate[], key: KeyObject): BundleCertificate[] {
  const path = issuingPath(findLeaf(certificates, key), certificates);
  return [...path, ...certificates.filter((c) => !path.includes(c))];
}
