/**
 * A certificate's signature checked from the DER alone, for a certificate Node's X509Certificate does not decode
 * but the strict DER reader reads: OpenSSL 3.5 (Node 22) refuses one whose time lacks its seconds. Without it a
 * self-signed root of that kind would not be known as one, and its date would count like an intermediate's.
 * It checks what OpenSSL's X509_verify checks: the outer signatureAlgorithm is the one inside the
 * TBSCertificate, and the issuer's key verifies the signature over the TBSCertificate as it is encoded.
 */
import { createPublicKey, verify } from 'node:crypto';
import { expectTlv, readTlv, Tag, type Tlv } from './der';

/** The key type a signature algorithm needs, and its digest (none for EdDSA), by the OID's content in hex. */
const ALGORITHMS: Readonly<Record<string, { keyType: string; digest: string | null }>> = {
  '2a864886f70d010105': { keyType: 'rsa', digest: 'sha1' }, // sha1WithRSAEncryption 1.2.840.113549.1.1.5
  '2a864886f70d01010e': { keyType: 'rsa', digest: 'sha224' }, // sha224WithRSAEncryption .14
  '2a864886f70d01010b': { keyType: 'rsa', digest: 'sha256' }, // sha256WithRSAEncryption .11
  '2a864886f70d01010c': { keyType: 'rsa', digest: 'sha384' }, // sha384WithRSAEncryption .12
  '2a864886f70d01010d': { keyType: 'rsa', digest: 'sha512' }, // sha512WithRSAEncryption .13
  '2a8648ce3d0401': { keyType: 'ec', digest: 'sha1' }, // ecdsa-with-SHA1 1.2.840.10045.4.1
  '2a8648ce3d040301': { keyType: 'ec', digest: 'sha224' }, // ecdsa-with-SHA224 1.2.840.10045.4.3.1
  '2a8648ce3d040302': { keyType: 'ec', digest: 'sha256' }, // ecdsa-with-SHA256 .2
  '2a8648ce3d040303': { keyType: 'ec', digest: 'sha384' }, // ecdsa-with-SHA384 .3
  '2a8648ce3d040304': { keyType: 'ec', digest: 'sha512' }, // ecdsa-with-SHA512 .4
  '2b6570': { keyType: 'ed25519', digest: null }, // Ed25519 1.3.101.112 (RFC 8410)
  '2b6571': { keyType: 'ed448', digest: null }, // Ed448 1.3.101.113
};

/**
 * Whether `issuer`'s key signed `child`; null where this cannot tell: DER it does not read (BER, say), an
 * algorithm not listed above (RSA-PSS among them), a key Node cannot load.
 */
export function signedByFromDer(child: Uint8Array, issuer: Uint8Array): boolean | null {
  try {
    const certificate = expectTlv(child, 0, child.length, Tag.Sequence);
    const tbs = expectTlv(child, certificate.contentStart, certificate.end, Tag.Sequence);
    const outerAlgorithm = expectTlv(child, tbs.end, certificate.end, Tag.Sequence);
    const signature = expectTlv(child, outerAlgorithm.end, certificate.end, Tag.BitString);
    const [, , innerAlgorithm] = tbsFields(child, tbs, 3);
    if (!sameBytes(child, outerAlgorithm, innerAlgorithm!)) return false;
    const oid = expectTlv(child, outerAlgorithm.contentStart, outerAlgorithm.end, Tag.ObjectIdentifier);
    const algorithm = ALGORITHMS[Buffer.from(child.subarray(oid.contentStart, oid.end)).toString('hex')];
    // RSA's parameters are NULL or absent (RFC 4055 §5); ECDSA's and EdDSA's absent (RFC 5758, RFC 8410).
    const parameters = child.subarray(oid.end, outerAlgorithm.end);
    const nullOrNone = parameters.length === 0 || (algorithm?.keyType === 'rsa' && isNull(parameters));
    if (!algorithm || !nullOrNone) return null;
    const issuerTbs = expectTlv(
      issuer,
      expectTlv(issuer, 0, issuer.length, Tag.Sequence).contentStart,
      issuer.length,
      Tag.Sequence,
    );
    const publicKeyInfo = tbsFields(issuer, issuerTbs, 7)[6]!;
    const key = createPublicKey({
      key: Buffer.from(issuer.subarray(publicKeyInfo.start, publicKeyInfo.end)),
      format: 'der',
      type: 'spki',
    });
    if (key.asymmetricKeyType !== algorithm.keyType) return false;
    // A BIT STRING of whole bytes: its first content byte counts the unused bits.
    if (child[signature.contentStart] !== 0) return false;
    return verify(
      algorithm.digest,
      child.subarray(tbs.start, tbs.end),
      key,
      child.subarray(signature.contentStart + 1, signature.end),
    );
  } catch {
    return null;
  }
}

/**
 * The first `count` fields of a TBSCertificate, the version counted even when it is absent (v1), so that index 2
 * is the signature algorithm and 6 the subjectPublicKeyInfo.
 */
function tbsFields(der: Uint8Array, tbs: Tlv, count: number): (Tlv | undefined)[] {
  const fields: (Tlv | undefined)[] = [];
  let at = tbs.contentStart;
  while (fields.length < count) {
    const field = readTlv(der, at, tbs.end);
    // [0] EXPLICIT version, DEFAULT v1: a missing one is still field 0.
    if (fields.length === 0 && field.tag !== 0xa0) fields.push(undefined);
    fields.push(field);
    at = field.end;
  }
  return fields;
}

function sameBytes(der: Uint8Array, a: Tlv, b: Tlv): boolean {
  if (a.end - a.start !== b.end - b.start) return false;
  for (let i = 0; i < a.end - a.start; i++) if (der[a.start + i] !== der[b.start + i]) return false;
  return true;
}

function isNull(bytes: Uint8Array): boolean {
  return bytes.length === 2 && bytes[0] === Tag.Null && bytes[1] === 0;
}
