/**
 * A generated fleet for the report format tests: every status, null fields, and provider text written to break
 * a format (markup, quotes, separators, line breaks, spreadsheet formulas, non-ASCII, very long names).
 */
import type { CertificateRecord, ScanReport, Status } from '../../lib/model';
import { cert } from './reports';

export const HOSTILE_TEXT: readonly string[] = [
  '<script>alert(1)</script>',
  'say "hello", then leave',
  'comma,separated,name',
  'two\nlines',
  'crlf\r\nline',
  "=cmd|' /C calc'!A0",
  '+SUM(A1:A9)',
  '-2+3',
  '@SUM(1)',
  '\tTAB-led',
  'pipe | in | name',
  'back\\slash; semi; colon:',
  '*bold* _em_ `code` [link](http://x) ~strike~ &amp;',
  'Zertifikat für Straße — 証明書 🔒',
  `long-${'é'.repeat(60)}-${'界'.repeat(30)}`,
  'plain-name',
];

const STATUSES: readonly Status[] = ['expired', 'critical', 'warning', 'unknown', 'ok'];
const NOW_MS = Date.parse('2026-11-23T05:00:00Z');
const DAY = 86_400_000;

/** `count` certificates cycling through the hostile text, statuses and null fields. Deterministic. */
export function hostileReport(count = 48): ScanReport {
  const certificates: CertificateRecord[] = [];
  for (let i = 0; i < count; i++) {
    const text = HOSTILE_TEXT[i % HOSTILE_TEXT.length]!;
    const status = STATUSES[i % STATUSES.length]!;
    const daysLeft = status === 'unknown' ? null : status === 'expired' ? -1 - (i % 5) : (i * 37) % 400;
    const notAfter =
      daysLeft === null ? null : new Date(NOW_MS + daysLeft * DAY + i * 3_600_000).toISOString();
    certificates.push(
      cert({
        provider: i % 3 === 0 ? 'aliyun' : 'ucloud',
        service: i % 3 === 0 ? 'slb' : 'ulb',
        region: ['cn-bj2', 'cn-sh2', 'hk', 'global'][i % 4]!,
        project: i % 4 === 0 ? null : `org-${i % 2 === 0 ? text : 'b'}`,
        id: `ssl-${i}`,
        name: text,
        domains: i % 6 === 5 ? [] : [`n${i}.example.com`, `*.${i}.example.org`],
        notAfter,
        leafNotAfter: notAfter,
        daysLeft,
        status,
        inUse: i % 7 === 0 ? null : i % 5 !== 0,
        boundTo: i % 5 === 0 ? [] : [`ulb-${i} (${text}) / vserver-443`, 'lb-2/listener-8443'],
        fingerprintSha256: i % 8 === 0 ? null : i.toString(16).padStart(2, '0').repeat(32),
        expirySource: daysLeft === null ? 'none' : 'pem:leaf',
        notes: i % 3 === 0 ? [`note about ${text}`, 'second note'] : [],
      }),
    );
  }
  return {
    generatedAt: '2026-11-23T05:00:07.250Z',
    now: '2026-11-23T05:00:00Z',
    complete: true,
    certificates,
    failures: [],
  };
}
