/**
 * The X.509 v3 extensions a server certificate carries, read strictly, for two facts: the SAN dNSNames and
 * whether the certificate is a CA as Node's `X509Certificate.ca` says (OpenSSL's `X509_check_ca() == 1`).
 *
 * OpenSSL 3.0 decodes some extensions as soon as a certificate is used (`ossl_x509v3_cache_extensions`), and
 * one that fails to decode, or appears twice, makes the whole certificate "invalid", which turns `ca` false.
 * So this reader reads every such extension it accepts in full (basicConstraints, keyUsage, extKeyUsage,
 * subject/authority key identifiers, subjectAltName, CRL distribution points), lets through only extensions
 * OpenSSL never decodes there (certificatePolicies, authorityInfoAccess, SCTs, all non-critical), and refuses
 * the rest: name constraints, proxy certificates, IP/AS resources, Netscape types, unknown critical ones.
 */
import {
  checkObjectIdentifier,
  checkTrue,
  contentEquals,
  expectTlv,
  NotUnderstood,
  readSmallUnsigned,
  readTlv,
  Tag,
  type Tlv,
} from './der';

export interface ExtensionFacts {
  /** The subjectAltName dNSNames, in order. */
  dnsNames: string[];
  /** basicConstraints cA, and keyUsage (if present) allows keyCertSign. */
  ca: boolean;
}

/** The extensions this reader accepts, each with a bit of its own in the set of those seen. */
const Extension = {
  basicConstraints: 0,
  keyUsage: 1,
  subjectAltName: 2,
  extKeyUsage: 3,
  subjectKeyIdentifier: 4,
  authorityKeyIdentifier: 5,
  crlDistributionPoints: 6,
  certificatePolicies: 7,
  authorityInfoAccess: 8,
  sctList: 9,
} as const;

/** 2.5.29.x (id-ce), by the last OID byte. */
const ID_CE: Record<number, number> = {
  14: Extension.subjectKeyIdentifier,
  15: Extension.keyUsage,
  17: Extension.subjectAltName,
  19: Extension.basicConstraints,
  31: Extension.crlDistributionPoints,
  32: Extension.certificatePolicies,
  35: Extension.authorityKeyIdentifier,
  37: Extension.extKeyUsage,
};
const AUTHORITY_INFO_ACCESS = Uint8Array.from([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01]); // 1.3.6.1.5.5.7.1.1
const SCT_LIST = Uint8Array.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02]); // 1.3.6.1.4.1.11129.2.4.2

function extensionOf(der: Buffer, id: Tlv): number {
  if (id.end - id.contentStart === 3 && der[id.contentStart] === 0x55 && der[id.contentStart + 1] === 0x1d) {
    return ID_CE[der[id.contentStart + 2]!] ?? -1;
  }
  if (contentEquals(der, id, AUTHORITY_INFO_ACCESS)) return Extension.authorityInfoAccess;
  if (contentEquals(der, id, SCT_LIST)) return Extension.sctList;
  return -1;
}

/** keyUsage keyCertSign (bit 5) in the first content byte. */
const KEY_CERT_SIGN = 0x04;

