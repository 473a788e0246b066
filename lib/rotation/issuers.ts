/**
 * Who issued whom: the leaf of a set of certificates, its issuing path through the set, and whether that path
 * reaches a root a client would trust. Links are proven by signature, not by matching names alone.
 */
import { type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

interface HasX509 {
  readonly x509: X509Certificate;
  readonly selfSigned: boolean;
  readonly ca: boolean;
}

/** Whether `issuer` issued `child`: names and key identifiers agree (OpenSSL's check) and its key signed it. */
export function isIssuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Whether `key` is the private half of the certificate's public key, and works. OpenSSL's pairing check compares
 * the public halves only, so a key damaged in its private part passes it; a signature made with the key and
 * verified with the certificate proves the pair will serve.
 */
export function keyMatches(certificate: X509Certificate, key: KeyObject): boolean {
  try {
    if (!certificate.checkPrivateKey(key)) return false;
    // Ed25519 and Ed448 sign the message itself and take no digest.
    const digest = key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';
    return verify(digest, KEY_PROBE, certificate.publicKey, sign(digest, KEY_PROBE, key));
  } catch {
    return false;
  }
}

const KEY_PROBE = Buffer.from('certwatch: does this key sign for this certificate?');

/**
 * The leaf of a set: a certificate that issued none of the others. Among several, the one the key belongs to,
 * then an end-entity (not CA) certificate, then the first given; so a file stored backwards still finds its leaf.
 */
export function findLeaf<T extends HasX509>(certificates: readonly T[], key: KeyObject | null): T {
  const issuesNone = certificates.filter(
    (candidate) =>
      !certificates.some((other) => other !== candidate && isIssuedBy(other.x509, candidate.x509)),
  );
  const pool = issuesNone.length > 0 ? issuesNone : certificates;
  const first = pool[0];
  if (!first) throw new Error('findLeaf needs at least one certificate');
  return (key ? pool.find((c) => keyMatches(c.x509, key)) : undefined) ?? pool.find((c) => !c.ca) ?? first;
}

/** The leaf, then each issuer found among `certificates`, until a self-signed one or one whose issuer is absent. */
export function issuingPath<T extends HasX509>(leaf: T, certificates: readonly T[]): T[] {
  const path = [leaf];
  let current = leaf;
  while (!current.selfSigned) {
    const child = current;
    const issuer = certificates.find((c) => !path.includes(c) && isIssuedBy(child.x509, c.x509));
    if (!issuer) break;
    path.push(issuer);
    current = issuer;
  }
  return path;
}

/**
 * Whether a client could finish the path from `last`: it is a self-signed root, or an anchor issued it, or it
 * is a cross-signed copy of an anchor (same subject and key; clients that trust the anchor stop there).
 */
export function reachesAnchor(last: HasX509, anchors: readonly X509Certificate[]): boolean {
  if (last.selfSigned) return true;
  return anchors.some((anchor) => isIssuedBy(last.x509, anchor) || isSameAuthority(last.x509, anchor));
}

function isSameAuthority(a: X509Certificate, b: X509Certificate): boolean {
  return a.subject === b.subject && a.publicKey.equals(b.publicKey);
}

let systemRoots: X509Certificate[] | null = null;

/** The roots Node trusts (its bundled Mozilla store), parsed on first use: only uploads need them. */
export function nodeRootCertificates(): readonly X509Certificate[] {
  systemRoots ??= rootCertificates.flatMap((pem) => {
    try {
      return [new X509Certificate(pem)];
    } catch {
      return [];
    }
  });
  return systemRoots;
}
