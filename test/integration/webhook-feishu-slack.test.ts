/**
 * The Feishu/Lark and Slack channels end to end: a real WebhookSink sending over real sockets (the default
 * node:http fetch) to local receivers that check each platform's documented request shape and signature and
 * answer with the platform's own bodies. Time is a fake clock that moves only when the sink sleeps, so pacing
 * and Retry-After show as recorded waits instead of real ones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  FEISHU_MAX_MESSAGES,
  FEISHU_MIN_INTERVAL_MS,
  feishuPlatform,
  signFeishu,
} from '../../lib/channels/feishu';
import { SLACK_MAX_MESSAGES, SLACK_MIN_INTERVAL_MS, slackPlatform } from '../../lib/channels/slack';
import { WebhookSink } from '../../lib/channels/webhook';
import { AlertDeliveryError } from '../../lib/errors';
import type { CertificateRecord } from '../../lib/model';
import { HOSTILE_TEXT } from '../helpers/hostileReport';
import { FEISHU_TOKEN, type FeishuReceiver, startFeishuReceiver } from '../helpers/receivers/feishu';
import { SLACK_PATH, type SlackReceiver, startSlackReceiver } from '../helpers/receivers/slack';
import { cert, digestOf, failure, NOW } from '../helpers/reports';

const SECRET = 'SECd41d8cd98f00b204e9800998ecf8427e';
const SLACK_TOKEN = SLACK_PATH.split('/').at(-1)!;

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function feishu(options: Parameters<typeof startFeishuReceiver>[0] = {}): Promise<FeishuReceiver> {
  const receiver = await startFeishuReceiver(options);
  receivers.push(receiver);
  return receiver;
}

async function slack(): Promise<SlackReceiver> {
  const receiver = await startSlackReceiver();
  receivers.push(receiver);
  return receiver;
}

/** A clock that moves only when the sink sleeps, and the sleeps it was asked for. */
function fakeTime(startMs = Date.parse(NOW)) {
  let now = startMs;
  const waits: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    waits,
  };
}

function due(id: string, name: string, status: 'expired' | 'critical' | 'warning', daysLeft: number) {
  return cert({
    id,
    name,
    status,
    daysLeft,
    domains: [`${id}.example.com`],
    boundTo: [`ulb-${id}/vserver-443`],
  });
}

const small = () =>
  digestOf([due('ssl-1', 'shop', 'expired', -3), due('ssl-2', 'api', 'critical', 5)], [failure()])!;

function large(count: number) {
  const certificates: CertificateRecord[] = Array.from({ length: count }, (_, i) =>
    due(
      `ssl-${String(i).padStart(4, '0')}`,
      `service-${i}`,
      i % 2 === 0 ? 'critical' : 'warning',
      i % 2 ? 20 : 5,
    ),
  );
  return digestOf(certificates)!;
}

const hostile = () =>
  digestOf(
    [
      '<at id=all></at>',
      '<at user_id="all">所有人</at>',
      '[x](http://e)',
      '<!channel>',
      '<@U024BE7LH>',
      '<http://evil.example|click>',
      ...HOSTILE_TEXT,
    ].map((name, i) => due(`ssl-${i}`, name, 'critical', 3)),
  )!;

/** Feishu card markdown as a person reads it: numeric entities decoded. */
const readFeishu = (markdown: string) =>
  markdown.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));

