/**
 * A minimal X.509 v3 certificate issuer (RFC 5280), so the emulator can hold real, verifiable chains.
 * Node's crypto reads certificates but cannot create them, and node-forge cannot sign with ECDSA, hence the
 * hand-written DER. Only what a TLS server certificate chain needs is supported: RSA and ECDSA (P-256, P-384)
 * keys, DNS subjectAltNames, CA and leaf profiles.
 */
import { createHash, createPublicKey, type KeyObject, sign } from 'node:crypto';
import {
  asciiBytes,
  bitString,
  boolean,
  children,
  type DerElement,
  explicit,
  implicitPrimitive,
  namedBits,
  nullValue,
  objectIdentifier,
  octetString,
  printableString,
  readElement,
  sequence,
  set,
  Tag,
  time,
  unsignedInteger,
  utf8String,
} from './der';

/** The subject or issuer name. Attributes are written C, O, CN, the usual order. */
export interface DistinguishedName {
  commonName: string;
  organization?: string;
  /** Two-letter country code. */
  country?: string;
}

/**
 * Who signs. Give the issuer's certificate when there is one, so the issuer name and key identifier are
 * copied byte for byte (what `checkIssued` and chain builders compare); a bare name is enough otherwise.
 */
export type CertificateIssuer =
  | { certificate: string | Buffer; privateKey: KeyObject }
  | { name: DistinguishedName; privateKey: KeyObject }
  | { selfSigned: true; privateKey: KeyObject };

export interface CertificateRequest {
  subject: DistinguishedName;
  /** The subject's key; a private key is accepted and only its public half is written. */
  publicKey: KeyObject;
  issuer: CertificateIssuer;
  /** Positive. A Buffer is an unsigned big-endian number. */
  serialNumber: bigint | Buffer;
  /** Instants, truncated to whole seconds (the finest X.509 validity this issuer writes). */
  notBefore: Date | number;
  notAfter: Date | number;
  dnsNames?: string[];
  /** A CA certificate (basicConstraints cA, keyCertSign); otherwise a TLS server/client leaf. */
  ca?: boolean;
  /** basicConstraints pathLenConstraint, for CA certificates. */
  pathLength?: number;
}

export interface IssuedCertificate {
  pem: string;
  der: Buffer;
}

/** Object identifiers, encoded once. */
const OID = {
  commonName: objectIdentifier('2.5.4.3'),
  country: objectIdentifier('2.5.4.6'),
  organization: objectIdentifier('2.5.4.10'),
  subjectKeyIdentifier: objectIdentifier('2.5.29.14'),
  keyUsage: objectIdentifier('2.5.29.15'),
  subjectAltName: objectIdentifier('2.5.29.17'),
  basicConstraints: objectIdentifier('2.5.29.19'),
  authorityKeyIdentifier: objectIdentifier('2.5.29.35'),
  extKeyUsage: objectIdentifier('2.5.29.37'),
  serverAuth: objectIdentifier('1.3.6.1.5.5.7.3.1'),
  clientAuth: objectIdentifier('1.3.6.1.5.5.7.3.2'),
  sha256WithRsaEncryption: objectIdentifier('1.2.840.113549.1.1.11'),
  ecdsaWithSha256: objectIdentifier('1.2.840.10045.4.3.2'),
  ecdsaWithSha384: objectIdentifier('1.2.840.10045.4.3.3'),
};

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
const KeyUsageBit = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** Issues one certificate signed by `request.issuer.privateKey`. */
export function issueCertificate(request: CertificateRequest): IssuedCertificate {
  const { issuer } = request;
  const subjectName = encodeName(request.subject);
  const subjectPublicKeyInfo = publicKeyInfo(request.publicKey);
  const subjectKeyId = keyIdentifier(subjectPublicKeyInfo);
  const issuerPublicKeyInfo = publicKeyInfo(issuer.privateKey);

  let issuerName: Buffer;
  let authorityKeyId: Buffer | null;
  if ('certificate' in issuer) {
    const issuerCertificate = readIssuerCertificate(issuer.certificate);
    if (!issuerCertificate.publicKeyInfo.equals(issuerPublicKeyInfo)) {
      throw new Error(`issuer private key does not match the issuer certificate's public key`);
    }
    issuerName = issuerCertificate.subjectName;
    authorityKeyId = issuerCertificate.subjectKeyId ?? keyIdentifier(issuerPublicKeyInfo);
  } else if ('name' in issuer) {
    issuerName = encodeName(issuer.name);
    authorityKeyId = keyIdentifier(issuerPublicKeyInfo);
  } else {
    if (!issuerPublicKeyInfo.equals(subjectPublicKeyInfo)) {
      throw new Error('a self-signed certificate must be signed with the private half of its own key');
    }
    issuerName = subjectName;
    // RFC 5280 §4.2.1.1 lets a self-signed certificate omit the authority key identifier.
    authorityKeyId = null;
  }

  const algorithm = signatureAlgorithm(issuer.privateKey);
  const tbsCertificate = sequence(
    explicit(0, unsignedInteger(2)), // v3
    unsignedInteger(request.serialNumber),
    algorithm.identifier,
    issuerName,
    sequence(time(toWholeSeconds(request.notBefore)), time(toWholeSeconds(request.notAfter))),
    subjectName,
    subjectPublicKeyInfo,
    explicit(3, sequence(...extensions(request, subjectKeyId, authorityKeyId))),
  );
  const signature = sign(algorithm.hash, tbsCertificate, { key: issuer.privateKey, dsaEncoding: 'der' });
  const der = sequence(tbsCertificate, algorithm.identifier, bitString(signature));
  return { der, pem: certificatePem(der) };
}

