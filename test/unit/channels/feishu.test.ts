import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FEISHU_DIALECT,
  FEISHU_MAX_BODY_BYTES,
  FEISHU_MAX_MESSAGES,
  FEISHU_MIN_INTERVAL_MS,
  type FeishuCard,
  feishuCards,
  feishuPlatform,
  feishuVerdict,
  signFeishu,
} from '../../../lib/channels/feishu';
import type { WebhookReply } from '../../../lib/channels/webhook';
import { ConfigError } from '../../../lib/errors';
import type { CertificateRecord } from '../../../lib/model';
import { HOSTILE_TEXT } from '../../helpers/hostileReport';
import { cert, digestOf, failure } from '../../helpers/reports';

const TOKEN = '6f1c9e0a-3b7d-4e52-9a8f-0123456789ab';
const URL_ = `https://open.feishu.cn/open-apis/bot/v2/hook/${TOKEN}`;
const SECRET = 'SECa1b2c3d4e5f6';
const NOW_MS = Date.parse('2026-11-23T05:00:00.750Z');

/** A certificate needing action, serving its own places (one serving another's would be "superseded"). */
function due(id: string, name: string, status: 'expired' | 'critical' | 'warning', daysLeft: number) {
  return cert({
    id,
    name,
    status,
    daysLeft,
    domains: [`${name}.example.com`],
    boundTo: [`ulb-${name}/vserver-443`],
  });
}
const expired = due('ssl-1', 'shop', 'expired', -3);
const critical = due('ssl-2', 'api', 'critical', 5);
const warning = due('ssl-3', 'www', 'warning', 20);

