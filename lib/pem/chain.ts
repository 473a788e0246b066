/**
 * Reading PEM certificate chains: validity, names, fingerprints, chain order. No I/O.
 *
 * Anything that is not a CERTIFICATE block (UCloud's SSLContent may carry the private key) is dropped here,
 * unread, and only counted: a key never leaves this function.
 *
 * Each certificate is read by a strict DER reader that never decodes the public key (derCertificate.ts), or,
 * when it declines, by Node's X509Certificate; both give the same fields. Keys are decoded only to check a
 * signature: whether a certificate naming itself is self-signed, and which of several same-named issuers
 * signed a child.
 *
 * A PEM with a CERTIFICATE block that neither reader can read gives no chain: that block may be the leaf or
 * an intermediate, and the chain of the others would report a date and a fingerprint that are not its own.
 */
import { hash, X509Certificate } from 'node:crypto';
import { BoundedCache } from './boundedCache';
import { type CertificateFields, fieldsFromX509, type UnreadableFields } from './certificateFields';
import { readCertificateFields } from './derCertificate';
import { IssuerCache } from './issuerCache';
import { decodeBody, isAscii, pemBlocks } from './pemBlocks';

export interface ParsedCertificate {
  subject: string;
  issuer: string;
  commonName: string | null;
  dnsNames: string[];
  notBeforeMs: number;
  notAfterMs: number;
  /** Lowercase hex, no separators. */
  fingerprintSha256: string;
  /** Lowercase hex, no separators (Alibaba SLB reports this one, colon-separated). */
  fingerprintSha1: string;
  selfSigned: boolean;
  ca: boolean;
}

export interface CertificateChain {
  leaf: ParsedCertificate;
  /** Issuing certificates that are not self-signed roots, nearest to the leaf first. */
  intermediates: ParsedCertificate[];
  /** Self-signed roots included in the PEM (ignored for expiry). */
  roots: ParsedCertificate[];
  /** Things a person should know about the chain as stored (order, unparseable blocks). */
  problems: string[];
}

export interface PemReadResult {
  /** Null when there is no certificate, or a CERTIFICATE block that cannot be read exactly. */
  chain: CertificateChain | null;
  /** Why there is no chain, or what was wrong with part of it. */
  problems: string[];
  /** Non-certificate blocks (private keys and the like) that were dropped unread. */
  droppedBlocks: number;
}

export interface PemReaderOptions {
  /**
   * `der` (default): the strict DER reader, which never decodes the public key, falling back to Node's
   * X509Certificate for any certificate it does not fully understand. `x509`: X509Certificate for every
   * certificate — the reference the DER reader is tested against.
   */
  decoder?: 'der' | 'x509';
  /** How many parsed CA certificates to keep (issuerCache.ts). 0: none. Default 512. */
  issuerCacheSize?: number;
}

/** What a reader has done so far: which path read each certificate, and how often the caches saved work. */
export interface PemReaderCounts {
  /** Certificates read by the strict DER reader. */
  der: number;
  /** Certificates read by X509Certificate (the `x509` decoder, or the DER reader's fallback). */
  x509: number;
  /** CERTIFICATE blocks neither could read. */
  unreadable: number;
  /** Certificates found already parsed in the issuer cache. */
  cacheHits: number;
  /** Signature checks actually made (the others came from the verification cache). */
  signatureChecks: number;
}

export interface PemReader {
  /** Reads every certificate in a PEM text and orders them into a chain. Never throws on bad input. */
  read(text: string | null | undefined): PemReadResult;
  readonly counts: Readonly<PemReaderCounts>;
}

const DEFAULT_ISSUER_CACHE_SIZE = 512;
/** Signature checks, by the SHA-256 of the child and of the issuer: only ambiguous names and self-signed ones. */
const VERIFICATION_CACHE_SIZE = 1024;

/** One certificate block while its PEM is read: the DER lives only as long as the call. */
interface CertificateRead {
  parsed: ParsedCertificate;
  der: Buffer;
  /** SHA-256 of `der`, lowercase hex: what signature checks are cached by. */
  key: string;
  x509?: X509Certificate;
}

/** A CERTIFICATE block that cannot be read: why, worded to follow "PEM block 2 ". */
interface Unreadable {
  unreadable: string;
}

/**
 * A PEM reader with its own caches. Fleets share a handful of intermediates and roots, so CA certificates are
 * kept parsed, a bounded number of them (issuerCache.ts); leaves are read by the strict DER reader unless it
 * declines. Neither PEM text nor DER outlives a call otherwise.
 */
