import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../lib/alerts/digest';
import {
  DINGTALK_MAX_BODY_BYTES,
  DINGTALK_MAX_MESSAGES,
  type DingtalkMessage,
  dingtalkMessages,
  dingtalkPlatform,
  escapeDingtalk,
  signDingtalk,
} from '../../../lib/channels/dingtalk';
import type { WebhookReply } from '../../../lib/channels/webhook';
import { ConfigError } from '../../../lib/errors';
import type { CertificateRecord } from '../../../lib/model';
import { cert, digestOf } from '../../helpers/reports';

const TOKEN = 'b955f0e4a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8';
const SECRET = 'SEC0123456789abcdef';
const URL_ = `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`;
/** The sink's clock when the replies come. */
const REPLY_MS = Date.parse('2026-11-23T05:00:00Z');

function reply(status: number, body: unknown, retryAfter: string | null = null): WebhookReply {
  return {
    status,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    nowMs: REPLY_MS,
    header: (name) => (name.toLowerCase() === 'retry-after' ? retryAfter : null),
  };
}

function expiring(count: number, overrides: Partial<CertificateRecord> = {}): CertificateRecord[] {
  return Array.from({ length: count }, (_, i) =>
    cert({
      id: `ssl-${i}`,
      name: `cert-${i}`,
      status: i % 2 === 0 ? 'critical' : 'warning',
      daysLeft: 3 + (i % 20),
      notAfter: new Date(Date.parse('2026-11-26T00:00:00Z') + (i % 20) * 86_400_000).toISOString(),
      domains: [`www.${i}.example.com`, `*.${i}.example.org`],
      ...overrides,
    }),
  );
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

/** The ids of entries in the order messages show them. */
function idsShown(messages: readonly DingtalkMessage[]): string[] {
  return messages.flatMap((message) =>
    [...message.markdown.text.matchAll(/\(ssl-(\d+)\)/g)].map((m) => m[1]!),
  );
}

/** The ids in the digest's own order. */
function idsInDigest(digest: Digest): string[] {
  return digest.content.sections.flatMap((section) =>
    section.groups.flatMap((group) => group.entries.map((entry) => /\(ssl-(\d+)\)/.exec(entry.title)![1]!)),
  );
}

describe('signDingtalk', () => {
  it('matches the published vector', () => {
    expect(signDingtalk('1700000000000', 'secret')).toBe('OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=');
    expect(encodeURIComponent(signDingtalk(1700000000000, 'secret'))).toBe(
      'OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D',
    );
  });

  it("matches DingTalk's documented Python sample with its secret 'this is secret'", () => {
    // Expected values computed outside certwatch with the doc's own recipe, in python3:
    //   hmac.new(b'this is secret', f'{ts}\nthis is secret'.encode(), hashlib.sha256).digest() -> base64,
    //   urllib.parse.quote_plus for the URL form; and cross-checked with
    //   printf '<ts>\nthis is secret' | openssl dgst -sha256 -hmac 'this is secret' -binary | base64
    expect(signDingtalk(1577808000000, 'this is secret')).toBe(
      'ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0=',
    );
    expect(signDingtalk('1700000000000', 'this is secret')).toBe(
      'sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0=',
    );
    // A SEC-style secret as DingTalk hands them out, whose signature has `+` and `/` to encode.
    expect(signDingtalk(1767225600000, SECRET)).toBe('B0RWzLp5DJ68eWPlqN2is7j/CJw7WP3nV1RkTFHU+F4=');
  });
});

describe('dingtalkPlatform requests', () => {
  const message = { msgtype: 'markdown', markdown: { title: 't', text: 'x' } };

  it('signs the URL with the timestamp and the URL-encoded sign', () => {
    const platform = dingtalkPlatform({ url: URL_, secret: SECRET });
    const request = platform.request(message, 1767225600000);
    expect(request.url).toBe(
      `${URL_}&timestamp=1767225600000&sign=B0RWzLp5DJ68eWPlqN2is7j%2FCJw7WP3nV1RkTFHU%2BF4%3D`,
    );
    expect(JSON.parse(request.body)).toEqual(message);
  });

  it('leaves the URL as it is for a robot that does not sign', () => {
    const platform = dingtalkPlatform({ url: URL_, secret: null });
    expect(platform.request(message, 1767225600000).url).toBe(URL_);
  });

  it('previews with placeholders for the token, timestamp and signature', () => {
    const platform = dingtalkPlatform({ url: URL_, secret: SECRET });
    const preview = platform.request(message, null);
    expect(preview.url).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=<secret>&timestamp=<timestamp>&sign=<signature>',
    );
    expect(preview.url).not.toContain(TOKEN);
    expect(dingtalkPlatform({ url: URL_, secret: null }).request(message, null).url).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=<secret>',
    );
  });

  it('names the host and its rate, and refuses a URL that is not one without showing it', () => {
    const platform = dingtalkPlatform({ url: URL_, secret: SECRET });
    expect(platform.host).toBe('oapi.dingtalk.com');
    expect(platform.minIntervalMs).toBe(3000);
    const error = thrownBy(() =>
      dingtalkPlatform({ url: `oapi.dingtalk.com/robot/send?access_token=${TOKEN}`, secret: null }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('CERTWATCH_DINGTALK_URL');
    expect(String(error)).not.toContain(TOKEN);
  });
});

describe('dingtalkPlatform verdicts', () => {
  const platform = dingtalkPlatform({ url: URL_, secret: SECRET });

  it('takes errcode 0 as delivered', () => {
    expect(platform.verdict(reply(200, { errcode: 0, errmsg: 'ok' }))).toEqual({ ok: true });
  });

  it('takes an error code in an HTTP 200 as a failure, quoting errcode and errmsg', () => {
    const verdict = platform.verdict(
      reply(200, {
        errcode: 310000,
        errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
      }),
    );
    expect(verdict).toMatchObject({ ok: false, retryable: false });
    expect(verdict.ok === false && verdict.reason).toContain('errcode 310000 "sign not match');
    expect(platform.verdict(reply(200, { errcode: 300001, errmsg: 'token is not exist' }))).toMatchObject({
      ok: false,
      retryable: false,
    });
  });

  it('retries the throttle, 429 and 5xx, after the Retry-After when given', () => {
    const throttled = platform.verdict(
      reply(200, {
        status: 1111,
        wait: 5,
        errcode: 130101,
        errmsg: 'send too fast, exceed 20 times per minute',
      }),
    );
    expect(throttled).toMatchObject({ ok: false, retryable: true });
    expect(platform.verdict(reply(503, 'busy'))).toMatchObject({ ok: false, retryable: true });
    expect(platform.verdict(reply(429, '', '7'))).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(platform.verdict(reply(503, '', 'Mon, 23 Nov 2026 05:00:30 GMT'))).toMatchObject({
      retryAfterMs: 30_000,
    });
  });

  it('fails on an answer that is not DingTalk’s', () => {
    expect(platform.verdict(reply(200, '<html>gateway</html>'))).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(platform.verdict(reply(404, 'not found'))).toMatchObject({ ok: false, retryable: false });
  });

  it('names its token and signing secret as what an answer must never show (the sink withholds them)', () => {
    expect(platform.secrets).toEqual(expect.arrayContaining([TOKEN, SECRET]));
  });
});

describe('escapeDingtalk', () => {
  const asRead = (text: string) => text.replaceAll('\u200B', '').replace(/\\([\\`*_~[\]])/g, '$1');

  it.each([
    '[x](http://e)',
    '![i](http://e/i.png)',
    '<font color=red>x</font>',
    '<http://e>',
    '&lt;b&gt;',
    '**bold** _em_ `code` ~~s~~',
    '*.example.com',
    'back\\slash]',
  ])('makes %j inert and still reads as written', (text) => {
    const escaped = escapeDingtalk(text);
    expect(escaped).not.toMatch(/\]\(|!\[|<[a-z/!?]|<http|&[a-z#]|:\/\/|(^|[^\\])\*\*/i);
    expect(asRead(escaped)).toBe(text);
  });

  it('puts provider text on one line, so it cannot start a heading, list or quote', () => {
    expect(escapeDingtalk('x\n# h\r\n- item\r> q\u2028y')).toBe('x # h - item > q y');
  });
});

describe('dingtalkMessages', () => {
  it('sends a small digest as one markdown message titled with the subject', () => {
    const digest = digestOf(expiring(3))!;
    const messages = dingtalkMessages(digest);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.msgtype).toBe('markdown');
    expect(messages[0]!.markdown.title).toBe(digest.subject);
    expect(messages[0]!.markdown.text).toContain('#### New this run (3)');
    expect(messages[0]!.markdown.text).toContain('<font color=#e8710a>🟠 CRITICAL</font> **cert-0 (ssl-0)**');
    // DingTalk's markdown breaks a line on two spaces around the newline.
    expect(messages[0]!.markdown.text).toContain('  \n  Provider: ucloud / ulb');
    expect(idsShown(messages)).toEqual(idsInDigest(digest));
  });

  it('splits a long digest into numbered parts, in order, each body within 20,000 bytes', () => {
    const digest = digestOf(expiring(150))!;
    const messages = dingtalkMessages(digest);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.length).toBeLessThanOrEqual(DINGTALK_MAX_MESSAGES);
    messages.forEach((message, index) => {
      const part = `(part ${index + 1} of ${messages.length})`;
      expect(message.markdown.title.endsWith(part)).toBe(true);
      expect(message.markdown.title.length).toBeLessThanOrEqual(100);
      expect(message.markdown.text.startsWith(`**${message.markdown.title}**\n\n`)).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(DINGTALK_MAX_BODY_BYTES);
      expect(message.markdown.text).toContain('certwatch');
    });
    expect(idsShown(messages)).toEqual(idsInDigest(digest));
    expect(messages.at(-1)!.markdown.text).not.toContain('not shown here');
  });

  it('stops at 10 messages and says how many entries were left out and where they all are', () => {
    const digest = digestOf(expiring(900))!;
    const messages = dingtalkMessages(digest);
    expect(messages).toHaveLength(DINGTALK_MAX_MESSAGES);
    const shown = idsShown(messages);
    const all = idsInDigest(digest);
    expect(shown).toEqual(all.slice(0, shown.length));
    const last = messages.at(-1)!.markdown.text;
    expect(last).toContain(`${all.length - shown.length} more entries are not shown here`);
    expect(last).toContain('The email and SNS digests, or "certwatch audit", have them all.');
    for (const message of messages) {
      expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(DINGTALK_MAX_BODY_BYTES);
    }
  });

  it('keeps every message within the limit when the text is all multi-byte and JSON-escaped', () => {
    const name = `"证书\\${'界'.repeat(40)}🔒`;
    const digest = digestOf(expiring(120, { name, notes: ['说明 "quoted" \\ 🔒'.repeat(20)] }))!;
    const messages = dingtalkMessages(digest);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(DINGTALK_MAX_BODY_BYTES);
    }
  });
});