/** What a person sees of card markdown: numeric entities decoded. */
function shown(markdown: string): string {
  return markdown.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

function manyCertificates(count: number): CertificateRecord[] {
  return Array.from({ length: count }, (_, i) =>
    cert({
      id: `ssl-${String(i).padStart(4, '0')}`,
      name: `service-${i}-${'x'.repeat(i % 40)}`,
      status: i % 3 === 0 ? 'expired' : i % 3 === 1 ? 'critical' : 'warning',
      daysLeft: i % 3 === 0 ? -1 : i % 3 === 1 ? 5 : 20,
      notAfter: '2026-11-28T12:00:00Z',
      domains: [`a${i}.example.com`, `*.b${i}.example.org`],
      boundTo: [`ulb-${i}/vserver-443`],
    }),
  );
}

describe('signFeishu', () => {
  // Expected values computed once with python3, following the guide's Python sample exactly
  // (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, 签名校验):
  //   string_to_sign = '{}\n{}'.format(timestamp, secret)
  //   hmac_code = hmac.new(string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
  //   base64.b64encode(hmac_code).decode('utf-8')
  // The first pair (secret "demo", timestamp 1599360473) is the guide's own Java example input.
  it("matches the guide's example: secret demo at 1599360473", () => {
    expect(signFeishu(1599360473, 'demo')).toBe('l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=');
    expect(signFeishu('1599360473', 'demo')).toBe('l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=');
  });

  it('matches the sample for a secret with base64 punctuation and non-ASCII characters', () => {
    expect(signFeishu(1700000000, 'SEC9f3a/b+c=证书')).toBe('t7B846mFjVhnRajsHHFCnuzp/eia9DENiUqlVTBkewk=');
  });

  it("keys the HMAC by timestamp and secret over an empty message, not DingTalk's way round", () => {
    // DingTalk's algorithm (key = secret, message = "timestamp\nsecret"), from the same python3 session.
    const dingtalkStyle = 'DkEDUyVoOOJ539qBvUgMyzkzIdRWlf4e/V3Rq+ONJnQ=';
    expect(signFeishu(1599360473, 'demo')).not.toBe(dingtalkStyle);
    expect(createHmac('sha256', 'demo').update('1599360473\ndemo').digest('base64')).toBe(dingtalkStyle);
  });
});

describe('feishuPlatform requests', () => {
  const card = (): FeishuCard => feishuCards(digestOf([expired])!)[0]!;

  it('signs in the body: timestamp in seconds as a string, then sign, beside msg_type and the card', () => {
    const platform = feishuPlatform({ url: URL_, secret: SECRET });
    const request = platform.request(card(), NOW_MS);
    expect(request.url).toBe(URL_);
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['timestamp', 'sign', 'msg_type', 'card']);
    expect(body.timestamp).toBe('1795410000');
    expect(body.sign).toBe(signFeishu('1795410000', SECRET));
    expect(body.msg_type).toBe('interactive');
    expect(body.card).toEqual(card());
  });

  it('sends no timestamp or sign when the bot has no secret', () => {
    const body = JSON.parse(feishuPlatform({ url: URL_, secret: null }).request(card(), NOW_MS).body);
    expect(Object.keys(body)).toEqual(['msg_type', 'card']);
  });

  it('previews with the token, timestamp and signature replaced, and nothing secret left', () => {
    const platform = feishuPlatform({ url: URL_, secret: SECRET });
    const preview = platform.request(card(), null);
    expect(preview.url).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/<secret>');
    const body = JSON.parse(preview.body) as Record<string, unknown>;
    expect(body.timestamp).toBe('<timestamp>');
    expect(body.sign).toBe('<signature>');
    const all = `${preview.url}${preview.body}`;
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(signFeishu('1795410000', SECRET));
  });

  it('keeps the Lark host and hides a query too', () => {
    const platform = feishuPlatform({
      url: `https://open.larksuite.com/open-apis/bot/v2/hook/${TOKEN}?x=1`,
      secret: null,
    });
    expect(platform.host).toBe('open.larksuite.com');
    expect(platform.request(card(), null).url).toBe(
      'https://open.larksuite.com/open-apis/bot/v2/hook/<secret>?<secret>',
    );
  });

  it('names itself, its settings, and paces under both documented rates', () => {
    const platform = feishuPlatform({ url: URL_, secret: SECRET });
    expect([platform.name, platform.title, platform.host]).toEqual([
      'feishu',
      'Feishu/Lark',
      'open.feishu.cn',
    ]);
    expect(platform.hint).toContain('CERTWATCH_FEISHU_SECRET');
    // 100 a minute and 5 a second.
    expect(FEISHU_MIN_INTERVAL_MS).toBeGreaterThanOrEqual(60_000 / 100);
    expect(FEISHU_MIN_INTERVAL_MS).toBeGreaterThanOrEqual(1_000 / 5);
    expect(platform.minIntervalMs).toBe(FEISHU_MIN_INTERVAL_MS);
  });

  it('refuses a value that is not a URL without quoting it', () => {
    const attempt = () => feishuPlatform({ url: `open.feishu.cn/hook/${TOKEN}`, secret: null });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/CERTWATCH_FEISHU_URL/);
    expect(attempt).not.toThrow(new RegExp(TOKEN));
  });
});

