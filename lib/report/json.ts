/**
 * The JSON report (README "Report contract"), its one writer. Instants are epoch ms in the program and ISO 8601
 * text in the file. (Shard results, which certwatch alone reads back, keep the record as it is: lib/shard/result.ts.)
 */
import { toIsoUtc, toIsoUtcOrNull } from '../expiry/instant';
import { type AccountRef, type CertificateRecord, identityOf, type ScanReport } from '../model';

/** A report row as the contract writes it: the record with its instants as ISO 8601 text. */
export type RecordJson = Omit<
  CertificateRecord,
  'notAfterMs' | 'leafNotAfterMs' | 'notBeforeMs' | 'certificateRef' | 'account'
> & {
  /** The Alibaba account it is stored in; null for a provider that reads one account only (UCloud). */
  account: AccountRef | null;
  notAfter: string | null;
  leafNotAfter: string | null;
  notBefore?: string | null;
  /** The same on every row that is the same certificate (lib/model.ts identityOf). */
  identity: string | null;
};

/** The JSON report as the contract writes it. */
export type ReportJson = Omit<ScanReport, 'generatedAtMs' | 'nowMs' | 'certificates'> & {
  generatedAt: string;
  now: string;
  certificates: RecordJson[];
};

/** A report row as the contract writes it: the record's instants as ISO text, in the contract's key order. */
export function recordJson(record: CertificateRecord): RecordJson {
  const { notAfterMs, leafNotAfterMs, notBeforeMs, certificateRef: _ref, ...rest } = record;
  const row: Record<string, unknown> = {
    provider: rest.provider,
    service: rest.service,
    region: rest.region,
    project: rest.project,
    account: rest.account ?? null,
    id: rest.id,
    name: rest.name,
    domains: rest.domains,
    notAfter: toIsoUtcOrNull(notAfterMs),
    leafNotAfter: toIsoUtcOrNull(leafNotAfterMs),
  };
  if (notBeforeMs !== undefined) row.notBefore = toIsoUtcOrNull(notBeforeMs);
  // Everything else as the record holds it, in its order (keys may be added to the contract); the identity last.
  for (const [key, value] of Object.entries(rest)) if (!(key in row)) row[key] = value;
  row.identity = identityOf(record);
  return row as RecordJson;
}

/** The report as the contract's JSON document (what the handler's audit returns, and Lambda serialises). */
export function reportJson(report: ScanReport): ReportJson {
  return {
    generatedAt: toIsoUtc(report.generatedAtMs),
    now: toIsoUtc(report.nowMs),
    complete: report.complete,
    certificates: report.certificates.map(recordJson),
    failures: report.failures,
  };
}

/** The report as the contract's JSON text (two-space indent, a final newline). */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(reportJson(report), null, 2)}\n`;
}
