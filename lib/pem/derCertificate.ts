/**
 * The fields lib/pem needs, read straight from a certificate's DER without decoding its public key (which is
 * most of what `new X509Certificate()` costs). It reads strict DER X.509 v3 as CAs issue it and declines
 * anything else — BER, v1, unique identifiers, times with no exact date, unusual names or extensions (see
 * der.ts, distinguishedName.ts, extensions.ts) — saying why, so the caller can leave that certificate to
 * X509Certificate, and give the reason if that cannot read it either.
 * The fields it does return equal what the X509Certificate path returns (test/unit/pem/readers.test.ts).
 */
import type { CertificateFields } from './certificateFields';
import {
  checkInteger,
  checkObjectIdentifier,
  expectTlv,
  NotUnderstood,
  readTime,
  readTlv,
  Tag,
  type Tlv,
} from './der';
import { printName } from './distinguishedName';
import { readExtensions } from './extensions';

/** Why this reader leaves a certificate to X509Certificate. */
export interface DeclinedFields {
  /**
   * What it does not read, in its words (`non-minimal length`), or, for the validity, each time it does not read
   * and what that time holds, worded to follow "a certificate whose":
   * `notAfter is a GeneralizedTime without a zone ("20300101000000")`.
   */
  declined: string;
  /**
   * Whether `declined` is about the validity: then it also says why no date can be had when X509Certificate
   * cannot read the certificate either (OpenSSL 3.0 prints "Bad time value"; Node 22's 3.5 may not decode it).
   */
  validity: boolean;
}

/** A validity this reader does not read; its message is worded as {@link DeclinedFields.declined} says. */
class UnreadValidity extends NotUnderstood {
  override name = 'UnreadValidity';
}

/** The certificate's fields, or why this reader cannot vouch for them. Never throws. */
export function readCertificateFields(der: Buffer): CertificateFields | DeclinedFields {
  try {
    return readCertificate(der);
  } catch (error) {
    // NotUnderstood, or a bug: either way the X509Certificate path decides.
    if (error instanceof UnreadValidity) return { declined: error.message, validity: true };
    if (error instanceof NotUnderstood) return { declined: error.message, validity: false };
    return { declined: 'an unexpected error in the DER reader', validity: false };
  }
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING } */
function readCertificate(der: Buffer): CertificateFields {
  const certificate = expectTlv(der, 0, der.length, Tag.Sequence);
  if (certificate.end !== der.length) throw new NotUnderstood('bytes after the certificate');
  const tbs = expectTlv(der, certificate.contentStart, certificate.end, Tag.Sequence);
  const signatureAlgorithm = expectTlv(der, tbs.end, certificate.end, Tag.Sequence);
  checkAlgorithm(der, signatureAlgorithm);
  const signature = expectTlv(der, signatureAlgorithm.end, certificate.end, Tag.BitString);
  checkWholeBytes(der, signature);
  if (signature.end !== certificate.end) throw new NotUnderstood('trailing data in the certificate');

  // TBSCertificate: version [0] (v3 only), serial, signature, issuer, validity, subject, spki, [3] extensions.
  const version = expectTlv(der, tbs.contentStart, tbs.end, 0xa0);
  const v = version.contentStart;
  if (version.end - v !== 3 || der[v] !== Tag.Integer || der[v + 1] !== 1 || der[v + 2] !== 2) {
    throw new NotUnderstood('not an X.509 v3 certificate');
  }
  const serial = expectTlv(der, version.end, tbs.end, Tag.Integer);
  checkInteger(der, serial);
  const algorithm = expectTlv(der, serial.end, tbs.end, Tag.Sequence);
  checkAlgorithm(der, algorithm);
  const issuerName = readTlv(der, algorithm.end, tbs.end);
  const validity = expectTlv(der, issuerName.end, tbs.end, Tag.Sequence);
  const notBefore = readTlv(der, validity.contentStart, validity.end);
  const notAfter = readTlv(der, notBefore.end, validity.end);
  if (notAfter.end !== validity.end) throw new NotUnderstood('validity');
  // Read before names and extensions, so that a certificate declined for its times says so whatever else is odd.
  const { notBeforeMs, notAfterMs } = readValidity(der, notBefore, notAfter);
  const subjectName = readTlv(der, validity.end, tbs.end);
  const publicKeyInfo = expectTlv(der, subjectName.end, tbs.end, Tag.Sequence);
  checkPublicKeyInfo(der, publicKeyInfo);

  let dnsNames: string[] = [];
  let ca = false;
  if (publicKeyInfo.end !== tbs.end) {
    // [1] and [2] unique identifiers are not read: such a certificate goes to the other path.
    const extensions = expectTlv(der, publicKeyInfo.end, tbs.end, 0xa3);
    const list = expectTlv(der, extensions.contentStart, extensions.end, Tag.Sequence);
    if (list.end !== extensions.end || extensions.end !== tbs.end) throw new NotUnderstood('extensions');
    ({ dnsNames, ca } = readExtensions(der, list));
  }

  const subject = printName(der, subjectName);
  const issuer = printName(der, issuerName);
  return {
    subject: subject.text,
    issuer: issuer.text,
    commonName: subject.commonName,
    dnsNames,
    notBeforeMs,
    notAfterMs,
    ca,
  };
}

/** Both times, or UnreadValidity naming each one not read: `notBefore is … and whose notAfter is …`. */
function readValidity(
  der: Buffer,
  notBefore: Tlv,
  notAfter: Tlv,
): { notBeforeMs: number; notAfterMs: number } {
  const unread: string[] = [];
  const read = (element: Tlv, field: string): number => {
    try {
      return readTime(der, element);
    } catch (error) {
      if (!(error instanceof NotUnderstood)) throw error;
      unread.push(`${field} is ${error.message}`);
      return Number.NaN;
    }
  };
  const notBeforeMs = read(notBefore, 'notBefore');
  const notAfterMs = read(notAfter, 'notAfter');
  if (unread.length > 0) throw new UnreadValidity(unread.join(' and whose '));
  return { notBeforeMs, notAfterMs };
}

/** AlgorithmIdentifier with no parameters, NULL (RSA) or a named curve: the forms RFC 3279/5758 use. */
function checkAlgorithm(der: Buffer, algorithm: Tlv): void {
  const id = readTlv(der, algorithm.contentStart, algorithm.end);
  checkObjectIdentifier(der, id);
  if (id.end === algorithm.end) return;
  const parameters = readTlv(der, id.end, algorithm.end);
  if (parameters.end !== algorithm.end) throw new NotUnderstood('algorithm with trailing data');
  if (parameters.tag === Tag.Null) {
    if (parameters.contentStart !== parameters.end) throw new NotUnderstood('NULL with content');
  } else if (parameters.tag === Tag.ObjectIdentifier) {
    checkObjectIdentifier(der, parameters);
  } else {
    throw new NotUnderstood('algorithm parameters this reader does not know');
  }
}

/** SubjectPublicKeyInfo: its shape only. The key itself is never decoded. */
function checkPublicKeyInfo(der: Buffer, info: Tlv): void {
  const algorithm = expectTlv(der, info.contentStart, info.end, Tag.Sequence);
  checkAlgorithm(der, algorithm);
  const key = expectTlv(der, algorithm.end, info.end, Tag.BitString);
  checkWholeBytes(der, key);
  if (key.end !== info.end) throw new NotUnderstood('public key info with trailing data');
}

function checkWholeBytes(der: Buffer, bits: Tlv): void {
  if (bits.end === bits.contentStart || der[bits.contentStart] !== 0) {
    throw new NotUnderstood('BIT STRING that is not whole bytes');
  }
}