export function createPemReader(options: PemReaderOptions = {}): PemReader {
  const decoder = options.decoder ?? 'der';
  const issuers = new IssuerCache(options.issuerCacheSize ?? DEFAULT_ISSUER_CACHE_SIZE);
  const verifications = new BoundedCache<string, boolean>(VERIFICATION_CACHE_SIZE);
  const counts: PemReaderCounts = { der: 0, x509: 0, unreadable: 0, cacheHits: 0, signatureChecks: 0 };

  function signedBy(child: CertificateRead, issuer: CertificateRead): boolean {
    const key = `${child.key}>${issuer.key}`;
    let signed = verifications.get(key);
    if (signed === undefined) {
      counts.signatureChecks++;
      signed = verifySignature(child, issuer);
      verifications.set(key, signed);
    }
    return signed;
  }

  function readCertificate(der: Buffer): CertificateRead | Unreadable {
    const cached = issuers.get(der);
    if (cached) {
      counts.cacheHits++;
      return { parsed: cached.parsed, der, key: cached.key };
    }
    const read = (decoder === 'der' ? readWithDer(der) : null) ?? readWithX509(der);
    if ('parsed' in read && read.parsed.ca) issuers.set(der, { parsed: read.parsed, key: read.key });
    return read;
  }

  function readWithDer(der: Buffer): CertificateRead | null {
    const fields = readCertificateFields(der);
    if (!fields) return null;
    counts.der++;
    const key = hash('sha256', der, 'hex');
    const fingerprints = { sha256: key, sha1: hash('sha1', der, 'hex') };
    return certificateRead({ der, key }, fields, fingerprints);
  }

  function readWithX509(der: Buffer): CertificateRead | Unreadable {
    let x509: X509Certificate;
    let fields: CertificateFields | UnreadableFields;
    try {
      x509 = new X509Certificate(der);
      fields = fieldsFromX509(x509);
    } catch {
      counts.unreadable++;
      return { unreadable: 'is not a readable X.509 certificate' };
    }
    if ('unreadable' in fields) {
      counts.unreadable++;
      return { unreadable: `is a certificate whose ${fields.unreadable}` };
    }
    // The key is the SHA-256 of the bytes as given; X509Certificate fingerprints its own re-encoding.
    const key = hash('sha256', der, 'hex');
    const fingerprints = {
      sha256: hexFingerprint(x509.fingerprint256),
      sha1: hexFingerprint(x509.fingerprint),
    };
    counts.x509++;
    return certificateRead({ der, key, x509 }, fields, fingerprints);
  }

  /**
   * The record either reader gives for the fields it read. Only a certificate naming itself as its issuer needs
   * its key checked: is it really self-signed?
   */
  function certificateRead(
    source: Omit<CertificateRead, 'parsed'>,
    fields: CertificateFields,
    fingerprints: { sha256: string; sha1: string },
  ): CertificateRead {
    const parsed: ParsedCertificate = {
      subject: fields.subject,
      issuer: fields.issuer,
      commonName: fields.commonName,
      dnsNames: fields.dnsNames,
      notBeforeMs: fields.notBeforeMs,
      notAfterMs: fields.notAfterMs,
      fingerprintSha256: fingerprints.sha256,
      fingerprintSha1: fingerprints.sha1,
      selfSigned: false,
      ca: fields.ca,
    };
    const read: CertificateRead = { parsed, ...source };
    parsed.selfSigned = fields.subject === fields.issuer && signedBy(read, read);
    return read;
  }

  function read(text: string | null | undefined): PemReadResult {
    if (typeof text !== 'string' || text.trim() === '') {
      return { chain: null, problems: ['no PEM content'], droppedBlocks: 0 };
    }
    const problems: string[] = [];
    const reads: CertificateRead[] = [];
    let droppedBlocks = 0;
    let index = 0;
    const ascii = isAscii(text);
    for (const block of pemBlocks(text)) {
      index++;
      if (block.label !== 'CERTIFICATE') {
        droppedBlocks++;
        continue;
      }
      const certificate = readCertificate(decodeBody(block.body, ascii));
      if ('parsed' in certificate) reads.push(certificate);
      else
        problems.push(
          `PEM block ${index} ${certificate.unreadable}, so the expiry cannot be read from the PEM`,
        );
    }
    if (problems.length > 0 || reads.length === 0) {
      if (index === 0) problems.push('no PEM blocks found');
      else if (problems.length === 0) problems.push('PEM contains no certificate');
      return { chain: null, problems, droppedBlocks };
    }
    const readOf = new Map<ParsedCertificate, CertificateRead>();
    for (const certificate of reads)
      if (!readOf.has(certificate.parsed)) readOf.set(certificate.parsed, certificate);
    const chain = orderChain(
      reads.map((certificate) => certificate.parsed),
      (child, issuer) => signedBy(readOf.get(child)!, readOf.get(issuer)!),
    );
    return { chain, problems: chain.problems, droppedBlocks };
  }

  return { read, counts };
}

