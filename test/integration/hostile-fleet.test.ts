/**
 * Provider text that would be obeyed rather than shown — line breaks forging a digest heading and its advice,
 * ANSI sequences, C1 controls, U+2028/2029, bidi controls, invisible characters — in every field a cloud sends,
 * in certificate names and in provider error messages, scanned through the emulator over real sockets: no record
 * and no rendered output (table, JSON, CSV, markdown, calendar, HTML page, digest, email HTML, chat bodies, the
 * CLI's own output, the doctor's) carries one raw, and each shows as an escape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { dingtalkMessages } from '../../lib/channels/dingtalk';
import { renderDigestHtml } from '../../lib/channels/emailHtml';
import { feishuCards } from '../../lib/channels/feishu';
import { slackMessages } from '../../lib/channels/slack';
import { wecomMessages } from '../../lib/channels/wecom';
import { loadConfig } from '../../lib/config';
import type { ScanReport } from '../../lib/model';
import { buildSources } from '../../lib/providers';
import { REPORT_FORMATS, renderReport } from '../../lib/report/render';
import { scanFleet } from '../../lib/scan';
import { runCertwatch } from '../helpers/cli';
import { allCloudsEnv, NOW } from '../helpers/fleet';
import {
  FORGED_ADVICE,
  FORGED_HEADER,
  forgedLines,
  hostileFleet,
  obeyedIn,
  obeyedStrings,
} from '../helpers/hostileReport';
import { digestOf } from '../helpers/reports';

const NOW_ISO = new Date(NOW).toISOString();
/** OBEYED_TEXT[0] as a record shows it: trimmed, as wire names are (lib/providers/wire.ts), and made inert. */
const shop = `shop\\n\\n${FORGED_HEADER}\\n\\n* all sources\\n  ${FORGED_ADVICE}`;
const { fleet, ucloudFailures, aliyunFailures } = hostileFleet(NOW);
let emulator: RunningEmulator;
let env: Record<string, string>;
let dir: string;
let report: ScanReport;

beforeAll(async () => {
  emulator = await startEmulator({
    fleet,
    ucloud: { failures: ucloudFailures },
    aliyun: { failures: aliyunFailures, clock: () => Date.now() },
  });
  dir = mkdtempSync(join(tmpdir(), 'certwatch-hostile-'));
  env = allCloudsEnv(emulator);
  const config = loadConfig(env);
  report = await scanFleet(buildSources(config), { statusDays: config.statusDays, nowMs: NOW });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What a rendered output must hold to: nothing obeyed, no line provider text made. */
function expectInert(name: string, text: string): void {
  expect({ name, obeyed: obeyedIn(text) }).toEqual({ name, obeyed: [] });
  expect({ name, forged: forgedLines(text) }).toEqual({ name, forged: [] });
}

/** A calendar as a calendar application shows it: folded lines joined, TEXT escapes (RFC 5545) read. */
function icsAsShown(text: string): string {
  return text
    .replace(/\r\n[ \t]/g, '')
    .replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** A JSON body (a chat message) as sent, and each of its strings as the platform reads them. */
function expectInertJson(name: string, body: unknown): void {
  const text = JSON.stringify(body);
  expectInert(name, text);
  JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'string') expectInert(name, value);
    return value;
  });
}

