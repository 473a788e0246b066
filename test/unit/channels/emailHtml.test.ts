import { describe, expect, it } from 'vitest';
import type { DigestContent, DigestEntry, DigestTone } from '../../../lib/alerts/digest';
import { EMAIL_MAX_WIDTH_PX, renderDigestHtml, TONE_STYLES } from '../../../lib/channels/emailHtml';
import { escapeHtml } from '../../../lib/report/html';
import { HOSTILE_TEXT, hostileReport } from '../../helpers/hostileReport';
import { cert, digestOf, failure } from '../../helpers/reports';

const IMG = '<img src=x onerror=alert(1)>';
const BREAKOUT = '"><script>alert(2)</script>';

/** Every tag in the document: [name, attributes text]. */
function tags(html: string): { name: string; attributes: string }[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((match) => ({
    name: match[1]!.toLowerCase(),
    attributes: match[2] ?? '',
  }));
}

const ALLOWED_TAGS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'body',
  'div',
  'table',
  'tr',
  'td',
  'h1',
  'h2',
  'h3',
  'p',
  'span',
  'strong',
]);
const ALLOWED_ATTRIBUTES = new Set([
  'lang',
  'charset',
  'name',
  'content',
  'style',
  'role',
  'width',
  'cellspacing',
  'cellpadding',
  'border',
  'align',
  'data-tone',
]);

function attributeNames(attributes: string): string[] {
  // Values are double-quoted and escaped, so dropping them leaves only the names.
  return attributes
    .replace(/"[^"]*"/g, '')
    .split(/[\s=]+/)
    .filter(Boolean);
}

function hostileDigest() {
  const digest = digestOf(
    [
      cert({
        id: 'ssl-1',
        name: IMG,
        status: 'expired',
        daysLeft: -3,
        notAfter: '2026-11-20T00:00:00Z',
        domains: [`${BREAKOUT}.example`, 'shop.example.com'],
        boundTo: [`lb ${IMG} / "onmouseover='alert(3)'`],
        notes: [BREAKOUT, 'see https://evil.example/x.png'],
      }),
    ],
    [failure({ message: `<svg onload=alert(4)> ${BREAKOUT}` })],
  );
  if (!digest) throw new Error('expected a digest');
  return digest;
}

function entry(tone: DigestTone, title: string): DigestEntry {
  return {
    title,
    tone,
    summary: `${title}, ucloud/ulb cn-bj2, expires 2026-12-01 00:00:00 UTC, 8 days left`,
    fields: [
      { label: 'Provider', value: 'ucloud / ulb' },
      { label: 'What to do', value: 'renew it' },
    ],
  };
}

/** A digest with one entry of every tone, in both kinds of section. */
function everyTone(complete: boolean, note: string | null = null): DigestContent {
  return {
    title: 'certwatch digest for the scan at 2026-11-23 05:00:00 UTC',
    scannedAt: '2026-11-23T05:00:00Z',
    complete,
    summary: complete
      ? ['7 certificates checked: 3 new alerts, 1 still open, 1 to clean up.']
      : [
          '7 certificates checked: 3 new alerts, 1 still open, 1 to clean up.',
          'SCAN INCOMPLETE: 1 source could not be checked (see "Could not check" below).',
        ],
    note,
    counts: {
      certificates: 7,
      new: 3,
      expired: 1,
      critical: 1,
      warning: 1,
      stillOpen: 1,
      cleanup: 1,
      silenced: 1,
      failures: complete ? 0 : 1,
    },
    sections: [
      {
        kind: 'new',
        heading: 'New this run (3)',
        intro: null,
        detailed: true,
        groups: [
          { heading: 'Expired (1)', entries: [entry('expired', 'gone (ssl-e)')] },
          { heading: 'Critical (1)', entries: [entry('critical', 'soon (ssl-c)')] },
          { heading: 'Warning (1)', entries: [entry('warning', 'later (ssl-w)')] },
        ],
      },
      {
        kind: 'open',
        heading: 'Still open (1): alerted before, not yet fixed',
        intro: null,
        detailed: false,
        groups: [{ heading: null, entries: [entry('open', 'known (ssl-o)')] }],
      },
      {
        kind: 'cleanup',
        heading: 'Clean-up (1): not urgent, nobody is paged',
        intro: null,
        detailed: false,
        groups: [{ heading: null, entries: [entry('cleanup', 'spare (ssl-x)')] }],
      },
      {
        kind: 'silenced',
        heading: 'Held back by rules (1)',
        intro: null,
        detailed: false,
        groups: [{ heading: null, entries: [entry('silenced', 'quiet (ssl-s)')] }],
      },
      ...(complete
        ? []
        : [
            {
              kind: 'failures' as const,
              heading: 'Could not check (1 source)',
              intro: 'This report is INCOMPLETE: certificates in these sources were not checked.',
              detailed: true,
              groups: [{ heading: null, entries: [entry('failure', 'aliyun / cdn')] }],
            },
          ]),
    ],
  };
}

