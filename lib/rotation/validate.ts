/**
 * Whether a bundle is fit to upload as a renewed certificate: key and certificate are a pair, the chain is in
 * order and complete, the certificate is valid now, and it serves at least what the one it replaces served, for
 * longer. Pure: the clock and any extra trusted issuers are parameters.
 */
import { X509Certificate } from 'node:crypto';
import { toIsoUtc } from '../expiry/instant';
import { type BundleCertificate, type CertificateBundle, pemArmour } from './bundle';
import { uncoveredNames } from './hostnames';
import { findLeaf, issuingPath, keyMatches, nodeRootCertificates, reachesAnchor } from './issuers';

/** The certificate being replaced, as the cloud reports it. */
export interface ReplacedCertificate {
  /** The provider's certificate ID, for messages. */
  id: string;
  /** Every host name it serves (common name and subject alternative names). */
  names: readonly string[];
  /** Null when the provider did not say. */
  notAfterMs: number | null;
  /** Hex, with or without colons (SLB reports `aa:bb:…`). */
  fingerprintSha1?: string;
}

export interface RotationOptions {
  nowMs: number;
  replaces?: ReplacedCertificate;
  /**
   * Issuers to accept beside the roots Node trusts: PEM text (any number of certificates; other blocks are
   * skipped) or parsed certificates. For private CAs, and for tests.
   */
  knownIssuers?: readonly (string | X509Certificate)[];
}

export interface RotationSummary {
  /** The leaf's subject and issuer, one line each. */
  subject: string;
  issuer: string;
  /** Host names it serves: its DNS subject alternative names, or its common name when it has none. */
  names: string[];
  /** ISO 8601, UTC. */
  notBefore: string;
  notAfter: string;
  /** Lowercase hex, colon-separated, as SLB reports it. */
  fingerprintSha1: string;
  /** Lowercase hex, colon-separated. */
  fingerprintSha256: string;
  /** Certificates in the leaf's issuing path as uploaded, the leaf included. */
  chainLength: number;
  /** `RSA 2048`, `EC P-256`: the leaf's public key (nothing of the private key). */
  keyAlgorithm: string;
}

export interface RotationCheck {
  /**
   * What to upload: the leaf, then each intermediate on its issuing path, in order. Certificates outside the
   * path and self-signed roots (clients use their own) are left out.
   */
  certificatePem: string;
  /** No problems: the upload may go ahead. */
  ok: boolean;
  /** What stops the upload, one sentence each: what is wrong, in which file, what to do. */
  problems: string[];
  /** What the user should know but need not fix: reading notes, intermediates expiring first. */
  warnings: string[];
  summary: RotationSummary;
}

/** Key sizes Alibaba SLB (CLB) documents for server certificates. */
const SLB_RSA_KEY_BITS = new Set([1024, 2048, 4096]);

/** What the checks found so far. */
interface Findings {
  problems: string[];
  warnings: string[];
}

/**
 * Checks a bundle before upload. Never throws: every finding is a problem (refuse the upload) or a warning.
 * The leaf is found by who issued whom and which certificate the key belongs to, not by position, so a file
 * stored out of order is reported with the order it needs.
 */
export function validateRotation(bundle: CertificateBundle, options: RotationOptions): RotationCheck {
  const findings: Findings = { problems: [], warnings: [...bundle.warnings] };
  const given = [bundle.leaf, ...bundle.chain];

  // In the order given, each certificate once.
  const unique: BundleCertificate[] = [];
  for (const cert of given) {
    if (!unique.some((other) => other.fingerprintSha256 === cert.fingerprintSha256)) unique.push(cert);
    else findings.warnings.push(`${bundle.files.cert} holds ${label(cert)} more than once; remove the copy`);
  }
  const leaf = findLeaf(unique, bundle.key);
  const path = issuingPath(leaf, unique);
  const names = servedNames(leaf);

  checkPair(bundle, leaf, findings);
  checkChain(bundle, unique, path, options.knownIssuers, findings);
  checkValidity(bundle.files.cert, path, options.nowMs, findings);
  if (options.replaces) checkReplacement(bundle.files.cert, leaf, names, options.replaces, findings);

  return {
    ok: findings.problems.length === 0,
    problems: findings.problems,
    warnings: findings.warnings,
    certificatePem: path
      .filter((cert, i) => i === 0 || !cert.selfSigned)
      .map((cert) => pemArmour('CERTIFICATE', cert.x509.raw))
      .join(''),
    summary: {
      subject: leaf.subject,
      issuer: leaf.issuer,
      names,
      notBefore: toIsoUtc(leaf.notBeforeMs),
      notAfter: toIsoUtc(leaf.notAfterMs),
      fingerprintSha1: colonHex(leaf.fingerprintSha1),
      fingerprintSha256: colonHex(leaf.fingerprintSha256),
      chainLength: path.length,
      keyAlgorithm: keyAlgorithm(leaf),
    },
  };
}

