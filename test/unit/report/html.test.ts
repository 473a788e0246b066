import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../../../lib/model';
import { escapeHtml, renderHtml, timelineBuckets } from '../../../lib/report/html';
import { cert, failure, NOW } from '../../helpers/reports';

const NOW_MS = Date.parse(NOW);
const HOSTILE = '<script>alert(1)</script>';
const QUOTES = `x" onmouseover="alert(2)' onfocus='alert(3)`;
const IMG = '<img src=x onerror=alert(4)>';

function report(overrides: Partial<ScanReport> = {}): ScanReport {
  return {
    generatedAtMs: NOW_MS,
    nowMs: NOW_MS,
    complete: true,
    failures: [],
    certificates: [
      cert({ id: 'ssl-ok', notAfter: '2027-06-01T00:00:00Z', daysLeft: 189 }),
      cert({
        id: 'ssl-exp',
        name: 'gone',
        status: 'expired',
        notAfter: '2026-11-01T00:00:00Z',
        daysLeft: -23,
      }),
      cert({
        id: 'ssl-crit',
        name: 'soon',
        status: 'critical',
        notAfter: '2026-11-28T00:00:00Z',
        daysLeft: 4,
      }),
      cert({
        id: 'ssl-warn',
        name: 'next-month',
        status: 'warning',
        notAfter: '2026-12-20T00:00:00Z',
        daysLeft: 26,
        provider: 'aliyun',
        service: 'cdn',
        region: 'global',
        project: null,
      }),
      cert({ id: 'ssl-late', name: 'far', notAfter: '2028-01-01T00:00:00Z', daysLeft: 403 }),
      cert({
        id: 'ssl-unk',
        name: 'no-date',
        status: 'unknown',
        notAfter: null,
        leafNotAfter: null,
        daysLeft: null,
        inUse: null,
        boundTo: [],
      }),
    ],
    ...overrides,
  };
}

function hostileReport(): ScanReport {
  return report({
    complete: false,
    failures: [failure({ message: `HTTP 500 ${HOSTILE}`, project: QUOTES })],
    certificates: [
      cert({
        id: `id-${QUOTES}`,
        name: HOSTILE,
        domains: [IMG, 'a&b.example.com'],
        boundTo: [`ulb-${QUOTES}`],
        notes: [`note ${IMG}`],
        region: HOSTILE,
        project: QUOTES,
      }),
      cert({ id: 'ssl-2', name: QUOTES, provider: `evil${IMG}`, service: HOSTILE }),
    ],
  });
}

/**
 * The attribute names of every start tag. Every attribute value must be double-quoted and hold no raw `"`, or the
 * tag does not parse here and the test fails on the leftover text.
 */