describe('a fleet whose provider text would be obeyed', () => {
  it('gives records and failures that carry none of it raw, and show each character as an escape', () => {
    // 10 UCloud, 10 CDN and 10 SLB certificates (SLB's cn-shanghai failed; its certificates are all in cn-hangzhou).
    expect(report.certificates).toHaveLength(30);
    expect(report.failures.map((f) => `${f.provider}/${f.service} ${f.region} ${f.project}`)).toEqual([
      'aliyun/slb cn-shanghai null',
      'ucloud/ulb hk org-b',
    ]);
    expect(obeyedStrings(report)).toEqual([]);

    const ulb0 = report.certificates.find((c) => c.provider === 'ucloud' && c.name.startsWith('shop'))!;
    expect(ulb0.name).toBe(shop);
    expect(ulb0.boundTo[0]).toBe(`ulb-0 (${shop}) / ${shop} (default)`);
    // The certificate's own names: its CN as OpenSSL escapes it, and the SAN Node quoted, escaped here.
    expect(ulb0.domains).toContain(`${shop}\\n`);
    expect(ulb0.domains).toContain(
      `shop\\0A\\0A${FORGED_HEADER}\\0A\\0A* all sources\\0A  ${FORGED_ADVICE}\\0A`,
    );
    const names = report.certificates.map((c) => c.name);
    expect(names).toContain('clear\\x1b[2J\\x1b[Hscreen\\x1b]0;title\\x07');
    expect(names).toContain('c1 next\\x85line csi\\x9b31m');
    expect(names).toContain(`line\\u2028${FORGED_HEADER}\\u2029para`);
    expect(names).toContain('invoice\\u202etxt.exe');
    expect(names).toContain('tags\\u{e0001}\\u{e0041}\\u{e007f} lone\\ud800surrogate');
    const slb = report.certificates.find((c) => c.id === 'slb-6')!;
    expect(slb).toMatchObject({ name: 'invoice\\u202etxt.exe', project: 'invoice\\u202etxt.exe' });
    expect(slb.domains).toContain('invoice\\u202etxt.exe');
    const cdn = report.certificates.find((c) => c.id === '700')!;
    expect(cdn.region).toBe(shop);
    expect(cdn.notes.join(' ')).toMatch(/^CertExpireTime "shop\\n\\n== Could not check ==/);
    const ucloudFailure = report.failures.find((f) => f.provider === 'ucloud')!;
    expect(ucloudFailure.message).toContain(`RetCode 294 "shop\\n\\n${FORGED_HEADER}\\n\\n* all sources`);
    const slbFailure = report.failures.find((f) => f.service === 'slb')!;
    expect(slbFailure.message).toContain('clear\\x1b[2J\\x1b[Hscreen');
  });

  it('renders every audit format without an obeyed character or a forged line', () => {
    for (const format of REPORT_FORMATS) {
      const text = renderReport(report, format, { nowMs: NOW });
      expectInert(format, format === 'ics' ? icsAsShown(text) : text);
    }
  });

  it('renders the digest, its email HTML and every chat body without an obeyed character or a forged line', () => {
    const digest = digestOf(report.certificates, report.failures)!;
    expect(digest.body).toContain(`shop\\n\\n${FORGED_HEADER}`);
    expectInert('digest subject', digest.subject);
    expectInert('digest', digest.body);
    expectInert('email html', renderDigestHtml(digest.content, digest.subject));
    expectInertJson('dingtalk', dingtalkMessages(digest));
    expectInertJson('feishu', feishuCards(digest));
    expectInertJson('wecom', wecomMessages(digest));
    expectInertJson('slack', slackMessages(digest));
  });
});

describe('certwatch against that fleet', () => {
  it('audit prints the escapes in its table, never the characters', async () => {
    const run = await runCertwatch(['audit', '--now', NOW_ISO], env);
    expect(run.code).toBe(3);
    expectInert('audit stdout', run.stdout);
    expectInert('audit stderr', run.stderr);
    expect(run.stdout).toContain('clear\\x1b[2J\\x1b[Hscreen');
    expect(run.stdout).toContain(`RetCode 294 "shop\\n\\n${FORGED_HEADER}\\n\\n* all sources`);
    expect(run.stdout).toMatch(/Scan INCOMPLETE\.$/m);
  });

  it('scan prints a digest and structured alerts with the escapes, never the characters', async () => {
    const run = await runCertwatch(['scan', '--now', NOW_ISO], {
      ...env,
      CERTWATCH_STATE_FILE: join(dir, 'state.json'),
    });
    expect(run.code).toBe(3);
    expectInert('scan stdout', run.stdout);
    expectInert('scan stderr', run.stderr);
    expect(run.stdout).toMatch(/^== Could not check \(2 sources\) ==$/m);
    expect(run.stdout).toContain(`\n* ${shop} (ssl-0-${shop})\n  Provider:     ucloud / ulb\n`);
    expect(run.stdout).toContain('invoice\\u202etxt.exe');
    expect(run.stdout).toMatch(/structured alert\(s\):\n\{"schema":"certwatch\.alert\/1"/);
  });

  it("scan --dry-run shows every chat channel's bodies and the email without an obeyed character", async () => {
    const run = await runCertwatch(['scan', '--dry-run', '--now', NOW_ISO], {
      ...env,
      CERTWATCH_STATE_FILE: join(dir, 'dry-run-state.json'),
      CERTWATCH_DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=hostile-fleet-token',
      CERTWATCH_FEISHU_URL: 'https://open.feishu.cn/open-apis/bot/v2/hook/hostile-fleet-hook',
      CERTWATCH_WECOM_URL: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=hostile-fleet-key',
      CERTWATCH_SLACK_URL: 'https://hooks.slack.com/services/T0HOSTILE/B0HOSTILE/hostilefleet',
      CERTWATCH_EMAIL_FROM: 'certwatch@example.com',
      CERTWATCH_EMAIL_TO: 'ops@example.com',
    });
    expect(run.code).toBe(3);
    for (const channel of ['dingtalk', 'feishu', 'wecom', 'slack', 'email']) {
      expect(run.stdout).toContain(`=== channel ${channel} ===`);
    }
    expectInert('dry-run stdout', run.stdout);
    expectInert('dry-run stderr', run.stderr);
  });

  it("doctor prints a provider's error message with the escapes, never the characters", async () => {
    const run = await runCertwatch(['doctor'], { ...env, CERTWATCH_STATE_FILE: join(dir, 'doctor.json') });
    expect(run.code).toBe(3);
    expectInert('doctor stdout', run.stdout);
    expectInert('doctor stderr', run.stderr);
    expect(run.stdout).toContain(
      `FAIL  UCloud DescribeSSLV2 in hk (project org-b): RetCode 294 "${shop}\\n"`,
    );
    expect(run.stdout).toContain(
      'HTTP 403 Forbidden "crlf\\r\\n== Could not check ==\\r\\nline clear\\x1b[2J',
    );
  });
});
