/**
 * Certificates made byte by byte, for the cases the emulator's issuer never writes: odd names, time encodings,
 * extensions, BER. Signed for real (P-256), so X509Certificate reads them as it would any other.
 */
import { createPublicKey, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { expect } from 'vitest';
import {
  bitString,
  boolean,
  children,
  explicit,
  objectIdentifier,
  octetString,
  readElement,
  sequence,
  set,
  Tag,
  time,
  tlv,
  unsignedInteger,
  utf8String,
} from '../../../emulator/x509/der';
import { pooledKey } from '../../../emulator/x509/keys';

export const NOT_BEFORE = Date.UTC(2026, 0, 1, 8, 30, 15);
export const NOT_AFTER = Date.UTC(2027, 0, 1, 8, 30, 15);

const key = pooledKey('ec', 'crafted-certificates');
const spki = createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' });
const ecdsaWithSha256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));

export interface CraftOptions {
  subject?: Buffer;
  issuer?: Buffer;
  notBefore?: Buffer;
  notAfter?: Buffer;
  /** Extension TLVs; null: no [3] at all. Default: a CA-less leaf with one SAN. */
  extensions?: Buffer[] | null;
  /** The whole version field; default `[0] INTEGER 2`. Empty buffer: none (v1). */
  version?: Buffer;
  signatureAlgorithm?: Buffer;
  publicKeyInfo?: Buffer;
  /** Fields after the public key and before the extensions (unique identifiers). */
  extraFields?: Buffer[];
  serialNumber?: bigint;
  /** The private key that signs (ECDSA P-256); default the crafting key. */
  signedBy?: KeyObject;
  /** The TBSCertificate's own encoding of its content; default DER. The signature covers it as encoded. */
  encodeTbs?: (content: Buffer) => Buffer;
}

/** A Name of single-valued RDNs from [OID, value TLV] pairs. */
export function name(...attributes: [string, Buffer][]): Buffer {
  return sequence(...attributes.map(([oid, value]) => set(sequence(objectIdentifier(oid), value))));
}

export const cn = (value: string) => name(['2.5.4.3', utf8String(value)]);

export function stringValue(tag: number, content: string | Buffer): Buffer {
  return tlv(tag, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
}

export function extension(oid: string, value: Buffer, critical = false): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

export const dnsName = (text: string | Buffer) =>
  tlv(0x82, typeof text === 'string' ? Buffer.from(text, 'latin1') : text);

export const subjectAltName = (...names: Buffer[]) => extension('2.5.29.17', sequence(...names));

export const timeText = (tag: number, text: string) => tlv(tag, Buffer.from(text, 'ascii'));
export const utcTime = (text: string) => timeText(Tag.UtcTime, text);
export const generalizedTime = (text: string) => timeText(Tag.GeneralizedTime, text);

/** The DER of a certificate made from the options. */
export function craft(options: CraftOptions = {}): Buffer {
  const subject = options.subject ?? cn('crafted.example');
  const extensions =
    options.extensions === undefined ? [subjectAltName(dnsName('crafted.example'))] : options.extensions;
  const algorithm = options.signatureAlgorithm ?? ecdsaWithSha256;
  const encodeTbs = options.encodeTbs ?? sequence;
  const tbs = encodeTbs(
    Buffer.concat([
      options.version ?? explicit(0, unsignedInteger(2)),
      unsignedInteger(options.serialNumber ?? 0x1234_5678n),
      algorithm,
      options.issuer ?? cn('Crafted CA'),
      sequence(options.notBefore ?? time(NOT_BEFORE), options.notAfter ?? time(NOT_AFTER)),
      subject,
      options.publicKeyInfo ?? spki,
      ...(options.extraFields ?? []),
      ...(extensions === null ? [] : [explicit(3, sequence(...extensions))]),
    ]),
  );
  const signature = sign('sha256', tbs, { key: options.signedBy ?? key.privateKey, dsaEncoding: 'der' });
  return sequence(tbs, algorithm, bitString(signature));
}

/** The public half of the key every crafted certificate is signed with. */
export const craftingPublicKey = createPublicKey(key.privateKey);

/** A crafted CA: its name as its children carry it, and the key that signs them. */
export interface CraftedAuthority {
  der: Buffer;
  name: Buffer;
  signingKey: KeyObject;
}

const caExtensions = [
  extension('2.5.29.19', sequence(boolean(true)), true),
  extension('2.5.29.15', tlv(Tag.BitString, Buffer.from([0x01, 0x06])), true), // keyCertSign, cRLSign
];

function publicKeyInfoOf(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
}

/**
 * A CA certificate with a key of its own (pooled by `label`), self-signed or issued by `parent`; `options`
 * may make any of its fields odd. Real chains of crafted certificates: each signature verifies.
 */
export function craftAuthority(
  label: string,
  parent: CraftedAuthority | null,
  options: CraftOptions = {},
): CraftedAuthority {
  const signingKey = pooledKey('ec', `crafted-ca-${label}`).privateKey;
  const subject = options.subject ?? cn(label);
  const der = craft({
    extensions: caExtensions,
    issuer: parent ? parent.name : subject,
    publicKeyInfo: publicKeyInfoOf(signingKey),
    signedBy: parent ? parent.signingKey : signingKey,
    ...options,
    subject,
  });
  return { der, name: subject, signingKey };
}

/** An end-entity certificate issued by `parent` (its subject, SAN and validity as `options` say). */
export function craftLeaf(parent: CraftedAuthority, options: CraftOptions = {}): Buffer {
  return craft({ issuer: parent.name, signedBy: parent.signingKey, ...options });
}

/** The same element with its length in a needless four-byte long form (BER, not DER). */
export function longFormLength(element: Buffer): Buffer {
  const { contentStart, end } = readElement(element, 0);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(end - contentStart);
  return Buffer.concat([Buffer.from([element[0]!, 0x84]), length, element.subarray(contentStart)]);
}

/** A constructed element of indefinite length: `tag 80 content 00 00` (BER, not DER). */
export function indefiniteLength(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag, 0x80]), content, Buffer.from([0, 0])]);
}