describe('Feishu/Lark custom bot over a local receiver', () => {
  it('delivers a signed digest card the bot takes, keyword and all', async () => {
    const time = fakeTime();
    const receiver = await feishu({ secret: SECRET, keywords: ['certwatch'], clock: time.clock });
    const digest = small();
    const sink = new WebhookSink(feishuPlatform({ url: receiver.url, secret: SECRET }), time);
    await sink.publishDigest(digest);
    expect(receiver.problems).toEqual([]);
    expect(receiver.accepted).toHaveLength(1);
    const [taken] = receiver.accepted;
    expect(taken!.timestamp).toBe(String(Date.parse(NOW) / 1000));
    expect(taken!.sign).toBe(signFeishu(taken!.timestamp!, SECRET));
    expect(taken!.card.header).toEqual({
      title: { tag: 'plain_text', content: digest.subject },
      template: 'red',
    });
    const text = readFeishu(taken!.card.elements.map((e) => e.content).join('\n'));
    expect(text).toContain('shop (ssl-1)');
    expect(text).toContain('Could not check (1 source)');
  });

  it('takes the legacy StatusCode success as delivered too', async () => {
    const receiver = await feishu({ legacySuccess: true });
    await new WebhookSink(feishuPlatform({ url: receiver.url, secret: null }), fakeTime()).publishDigest(
      small(),
    );
    expect(receiver.problems).toEqual([]);
    expect(receiver.accepted).toHaveLength(1);
  });

  it('splits hundreds of entries into ordered parts within 20 KB, paced, with the overflow note last', async () => {
    const time = fakeTime();
    const receiver = await feishu({ secret: SECRET, clock: time.clock });
    const digest = large(600);
    await new WebhookSink(feishuPlatform({ url: receiver.url, secret: SECRET }), time).publishDigest(digest);
    expect(receiver.problems).toEqual([]);
    expect(receiver.accepted).toHaveLength(FEISHU_MAX_MESSAGES);
    expect(receiver.accepted.map((body) => body.card.header.title.content)).toEqual(
      Array.from(
        { length: FEISHU_MAX_MESSAGES },
        (_, i) => `${digest.subject} (part ${i + 1} of ${FEISHU_MAX_MESSAGES})`,
      ),
    );
    for (const request of receiver.requests)
      expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(20_000);
    const ids = receiver.accepted.flatMap((body) =>
      body.card.elements.flatMap((e) =>
        [...readFeishu(e.content ?? '').matchAll(/\(ssl-(\d{4})\)/g)].map((m) => m[1]),
      ),
    );
    const inDigest = [...digest.body.matchAll(/\(ssl-(\d{4})\)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(50);
    expect(ids).toEqual(inDigest.slice(0, ids.length));
    const note = readFeishu(receiver.accepted.at(-1)!.card.elements.at(-1)!.content ?? '');
    expect(note).toContain(
      `… ${600 - ids.length} more entries are not shown here (a chat digest is at most 10 messages`,
    );
    // One wait before each card after the first: the documented rate, never faster.
    expect(time.waits).toEqual(Array(FEISHU_MAX_MESSAGES - 1).fill(FEISHU_MIN_INTERVAL_MS));
  });

  it('fails on an error code inside HTTP 200, naming the platform and host but no token, secret or signature', async () => {
    const time = fakeTime();
    // The bot's secret differs from the one certwatch signs with: Feishu answers 19021 in an HTTP 200.
    const receiver = await feishu({ secret: 'SECsomething-else', clock: time.clock });
    const sink = new WebhookSink(feishuPlatform({ url: receiver.url, secret: SECRET }), time);
    const error = await sink.publishDigest(small()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    const message = (error as Error).message;
    expect(message).toContain(`Feishu/Lark webhook (${new URL(receiver.url).host}) did not take the digest`);
    expect(message).toContain('code 19021 "sign match fail or timestamp is not within one hour');
    expect(message).toContain('CERTWATCH_FEISHU_SECRET');
    expect(message).not.toContain(FEISHU_TOKEN);
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(signFeishu(Date.parse(NOW) / 1000, SECRET));
    // A refusal is not worth repeating.
    expect(receiver.requests).toHaveLength(1);
    expect(time.waits).toEqual([]);
  });

  it('never shows the token when an answer echoes the webhook path', async () => {
    const receiver = await feishu({ secret: SECRET });
    receiver.script('echoes-path');
    const sink = new WebhookSink(feishuPlatform({ url: receiver.url, secret: SECRET }), fakeTime());
    const error = await sink.publishDigest(small()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    const message = (error as Error).message;
    expect(receiver.requests).toHaveLength(1);
    expect(message).toContain(
      'code 19001 "param invalid: incoming webhook access token invalid: /open-apis/bot/v2/hook/<secret>"',
    );
    expect(message).not.toContain(FEISHU_TOKEN);
  });

  it('fails when this clock is more than an hour off, as the bot checks it', async () => {
    const receiver = await feishu({ secret: SECRET, clock: () => Date.parse(NOW) + 2 * 3_600_000 });
    const sink = new WebhookSink(feishuPlatform({ url: receiver.url, secret: SECRET }), fakeTime());
    await expect(sink.publishDigest(small())).rejects.toThrow(/code 19021/);
    expect(receiver.problems).toEqual(['request 1: timestamp not within one hour (seconds expected)']);
  });

  it('retries a throttled card (11232 in an HTTP 200) after backing off, then it is taken', async () => {
    const time = fakeTime();
    const receiver = await feishu({ secret: SECRET, clock: time.clock });
    receiver.script('frequency-limited', 'frequency-limited');
    await new WebhookSink(feishuPlatform({ url: receiver.url, secret: SECRET }), time).publishDigest(small());
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.problems).toEqual([]);
    expect(time.waits).toEqual([1000, 2000]);
    // Each attempt is signed afresh, for the time it is sent.
    const stamps = receiver.requests.map((request) => JSON.parse(request.body).timestamp as string);
    expect(stamps.map(Number)).toEqual([0, 1, 3].map((s) => Date.parse(NOW) / 1000 + s));
  });

  it('retries HTTP 429 and a 500, then the card is taken', async () => {
    const time = fakeTime();
    const receiver = await feishu({ clock: time.clock });
    receiver.script('too-many-requests', 'server-error');
    await new WebhookSink(feishuPlatform({ url: receiver.url, secret: null }), time).publishDigest(small());
    expect(receiver.requests.map((request) => request.path)).toEqual(
      Array(3).fill(new URL(receiver.url).pathname),
    );
    expect(receiver.accepted).toHaveLength(1);
    // The 429's x-ogw-ratelimit-reset (2 s), then the second backoff step.
    expect(time.waits).toEqual([2000, 2000]);
  });

  it('waits out a 429 for the seconds its x-ogw-ratelimit-reset header gives', async () => {
    const time = fakeTime();
    const receiver = await feishu({ clock: time.clock, rateLimitResetSeconds: 7 });
    receiver.script('too-many-requests');
    await new WebhookSink(feishuPlatform({ url: receiver.url, secret: null }), time).publishDigest(small());
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.problems).toEqual([]);
    expect(time.waits).toEqual([7000]);
  });

  it('gives up after the attempts it makes, saying so', async () => {
    const receiver = await feishu();
    receiver.script('server-error', 'server-error', 'server-error', 'server-error');
    const sink = new WebhookSink(feishuPlatform({ url: receiver.url, secret: null }), fakeTime());
    await expect(sink.publishDigest(small())).rejects.toThrow(
      /HTTP 500, "Internal Server Error" \(after 4 attempts\)/,
    );
    expect(receiver.requests).toHaveLength(4);
  });

  it('delivers hostile certificate names as text: no mention, link or tag of theirs', async () => {
    const receiver = await feishu();
    await new WebhookSink(feishuPlatform({ url: receiver.url, secret: null }), fakeTime()).publishDigest(
      hostile(),
    );
    expect(receiver.problems).toEqual([]);
    const contents = receiver.accepted.flatMap((body) => body.card.elements.map((e) => e.content ?? ''));
    for (const content of contents) {
      expect(content.replace(/<font color='[a-z]+'>[^<]*<\/font>/g, '')).not.toMatch(/[<>]/);
      expect(content).not.toContain('](');
    }
    const read = readFeishu(contents.join('\n'));
    expect(read).toContain('<at id=all></at> (ssl-0)');
    expect(read).toContain('[x](http://e) (ssl-2)');
  });

  it('previews exactly the cards it would send, with no token, secret or signature', async () => {
    const time = fakeTime();
    const receiver = await feishu({ secret: SECRET, clock: time.clock });
    const sink = new WebhookSink(feishuPlatform({ url: receiver.url, secret: SECRET }), time);
    const digest = small();
    const previews = sink.preview(digest, []);
    expect(previews).toHaveLength(1);
    expect(previews[0]!.to).toBe(`POST ${receiver.origin}/open-apis/bot/v2/hook/<secret>`);
    const previewed = JSON.parse(previews[0]!.body);
    expect([previewed.timestamp, previewed.sign]).toEqual(['<timestamp>', '<signature>']);
    const text = JSON.stringify(previews);
    expect(text).not.toContain(FEISHU_TOKEN);
    expect(text).not.toContain(SECRET);
    await sink.publishDigest(digest);
    // The preview is what was sent, but for the signature fields.
    expect(previewed.card).toEqual(receiver.accepted[0]!.card);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('Slack incoming webhook over a local receiver', () => {
  it('delivers the digest as Block Kit the webhook takes', async () => {
    const receiver = await slack();
    const digest = small();
    await new WebhookSink(slackPlatform({ url: receiver.url }), fakeTime()).publishDigest(digest);
    expect(receiver.problems).toEqual([]);
    expect(receiver.accepted).toHaveLength(1);
    const [message] = receiver.accepted;
    expect(message!.text).toBe(digest.subject);
    expect(message!.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: digest.subject, emoji: true },
    });
    expect(
      message!.blocks
        .slice(1)
        .map((block) => block.text!.text)
        .join('\n'),
    ).toContain('🔴 EXPIRED *shop (ssl-1)*');
  });

  it('splits hundreds of entries into ordered parts within Block Kit limits, paced, with the overflow note', async () => {
    const time = fakeTime();
    const receiver = await slack();
    const digest = large(700);
    await new WebhookSink(slackPlatform({ url: receiver.url }), time).publishDigest(digest);
    expect(receiver.problems).toEqual([]);
    expect(receiver.accepted).toHaveLength(SLACK_MAX_MESSAGES);
    expect(receiver.accepted.map((message) => message.blocks[0]!.text!.text)).toEqual(
      Array.from(
        { length: SLACK_MAX_MESSAGES },
        (_, i) => `${digest.subject} (part ${i + 1} of ${SLACK_MAX_MESSAGES})`,
      ),
    );
    const ids = receiver.accepted.flatMap((message) =>
      message.blocks.flatMap((block) =>
        [...(block.text?.text ?? '').matchAll(/\(ssl-(\d{4})\)/g)].map((m) => m[1]),
      ),
    );
    const inDigest = [...digest.body.matchAll(/\(ssl-(\d{4})\)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(100);
    expect(ids).toEqual(inDigest.slice(0, ids.length));
    expect(receiver.accepted.at(-1)!.blocks.at(-1)!.text!.text).toContain(
      `… ${700 - ids.length} more entries are not shown here (a chat digest is at most 10 messages`,
    );
    expect(time.waits).toEqual(Array(SLACK_MAX_MESSAGES - 1).fill(SLACK_MIN_INTERVAL_MS));
  });

  it('does not retry 404 no_service, and names the platform and host but not the URL', async () => {
    const receiver = await slack();
    receiver.script({ kind: 'no-service' });
    const time = fakeTime();
    const error = await new WebhookSink(slackPlatform({ url: receiver.url }), time)
      .publishDigest(small())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    const message = (error as Error).message;
    expect(message).toContain(`Slack webhook (${new URL(receiver.url).host}) did not take the digest`);
    expect(message).toContain(
      'HTTP 404, "no_service" (the webhook was removed or disabled, or the URL is wrong)',
    );
    expect(message).toContain('check CERTWATCH_SLACK_URL');
    expect(message).not.toContain(SLACK_TOKEN);
    expect(message).not.toContain('/services/');
    expect(receiver.requests).toHaveLength(1);
    expect(time.waits).toEqual([]);
  });

  it('never shows the token when an answer echoes the webhook path (a proxy page quoting the request)', async () => {
    const receiver = await slack();
    receiver.script({ kind: 'echoes-path' });
    const error = await new WebhookSink(slackPlatform({ url: receiver.url }), fakeTime())
      .publishDigest(small())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    const message = (error as Error).message;
    expect(receiver.requests).toHaveLength(1);
    // The answer did quote the path; what the error shows of it is the platform's part alone.
    expect(message).toContain('HTTP 404, "<pre>Cannot POST /services/<secret></pre>"');
    expect(message).not.toContain(SLACK_TOKEN);
    expect(message).not.toContain(SLACK_PATH);
  });

  it('says which part failed and that the earlier ones arrived', async () => {
    const receiver = await slack();
    const time = fakeTime();
    const sink = new WebhookSink(slackPlatform({ url: receiver.url }), time);
    const digest = large(200);
    const parts = sink.platform.messages(digest).length;
    expect(parts).toBeGreaterThan(1);
    // The first part goes through; then the channel is archived.
    receiver.script({ kind: 'checked' }, { kind: 'channel-archived' });
    await expect(sink.publishDigest(digest)).rejects.toThrow(
      `did not take part 2 of ${parts} of the digest (parts 1-1 were delivered): HTTP 410, "channel_is_archived"`,
    );
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.requests).toHaveLength(2);
  });

  it('honours Retry-After on 429, retries a 500, then the message is taken', async () => {
    const time = fakeTime();
    const receiver = await slack();
    receiver.script({ kind: 'rate-limited', retryAfterSeconds: 3 }, { kind: 'server-error' });
    await new WebhookSink(slackPlatform({ url: receiver.url }), time).publishDigest(small());
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.problems).toEqual([]);
    // 3 s as Slack asked; then the second backoff step.
    expect(time.waits).toEqual([3000, 2000]);
  });

  it('delivers hostile certificate names as text: no mention or link of theirs', async () => {
    const receiver = await slack();
    await new WebhookSink(slackPlatform({ url: receiver.url }), fakeTime()).publishDigest(hostile());
    expect(receiver.problems).toEqual([]);
    const texts = receiver.accepted.flatMap((message) => [
      message.text ?? '',
      ...message.blocks.map((block) => block.text?.text ?? ''),
    ]);
    for (const text of texts) expect(text).not.toMatch(/[<>]/);
    for (const message of receiver.accepted) {
      for (const block of message.blocks.slice(1)) expect(block.text?.verbatim).toBe(true);
    }
    expect(texts.join('\n')).toContain('&lt;!channel&gt; (ssl-3)');
  });

  it('previews exactly the message it would send, with the webhook path hidden', async () => {
    const receiver = await slack();
    const sink = new WebhookSink(slackPlatform({ url: receiver.url }), fakeTime());
    const digest = small();
    const previews = sink.preview(digest, []);
    expect(previews.map((preview) => preview.to)).toEqual([`POST ${receiver.origin}/services/<secret>`]);
    expect(JSON.stringify(previews)).not.toContain(SLACK_TOKEN);
    await sink.publishDigest(digest);
    expect(receiver.requests[0]!.body).toBe(previews[0]!.body);
  });
});