/** The key and the leaf are a working pair, and the leaf is a server certificate. */
function checkPair(
  bundle: CertificateBundle,
  leaf: BundleCertificate,
  { problems, warnings }: Findings,
): void {
  const { cert, key } = bundle.files;
  if (!keyMatches(leaf.x509, bundle.key)) {
    problems.push(
      `the private key in ${key} does not belong to the certificate ${label(leaf)} in ${cert}: ` +
        `use the key the certificate was requested with, or the certificate issued for this key`,
    );
  }
  if (leaf.ca) {
    problems.push(
      `the certificate ${label(leaf)} in ${cert} is a CA certificate, not a server certificate: ` +
        `give the certificate issued for your domain, followed by its chain`,
    );
  }
  if (leaf.selfSigned) {
    warnings.push(
      `the certificate ${label(leaf)} in ${cert} is self-signed: clients will not trust it unless told to by hand`,
    );
  }
  keyAlgorithmWarning(cert, leaf, warnings);
}

/** The certificates are stored leaf first then each issuer, and the last reaches a root clients trust. */
function checkChain(
  bundle: CertificateBundle,
  unique: readonly BundleCertificate[],
  path: readonly BundleCertificate[],
  knownIssuers: RotationOptions['knownIssuers'],
  { problems, warnings }: Findings,
): void {
  const file = bundle.files.cert;
  const stored = unique.filter((cert) => path.includes(cert));
  if (stored.some((cert, i) => cert !== path[i])) {
    const order = path.map((cert, i) => `${i + 1}. ${label(cert)}`).join(', ');
    problems.push(
      `${file} lists its certificates out of order: put the leaf first, then each issuer: ${order}`,
    );
  }
  const strays = unique.filter((cert) => !path.includes(cert));
  if (strays.length > 0) {
    const them = strays.length === 1 ? 'it' : 'them';
    warnings.push(
      `${file} holds ${strays.length === 1 ? 'a certificate' : `${strays.length} certificates`} outside the ` +
        `leaf's chain (${strays.map(label).join(', ')}): clients would be sent ${them} for nothing; remove ${them}`,
    );
  }
  const last = path[path.length - 1]!;
  const anchors = [...nodeRootCertificates(), ...knownIssuerCertificates(knownIssuers, warnings)];
  if (last.selfSigned && path.length > 1 && !anchors.some((anchor) => anchor.raw.equals(last.x509.raw))) {
    warnings.push(
      `the chain in ${file} ends at the root ${label(last)}, which Node does not trust: make sure every client ` +
        'of this load balancer trusts that root, or the chain will not verify for them',
    );
  }
  if (!reachesAnchor(last, anchors)) {
    const fix =
      bundle.source === 'pkcs12'
        ? `export ${file} again with the intermediate certificate(s) included`
        : `add the intermediate certificate(s) to ${file}`;
    problems.push(
      `the chain in ${file} stops at ${label(last)}, issued by "${last.issuer}", which is neither ` +
        `included nor a known root: ${fix}`,
    );
  }
}

/** The leaf and its intermediates are valid now; an intermediate that expires first is worth knowing. */
function checkValidity(
  file: string,
  path: readonly BundleCertificate[],
  nowMs: number,
  { problems, warnings }: Findings,
): void {
  const [leaf, ...issuers] = path;
  if (!leaf) return;
  if (leaf.notAfterMs <= nowMs) {
    problems.push(
      `the certificate ${label(leaf)} in ${file} expired on ${toIsoUtc(leaf.notAfterMs)}: upload the renewed certificate`,
    );
  }
  if (leaf.notBeforeMs > nowMs) {
    problems.push(
      `the certificate ${label(leaf)} in ${file} is not valid until ${toIsoUtc(leaf.notBeforeMs)}: ` +
        `clients would refuse it until then; upload it after that`,
    );
  }
  for (const issuer of issuers) {
    // Clients judge a root by the copy in their own store; the dates of one included here do not decide.
    if (issuer.selfSigned) continue;
    if (issuer.notAfterMs <= nowMs) {
      problems.push(
        `the intermediate ${label(issuer)} in ${file} expired on ${toIsoUtc(issuer.notAfterMs)}: ` +
          `clients will refuse the chain; get the current intermediate from your CA`,
      );
    } else if (issuer.notBeforeMs > nowMs) {
      problems.push(
        `the intermediate ${label(issuer)} in ${file} is not valid until ${toIsoUtc(issuer.notBeforeMs)}: ` +
          `clients will refuse the chain until then; get the current intermediate from your CA`,
      );
    } else if (issuer.notAfterMs < leaf.notAfterMs) {
      warnings.push(
        `the intermediate ${label(issuer)} in ${file} expires on ${toIsoUtc(issuer.notAfterMs)}, before the ` +
          `certificate (${toIsoUtc(leaf.notAfterMs)}): the chain breaks then unless the intermediate is replaced`,
      );
    }
  }
}

