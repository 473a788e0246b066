/**
 * The audit as Markdown to paste into a ticket: a summary (counts by status, completeness, the sources that
 * failed), then one table row per certificate, most urgent first. Pure: the report in, text out.
 */
import { toMinuteUtc } from '../expiry/instant';
import type { CertificateRecord, ScanReport } from '../model';
import { compareFailures, compareUrgency } from './order';
import { summaryLine } from './table';

const COLUMNS: readonly [string, (record: CertificateRecord) => string][] = [
  ['Status', (r) => r.status],
  ['Days left', (r) => (r.daysLeft === null ? '' : String(r.daysLeft))],
  ['Expires (UTC)', (r) => (r.notAfterMs === null ? 'unknown' : toMinuteUtc(r.notAfterMs))],
  ['Source', (r) => [`${r.provider}/${r.service}`, r.region, r.project].filter(Boolean).join(' ')],
  ['Name', (r) => r.name],
  ['ID', (r) => r.id],
  ['Domains', (r) => r.domains.join(', ')],
  ['Bound to', boundTo],
  ['Notes', (r) => r.notes.join('; ')],
];

export function renderMarkdown(report: ScanReport): string {
  const out = [markdownCell(summaryLine(report))];
  if (report.failures.length > 0) {
    out.push('', `**Could not check ${report.failures.length} source(s) — this report is INCOMPLETE:**`, '');
    for (const failure of [...report.failures].sort(compareFailures)) {
      const where = [`${failure.provider}/${failure.service}`, failure.region, failure.project]
        .filter(Boolean)
        .join(' ');
      out.push(`- ${markdownCell(where)}: ${markdownCell(failure.message)}`);
    }
  }
  out.push('', row(COLUMNS.map(([title]) => title)), row(COLUMNS.map(() => '---')));
  for (const record of [...report.certificates].sort(compareUrgency)) {
    out.push(row(COLUMNS.map(([, cell]) => markdownCell(cell(record)))));
  }
  return `${out.join('\n')}\n`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/**
 * Provider text as inert Markdown inside a table cell: every character that could start inline syntax there
 * (emphasis, code, links, HTML, entities, strike-through) is backslash-escaped, so `|` cannot split a cell and
 * `<script>` shows as text; line breaks become `<br>`, the one way to break a line inside a cell. Characters that
 * matter only at the start of a line (`#`, `-`, `+`) are left alone: a cell never starts one.
 */
export function markdownCell(text: string): string {
  return text.replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '<br>');
}

function boundTo(record: CertificateRecord): string {
  if (record.inUse === null) return 'unknown';
  if (!record.inUse) return 'not bound';
  return record.boundTo.join('; ');
}
