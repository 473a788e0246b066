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
 * an intermediate, and the chain of the others would report a date and a fingerprint that are not its own. So
 * does a PEM past one of the bounds below, for the same reason: what is not read cannot be ruled out. The
 * problem names the unreadable block and says why, in the same words on Node 20 and 22 wherever it can.
 */
import { hash, X509Certificate } from 'node:crypto';
import { BoundedCache } from './boundedCache';
import { type CertificateFields, fieldsFromX509, type UnreadableFields } from './certificateFields';
import { type DeclinedFields, readCertificateFields } from './derCertificate';
import { IssuerCache } from './issuerCache';
import type { ParsedCertificate } from './parsedCertificate';
import { decodeBody, isAscii, scanPem } from './pemBlocks';
import { signedByFromDer } from './signature';

export type { ParsedCertificate } from './parsedCertificate';

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

/**
 * The longest PEM text read, in characters (bytes, for PEM's ASCII). A real chain with its key is 5–15 KB and a
 * certificate with hundreds of names tens of KB, so this holds the block bound's worth of large certificates;
 * a longer text is not read at all, since scanning and decoding are what it would cost.
 */
export const MAX_PEM_CHARACTERS = 256 * 1024;

/**
 * The most CERTIFICATE blocks read from one PEM. A real chain is a leaf, 1–3 intermediates and perhaps a root;
 * 32 leaves room for several chains pasted together. Each block read costs a decode and perhaps a signature
 * check (is it self-signed?). Other blocks (a key beside the chain) are dropped unread and not counted.
 */
export const MAX_CERTIFICATE_BLOCKS = 32;

/**
 * The most signature checks spent telling same-named issuers apart in one chain. A renewed intermediate beside
 * the old one, or a cross-signed root beside the self-signed one, costs 2 or 3; unbounded, n certificates of
 * one name cost n²/2, since every step checks every candidate left.
 */