/** The new certificate serves every name the old one did, for longer, and is not the old one. */
function checkReplacement(
  file: string,
  leaf: BundleCertificate,
  names: readonly string[],
  replaced: ReplacedCertificate,
  { problems }: Findings,
): void {
  if (replaced.names.length === 0) {
    problems.push(
      `SLB lists no names for ${replaced.id}, so certwatch cannot check that the new certificate in ${file} ` +
        `serves what it served: compare them yourself (SLB console), then upload without --replaces`,
    );
  }
  if (replaced.notAfterMs === null) {
    problems.push(
      `SLB gives no expiry for ${replaced.id}, so certwatch cannot check that the new certificate in ${file} ` +
        'outlives it: compare them yourself (SLB console), then upload without --replaces',
    );
  }
  const missing = uncoveredNames(replaced.names, names);
  if (missing.length > 0) {
    problems.push(
      `the new certificate in ${file} does not cover ${missing.join(', ')}, which ${replaced.id} serves: ` +
        `clients would get a name mismatch; get a certificate that includes ${missing.length === 1 ? 'it' : 'them'}, ` +
        `or do not replace ${replaced.id}`,
    );
  }
  if (replaced.notAfterMs !== null && leaf.notAfterMs <= replaced.notAfterMs) {
    problems.push(
      `the new certificate in ${file} expires on ${toIsoUtc(leaf.notAfterMs)}, no later than ${replaced.id} ` +
        `(${toIsoUtc(replaced.notAfterMs)}) which it replaces: check that ${file} is the renewed certificate`,
    );
  }
  if (replaced.fingerprintSha1 && hexOnly(replaced.fingerprintSha1) === leaf.fingerprintSha1) {
    problems.push(
      `the certificate in ${file} is ${replaced.id} itself (same SHA-1 fingerprint): there is nothing to ` +
        `rotate; check that ${file} is the renewed certificate`,
    );
  }
}

/**
 * Alibaba's CLB documentation lists RSA keys of 1024, 2048 or 4096 bits only. Said as a warning, not a problem:
 * the API is the judge, and a local refusal could not be overridden.
 */
function keyAlgorithmWarning(file: string, leaf: BundleCertificate, warnings: string[]): void {
  const publicKey = leaf.x509.publicKey;
  const bits = publicKey.asymmetricKeyDetails?.modulusLength;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    warnings.push(
      `the certificate ${label(leaf)} in ${file} has an ${keyAlgorithm(leaf)} key; Alibaba SLB documents RSA ` +
        `certificates only, so the upload may be refused`,
    );
  } else if (bits !== undefined && !SLB_RSA_KEY_BITS.has(bits)) {
    warnings.push(
      `the certificate ${label(leaf)} in ${file} has a ${bits}-bit RSA key; Alibaba SLB documents 1024, 2048 ` +
        `and 4096 bits, so the upload may be refused`,
    );
  }
}

function knownIssuerCertificates(
  knownIssuers: RotationOptions['knownIssuers'],
  warnings: string[],
): X509Certificate[] {
  const certificates: X509Certificate[] = [];
  for (const issuer of knownIssuers ?? []) {
    if (issuer instanceof X509Certificate) {
      certificates.push(issuer);
      continue;
    }
    for (const match of issuer.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
      try {
        certificates.push(new X509Certificate(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64')));
      } catch {
        warnings.push('a known issuer certificate could not be read and was not used');
      }
    }
  }
  return certificates;
}

function servedNames(leaf: BundleCertificate): string[] {
  if (leaf.dnsNames.length > 0) return leaf.dnsNames;
  return leaf.commonName ? [leaf.commonName] : [];
}

/** How messages name a certificate: its common name, or its whole subject when it has none. */
function label(cert: BundleCertificate): string {
  return `"${cert.commonName ?? cert.subject}"`;
}

function keyAlgorithm(cert: BundleCertificate): string {
  const publicKey = cert.x509.publicKey;
  const details = publicKey.asymmetricKeyDetails;
  switch (publicKey.asymmetricKeyType) {
    case 'rsa':
      return `RSA ${details?.modulusLength ?? '?'}`;
    case 'ec':
      return `EC ${CURVE_NAMES[details?.namedCurve ?? ''] ?? details?.namedCurve ?? '?'}`;
    default:
      return (publicKey.asymmetricKeyType ?? 'unknown').toUpperCase();
  }
}

/** OpenSSL's curve names as people know them (FIPS 186 names). */
const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

function hexOnly(fingerprint: string): string {
  return fingerprint.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

function colonHex(hex: string): string {
  return hex.match(/../g)?.join(':') ?? hex;
}
