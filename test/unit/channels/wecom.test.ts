import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../lib/alerts/digest';
import type { WebhookReply } from '../../../lib/channels/webhook';
import {
  escapeWecom,
  WECOM_MAX_CONTENT_BYTES,
  WECOM_MAX_MESSAGES,
  type WecomMessage,
  wecomMessages,
  wecomPlatform,
} from '../../../lib/channels/wecom';
import type { CertificateRecord } from '../../../lib/model';
import { cert, digestOf } from '../../helpers/reports';

const KEY = '693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa';
const URL_ = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}`;

function reply(status: number, body: unknown, retryAfter: string | null = null): WebhookReply {
  return {
    status,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    nowMs: Date.parse('2026-11-23T05:00:00Z'),
    header: (name) => (name.toLowerCase() === 'retry-after' ? retryAfter : null),
  };
}

function expiring(count: number, overrides: Partial<CertificateRecord> = {}): CertificateRecord[] {
  return Array.from({ length: count }, (_, i) =>
    cert({
      id: `ssl-${i}`,
      name: `cert-${i}`,
      status: i % 3 === 0 ? 'expired' : 'critical',
      daysLeft: i % 3 === 0 ? -1 : 4,
      notAfter: i % 3 === 0 ? '2026-11-22T00:00:00Z' : '2026-11-27T00:00:00Z',
      domains: [`www.${i}.example.com`],
      boundTo: [`ulb-${i}/vserver-443`],
      ...overrides,
    }),
  );
}

function idsShown(messages: readonly WecomMessage[]): string[] {
  return messages.flatMap((message) =>
    [...message.markdown.content.matchAll(/\(ssl-(\d+)\)/g)].map((m) => m[1]!),
  );
}

function idsInDigest(digest: Digest): string[] {
  return digest.content.sections.flatMap((section) =>
    section.groups.flatMap((group) => group.entries.map((entry) => /\(ssl-(\d+)\)/.exec(entry.title)![1]!)),
  );
}

describe('wecomPlatform requests', () => {
  const platform = wecomPlatform({ url: URL_ });
  const message = { msgtype: 'markdown', markdown: { content: 'x' } };

  it('posts the message to the webhook as it is, and previews it with the key as a placeholder', () => {
    expect(platform.request(message, 1).url).toBe(URL_);
    expect(JSON.parse(platform.request(message, 1).body)).toEqual(message);
    const preview = platform.request(message, null);
    expect(preview.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<secret>');
    expect(preview.url).not.toContain(KEY);
  });

  it('names the host and its rate', () => {
    expect(platform.name).toBe('wecom');
    expect(platform.host).toBe('qyapi.weixin.qq.com');
    expect(platform.minIntervalMs).toBe(3000);
    expect(platform.hint).toContain('CERTWATCH_WECOM_URL');
  });
});

describe('wecomPlatform verdicts', () => {
  const platform = wecomPlatform({ url: URL_ });
  const errmsg = (what: string, code: number) =>
    `${what}, hint: [1755605200056773468916791], from ip: 172.212.167.87, more info at ` +
    `https://open.work.weixin.qq.com/devtool/query?e=${code}`;

  it('takes errcode 0 as delivered and any other code in an HTTP 200 as a failure', () => {
    expect(platform.verdict(reply(200, { errcode: 0, errmsg: 'ok' }))).toEqual({ ok: true });
    const verdict = platform.verdict(
      reply(200, { errcode: 93000, errmsg: errmsg('invalid webhook url', 93000) }),
    );
    expect(verdict).toMatchObject({ ok: false, retryable: false });
    expect(verdict.ok === false && verdict.reason).toContain('errcode 93000 "invalid webhook url');
  });

  it('retries 45009 (over 20 a minute), 429 and 5xx', () => {
    expect(
      platform.verdict(reply(200, { errcode: 45009, errmsg: errmsg('api freq out of limit', 45009) })),
    ).toMatchObject({ ok: false, retryable: true });
    expect(platform.verdict(reply(502, 'bad gateway'))).toMatchObject({ retryable: true });
    expect(platform.verdict(reply(429, '', '3'))).toMatchObject({ retryable: true, retryAfterMs: 3000 });
    expect(
      platform.verdict(reply(200, { errcode: 40058, errmsg: errmsg('markdown.content exceed', 40058) })),
    ).toMatchObject({ ok: false, retryable: false });
  });

  it('names its key as what an answer must never show (the sink withholds it), and fails on one not WeCom’s', () => {
    expect(platform.secrets).toContain(KEY);
    expect(platform.verdict(reply(200, 'not json'))).toMatchObject({ ok: false, retryable: false });
  });
});

