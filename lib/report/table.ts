/**
 * The audit as a terminal table: most urgent first, one certificate a line, then the totals and anything that
 * could not be checked. Pure: the report in, text out.
 */
import { toIsoUtc, toMinuteUtc } from '../expiry/instant';
import { type CertificateRecord, type ScanReport, STATUS_ORDER } from '../model';
import { countByStatus } from './counts';
import { compareUrgency } from './order';

interface Column {
  title: string;
  max: number;
  cell: (record: CertificateRecord) => string;
}

const COLUMNS: Column[] = [
  { title: 'STATUS', max: 8, cell: (r) => r.status },
  { title: 'DAYS', max: 6, cell: (r) => (r.daysLeft === null ? '-' : String(r.daysLeft)) },
  {
    title: 'EXPIRES (UTC)',
    max: 16,
    cell: (r) => (r.notAfterMs === null ? '-' : toMinuteUtc(r.notAfterMs)),
  },
  {
    title: 'SOURCE',
    max: 28,
    cell: (r) => [`${r.provider}/${r.service}`, r.region, r.project].filter(Boolean).join(' '),
  },
  { title: 'NAME', max: 28, cell: (r) => r.name },
  { title: 'ID', max: 20, cell: (r) => r.id },
  { title: 'DOMAINS', max: 32, cell: (r) => listCell(r.domains) },
  { title: 'BOUND TO', max: 40, cell: boundCell },
];

/** The account a certificate is in: a column only when the report spans more than one account of a cloud. */
const ACCOUNT_COLUMN: Column = { title: 'ACCOUNT', max: 16, cell: (r) => r.account?.name ?? '-' };

export function renderTable(report: ScanReport): string {
  const accounts = new Set(
    report.certificates.flatMap((record) => (record.account ? [record.account.name] : [])),
  );
  const columns = accounts.size > 1 ? [...COLUMNS.slice(0, 3), ACCOUNT_COLUMN, ...COLUMNS.slice(3)] : COLUMNS;
  const rows = [...report.certificates]
    .sort(compareUrgency)
    .map((record) => columns.map((c) => clip(c.cell(record), c.max)));
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, ...rows.map((row) => row[i]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.title)), ...rows.map(line), '', summaryLine(report)];
  if (report.failures.length > 0) {
    out.push('', `Could not check ${report.failures.length} source(s) — this report is INCOMPLETE:`);
    for (const failure of report.failures) {
      const where = [`${failure.provider}/${failure.service}`, failure.region, failure.project]
        .filter(Boolean)
        .join(' ');
      out.push(`  ${where}: ${failure.message}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function summaryLine(report: ScanReport): string {
  const counts = countByStatus(report.certificates);
  const parts = STATUS_ORDER.map((status) => `${counts.get(status)} ${status}`).join(', ');
  const total = report.certificates.length;
  return `${total} certificate${total === 1 ? '' : 's'} at ${toIsoUtc(report.nowMs)}: ${parts}. Scan ${
    report.complete ? 'complete' : 'INCOMPLETE'
  }.`;
}

function boundCell(record: CertificateRecord): string {
  if (record.inUse === null) return 'unknown';
  if (!record.inUse) return 'not bound';
  return listCell(record.boundTo);
}

function listCell(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items[0]} +${items.length - 1}`;
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