/** PEM armour for a DER certificate: base64 in 64-character lines (RFC 7468). */
export function certificatePem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** An instant as a certificate holds it: whole seconds, sub-second part dropped. Epoch milliseconds. */
export function toWholeSeconds(instant: Date | number): number {
  const epochMs = typeof instant === 'number' ? instant : instant.getTime();
  return Math.floor(epochMs / 1000) * 1000;
}

function encodeName(name: DistinguishedName): Buffer {
  const attribute = (oid: Buffer, value: Buffer) => set(sequence(oid, value));
  const rdns: Buffer[] = [];
  if (name.country !== undefined) {
    // countryName must be a PrintableString (RFC 5280 appendix A).
    rdns.push(attribute(OID.country, printableString(name.country)));
  }
  if (name.organization !== undefined) rdns.push(attribute(OID.organization, utf8String(name.organization)));
  rdns.push(attribute(OID.commonName, utf8String(name.commonName)));
  return sequence(...rdns);
}

/** Deriving and exporting a public key costs more than signing with ECDSA; fleets reuse a few keys. */
const publicKeyInfoCache = new WeakMap<KeyObject, Buffer>();

/** The DER SubjectPublicKeyInfo of a key, public or private (Node will not derive a public key from a public one). */
function publicKeyInfo(key: KeyObject): Buffer {
  let info = publicKeyInfoCache.get(key);
  if (!info) {
    const publicKey = key.type === 'public' ? key : createPublicKey(key);
    info = publicKey.export({ type: 'spki', format: 'der' });
    publicKeyInfoCache.set(key, info);
  }
  return info;
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(subjectPublicKeyInfo: Buffer): Buffer {
  const [, publicKeyBits] = children(subjectPublicKeyInfo, readElement(subjectPublicKeyInfo, 0));
  if (!publicKeyBits || publicKeyBits.tag !== Tag.BitString)
    throw new Error('malformed SubjectPublicKeyInfo');
  return createHash('sha1')
    .update(subjectPublicKeyInfo.subarray(publicKeyBits.contentStart + 1, publicKeyBits.end))
    .digest();
}

function signatureAlgorithm(privateKey: KeyObject): { identifier: Buffer; hash: string } {
  const type = privateKey.asymmetricKeyType;
  if (type === 'rsa') {
    return { identifier: sequence(OID.sha256WithRsaEncryption, nullValue()), hash: 'sha256' };
  }
  if (type === 'ec') {
    // RFC 5758 §3.2: ECDSA algorithm identifiers carry no parameters.
    const curve = privateKey.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { identifier: sequence(OID.ecdsaWithSha256), hash: 'sha256' };
    if (curve === 'secp384r1') return { identifier: sequence(OID.ecdsaWithSha384), hash: 'sha384' };
    throw new Error(`unsupported issuer curve ${curve}: use P-256 or P-384`);
  }
  throw new Error(`unsupported issuer key type ${type}: use RSA or ECDSA`);
}

function extensions(
  request: CertificateRequest,
  subjectKeyId: Buffer,
  authorityKeyId: Buffer | null,
): Buffer[] {
  const extension = (oid: Buffer, critical: boolean, value: Buffer) =>
    sequence(oid, ...(critical ? [boolean(true)] : []), octetString(value));

  const found: Buffer[] = [];
  if (request.ca) {
    const pathLength = request.pathLength === undefined ? [] : [unsignedInteger(request.pathLength)];
    found.push(extension(OID.basicConstraints, true, sequence(boolean(true), ...pathLength)));
    found.push(
      extension(
        OID.keyUsage,
        true,
        namedBits([KeyUsageBit.digitalSignature, KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
      ),
    );
  } else {
    // cA FALSE is the DEFAULT, which DER leaves out: an empty sequence.
    found.push(extension(OID.basicConstraints, true, sequence()));
    // RSA key exchange (TLS 1.2 and older) encrypts with the leaf key, so RSA leaves carry keyEncipherment.
    const rsa = request.publicKey.asymmetricKeyType === 'rsa';
    const bits = rsa
      ? [KeyUsageBit.digitalSignature, KeyUsageBit.keyEncipherment]
      : [KeyUsageBit.digitalSignature];
    found.push(extension(OID.keyUsage, true, namedBits(bits)));
    found.push(extension(OID.extKeyUsage, false, sequence(OID.serverAuth, OID.clientAuth)));
  }
  if (request.dnsNames && request.dnsNames.length > 0) {
    const generalNames = request.dnsNames.map((name) => implicitPrimitive(2, asciiBytes(name)));
    found.push(extension(OID.subjectAltName, false, sequence(...generalNames)));
  }
  found.push(extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)));
  if (authorityKeyId) {
    found.push(extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, authorityKeyId))));
  }
  return found;
}