describe('escapeWecom', () => {
  it.each([
    '[x](http://e)',
    '![i](http://e/i.png)',
    '<@zhangsan> <@all>',
    '<font color="warning">x</font>',
    '**bold**',
    '&lt;b&gt;',
  ])('makes %j inert and still reads as written', (text) => {
    const escaped = escapeWecom(text);
    expect(escaped).not.toMatch(/\]\(|!\[|<[a-z@/]|\*\*|&[a-z#]|:\/\//i);
    expect(escaped.replaceAll('\u200B', '')).toBe(text);
  });

  it('leaves wildcards, underscores and backslashes as they are, and puts text on one line', () => {
    expect(escapeWecom('*.example.com my_cert a\\b')).toBe('*.example.com my_cert a\\b');
    expect(escapeWecom('x\n### h\r\n> q')).toBe('x ### h > q');
  });
});

describe('wecomMessages', () => {
  it('sends a small digest as one markdown message, tones in WeCom colours', () => {
    const digest = digestOf(expiring(3))!;
    const messages = wecomMessages(digest);
    expect(messages).toHaveLength(1);
    const content = messages[0]!.markdown.content;
    expect(messages[0]!.msgtype).toBe('markdown');
    expect(content).toContain('### New this run (3)');
    expect(content).toContain('<font color="warning">🔴 EXPIRED</font> **cert-0 (ssl-0)**');
    expect(content).toContain('\nProvider: ucloud / ulb\n');
    expect(idsShown(messages)).toEqual(idsInDigest(digest));
  });

  it('splits into numbered parts of at most 4096 bytes, in order', () => {
    const digest = digestOf(expiring(40))!;
    const messages = wecomMessages(digest);
    expect(messages.length).toBeGreaterThan(2);
    expect(messages.length).toBeLessThanOrEqual(WECOM_MAX_MESSAGES);
    messages.forEach((message, index) => {
      const content = message.markdown.content;
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(WECOM_MAX_CONTENT_BYTES);
      expect(content.split('\n')[0]).toMatch(
        new RegExp(`^\\*\\*certwatch: .* \\(part ${index + 1} of ${messages.length}\\)\\*\\*$`),
      );
    });
    expect(idsShown(messages)).toEqual(idsInDigest(digest));
  });

  it('stops at 10 messages and counts the entries left out', () => {
    const digest = digestOf(expiring(300))!;
    const messages = wecomMessages(digest);
    expect(messages).toHaveLength(WECOM_MAX_MESSAGES);
    const shown = idsShown(messages);
    const all = idsInDigest(digest);
    expect(shown).toEqual(all.slice(0, shown.length));
    expect(messages.at(-1)!.markdown.content).toContain(
      `${all.length - shown.length} more entries are not shown here`,
    );
  });

  it('cuts an entry too long for one message rather than failing, and stays within 4096 bytes', () => {
    const notes = [`${'证书说明🔒'.repeat(400)}`];
    const digest = digestOf(expiring(4, { name: '界'.repeat(200), notes }))!;
    const messages = wecomMessages(digest);
    for (const message of messages) {
      expect(Buffer.byteLength(message.markdown.content)).toBeLessThanOrEqual(WECOM_MAX_CONTENT_BYTES);
    }
    expect(messages.map((m) => m.markdown.content).join('')).toContain('(cut: the email and SNS digests');
  });
});