function attributeNames(html: string): string[] {
  const names: string[] = [];
  for (const [, attrs] of html.matchAll(/<[a-zA-Z][\w-]*((?:\s+[^\s=>"]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    for (const [, name] of attrs!.matchAll(/\s+([^\s=>"]+)(?:="[^"]*")?/g)) names.push(name!.toLowerCase());
  }
  return names;
}

describe('renderHtml', () => {
  it('escapes provider text in text and attribute contexts, so no tag or handler comes from data', () => {
    const html = renderHtml(hostileReport(), { nowMs: NOW_MS, title: `Audit ${HOSTILE}` });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(4)&gt;');
    expect(html).toContain('x&quot; onmouseover=&quot;alert(2)&#39; onfocus=&#39;alert(3)');
    expect(html).toContain('a&amp;b.example.com');
    // Exactly one script element, ours; no inline event handler attribute on any tag.
    expect(html.match(/<script/g)).toHaveLength(1);
    const names = attributeNames(html);
    expect(names.length).toBeGreaterThan(100);
    expect(names.filter((name) => name.startsWith('on'))).toEqual([]);
    // Every "<" followed by a letter starts one of our tags: the tag count matches the parsed count.
    expect(html.match(/<[a-zA-Z]/g)!.length).toBe(
      [...html.matchAll(/<[a-zA-Z][\w-]*((?:\s+[^\s=>"]+(?:="[^"]*")?)*)\s*\/?>/g)].length,
    );
    // The title in <title> and <h1> is escaped too.
    expect(html).toContain('<title>Audit &lt;script&gt;');
  });

  it('escapeHtml covers the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('references nothing external: no URLs, no src/href, only a local SVG pattern in url()', () => {
    const html = renderHtml(report(), { nowMs: NOW_MS });
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\s(src|href|srcset|action|xlink:href)\s*=/i);
    expect(html).not.toMatch(/@import|<link|<iframe|<object|<embed/i);
    expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1])).toEqual(
      expect.arrayContaining(['#hatch-expired']),
    );
    expect(html.match(/url\(([^)]*)\)/g)!.every((u) => u === 'url(#hatch-expired)')).toBe(true);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    );
  });

  it('counts certificates by status and by provider/service', () => {
    const html = renderHtml(report(), { nowMs: NOW_MS });
    const card = (status: string) =>
      new RegExp(`<div class="card s-${status}" data-status="${status}"><span class="count">(\\d+)<`).exec(
        html,
      )?.[1];
    expect(card('total')).toBe('6');
    expect(card('expired')).toBe('1');
    expect(card('critical')).toBe('1');
    expect(card('warning')).toBe('1');
    expect(card('unknown')).toBe('1');
    expect(card('ok')).toBe('2');
    const sourceRow = (key: string) =>
      new RegExp(`<tr data-source="${key}">(.*?)</tr>`).exec(html)?.[1]?.match(/>(\d+)</g);
    // expired, critical, warning, unknown, ok, total
    expect(sourceRow('ucloud/ulb')).toEqual(['>1<', '>1<', '>0<', '>1<', '>2<', '>5<']);
    expect(sourceRow('aliyun/cdn')).toEqual(['>0<', '>0<', '>1<', '>0<', '>0<', '>1<']);
    expect(html).toContain('data-complete="true"');
  });

  it('gives every certificate one row, most urgent first', () => {
    const input = report();
    const html = renderHtml(input, { nowMs: NOW_MS });
    const rows = [...html.matchAll(/<tr data-status="(\w+)" data-index="\d+">.*?<span class="id">([^<]*)</g)];
    expect(rows).toHaveLength(input.certificates.length);
    expect(rows.map((m) => m[2])).toEqual([
      'ssl-exp',
      'ssl-crit',
      'ssl-warn',
      'ssl-unk',
      'ssl-ok',
      'ssl-late',
    ]);
    expect(rows.map((m) => m[1])).toEqual(['expired', 'critical', 'warning', 'unknown', 'ok', 'ok']);
  });

  it('lists failures and says the scan is incomplete', () => {
    const html = renderHtml(hostileReport(), { nowMs: NOW_MS });
    expect(html).toContain('data-complete="false"');
    expect(html).toContain('Scan INCOMPLETE: 1 source could not be read');
    expect(html).toContain('<li><strong>ucloud/ulb cn-sh2 x&quot; onmouseover=');
    expect(html).toContain('HTTP 500 &lt;script&gt;');
  });

  it('draws one chart mark per non-empty month × status, the expired bar apart', () => {
    const html = renderHtml(report(), { nowMs: NOW_MS });
    const marks = [
      ...html.matchAll(
        /<rect class="mark[^"]*" data-bucket="([^"]+)" data-status="(\w+)" data-count="(\d+)"/g,
      ),
    ];
    expect(marks.map((m) => `${m[1]} ${m[2]} ${m[3]}`)).toEqual([
      'expired expired 1',
      '2026-11 critical 1',
      '2026-12 warning 1',
      '2027-06 ok 1',
    ]);
    expect(html).toContain('1 expires after Oct 2027');
    expect(html).toContain('1 with no known expiry');
  });

  it('is deterministic', () => {
    expect(renderHtml(report(), { nowMs: NOW_MS })).toBe(renderHtml(report(), { nowMs: NOW_MS }));
  });
});

describe('timelineBuckets', () => {
  it('puts month edges in the right calendar month (UTC) and counts what falls outside', () => {
    const records = [
      cert({ notAfter: '2026-11-30T23:59:59Z' }),
      cert({ notAfter: '2026-12-01T00:00:00Z' }),
      cert({ notAfter: '2027-10-31T23:59:59Z' }),
      cert({ notAfter: '2027-11-01T00:00:00Z' }),
      cert({ notAfter: '2026-11-23T04:59:59Z', status: 'expired' }),
      cert({ notAfter: 'not a date' }),
    ];
    const { expired, months, later, undated } = timelineBuckets(records, NOW_MS);
    expect(months.map((m) => m.key)).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
      '2027-03',
      '2027-04',
      '2027-05',
      '2027-06',
      '2027-07',
      '2027-08',
      '2027-09',
      '2027-10',
    ]);
    expect(months[0]!.counts.get('ok')).toBe(1);
    expect(months[1]!.counts.get('ok')).toBe(1);
    expect(months[11]!.counts.get('ok')).toBe(1);
    expect(expired.counts.get('expired')).toBe(1);
    expect(later).toBe(1);
    expect(undated).toBe(1);
  });
});