/** Reads `[3] EXPLICIT Extensions`' inner SEQUENCE OF Extension. */
export function readExtensions(der: Buffer, list: Tlv): ExtensionFacts {
  if (list.contentStart === list.end) throw new NotUnderstood('empty extension list');
  let seen = 0;
  let dnsNames: string[] = [];
  let basicConstraintsCa = false;
  let keyUsage: number | null = null;
  for (let offset = list.contentStart; offset < list.end; ) {
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const entry = expectTlv(der, offset, list.end, Tag.Sequence);
    offset = entry.end;
    const id = readTlv(der, entry.contentStart, entry.end);
    checkObjectIdentifier(der, id);
    let next = readTlv(der, id.end, entry.end);
    let critical = false;
    if (next.tag === Tag.Boolean) {
      checkTrue(der, next);
      critical = true;
      next = readTlv(der, next.end, entry.end);
    }
    if (next.tag !== Tag.OctetString || next.end !== entry.end) {
      throw new NotUnderstood('extension value');
    }
    // extnValue: the OCTET STRING holds exactly one encoded value.
    const value = readTlv(der, next.contentStart, next.end);
    if (value.end !== next.end) throw new NotUnderstood('extension value with trailing data');

    const kind = extensionOf(der, id);
    if (kind < 0) throw new NotUnderstood('extension this reader does not know');
    // OpenSSL calls a certificate with some extensions twice invalid; none is expected twice anyway.
    if (seen & (1 << kind)) throw new NotUnderstood('extension present twice');
    seen |= 1 << kind;
    switch (kind) {
      case Extension.basicConstraints:
        basicConstraintsCa = readBasicConstraints(der, value);
        break;
      case Extension.keyUsage:
        keyUsage = readKeyUsage(der, value);
        break;
      case Extension.subjectAltName:
        dnsNames = readSubjectAltName(der, value);
        break;
      case Extension.extKeyUsage:
        readObjectIdentifiers(der, value);
        break;
      case Extension.subjectKeyIdentifier:
        if (value.tag !== Tag.OctetString) throw new NotUnderstood('subjectKeyIdentifier');
        break;
      case Extension.authorityKeyIdentifier:
        readAuthorityKeyIdentifier(der, value);
        break;
      case Extension.crlDistributionPoints:
        readCrlDistributionPoints(der, value);
        break;
      case Extension.certificatePolicies:
      case Extension.authorityInfoAccess:
      case Extension.sctList:
        // Not decoded by OpenSSL until verification; critical, they would be a verifier's business.
        if (critical) throw new NotUnderstood('critical extension this reader does not read');
        break;
      default:
        throw new NotUnderstood('extension this reader does not know');
    }
  }
  const ca = basicConstraintsCa && (keyUsage === null || (keyUsage & KEY_CERT_SIGN) !== 0);
  return { dnsNames, ca };
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
function readBasicConstraints(der: Buffer, value: Tlv): boolean {
  if (value.tag !== Tag.Sequence) throw new NotUnderstood('basicConstraints');
  let at = value.contentStart;
  let ca = false;
  if (at < value.end) {
    const first = readTlv(der, at, value.end);
    if (first.tag === Tag.Boolean) {
      checkTrue(der, first);
      ca = true;
      at = first.end;
    }
  }
  if (at < value.end) {
    const pathLength = expectTlv(der, at, value.end, Tag.Integer);
    // A path length without cA is an error OpenSSL leaves to verification; not worth guessing about here.
    if (!ca) throw new NotUnderstood('pathLenConstraint without cA');
    readSmallUnsigned(der, pathLength);
    at = pathLength.end;
  }
  if (at !== value.end) throw new NotUnderstood('basicConstraints with trailing data');
  return ca;
}

/** KeyUsage ::= BIT STRING, DER: no trailing zero bits. Returns OpenSSL's first byte of usage bits. */
function readKeyUsage(der: Buffer, value: Tlv): number {
  const length = value.end - value.contentStart;
  // One or two bytes of bits (decipherOnly is bit 8); OpenSSL calls an empty usage invalid.
  if (value.tag !== Tag.BitString || length < 2 || length > 3) throw new NotUnderstood('keyUsage');
  const unused = der[value.contentStart]!;
  const last = der[value.end - 1]!;
  if (unused > 7 || last === 0 || (last & ((1 << unused) - 1)) !== 0 || ((last >> unused) & 1) !== 1) {
    throw new NotUnderstood('keyUsage not in DER');
  }
  return der[value.contentStart + 1]!;
}

/** ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId */
function readObjectIdentifiers(der: Buffer, value: Tlv): void {
  if (value.tag !== Tag.Sequence || value.contentStart === value.end) throw new NotUnderstood('extKeyUsage');
  for (let at = value.contentStart; at < value.end; ) {
    const id = readTlv(der, at, value.end);
    checkObjectIdentifier(der, id);
    at = id.end;
  }
}

/** Only the usual form: SEQUENCE { [0] keyIdentifier }. */
function readAuthorityKeyIdentifier(der: Buffer, value: Tlv): void {
  if (value.tag !== Tag.Sequence) throw new NotUnderstood('authorityKeyIdentifier');
  const keyIdentifier = expectTlv(der, value.contentStart, value.end, 0x80);
  if (keyIdentifier.end !== value.end)
    throw new NotUnderstood('authorityKeyIdentifier with issuer and serial');
}

/** Only distribution points that are a fullName of URIs: SEQUENCE OF SEQUENCE { [0] { [0] { URI... } } }. */
function readCrlDistributionPoints(der: Buffer, value: Tlv): void {
  if (value.tag !== Tag.Sequence || value.contentStart === value.end) {
    throw new NotUnderstood('cRLDistributionPoints');
  }
  for (let at = value.contentStart; at < value.end; ) {
    const point = expectTlv(der, at, value.end, Tag.Sequence);
    at = point.end;
    const name = expectTlv(der, point.contentStart, point.end, 0xa0);
    const fullName = expectTlv(der, name.contentStart, name.end, 0xa0);
    if (name.end !== point.end || fullName.end !== name.end || fullName.contentStart === fullName.end) {
      throw new NotUnderstood('distribution point other than a full name');
    }
    for (let uriAt = fullName.contentStart; uriAt < fullName.end; ) {
      const uri = expectTlv(der, uriAt, fullName.end, 0x86);
      checkAscii(der, uri);
      uriAt = uri.end;
    }
  }
}

/**
 * GeneralNames of the kinds a server certificate holds: dNSName, iPAddress, rfc822Name, URI. Only dNSNames are
 * returned, and only those Node prints unquoted (printable ASCII without `"` `\` `,` `'`), which is what the
 * X509Certificate path reads back from Node's `subjectAltName` text; others are left to that path.
 */
function readSubjectAltName(der: Buffer, value: Tlv): string[] {
  if (value.tag !== Tag.Sequence || value.contentStart === value.end) {
    throw new NotUnderstood('subjectAltName');
  }
  const names: string[] = [];
  for (let at = value.contentStart; at < value.end; ) {
    const name = readTlv(der, at, value.end);
    at = name.end;
    switch (name.tag) {
      case 0x82: // [2] dNSName
        for (let i = name.contentStart; i < name.end; i++) {
          if (!SAFE_ALT_NAME[der[i]!]) throw new NotUnderstood('dNSName Node would quote');
        }
        names.push(der.toString('latin1', name.contentStart, name.end));
        break;
      case 0x87: // [7] iPAddress
        if (name.end - name.contentStart !== 4 && name.end - name.contentStart !== 16) {
          throw new NotUnderstood('iPAddress');
        }
        break;
      case 0x81: // [1] rfc822Name
      case 0x86: // [6] uniformResourceIdentifier
        checkAscii(der, name);
        break;
      default:
        throw new NotUnderstood('subjectAltName entry of another kind');
    }
  }
  return names;
}

function checkAscii(der: Buffer, element: Tlv): void {
  for (let i = element.contentStart; i < element.end; i++) {
    if (der[i]! >= 0x80) throw new NotUnderstood('IA5String beyond ASCII');
  }
}

/** Node's IsSafeAltName for non-UTF-8 names: printable ASCII except `"`, `\`, `,` and `'`. */
const SAFE_ALT_NAME = Array.from(
  { length: 128 },
  (_, byte) => byte >= 0x20 && byte <= 0x7e && !'"\\,\''.includes(String.fromCharCode(byte)),
);
