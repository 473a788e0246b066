/**
 * Reading PEM certificate chains: validity, names, fingerprints, chain order. No I/O.
 *
 * Anything that is not a CERTIFICATE block (UCloud's SSLContent may carry the private key) is dropped here,
 * unread, and only counted: a key never leaves this function.
 */
import { X509Certificate } from 'node:crypto';

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
  chain: CertificateChain | null;
  /** Why there is no chain, or what was wrong with part of it. */
  problems: string[];
  /** Non-certificate blocks (private keys and the like) that were dropped unread. */
  droppedBlocks: number;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** The X509Certificate behind each parsed certificate, for the rare signature check when names are ambiguous. */
const x509Of = new WeakMap<ParsedCertificate, X509Certificate>();

/** Parsed issuing certificates, keyed by their base64 body: fleets share a handful of intermediates. */
const issuerCache = new Map<string, ParsedCertificate>();
const ISSUER_CACHE_LIMIT = 2048;

/** Reads every certificate in a PEM text and orders them into a chain. Never throws on bad input. */
export function readPemChain(text: string | null | undefined): PemReadResult {
  if (typeof text !== 'string' || text.trim() === '') {
    return { chain: null, problems: ['no PEM content'], droppedBlocks: 0 };
  }
  const problems: string[] = [];
  const certificates: ParsedCertificate[] = [];
  let droppedBlocks = 0;
  let index = 0;
  for (const match of text.matchAll(BLOCK)) {
    index++;
    const label = match[1];
    if (label !== 'CERTIFICATE') {
      droppedBlocks++;
      continue;
    }
    const body = (match[2] ?? '').replace(/\s+/g, '');
    const parsed = parseCertificateBody(body, certificates.length > 0);
    if (parsed) certificates.push(parsed);
    else problems.push(`PEM block ${index} is not a readable X.509 certificate`);
  }
  if (certificates.length === 0) {
    if (index === 0) problems.push('no PEM blocks found');
    else if (problems.length === 0) problems.push('PEM contains no certificate');
    return { chain: null, problems, droppedBlocks };
  }
  const chain = orderChain(certificates);
  chain.problems.unshift(...problems);
  return { chain, problems: chain.problems, droppedBlocks };
}

function parseCertificateBody(base64: string, mayBeIssuer: boolean): ParsedCertificate | null {
  const cached = mayBeIssuer ? issuerCache.get(base64) : undefined;
  if (cached) return cached;
  let parsed: ParsedCertificate;
  try {
    const x509 = new X509Certificate(Buffer.from(base64, 'base64'));
    parsed = describe(x509);
    x509Of.set(parsed, x509);
  } catch {
    return null;
  }
  if (mayBeIssuer && parsed.ca) {
    if (issuerCache.size >= ISSUER_CACHE_LIMIT) issuerCache.clear();
    issuerCache.set(base64, parsed);
  }
  return parsed;
}

function describe(x509: X509Certificate): ParsedCertificate {
  const notBeforeMs = Date.parse(x509.validFrom);
  const notAfterMs = Date.parse(x509.validTo);
  if (!Number.isFinite(notBeforeMs) || !Number.isFinite(notAfterMs)) {
    throw new Error('unreadable validity');
  }
  return {
    subject: oneLineName(x509.subject),
    issuer: oneLineName(x509.issuer),
    commonName: commonNameOf(x509.subject),
    dnsNames: dnsNamesOf(x509.subjectAltName),
    notBeforeMs,
    notAfterMs,
    fingerprintSha256: hexFingerprint(x509.fingerprint256),
    fingerprintSha1: hexFingerprint(x509.fingerprint),
    selfSigned: x509.subject === x509.issuer && signedBy(x509, x509),
    ca: x509.ca,
  };
}

function signedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function hexFingerprint(colonHex: string): string {
  return colonHex.replaceAll(':', '').toLowerCase();
}

/** Node prints distinguished names one attribute per line; reports want them on one. */
function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function commonNameOf(name: string): string | null {
  for (const line of name.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return null;
}

/** `subjectAltName` reads like `DNS:a.example, DNS:"b,example", IP Address:1.2.3.4`. */
function dnsNamesOf(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  for (const match of subjectAltName.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = match[1] ?? '';
    names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return names;
}

/**
 * Orders certificates leaf first, then each issuer in turn. The leaf is the end-entity certificate that issued
 * none of the others; a PEM stored out of order is read all the same, and noted. Duplicates are read once.
 */
function orderChain(all: ParsedCertificate[]): CertificateChain {
  const problems: string[] = [];
  const certificates = all.filter(
    (cert, i) => all.findIndex((other) => other.fingerprintSha256 === cert.fingerprintSha256) === i,
  );
  const issuesAny = (cert: ParsedCertificate) =>
    certificates.some((other) => other !== cert && !other.selfSigned && other.issuer === cert.subject);
  const leaves = certificates.filter((c) => !issuesAny(c));
  const endEntities = leaves.filter((c) => !c.ca);
  const leaf = endEntities[0] ?? leaves[0] ?? certificates[0]!;
  if (endEntities.length === 0) {
    problems.push(
      `the PEM holds no end-entity certificate; the CA certificate "${leaf.subject}" is read as the leaf`,
    );
  } else if (endEntities.length > 1) {
    problems.push(
      `PEM holds ${endEntities.length} unrelated end-entity certificates; the first (${leaf.subject}) is used`,
    );
  }
  const ordered: ParsedCertificate[] = [leaf];
  let current = leaf;
  while (!current.selfSigned) {
    const child = current;
    const named = certificates.filter((c) => c.subject === child.issuer && !ordered.includes(c));
    const next = named.length > 1 ? chooseIssuer(child, named, problems) : named[0];
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
): ParsedCertificate {
  const childX509 = x509Of.get(child);
  const signers = named.filter((candidate) => {
    const issuerX509 = x509Of.get(candidate);
    return childX509 !== undefined && issuerX509 !== undefined && signedBy(childX509, issuerX509);
  });
  const pool = signers.length > 0 ? signers : named;
  const chosen = pool.reduce((best, c) => (c.notAfterMs > best.notAfterMs ? c : best));
  problems.push(
    `${named.length} certificates are named "${child.issuer}"; the one that signed "${child.subject}" ` +
      `(expiring ${new Date(chosen.notAfterMs).toISOString().replace('.000Z', 'Z')}) is used`,
  );
  return chosen;
}