/** The opening tag of each row of that tone, up to the end of its first cell's style. */
function rowsOfTone(html: string, tone: DigestTone): string[] {
  return [...html.matchAll(new RegExp(`<tr data-tone="${tone}"><td style="([^"]*)"`, 'g'))].map((m) => m[1]!);
}

describe('renderDigestHtml', () => {
  it('escapes hostile certificate names, domains, listeners, notes and errors: they read as text', () => {
    const digest = hostileDigest();
    const html = renderDigestHtml(digest.content, digest.subject);
    for (const text of [IMG, BREAKOUT, `<svg onload=alert(4)> ${BREAKOUT}`]) {
      expect(html).not.toContain(text);
    }
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; (ssl-1)');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;.example, shop.example.com');
    expect(html).toContain('lb &lt;img src=x onerror=alert(1)&gt; / &quot;onmouseover=&#39;alert(3)&#39;');
    expect(html).toContain('&lt;svg onload=alert(4)&gt;');
    expect(html).not.toMatch(/<(script|img|svg|iframe|object|embed|link|style|a)\b/i);
    for (const { name, attributes } of tags(html)) {
      expect(ALLOWED_TAGS, `tag <${name}>`).toContain(name);
      for (const attribute of attributeNames(attributes)) {
        expect(ALLOWED_ATTRIBUTES, `attribute ${attribute} on <${name}>`).toContain(attribute);
      }
    }
  });

  it('keeps every hostile string of the report fixtures inert, in a digest of every status', () => {
    const report = hostileReport();
    const digest = digestOf(report.certificates, [failure({ message: HOSTILE_TEXT[0]! })]);
    if (!digest) throw new Error('expected a digest');
    const html = renderDigestHtml(digest.content, digest.subject);
    expect(html).not.toContain('<script');
    expect(html).toContain(escapeHtml('<script>alert(1)</script>'));
    expect(html).toContain(escapeHtml(`long-${'é'.repeat(60)}-${'界'.repeat(30)}`));
    for (const { name } of tags(html)) expect(ALLOWED_TAGS).toContain(name);
  });

  it('asks for nothing outside itself: no script, no src, no href, no url() or @import, no http(s) attribute', () => {
    const digest = hostileDigest();
    const html = renderDigestHtml(digest.content, digest.subject);
    expect(html).not.toMatch(/<script/i);
    for (const { attributes } of tags(html)) {
      expect(attributes).not.toMatch(/\b(src|href|background|action|srcset|poster)\s*=/i);
      expect(attributes).not.toMatch(/url\(|@import|https?:|javascript:/i);
    }
    // The note's address is in the message as text only.
    expect(html).toContain('see https://evil.example/x.png');
  });

  it('colours the rows of each tone with its accent and tint, beside a labelled badge', () => {
    const html = renderDigestHtml(everyTone(false), 'subject');
    for (const tone of Object.keys(TONE_STYLES) as DigestTone[]) {
      const { accent, tint, label } = TONE_STYLES[tone];
      const rows = rowsOfTone(html, tone);
      expect(rows, tone).toHaveLength(1);
      expect(rows[0]).toContain(`border-left:4px solid ${accent}`);
      expect(rows[0]).toContain(`background-color:${tint}`);
      expect(html).toContain(`background-color:${accent};color:#ffffff;`);
      expect(html).toContain(`>${label}</span>`);
    }
    // Every tone looks different from the others.
    const accents = Object.values(TONE_STYLES).map((style) => style.accent);
    expect(new Set(accents).size).toBe(accents.length);
  });

  it('shows a visible INCOMPLETE banner, and none when every source was read', () => {
    const incomplete = renderDigestHtml(everyTone(false), 'subject');
    expect(incomplete).toMatch(/<strong[^>]*>SCAN INCOMPLETE<\/strong><div>1 source could not be checked/);
    expect(incomplete).toContain('border-left:6px solid #991b1b');
    const complete = renderDigestHtml(everyTone(true), 'subject');
    expect(complete).not.toContain('INCOMPLETE');
    expect(complete).toContain('7 certificates checked: 3 new alerts, 1 still open, 1 to clean up.');
  });

  it('puts the note about the alert history at the top when there is one', () => {
    const note =
      'NOTE: the alert history could not be used (DynamoDB <timeout>). Everything due was sent; some of it ' +
      'may have been sent before.';
    const html = renderDigestHtml(everyTone(true, note), 'subject');
    expect(html).toContain(
      '>NOTE</strong><div>the alert history could not be used (DynamoDB &lt;timeout&gt;)',
    );
    expect(html.indexOf('the alert history')).toBeLessThan(html.indexOf('New this run'));
    expect(renderDigestHtml(everyTone(true), 'subject')).not.toContain('NOTE');
  });

  it('tells everything the text body tells: headings, titles, fields and list lines', () => {
    const digest = digestOf(
      [
        cert({
          id: 'ssl-1',
          name: 'shop',
          status: 'expired',
          daysLeft: -2,
          notAfter: '2026-11-21T00:00:00Z',
        }),
        cert({
          id: 'ssl-2',
          name: 'api',
          status: 'critical',
          daysLeft: 5,
          notAfter: '2026-11-28T00:00:00Z',
          domains: ['api.example.com', 'api2.example.com'],
          boundTo: ['ulb-api/vserver-443'],
        }),
        cert({
          id: 'ssl-3',
          name: 'blog',
          status: 'warning',
          daysLeft: 20,
          notAfter: '2026-12-13T00:00:00Z',
          domains: ['blog.example.com'],
          boundTo: [],
          inUse: false,
          notes: ['renewed copy pending'],
        }),
      ],
      [failure()],
    );
    if (!digest) throw new Error('expected a digest');
    const html = renderDigestHtml(digest.content, digest.subject);
    // Every kind of entry is here: alerts with their fields, a clean-up line, a failure.
    expect(digest.content.sections.map((section) => section.kind)).toEqual(['new', 'cleanup', 'failures']);
    expect(html).toContain(`<title>${escapeHtml(digest.subject)}</title>`);
    expect(html).toContain(escapeHtml(digest.content.title));
    for (const section of digest.content.sections) {
      expect(html).toContain(escapeHtml(section.heading));
      if (section.intro) expect(html).toContain(escapeHtml(section.intro));
      for (const group of section.groups) {
        if (group.heading) expect(html).toContain(escapeHtml(group.heading));
        for (const { title, summary, fields } of group.entries) {
          expect(html).toContain(escapeHtml(title));
          if (!section.detailed) {
            expect(html).toContain(escapeHtml(summary.slice(title.length + 2)));
            continue;
          }
          for (const field of fields) {
            expect(html).toContain(`>${escapeHtml(field.label)}</td>`);
            expect(html).toContain(escapeHtml(field.value));
          }
        }
      }
    }
  });

  it('lays out as a table at most 760 px wide in the system fonts, with presentation roles', () => {
    const html = renderDigestHtml(everyTone(true), 'subject');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`width="${EMAIL_MAX_WIDTH_PX}"`);
    expect(html).toContain(`max-width:${EMAIL_MAX_WIDTH_PX}px`);
    expect(html).toContain('font-family:-apple-system,');
    for (const table of html.match(/<table[^>]*>/g) ?? []) expect(table).toContain('role="presentation"');
    // A list entry's title is in its own cell, and not repeated in the line beside it.
    expect(html).toContain('>spare (ssl-x)</div></td>');
    expect(html).toContain('>ucloud/ulb cn-bj2, expires 2026-12-01 00:00:00 UTC, 8 days left</td>');
  });
});