describe('feishuCards', () => {
  it('colours the header by the worst new alert', () => {
    const template = (certificates: CertificateRecord[]) =>
      feishuCards(digestOf(certificates, certificates.length === 0 ? [failure()] : [])!)[0]!.header.template;
    expect(template([warning, expired, critical])).toBe('red');
    expect(template([warning, critical])).toBe('orange');
    expect(template([warning])).toBe('yellow');
    expect(template([])).toBe('grey');
  });

  it('is one card titled by the subject when it fits, markdown elements in the order of the digest', () => {
    const digest = digestOf([expired, critical])!;
    const cards = feishuCards(digest);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.header.title).toEqual({ tag: 'plain_text', content: digest.subject });
    const text = shown(cards[0]!.elements.map((e) => e.content).join('\n'));
    expect(text.indexOf('shop (ssl-1)')).toBeGreaterThan(-1);
    expect(text.indexOf('shop (ssl-1)')).toBeLessThan(text.indexOf('api (ssl-2)'));
    expect(cards[0]!.elements.every((e) => e.tag === 'markdown')).toBe(true);
  });

  it('splits a long digest into ordered parts within 20 KB each, and says what did not fit', () => {
    const digest = digestOf(manyCertificates(400))!;
    const platform = feishuPlatform({ url: URL_, secret: SECRET });
    const cards = feishuCards(digest);
    expect(cards).toHaveLength(FEISHU_MAX_MESSAGES);
    cards.forEach((card, index) => {
      expect(card.header.title.content).toBe(`${digest.subject} (part ${index + 1} of ${cards.length})`);
      const body = platform.request(card, NOW_MS).body;
      expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
    });
    const ids = cards.flatMap((card) =>
      card.elements.flatMap((e) =>
        [...shown(e.content).matchAll(/\(ssl-(\d{4})\)/g)].map((m) => Number(m[1])),
      ),
    );
    // The parts carry the digest's entries once each, in the digest's own order (the text body's order).
    const inBody = [...digest.body.matchAll(/\(ssl-(\d{4})\)/g)].map((m) => Number(m[1]));
    expect(ids).toEqual(inBody.slice(0, ids.length));
    const lastElement = shown(cards.at(-1)!.elements.at(-1)!.content);
    expect(ids.length).toBeLessThan(400);
    expect(lastElement).toBe(
      `**… ${400 - ids.length} more entries are not shown here (a chat digest is at most 10 messages: more ` +
        'would flood the chat). The email and SNS digests, or "certwatch audit", have them all.**',
    );
  });

  it('counts the entries it leaves out, not the headings among them', () => {
    // The "Could not check" section comes last: its heading is left out with its one entry.
    const digest = digestOf(manyCertificates(400), [failure()])!;
    const cards = feishuCards(digest);
    expect(cards).toHaveLength(FEISHU_MAX_MESSAGES);
    const text = shown(cards.flatMap((card) => card.elements.map((e) => e.content)).join('\n'));
    expect(text).not.toContain('Could not check (1 source)');
    const entriesShown = [...text.matchAll(/\(ssl-\d{4}\)/g)].length;
    expect(shown(cards.at(-1)!.elements.at(-1)!.content)).toContain(
      `… ${400 + 1 - entriesShown} more entries are not shown here`,
    );
  });

  it('splits a digest just over one card into two parts with everything in them', () => {
    const digest = digestOf(manyCertificates(40))!;
    const cards = feishuCards(digest);
    expect(cards.length).toBeGreaterThan(1);
    expect(cards.length).toBeLessThan(FEISHU_MAX_MESSAGES);
    const text = shown(cards.flatMap((c) => c.elements.map((e) => e.content)).join('\n'));
    for (let i = 0; i < 40; i += 1) expect(text).toContain(`(ssl-${String(i).padStart(4, '0')})`);
    expect(text).not.toContain('not shown');
  });
});