export const MAX_ISSUER_SIGNATURE_CHECKS = 16;

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
    const fields = decoder === 'der' ? readCertificateFields(der) : undefined;
    const read = fields && !('declined' in fields) ? readWithDer(der, fields) : readWithX509(der, fields);
    if ('parsed' in read && read.parsed.ca) issuers.set(der, { parsed: read.parsed, key: read.key });
    return read;
  }

  function readWithDer(der: Buffer, fields: CertificateFields): CertificateRead {
    counts.der++;
    const key = hash('sha256', der, 'hex');
    const fingerprints = { sha256: key, sha1: hash('sha1', der, 'hex') };
    return certificateRead({ der, key }, fields, fingerprints);
  }

  /** `declined`: why the DER reader left it here, if it was asked. */
  function readWithX509(der: Buffer, declined?: DeclinedFields): CertificateRead | Unreadable {
    let x509: X509Certificate;
    let fields: CertificateFields | UnreadableFields;
    try {
      x509 = new X509Certificate(der);
    } catch {
      return unreadableCertificate(der, declined, { refused: true });
    }
    try {
      fields = fieldsFromX509(x509);
    } catch {
      return unreadableCertificate(der, declined, {});
    }
    if ('unreadable' in fields)
      return unreadableCertificate(der, declined, { unreadable: fields.unreadable });
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
   * Why neither reader could read a certificate, the same whichever decoder and whichever Node: the DER reader's
   * words when it declined the validity (they quote the time, which OpenSSL 3.0 reads as "Bad time value" and
   * 3.5 may not decode at all), else X509Certificate's about a time it printed inexactly, else the DER reader's
   * reason for declining, the first thing it found that it does not read. Only the x509 decoder can meet a
   * certificate the DER reader reads and OpenSSL does not decode (3.5, a time without seconds), and says so.
   */
  function unreadableCertificate(
    der: Buffer,
    declined: DeclinedFields | undefined,
    /** What X509Certificate said: that it did not decode it, or which time it printed inexactly. */
    x509: { refused?: true; unreadable?: string },
  ): Unreadable {
    counts.unreadable++;
    // The x509 decoder asks the DER reader only now, for its reason.
    const why = declined ?? readCertificateFields(der);
    const declinedWhy = 'declined' in why ? why : null;
    if (declinedWhy?.validity) return { unreadable: `is a certificate whose ${declinedWhy.declined}` };
    if (x509.unreadable !== undefined) return { unreadable: `is a certificate whose ${x509.unreadable}` };
    if (declinedWhy) return { unreadable: `is not a readable X.509 certificate (${declinedWhy.declined})` };
    // Node's error for DER that OpenSSL refuses is its PEM retry's ("no start line"): not worth quoting.
    if (x509.refused) {
      return { unreadable: `is a certificate that OpenSSL ${process.versions.openssl} does not decode` };
    }
    return { unreadable: 'is not a readable X.509 certificate' };
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
    // Over a bound nothing is read: a certificate left unread may be the leaf or the intermediate that expires
    // first, so the chain of the others could give a date that is not the entry's.
    if (text.length > MAX_PEM_CHARACTERS) {
      const problem =
        `the PEM is ${count(text.length)} characters long, more than the ${count(MAX_PEM_CHARACTERS)} ` +
        `read from one entry, so the expiry cannot be read from the PEM`;
      return { chain: null, problems: [problem], droppedBlocks: 0 };
    }
    const { blocks, unterminated, cutShort } = scanPem(text);
    const notes = unterminated > 0 ? [unterminatedNote(unterminated)] : [];
    const certificateBlocks = blocks.filter((block) => block.label === 'CERTIFICATE').length;
    const droppedBlocks = blocks.length - certificateBlocks;
    // A certificate cut short (its END line lost) is as unreadable as a damaged one: it may be the leaf.
    if (cutShort.has('CERTIFICATE')) {
      const problem =
        'a CERTIFICATE block in the PEM has no END line (cut short?): it may be the leaf or the intermediate ' +
        'that expires first, so the expiry cannot be read from the PEM';
      return { chain: null, problems: [problem, ...notes], droppedBlocks };
    }
    if (certificateBlocks > MAX_CERTIFICATE_BLOCKS) {
      const problem =
        `the PEM holds ${count(certificateBlocks)} certificate blocks, more than the ` +
        `${MAX_CERTIFICATE_BLOCKS} read from one entry: any of them may be the leaf or the intermediate that ` +
        `expires first, so the expiry cannot be read from the PEM`;
      return { chain: null, problems: [problem, ...notes], droppedBlocks };
    }
    const unreadable: string[] = [];
    const reads: CertificateRead[] = [];
    const ascii = isAscii(text);
    for (const [index, block] of blocks.entries()) {
      if (block.label !== 'CERTIFICATE') continue;
      const certificate = readCertificate(decodeBody(block.body, ascii));
      if ('parsed' in certificate) reads.push(certificate);
      else
        unreadable.push(
          `PEM block ${index + 1} ${certificate.unreadable}, so the expiry cannot be read from the PEM`,
        );
    }
    if (unreadable.length > 0 || reads.length === 0) {
      if (blocks.length === 0) unreadable.push('no PEM blocks found');
      else if (unreadable.length === 0) unreadable.push('PEM contains no certificate');
      return { chain: null, problems: [...unreadable, ...notes], droppedBlocks };
    }
    const readOf = new Map<ParsedCertificate, CertificateRead>();
    for (const certificate of reads)
      if (!readOf.has(certificate.parsed)) readOf.set(certificate.parsed, certificate);
    const chain = orderChain(
      reads.map((certificate) => certificate.parsed),
      (child, issuer) => signedBy(readOf.get(child)!, readOf.get(issuer)!),
    );
    if ('undecided' in chain) return { chain: null, problems: [chain.undecided, ...notes], droppedBlocks };
    chain.problems.push(...notes);
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
    // OpenSSL 3.5 does not decode a certificate whose time lacks its seconds, which the DER reader reads.
    return signedByFromDer(child.der, issuer.der) ?? false;
  }
}

function unterminatedNote(lines: number): string {
  return lines === 1
    ? 'a BEGIN line in the PEM has no matching END line; the text after it was not read as a block'
    : `${count(lines)} BEGIN lines in the PEM have no matching END line; the text after each was not read as a block`;
}

/** A count as messages show it: 1,153,434. */
function count(n: number): string {
  return n.toLocaleString('en-US');
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
 *
 * Undecided when telling same-named issuers apart would take more than MAX_ISSUER_SIGNATURE_CHECKS: an issuer
 * chosen without checking the others may not be the one that signed, and its date not the chain's.
 */
function orderChain(
  all: ParsedCertificate[],
  signedBy: (child: ParsedCertificate, issuer: ParsedCertificate) => boolean,
): CertificateChain | { undecided: string } {
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
  let checks = 0;
  let current = leaf;
  while (!current.selfSigned && current.issuer !== '') {
    const child = current;
    const named = certificates.filter((c) => c.subject === child.issuer && !ordered.includes(c));
    if (named.length > 1) {
      checks += named.length;
      if (checks > MAX_ISSUER_SIGNATURE_CHECKS) {
        const sameName = certificates.filter((c) => c.subject === child.issuer).length;
        return {
          undecided:
            `${sameName} certificates are named "${child.issuer}"; telling which signed the certificate ` +
            `${shownSubject(child)} takes more than the ${MAX_ISSUER_SIGNATURE_CHECKS} signature checks made ` +
            `for one entry, so the expiry cannot be read from the PEM`,
        };
      }
    }
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
