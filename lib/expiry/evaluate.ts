/**
 * When a certificate really expires, and what that means at a given instant. Pure: the clock is a parameter.
 */
import {
  type ApiStatus,
  type CertificateRecord,
  casKey,
  type ObservedCertificate,
  type Status,
} from '../model';
import { toIsoUtc } from './instant';
import { daysLeft, type StatusDays, statusAt } from './status';

export interface EffectiveExpiry {
  /** The instant after which the certificate no longer serves: the earliest notAfter in its chain. */
  notAfterMs: number | null;
  leafNotAfterMs: number | null;
  /** `pem:leaf`, `pem:intermediate`, the API field (`api:NotAfter`), or `none`. */
  source: string;
  notes: string[];
}

/**
 * The earliest notAfter among the leaf and the intermediates of the stored chain (a self-signed root is ignored:
 * clients trust their own copy); without a chain, the earliest of the dates the API states for the leaf and for
 * the certificates above it.
 */
export function effectiveExpiry(cert: ObservedCertificate): EffectiveExpiry {
  const notes: string[] = [];
  const { chain, apiNotAfter } = cert;
  if (!chain) {
    if (!apiNotAfter) return { notAfterMs: null, leafNotAfterMs: null, source: 'none', notes };
    const leafNotAfterMs = apiNotAfter.epochMs;
    let notAfterMs = leafNotAfterMs;
    let source = apiNotAfter.source;
    for (const intermediate of cert.apiIntermediates ?? []) {
      if (intermediate.notAfterMs < leafNotAfterMs)
        notes.push(intermediateNote(intermediate, leafNotAfterMs));
      if (intermediate.notAfterMs < notAfterMs) {
        notAfterMs = intermediate.notAfterMs;
        source = intermediate.source;
      }
    }
    return { notAfterMs, leafNotAfterMs, source, notes };
  }
  const leafNotAfterMs = chain.leaf.notAfterMs;
  if (apiNotAfter && apiNotAfter.epochMs !== leafNotAfterMs) {
    notes.push(
      `${apiNotAfter.source} says ${toIsoUtc(apiNotAfter.epochMs)} but the certificate says ` +
        `${toIsoUtc(leafNotAfterMs)}; the certificate is used`,
    );
  }
  let notAfterMs = leafNotAfterMs;
  let source = 'pem:leaf';
  for (const intermediate of chain.intermediates) {
    if (intermediate.notAfterMs < leafNotAfterMs) notes.push(intermediateNote(intermediate, leafNotAfterMs));
    if (intermediate.notAfterMs < notAfterMs) {
      notAfterMs = intermediate.notAfterMs;
      source = 'pem:intermediate';
    }
  }
  return { notAfterMs, leafNotAfterMs, source, notes };
}

function intermediateNote(
  intermediate: { subject: string; notAfterMs: number },
  leafNotAfterMs: number,
): string {
  return (
    `intermediate "${intermediate.subject}" expires ${toIsoUtc(intermediate.notAfterMs)}, ` +
    `before the leaf (${toIsoUtc(leafNotAfterMs)})`
  );
}

/** Turns what a provider saw into a report row for the instant `nowMs`. */
export function evaluate(
  cert: ObservedCertificate,
  nowMs: number,
  statusDays: StatusDays,
): CertificateRecord {
  const expiry = effectiveExpiry(cert);
  const fingerprintSha256 = cert.chain?.leaf.fingerprintSha256 ?? cert.apiFingerprintSha256 ?? null;
  const notes = [...cert.notes, ...(cert.chain?.problems ?? []), ...expiry.notes];
  if (expiry.notAfterMs === null)
    notes.push('expiry unknown: the API gave no date and no readable certificate');
  const status = statusAt(expiry.notAfterMs, nowMs, statusDays);
  const disagreement = cert.apiStatus ? apiStatusDisagreement(cert.apiStatus, status) : null;
  if (disagreement) notes.push(disagreement);
  return {
    provider: cert.provider,
    service: cert.service,
    region: cert.region,
    project: cert.project,
    // Every record has the same keys in the same order (a key missing or spread in makes V8 give the object a
    // shape of its own, larger): absent values are undefined, which the report omits.
    account: cert.account,
    id: cert.id,
    name: cert.name,
    domains: cert.domains,
    notAfterMs: expiry.notAfterMs,
    leafNotAfterMs: expiry.leafNotAfterMs,
    notBeforeMs: cert.chain ? cert.chain.leaf.notBeforeMs : null,
    daysLeft: expiry.notAfterMs === null ? null : daysLeft(expiry.notAfterMs, nowMs),
    status,
    inUse: cert.inUse,
    boundTo: cert.boundTo,
    fingerprintSha256,
    certificateRef: fingerprintSha256 ? undefined : certificateRefOf(cert),
    expirySource: expiry.source,
    notes,
  };
}

/** What identifies a certificate without a SHA-256: the API's SHA-1, else its CAS id in its account. */
function certificateRefOf(cert: ObservedCertificate): string | undefined {
  if (cert.apiFingerprintSha1) return `sha1:${cert.apiFingerprintSha1}`;
  if (cert.casCertificateId) return `cas:${casKey(cert.casCertificateId, cert.account)}`;
  return undefined;
}

/**
 * A note when the provider's own verdict and certwatch's status disagree; null when they agree (expired and
 * expired; expiring and warning or critical), since the report already says it.
 */
function apiStatusDisagreement(api: ApiStatus, status: Status): string | null {
  const agrees =
    api.means === 'expired' ? status === 'expired' : status === 'warning' || status === 'critical';
  if (agrees) return null;
  const ours =
    status === 'unknown' ? 'certwatch could not read its expiry date' : `by its expiry date it is ${status}`;
  return `${api.said}, but ${ours}`;
}