describe('FEISHU_DIALECT', () => {
  it('makes mentions, links, emphasis and emoji codes inert, and shows the text as written', () => {
    const hostile = [
      '<at id=all></at>',
      '<at user_id="all">所有人</at>',
      '[x](http://e)',
      '<a href="https://evil">click</a>',
      "<font color='red'>fake</font>",
      '**bold** _em_ ~~gone~~ :OK: $var `code` # heading - item',
      '&#60;at id=all&#62;',
      ...HOSTILE_TEXT,
    ];
    for (const text of hostile) {
      const escaped = FEISHU_DIALECT.escape(text);
      expect(escaped.replace(/&#\d+;/g, '')).not.toMatch(/[<>[\]()*_~:`$#&]/);
      expect(escaped).not.toMatch(/[\r\n]/);
      expect(shown(escaped)).toBe(text.replace(/\r\n|[\r\n]/g, ' '));
    }
  });

  it('keeps hostile certificate names inert through a whole card', () => {
    const digest = digestOf(HOSTILE_TEXT.map((name, i) => due(`ssl-${i}`, name, 'critical', 3)))!;
    const markdown = feishuCards(digest).flatMap((card) => card.elements.map((e) => e.content));
    for (const content of markdown) {
      // The only tags in a card are certwatch's own colour labels.
      expect(content.replace(/<font color='[a-z]+'>[^<]*<\/font>/g, '')).not.toMatch(/[<>]/);
      expect(content).not.toContain('](');
    }
    expect(shown(markdown.join('\n'))).toContain('[link](http://x)');
  });
});

describe('feishuVerdict', () => {
  /** An answer with these response headers (names in lower case), come at NOW_MS. */
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}): WebhookReply => ({
    status,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    nowMs: NOW_MS,
    header: (name) => headers[name.toLowerCase()] ?? null,
  });

  it('takes code 0, in the current and the legacy StatusCode form', () => {
    expect(feishuVerdict(reply(200, { code: 0, data: {}, msg: 'success' }))).toEqual({ ok: true });
    expect(
      feishuVerdict(
        reply(200, { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' }),
      ),
    ).toEqual({ ok: true });
    expect(feishuVerdict(reply(200, { Extra: null, StatusCode: 0, StatusMessage: 'success' }))).toEqual({
      ok: true,
    });
  });

  it('treats an error code inside HTTP 200 as a refusal that retrying will not change', () => {
    const verdict = feishuVerdict(
      reply(200, {
        code: 19021,
        data: {},
        msg: 'sign match fail or timestamp is not within one hour from current time',
      }),
    );
    expect(verdict).toMatchObject({ ok: false, retryable: false });
    expect(verdict.ok || verdict.reason).toMatch(
      /code 19021 "sign match fail.*clock is more than an hour off/,
    );
    const unsigned = feishuVerdict(reply(200, { code: 19021, msg: 'sign match fail' }), false);
    expect(unsigned.ok || unsigned.reason).toContain('no signing secret is configured');
    const keyword = feishuVerdict(reply(200, { code: 19024, msg: 'Key Words Not Found' }));
    expect(keyword).toMatchObject({ ok: false, retryable: false });
    expect(keyword.ok || keyword.reason).toContain('custom keywords');
    // The code field wins over a redundant StatusCode 0.
    expect(feishuVerdict(reply(200, { StatusCode: 0, code: 9499, msg: 'Bad Request' }))).toMatchObject({
      ok: false,
      retryable: false,
    });
  });

  it('retries the throttle codes, 429 (honouring Retry-After) and 5xx', () => {
    expect(feishuVerdict(reply(200, { code: 11232, msg: 'frequency limited' }))).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(
      feishuVerdict(reply(400, { code: 99991400, msg: 'request trigger frequency limit' })),
    ).toMatchObject({ ok: false, retryable: true });
    expect(feishuVerdict(reply(429, { code: 99991400, msg: 'x' }, { 'retry-after': '3' }))).toMatchObject({
      retryable: true,
      retryAfterMs: 3000,
    });
    expect(feishuVerdict(reply(503, 'Service Unavailable'))).toMatchObject({
      ok: false,
      retryable: true,
    });
  });

  it("waits the open platform's x-ogw-ratelimit-reset seconds on a 429 without Retry-After", () => {
    const limited = { code: 99991400, msg: 'request trigger frequency limit' };
    const headers = { 'x-ogw-ratelimit-limit': '100', 'x-ogw-ratelimit-reset': '5' };
    expect(feishuVerdict(reply(429, limited, headers))).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 5000,
    });
    // A Retry-After, should Feishu send one, says it first.
    expect(feishuVerdict(reply(429, limited, { ...headers, 'retry-after': '3' }))).toMatchObject({
      retryAfterMs: 3000,
    });
    expect(feishuVerdict(reply(429, limited, { 'x-ogw-ratelimit-reset': 'soon' }))).toMatchObject({
      retryable: true,
      retryAfterMs: undefined,
    });
  });

  it('does not count an answer without a code as delivered', () => {
    const verdict = feishuVerdict(reply(200, '<html>gateway</html>'));
    expect(verdict).toMatchObject({ ok: false, retryable: false });
    expect(feishuVerdict(reply(200, {})).ok).toBe(false);
    expect(feishuVerdict(reply(404, '404 page not found'))).toMatchObject({
      ok: false,
      retryable: false,
    });
  });
});
