/**
 * The orders certwatch prints things in. Code-unit string order, not locale order: the same text on every machine,
 * and the same order whatever order concurrent sources answered in.
 */
import { type CertificateRecord, type SourceFailure, STATUS_ORDER } from '../model';

export function compareText(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Earlier first; an unknown instant (null) before every known one. */
export function compareInstants(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Where a certificate lives, then its id: the order of the JSON report. */
export function compareIdentity(a: CertificateRecord, b: CertificateRecord): number {
  return (
    compareText(a.provider, b.provider) ||
    compareText(a.account?.name ?? null, b.account?.name ?? null) ||
    compareText(a.service, b.service) ||
    compareText(a.region, b.region) ||
    compareText(a.project, b.project) ||
    compareText(a.id, b.id)
  );
}

/** Most severe status first, then fewest days left (unknown last), then name: the order people read. */
export function compareUrgency(a: CertificateRecord, b: CertificateRecord): number {
  const daysA = a.daysLeft ?? Number.POSITIVE_INFINITY;
  const daysB = b.daysLeft ?? Number.POSITIVE_INFINITY;
  return (
    STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
    (daysA === daysB ? 0 : daysA < daysB ? -1 : 1) ||
    compareInstants(a.notAfterMs, b.notAfterMs) ||
    compareText(a.name, b.name) ||
    compareIdentity(a, b)
  );
}

export function compareFailures(a: SourceFailure, b: SourceFailure): number {
  return (
    compareText(a.provider, b.provider) ||
    compareText(a.service, b.service) ||
    compareText(a.region, b.region) ||
    compareText(a.project, b.project) ||
    compareText(a.account?.name ?? null, b.account?.name ?? null) ||
    compareText(a.message, b.message)
  );
}
