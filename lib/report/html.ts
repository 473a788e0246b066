/**
 * The audit as one self-contained HTML page: a summary, a timeline of expiries over the next twelve months (inline
 * SVG, drawn here so it shows without script), and a table of every certificate that sorts and filters in the
 * browser. Nothing is fetched when the page opens: the CSS and the script are inline, and a CSP meta forbids
 * anything else. Pure: the same report and options give the same bytes.
 *
 * Everything a provider sent (names, domains, listener names, notes, failure messages) is escaped for HTML text and
 * attribute contexts; the script reads the rendered rows, so no data is ever embedded as script.
 */
import { toIsoUtc, toMinuteUtc } from '../expiry/instant';
import { type CertificateRecord, type ScanReport, STATUS_ORDER, type Status } from '../model';
import SCRIPT from './browser/reportScript?script';
import { countByStatus } from './counts';
import { compareText, compareUrgency } from './order';

export interface HtmlOptions {
  /** The clock at rendering (epoch ms): printed in the footer and used only if `report.nowMs` is not a number. */
  nowMs: number;
  title?: string;
}

/** Months the timeline covers: the month of `report.nowMs` and the eleven after it. */
export const TIMELINE_MONTHS = 12;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STATUS_COLOUR: Record<Status, string> = {
  expired: '#7f1d1d',
  critical: '#dc2626',
  warning: '#d97706',
  unknown: '#6b7280',
  ok: '#16a34a',
};