/**
 * Whether an OpenSSL of this version checks a certificate's times as it decodes it: 3.5 (Node 22) does, and
 * refuses one whose time is shorter than RFC 5280's `…HHMMSSZ` (no seconds, or no zone: "utctime is too short");
 * 3.0 (Node 20) decodes it and prints the time. (The versions between are untested: one that refuses where this
 * says it does not fails decodedOrRefused.) `version` as `openssl version` or process.versions.openssl gives it.
 */
export function checksTimesAsItDecodes(version: string): boolean {
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  return major > 3 || (major === 3 && minor >= 5);
}

/** Whether this Node's OpenSSL checks a certificate's times as it decodes it (see checksTimesAsItDecodes). */
export const OPENSSL_CHECKS_TIMES_AS_IT_DECODES = checksTimesAsItDecodes(process.versions.openssl);

/** Node's major version: what some X509Certificate getters give changed in 22. */
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * Whether a validity time is shorter than `…HHMMSSZ` (13 bytes for a UTCTime, 15 for a GeneralizedTime): what
 * OpenSSL 3.5 refuses to decode. False for what this cannot parse (BER lengths are read; indefinite ones not).
 */
export function hasShortTime(der: Buffer): boolean {
  try {
    const tbs = readElement(der, readElement(der, 0).contentStart);
    const fields = children(der, tbs);
    const validity = fields[fields[0]?.tag === 0xa0 ? 4 : 3]!;
    return children(der, validity).some(
      (time) => time.end - time.contentStart < (time.tag === Tag.UtcTime ? 13 : 15),
    );
  } catch {
    return false;
  }
}

/**
 * Node's X509Certificate of a crafted certificate, or null where this Node's OpenSSL refuses to decode it. Only
 * an OpenSSL that checks times as it decodes may refuse one, and only one with a time shorter than `…HHMMSSZ`:
 * anywhere else a refusal fails the test, so a test that branches on this still requires the X509Certificate
 * reading where OpenSSL gives one.
 */
export function decodedOrRefused(der: Buffer): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch (error) {
    expect(
      OPENSSL_CHECKS_TIMES_AS_IT_DECODES && hasShortTime(der),
      `OpenSSL ${process.versions.openssl} refused a crafted certificate: ${error}`,
    ).toBe(true);
    return null;
  }
}
