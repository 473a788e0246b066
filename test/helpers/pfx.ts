/**
 * PKCS#12 (.pfx) files for tests, made with node-forge's ASN.1 and PBE pieces.
 *
 * node-forge's own writer (`pkcs12.toPkcs12Asn1`) takes only RSA keys and certificates it can parse, and the test
 * chain from makeTestCertificate has an ECDSA intermediate and root; so the file is laid out here as RFC 7292 has
 * it, as forge and `openssl pkcs12 -export -legacy` write it: certificates in a plain SafeContents, the key in a
 * 3DES-encrypted PKCS#8 ShroudedKeyBag, a SHA-1 MAC over both.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';

export interface PfxOptions {
  /** PEM certificates, in the order to store them; the first is paired with the key (localKeyId). */
  certificatePems: string[];
  /** A PEM private key of any kind Node reads; omit for a file without a key. */
  keyPem?: string;
  /** Store these bytes as the PKCS#8 PrivateKeyInfo instead of the key's: for keys no reader can open. */
  privateKeyInfoDer?: Buffer;
  passphrase: string;
  /**
   * How the key is encrypted: '3des' (PKCS#12 PBE, forge's and `openssl -legacy`'s choice) or 'aes256' (PBES2
   * with HMAC-SHA-256, OpenSSL 3's default). Default '3des'.
   */
  keyCipher?: '3des' | 'aes256';
}

const { asn1, pki } = forge;

/** RFC 7292 and PKCS#9 object identifiers. */
const OID = {
  data: '1.2.840.113549.1.7.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  sha1: '1.3.14.3.2.26',
};

/** A DER PKCS#12 file holding the certificates and the key, encrypted and MAC'd with the passphrase. */
export function makePfx(options: PfxOptions): Buffer {
  const certificateDers = options.certificatePems.map(pemToDer);
  const first = certificateDers[0];
  const keyAttributes = first ? localKeyIdAttribute(createHash('sha1').update(first).digest()) : undefined;

  const certificateBags = certificateDers.map((der, i) =>
    sequence(
      oid(OID.certBag),
      explicit(sequence(oid(OID.x509Certificate), explicit(octets(der)))),
      ...(i === 0 && keyAttributes ? [keyAttributes] : []),
    ),
  );
  const contents = [dataContentInfo(certificateBags)];

  const privateKeyInfoDer =
    options.privateKeyInfoDer ??
    (options.keyPem ? createPrivateKey(options.keyPem).export({ type: 'pkcs8', format: 'der' }) : undefined);
  if (privateKeyInfoDer) {
    const privateKeyInfo = asn1.fromDer(privateKeyInfoDer.toString('binary'));
    const shrouded =
      options.keyCipher === 'aes256'
        ? // PBES2 keys from the passphrase's UTF-8 bytes, as OpenSSL does; forge takes a binary string for them.
          pki.encryptPrivateKeyInfo(
            privateKeyInfo,
            Buffer.from(options.passphrase, 'utf8').toString('binary'),
            {
              algorithm: 'aes256',
              prfAlgorithm: 'sha256',
            },
          )
        : pki.encryptPrivateKeyInfo(privateKeyInfo, options.passphrase, { algorithm: '3des' });
    const keyBag = sequence(
      oid(OID.pkcs8ShroudedKeyBag),
      explicit(shrouded),
      ...(keyAttributes ? [keyAttributes] : []),
    );
    contents.push(dataContentInfo([keyBag]));
  }

  const authenticatedSafe = asn1.toDer(sequence(...contents)).getBytes();
  const pfx = sequence(
    integer(3),
    sequence(oid(OID.data), explicit(octets(authenticatedSafe))),
    macData(authenticatedSafe, options.passphrase),
  );
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

/** RFC 7292 §4: HMAC-SHA-1 keyed from the passphrase (ID 3), over the AuthenticatedSafe. */
function macData(authenticatedSafe: string, passphrase: string): forge.asn1.Asn1 {
  const salt = forge.random.getBytesSync(8);
  const iterations = 2048;
  const key = forge.pkcs12.generateKey(passphrase, forge.util.createBuffer(salt), 3, iterations, 20);
  const hmac = forge.hmac.create();
  hmac.start('sha1', key);
  hmac.update(authenticatedSafe);
  return sequence(
    sequence(
      sequence(oid(OID.sha1), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')),
      octets(hmac.getMac().getBytes()),
    ),
    octets(salt),
    integer(iterations),
  );
}

function dataContentInfo(safeBags: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return sequence(oid(OID.data), explicit(octets(asn1.toDer(sequence(...safeBags)).getBytes())));
}

function localKeyIdAttribute(id: Buffer): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
    sequence(oid(OID.localKeyId), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [octets(id)])),
  ]);
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function sequence(...values: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, values);
}

function explicit(value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [value]);
}

function oid(dotted: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
}

function octets(bytes: Buffer | string): forge.asn1.Asn1 {
  const binary = typeof bytes === 'string' ? bytes : bytes.toString('binary');
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, binary);
}

function integer(value: number): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}
