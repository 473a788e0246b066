/**
 * The audit as CSV (RFC 4180) for a spreadsheet: a header, then one row per certificate in the report's order
 * (provider, service, region, project, id — stable, so two audits diff cleanly). Pure: the report in, text out.
 */
import { toIsoUtcOrNull } from '../expiry/instant';
import type { CertificateRecord, ScanReport } from '../model';

type Cell = string | number | null;

/** The columns, in order. Lists are joined: domains with a space (a domain holds none), the rest with "; ". */
const COLUMNS: readonly [string, (record: CertificateRecord) => Cell][] = [
  ['provider', (r) => r.provider],
  ['service', (r) => r.service],
  ['region', (r) => r.region],
  ['project', (r) => r.project],
  ['id', (r) => r.id],
  ['name', (r) => r.name],
  ['domains', (r) => r.domains.join(' ')],
  ['notAfter', (r) => toIsoUtcOrNull(r.notAfterMs)],
  ['daysLeft', (r) => r.daysLeft],
  ['status', (r) => r.status],
  ['inUse', (r) => (r.inUse === null ? null : String(r.inUse))],
  ['boundTo', (r) => r.boundTo.join('; ')],
  ['expirySource', (r) => r.expirySource],
  ['fingerprintSha256', (r) => r.fingerprintSha256],
  ['notes', (r) => r.notes.join('; ')],
];

export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([title]) => title);

export function renderCsv(report: ScanReport): string {
  const rows = [
    CSV_COLUMNS.map(csvField),
    ...report.certificates.map((record) => COLUMNS.map(([, cell]) => csvField(cell(record)))),
  ];
  // RFC 4180: CRLF after every record, the last included.
  return rows.map((row) => `${row.join(',')}\r\n`).join('');
}

/**
 * One field. Numbers are written as numbers (a negative daysLeft stays `-3`, which a spreadsheet reads as the
 * number it is); text that a spreadsheet would run as a formula gets a leading `'` (OWASP "CSV Injection").
 * Null is an empty field.
 */
export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