/** Escapes text for HTML text and for double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Renders the report as a complete HTML document. */
export function renderHtml(report: ScanReport, options: HtmlOptions): string {
  const nowMs = Number.isFinite(report.nowMs) ? report.nowMs : options.nowMs;
  const scannedAt = Number.isFinite(report.nowMs) ? toIsoUtc(report.nowMs) : String(report.nowMs);
  const title = options.title ?? `certwatch audit — ${scannedAt}`;
  const records = [...report.certificates].sort(compareUrgency);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">Scanned at <time>${escapeHtml(scannedAt)}</time> · ${records.length} certificate${
      records.length === 1 ? '' : 's'
    } · rendered ${escapeHtml(new Date(options.nowMs).toISOString())}</p>`,
    '</header>',
    '<main>',
    summarySection(report),
    timelineSection(records, nowMs),
    tableSection(records),
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function sourceName(provider: string, service: string): string {
  return `${provider}/${service}`;
}

function summarySection(report: ScanReport): string {
  const counts = countByStatus(report.certificates);
  const cards = STATUS_ORDER.map(
    (status) =>
      `<div class="card s-${status}" data-status="${status}"><span class="count">${counts.get(status)}</span>` +
      `<span class="label">${status}</span></div>`,
  ).join('');
  const sources = new Map<string, CertificateRecord[]>();
  for (const record of report.certificates) {
    const key = sourceName(record.provider, record.service);
    sources.set(key, [...(sources.get(key) ?? []), record]);
  }
  const sourceRows = [...sources.keys()]
    .sort(compareText)
    .map((key) => {
      const of = countByStatus(sources.get(key)!);
      const cells = STATUS_ORDER.map((s) => `<td class="num" data-status="${s}">${of.get(s)}</td>`).join('');
      return `<tr data-source="${escapeHtml(key)}"><th scope="row">${escapeHtml(key)}</th>${cells}<td class="num total">${
        sources.get(key)!.length
      }</td></tr>`;
    })
    .join('\n');
  const completeness = report.complete
    ? '<p class="complete" id="completeness" data-complete="true">Scan complete: every source answered.</p>'
    : `<p class="incomplete" id="completeness" data-complete="false">Scan INCOMPLETE: ${report.failures.length} source${
        report.failures.length === 1 ? '' : 's'
      } could not be read. Certificates there are missing from this report — this is not an all clear.</p>`;
  const failures =
    report.failures.length === 0
      ? ''
      : `<ul class="failures">${report.failures
          .map((f) => {
            const where = [sourceName(f.provider, f.service), f.region, f.project].filter(Boolean).join(' ');
            return `<li><strong>${escapeHtml(where)}</strong>: ${escapeHtml(f.message)}</li>`;
          })
          .join('')}</ul>`;
  return [
    '<section id="summary" aria-labelledby="summary-h">',
    '<h2 id="summary-h">Summary</h2>',
    '<div class="summary-grid"><div>',
    `<div class="cards"><div class="card s-total" data-status="total"><span class="count">${report.certificates.length}</span><span class="label">total</span></div>${cards}</div>`,
    completeness,
    failures,
    '</div>',
    '<table class="by-source"><caption>By provider and service</caption>',
    `<thead><tr><th scope="col">Source</th>${STATUS_ORDER.map((s) => `<th scope="col">${s}</th>`).join('')}<th scope="col">total</th></tr></thead>`,
    `<tbody>${sourceRows}</tbody></table>`,
    '</div>',
    '</section>',
  ].join('\n');
}

interface Bucket {
  key: string;
  label: string;
  counts: Map<Status, number>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The timeline's bars: one for everything already expired, then one per calendar month (UTC) from the month of
 * `nowMs`, each split by status. Certificates with no known expiry, or expiring after the last month, are counted
 * beside the chart.
 */
export function timelineBuckets(
  records: readonly CertificateRecord[],
  nowMs: number,
): { expired: Bucket; months: Bucket[]; later: number; undated: number } {
  const start = new Date(nowMs);
  const startIndex = start.getUTCFullYear() * 12 + start.getUTCMonth();
  const months: Bucket[] = Array.from({ length: TIMELINE_MONTHS }, (_, i) => {
    const index = startIndex + i;
    const year = Math.floor(index / 12);
    const month = index % 12;
    return {
      key: `${year}-${String(month + 1).padStart(2, '0')}`,
      label: `${MONTHS[month]} ${year}`,
      counts: new Map(),
    };
  });
  const expired: Bucket = { key: 'expired', label: 'Expired', counts: new Map() };
  let later = 0;
  let undated = 0;
  for (const record of records) {
    const at = record.notAfterMs ?? Number.NaN;
    if (!Number.isFinite(at)) {
      undated++;
      continue;
    }
    let bucket: Bucket | undefined;
    if (at < nowMs) bucket = expired;
    else {
      const when = new Date(at);
      bucket = months[when.getUTCFullYear() * 12 + when.getUTCMonth() - startIndex];
    }
    if (bucket === undefined) later++;
    else bucket.counts.set(record.status, (bucket.counts.get(record.status) ?? 0) + 1);
  }
  return { expired, months, later, undated };
}

/** The smallest 1, 2 or 5 × 10^k at or above `n` (at least 1): the chart's top gridline. */
function niceCeiling(n: number): number {
  let step = 1;
  for (;;) {
    for (const m of [1, 2, 5]) if (m * step >= n) return m * step;
    step *= 10;
  }
}

function timelineSection(records: readonly CertificateRecord[], nowMs: number): string {
  const { expired, months, later, undated } = timelineBuckets(records, nowMs);
  const bars = [expired, ...months];
  const total = (b: Bucket) => [...b.counts.values()].reduce((a, c) => a + c, 0);
  const top = niceCeiling(Math.max(1, ...bars.map(total)));
  const width = 960;
  const height = 230;
  const left = 44;
  const right = 8;
  const plotTop = 16;
  const plotBottom = height - 44;
  const slot = (width - left - right) / bars.length;
  const barWidth = Math.round(slot * 0.64);
  const y = (value: number) => plotBottom - ((plotBottom - plotTop) * value) / top;
  const parts: string[] = [];
  parts.push(
    '<defs><pattern id="hatch-expired" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      `<rect width="6" height="6" fill="${STATUS_COLOUR.expired}"/><rect width="2.5" height="6" fill="#fca5a5"/></pattern></defs>`,
  );
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    const gy = y(value).toFixed(1);
    parts.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${gy}" y2="${gy}"/>` +
        `<text class="tick" x="${left - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle">${
          Number.isInteger(value) ? value : value.toFixed(1)
        }</text>`,
    );
  }
  bars.forEach((bucket, i) => {
    const x = Math.round(left + slot * i + (slot - barWidth) / 2);
    let stacked = 0;
    // Most severe at the bottom, where the eye starts.
    for (const status of STATUS_ORDER) {
      const count = bucket.counts.get(status) ?? 0;
      if (count === 0) continue;
      const y0 = y(stacked + count);
      const h = y(stacked) - y0;
      const fill = bucket === expired ? 'url(#hatch-expired)' : STATUS_COLOUR[status];
      parts.push(
        `<rect class="mark s-${status}${bucket === expired ? ' expired-bar' : ''}" data-bucket="${bucket.key}" data-status="${status}" data-count="${count}" ` +
          `x="${x}" y="${y0.toFixed(1)}" width="${barWidth}" height="${Math.max(h, 1).toFixed(1)}" fill="${fill}">` +
          `<title>${bucket.label}: ${count} ${status}</title></rect>`,
      );
      stacked += count;
    }
    const cx = x + barWidth / 2;
    if (stacked > 0) {
      parts.push(
        `<text class="bar-total" x="${cx}" y="${(y(stacked) - 4).toFixed(1)}" text-anchor="middle">${stacked}</text>`,
      );
    }
    const [first, second] = bucket === expired ? ['Expired', 'already'] : bucket.label.split(' ');
    parts.push(
      `<text class="axis${bucket === expired ? ' axis-expired' : ''}" x="${cx}" y="${plotBottom + 16}" text-anchor="middle">${first}</text>` +
        `<text class="axis year" x="${cx}" y="${plotBottom + 30}" text-anchor="middle">${second}</text>`,
    );
  });
  parts.push(
    `<line class="baseline" x1="${left}" x2="${width - right}" y1="${plotBottom}" y2="${plotBottom}"/>`,
  );
  // Expired certificates are drawn only in the hatched bar, so the legend keys that instead of a solid swatch.
  const legend = STATUS_ORDER.filter((s) => s !== 'expired')
    .map(
      (s) =>
        `<span class="key"><span class="swatch" style="background:${STATUS_COLOUR[s]}"></span>${s}</span>`,
    )
    .join('');
  const last = months[months.length - 1]!.label;
  const aside = [
    later > 0 ? `${later} expire${later === 1 ? 's' : ''} after ${last}` : `none expire after ${last}`,
    undated > 0 ? `${undated} with no known expiry` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return [
    '<section id="timeline" aria-labelledby="timeline-h">',
    '<h2 id="timeline-h">Expiries over the next 12 months</h2>',
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="timeline-h timeline-desc" preserveAspectRatio="xMidYMid meet">`,
    `<desc id="timeline-desc">Certificates by month of expiry (UTC), stacked by status; the first, hatched bar holds those already expired.</desc>`,
    parts.join('\n'),
    '</svg>',
    `<p class="legend">${legend}<span class="key"><span class="swatch hatch"></span>already expired</span></p>`,
    `<p class="aside" id="timeline-aside">${aside}</p>`,
    '</section>',
  ].join('\n');
}

interface TableColumn {
  title: string;
  /** `number` columns sort numerically on data-sort; the rest compare text. */
  type: 'text' | 'number';
  cell: (record: CertificateRecord) => { html: string; sort?: string; className?: string };
}

const TABLE_COLUMNS: TableColumn[] = [
  {
    title: 'Status',
    type: 'number',
    cell: (r) => ({
      html: `<span class="badge s-${r.status}">${r.status}</span>`,
      sort: String(STATUS_ORDER.indexOf(r.status)),
    }),
  },
  {
    title: 'Days left',
    type: 'number',
    cell: (r) => ({
      html: r.daysLeft === null ? '—' : String(r.daysLeft),
      sort: r.daysLeft === null ? '' : String(r.daysLeft),
      className: 'num',
    }),
  },
  {
    title: 'Expires (UTC)',
    type: 'text',
    cell: (r) => ({
      html: r.notAfterMs === null ? '—' : escapeHtml(toMinuteUtc(r.notAfterMs)),
      sort: r.notAfterMs === null ? '' : toIsoUtc(r.notAfterMs),
      className: 'nowrap',
    }),
  },
  { title: 'Provider', type: 'text', cell: (r) => ({ html: escapeHtml(r.provider) }) },
  { title: 'Service', type: 'text', cell: (r) => ({ html: escapeHtml(r.service) }) },
  {
    title: 'Region / project',
    type: 'text',
    cell: (r) => ({ html: escapeHtml([r.region, r.project].filter(Boolean).join(' / ')) }),
  },
  {
    title: 'Name',
    type: 'text',
    cell: (r) => ({
      html: `<span class="name">${escapeHtml(r.name)}</span><span class="id">${escapeHtml(r.id)}</span>`,
      sort: r.name,
    }),
  },
  { title: 'Domains', type: 'text', cell: (r) => ({ html: listHtml(r.domains) }) },
  {
    title: 'Bound to',
    type: 'text',
    cell: (r) => ({
      html:
        r.inUse === null
          ? '<span class="muted">unknown</span>'
          : r.inUse
            ? listHtml(r.boundTo)
            : '<span class="muted">not bound</span>',
    }),
  },
  { title: 'Notes', type: 'text', cell: (r) => ({ html: listHtml(r.notes), className: 'notes' }) },
];

function listHtml(items: readonly string[]): string {
  return items.map((item) => `<span class="item">${escapeHtml(item)}</span>`).join(' ');
}

function tableSection(records: readonly CertificateRecord[]): string {
  const statusBoxes = STATUS_ORDER.map(
    (s) =>
      `<label class="check"><input type="checkbox" name="status" value="${s}" checked> <span class="badge s-${s}">${s}</span></label>`,
  ).join('');
  const head = TABLE_COLUMNS.map(
    (c, i) =>
      `<th scope="col" data-col="${i}" data-type="${c.type}" aria-sort="none"><button type="button">${c.title}</button></th>`,
  ).join('');
  const rows = records
    .map((record, index) => {
      const cells = TABLE_COLUMNS.map((column) => {
        const { html, sort, className } = column.cell(record);
        const attrs = [
          className ? ` class="${className}"` : '',
          sort !== undefined ? ` data-sort="${escapeHtml(sort)}"` : '',
        ].join('');
        return `<td${attrs}>${html}</td>`;
      }).join('');
      return `<tr data-status="${record.status}" data-index="${index}">${cells}</tr>`;
    })
    .join('\n');
  return [
    '<section id="certificates" aria-labelledby="certificates-h">',
    '<h2 id="certificates-h">Certificates</h2>',
    '<form class="controls" id="filters" role="search">',
    '<label class="search">Filter <input type="search" id="filter-text" placeholder="name, domain, region, listener…" autocomplete="off"></label>',
    `<fieldset><legend>Status</legend>${statusBoxes}</fieldset>`,
    `<output id="shown" aria-live="polite">${records.length} of ${records.length} shown</output>`,
    '</form>',
    '<p class="hint">Most urgent first. Click a column heading to sort; click again to reverse.</p>',
    '<div class="table-wrap">',
    `<table id="certs"><thead><tr>${head}</tr></thead>`,
    `<tbody>\n${rows}\n</tbody></table>`,
    '</div>',
    '</section>',
  ].join('\n');
}

const STYLE = `
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#fff;--head:#f9fafb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1400px;margin:0 auto;padding:0 20px}
header{padding-top:16px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:18px 0 8px}
.meta,.hint,.aside{color:var(--muted);margin:4px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{min-width:92px;padding:6px 12px;border:1px solid var(--line);border-left-width:6px;border-radius:6px}
.card .count{display:block;font-size:24px;font-weight:600}
.card .label{color:var(--muted);text-transform:capitalize}
.s-total{border-left-color:#374151}
.card.s-expired{border-left-color:${STATUS_COLOUR.expired}}.card.s-critical{border-left-color:${STATUS_COLOUR.critical}}
.card.s-warning{border-left-color:${STATUS_COLOUR.warning}}.card.s-unknown{border-left-color:${STATUS_COLOUR.unknown}}
.card.s-ok{border-left-color:${STATUS_COLOUR.ok}}
.complete{color:#166534;font-weight:600}
.incomplete{color:#991b1b;font-weight:600;background:#fef2f2;border:1px solid #fecaca;padding:6px 10px;border-radius:6px}
.failures{color:#991b1b}
table{border-collapse:collapse}
.summary-grid{display:flex;flex-wrap:wrap;gap:12px 40px;align-items:flex-start}
.by-source{margin-top:0}
.by-source caption{text-align:left;color:var(--muted);padding-bottom:4px}
.by-source th,.by-source td{padding:2px 10px;border-bottom:1px solid var(--line);text-align:left}
.num{text-align:right;font-variant-numeric:tabular-nums}
.by-source td.num{text-align:right}
.chart{width:100%;max-width:1000px;height:auto;display:block}
.chart .grid{stroke:var(--line)}.chart .baseline{stroke:#9ca3af}
.chart text{font-size:12px;fill:#374151}.chart .tick,.chart .year{fill:var(--muted);font-size:11px}
.chart .axis-expired{fill:${STATUS_COLOUR.expired};font-weight:600}.chart .bar-total{font-weight:600}
.chart .expired-bar{stroke:${STATUS_COLOUR.expired};stroke-width:1}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:4px 0}
.key{display:inline-flex;align-items:center;gap:5px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px}
.swatch.hatch{background:repeating-linear-gradient(45deg,${STATUS_COLOUR.expired} 0 3px,#fca5a5 3px 5px)}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:12px 18px;margin:6px 0}
.controls fieldset{border:0;margin:0;padding:0;display:flex;gap:10px;align-items:center}
.controls legend{float:left;margin-right:6px;color:var(--muted)}
.search input{margin-left:6px;padding:5px 8px;width:280px;font:inherit;border:1px solid #d1d5db;border-radius:4px}
.check{cursor:pointer;white-space:nowrap}
#shown{color:var(--muted)}
.table-wrap{overflow-x:auto}
#certs{width:100%;font-size:13px}
#certs th,#certs td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
#certs thead th{position:sticky;top:0;background:var(--head);border-bottom:2px solid #d1d5db;white-space:nowrap}
#certs th button{all:unset;cursor:pointer;font-weight:600}
#certs th[aria-sort=ascending] button::after{content:" ▲"}
#certs th[aria-sort=descending] button::after{content:" ▼"}
#certs tbody tr:hover{background:#f3f4f6}
#certs td.num{text-align:right}
.nowrap{white-space:nowrap}
.name{display:block;min-width:12em;font-weight:500;overflow-wrap:anywhere}
.id{display:block;color:var(--muted);font-size:11px;overflow-wrap:anywhere}
.item{display:inline-block;margin-right:6px;overflow-wrap:anywhere}
#certs td:nth-child(8){min-width:12em}
.notes{color:#374151;font-size:12px;max-width:320px}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px;font-weight:600}
.badge.s-expired{background:${STATUS_COLOUR.expired}}.badge.s-critical{background:${STATUS_COLOUR.critical}}
.badge.s-warning{background:${STATUS_COLOUR.warning}}.badge.s-unknown{background:${STATUS_COLOUR.unknown}}
.badge.s-ok{background:${STATUS_COLOUR.ok}}
@media print{
  body{font-size:10px}
  header,main{max-width:none;padding:0}
  .controls,.hint,#shown{display:none}
  #certs tbody tr[hidden]{display:table-row}
  #certs thead th{position:static}
  #certs th button::after{content:""!important}
  .table-wrap{overflow:visible}
  tr{break-inside:avoid}
  .badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .chart,.cards{break-inside:avoid}
}
`.trim();
