/**
 * Every format the audit can be rendered in, by name: the CLI's `--format` and the handler's `format` both come
 * here. Pure: the report in, text out.
 */
import type { ScanReport } from '../model';
import { renderCsv } from './csv';
import { renderHtml } from './html';
import { renderIcs } from './ics';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderTable } from './table';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'markdown', 'ics', 'html'] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What the CLI, the handler and the help say about each format. */
export interface FormatInfo {
  /** The media type, for whoever serves or stores the rendered text. */
  contentType: string;
  /** Whether the text names the sources that failed (a sheet or a calendar holds certificates only). */
  listsFailures: boolean;
  /** What it is for, in a few words (the CLI's help). */
  purpose: string;
}

export const FORMAT_INFO: Readonly<Record<ReportFormat, FormatInfo>> = {
  table: {
    contentType: 'text/plain; charset=utf-8',
    listsFailures: true,
    purpose: 'this terminal (default)',
  },
  json: { contentType: 'application/json', listsFailures: true, purpose: 'the report contract' },
  csv: {
    contentType: 'text/csv; charset=utf-8; header=present',
    listsFailures: false,
    purpose: 'a spreadsheet',
  },
  markdown: {
    contentType: 'text/markdown; charset=utf-8',
    listsFailures: true,
    purpose: 'pasting into a ticket',
  },
  ics: {
    contentType: 'text/calendar; charset=utf-8',
    listsFailures: false,
    purpose: 'a calendar: an all-day event per expiry, a reminder at the first alert rung',
  },
  html: {
    contentType: 'text/html; charset=utf-8',
    listsFailures: true,
    purpose: 'a browser: one self-contained page with a timeline and a table that sorts and filters',
  },
};

export interface RenderOptions {
  /** The clock at rendering (epoch ms), which the HTML page prints (default: the report's `generatedAt`). */
  nowMs?: number;
  /** The alert ladder's day rungs, largest first: the calendar's reminders (see IcsOptions). */
  alarmDays?: readonly number[];
}

/** A rendered report as the handler returns it. */
export interface RenderedReport {
  format: ReportFormat;
  contentType: string;
  body: string;
}

export function isReportFormat(name: unknown): name is ReportFormat {
  return typeof name === 'string' && (REPORT_FORMATS as readonly string[]).includes(name);
}

export function renderReport(report: ScanReport, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(report);
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'ics':
      return renderIcs(report, options.alarmDays ? { alarmDays: options.alarmDays } : {});
    case 'html':
      return renderHtml(report, { nowMs: options.nowMs ?? report.generatedAtMs });
  }
}

export function renderedReport(
  report: ScanReport,
  format: ReportFormat,
  options: RenderOptions = {},
): RenderedReport {
  return {
    format,
    contentType: FORMAT_INFO[format].contentType,
    body: renderReport(report, format, options),
  };
}