interface IssuerCertificateFields {
  /** The subject Name TLV, copied as is. */
  subjectName: Buffer;
  publicKeyInfo: Buffer;
  subjectKeyId: Buffer | null;
}

/** Pulls the subject name, key and subjectKeyIdentifier out of an issuer certificate (PEM or DER). */
function readIssuerCertificate(certificate: string | Buffer): IssuerCertificateFields {
  const der =
    typeof certificate === 'string'
      ? Buffer.from(
          certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''),
          'base64',
        )
      : certificate;
  const [tbs] = children(der, readElement(der, 0));
  if (!tbs) throw new Error('issuer certificate is empty');
  const fields = children(der, tbs);
  // TBSCertificate: [0] version (absent in v1), serial, signature, issuer, validity, subject, spki, ...
  const versioned = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[versioned + 4];
  const publicKeyInfo = fields[versioned + 5];
  if (!subject || !publicKeyInfo) throw new Error('issuer certificate is not an X.509 certificate');
  const extensionsField = fields.find((field) => field.tag === 0xa3);
  return {
    subjectName: slice(der, subject),
    publicKeyInfo: slice(der, publicKeyInfo),
    subjectKeyId: extensionsField ? findSubjectKeyId(der, extensionsField) : null,
  };
}

function findSubjectKeyId(der: Buffer, extensionsField: DerElement): Buffer | null {
  const [list] = children(der, extensionsField);
  if (!list) return null;
  for (const extension of children(der, list)) {
    const parts = children(der, extension);
    const oid = parts[0];
    const value = parts[parts.length - 1];
    if (!oid || !value || !slice(der, oid).equals(OID.subjectKeyIdentifier)) continue;
    // extnValue is an OCTET STRING wrapping the KeyIdentifier OCTET STRING.
    const keyId = readElement(der, value.contentStart);
    return Buffer.from(der.subarray(keyId.contentStart, keyId.end));
  }
  return null;
}

function slice(der: Buffer, element: DerElement): Buffer {
  return der.subarray(element.start, element.end);
}