function verifySignature(child: CertificateRead, issuer: CertificateRead): boolean {
  try {
    child.x509 ??= new X509Certificate(child.der);
    issuer.x509 ??= new X509Certificate(issuer.der);
    return child.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

function hexFingerprint(colonHex: string): string {
  return colonHex.replaceAll(':', '').toLowerCase();
}

const defaultReader = createPemReader();

/**
 * Reads every certificate in a PEM text and orders them into a chain. Never throws on bad input. Shares one
 * reader (and its issuer cache) across calls.
 */
export function readPemChain(text: string | null | undefined): PemReadResult {
  return defaultReader.read(text);
}

/**
 * Orders certificates leaf first, then each issuer in turn, by name. The leaf is the end-entity certificate
 * that issued none of the others; a PEM stored out of order is read all the same, and noted. Duplicates are
 * read once. An empty name names no one, or every certificate with an empty subject (a leaf named only in its
 * subjectAltName) would look like the issuer of every one with an empty issuer: neither is matched.
 */
function orderChain(
  all: ParsedCertificate[],
  signedBy: (child: ParsedCertificate, issuer: ParsedCertificate) => boolean,
): CertificateChain {
  const problems: string[] = [];
  const certificates = all.filter(
    (cert, i) => all.findIndex((other) => other.fingerprintSha256 === cert.fingerprintSha256) === i,
  );
  const issuesAny = (cert: ParsedCertificate) =>
    cert.subject !== '' &&
    certificates.some((other) => other !== cert && !other.selfSigned && other.issuer === cert.subject);
  const leaves = certificates.filter((c) => !issuesAny(c));
  const endEntities = leaves.filter((c) => !c.ca);
  const leaf = endEntities[0] ?? leaves[0] ?? certificates[0]!;
  if (endEntities.length === 0) {
    problems.push(
      'the PEM holds no end-entity certificate; ' +
        `the CA certificate ${shownSubject(leaf)} is read as the leaf`,
    );
  } else if (endEntities.length > 1) {
    problems.push(
      `PEM holds ${endEntities.length} unrelated end-entity certificates; ` +
        `the first, ${shownSubject(leaf)}, is used`,
    );
  }
  const ordered: ParsedCertificate[] = [leaf];
  let current = leaf;
  while (!current.selfSigned && current.issuer !== '') {
    const child = current;
    const named = certificates.filter((c) => c.subject === child.issuer && !ordered.includes(c));
    const next = named.length > 1 ? chooseIssuer(child, named, problems, signedBy) : named[0];
    if (!next) break;
    ordered.push(next);
    current = next;
  }
  const stray = certificates.filter((c) => !ordered.includes(c));
  if (endEntities.length <= 1 && stray.length > 0) {
    problems.push(
      `${stray.length} certificate(s) in the PEM are not part of the leaf's chain and were ignored`,
    );
  }
  const storedOrder = certificates.filter((c) => ordered.includes(c));
  if (storedOrder.some((c, i) => c !== ordered[i])) {
    problems.push('chain is stored out of order (leaf, then each issuer, is expected)');
  }
  const issuers = ordered.slice(1);
  return {
    leaf,
    intermediates: issuers.filter((c) => !c.selfSigned),
    roots: issuers.filter((c) => c.selfSigned),
    problems,
  };
}

/**
 * Several certificates carry the issuer's name (a renewed intermediate stored beside the old one): the one whose
 * key signed the child is the issuer; among several, the one that expires last.
 */
function chooseIssuer(
  child: ParsedCertificate,
  named: ParsedCertificate[],
  problems: string[],
  signedBy: (child: ParsedCertificate, issuer: ParsedCertificate) => boolean,
): ParsedCertificate {
  const signers = named.filter((candidate) => signedBy(child, candidate));
  const pool = signers.length > 0 ? signers : named;
  const chosen = pool.reduce((best, c) => (c.notAfterMs > best.notAfterMs ? c : best));
  problems.push(
    `${named.length} certificates are named "${child.issuer}"; ` +
      `the one that signed the certificate ${shownSubject(child)} ` +
      `(expiring ${new Date(chosen.notAfterMs).toISOString().replace('.000Z', 'Z')}) is used`,
  );
  return chosen;
}

/** A certificate's subject as messages show it: quoted, or, when empty, where its names are instead. */
function shownSubject(certificate: ParsedCertificate): string {
  if (certificate.subject !== '') return `"${certificate.subject}"`;
  const dnsName = certificate.dnsNames[0];
  return dnsName === undefined
    ? 'with an empty subject and no DNS name'
    : `named only in its subjectAltName (DNS:${dnsName})`;
}
