/**
 * When a certificate really expires, and what that means at a given instant. Pure: the clock is a parameter.
 */
import type { CertificateRecord, ObservedCertificate, Status, Thresholds } from '../model';
import { MS_PER_DAY, toIsoUtc } from './instant';

export const DEFAULT_THRESHOLDS: Thresholds = { warningDays: 30, criticalDays: 7 };

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
 * clients trust their own copy); without a chain, the date the API states.
 */
export function effectiveExpiry(cert: ObservedCertificate): EffectiveExpiry {
  const notes: string[] = [];
  const { chain, apiNotAfter } = cert;
  if (!chain) {
    if (!apiNotAfter) return { notAfterMs: null, leafNotAfterMs: null, source: 'none', notes };
    return {
      notAfterMs: apiNotAfter.epochMs,
      leafNotAfterMs: apiNotAfter.epochMs,
      source: apiNotAfter.source,
      notes,
    };
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
    if (intermediate.notAfterMs < leafNotAfterMs) {
      notes.push(
        `intermediate "${intermediate.subject}" expires ${toIsoUtc(intermediate.notAfterMs)}, ` +
          `before the leaf (${toIsoUtc(leafNotAfterMs)})`,
      );
    }
    if (intermediate.notAfterMs < notAfterMs) {
      notAfterMs = intermediate.notAfterMs;
      source = 'pem:intermediate';
    }
  }
  return { notAfterMs, leafNotAfterMs, source, notes };
}

/**
 * Status at `nowMs`: expired once notAfter ≤ now (to the second); otherwise by whole days left, as people read
 * them — critical when `daysLeft` ≤ `criticalDays` (so "7 days left" is critical at the default 7), warning when
 * `daysLeft` ≤ `warningDays`.
 */
export function statusAt(notAfterMs: number | null, nowMs: number, thresholds: Thresholds): Status {
  if (notAfterMs === null) return 'unknown';
  if (notAfterMs <= nowMs) return 'expired';
  const days = daysLeft(notAfterMs, nowMs);
  if (days <= thresholds.criticalDays) return 'critical';
  if (days <= thresholds.warningDays) return 'warning';
  return 'ok';
}

/**
 * Whole days remaining, rounded down: 0 in the last day before expiry; negative once expired (-1 from the instant
 * of expiry through its first day, -2 in the second, ...).
 */
export function daysLeft(notAfterMs: number, nowMs: number): number {
  const days = Math.floor((notAfterMs - nowMs) / MS_PER_DAY);
  return notAfterMs <= nowMs ? Math.min(days, -1) : days;
}

/** Turns what a provider saw into a report row for the instant `nowMs`. */
export function evaluate(
  cert: ObservedCertificate,
  nowMs: number,
  thresholds: Thresholds,
): CertificateRecord {
  const expiry = effectiveExpiry(cert);
  const notes = [...cert.notes, ...(cert.chain?.problems ?? []), ...expiry.notes];
  if (expiry.notAfterMs === null)
    notes.push('expiry unknown: the API gave no date and no readable certificate');
  const notAfter = expiry.notAfterMs === null ? null : toIsoUtc(expiry.notAfterMs);
  return {
    provider: cert.provider,
    service: cert.service,
    region: cert.region,
    project: cert.project,
    id: cert.id,
    name: cert.name,
    domains: cert.domains,
    notAfter,
    // Usually the same instant: one string for both (a report keeps 100,000 of these).
    leafNotAfter:
      expiry.leafNotAfterMs === expiry.notAfterMs
        ? notAfter
        : expiry.leafNotAfterMs === null
          ? null
          : toIsoUtc(expiry.leafNotAfterMs),
    notBefore: cert.chain ? toIsoUtc(cert.chain.leaf.notBeforeMs) : null,
    daysLeft: expiry.notAfterMs === null ? null : daysLeft(expiry.notAfterMs, nowMs),
    status: statusAt(expiry.notAfterMs, nowMs, thresholds),
    inUse: cert.inUse,
    boundTo: cert.boundTo,
    fingerprintSha256: cert.chain?.leaf.fingerprintSha256 ?? null,
    expirySource: expiry.source,
    notes,
  };
}
