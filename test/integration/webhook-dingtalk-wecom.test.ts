/**
 * The DingTalk and WeCom channels end to end: the real WebhookSink over real sockets to local robots that check
 * each platform's documented request (path, token, signature, shape, size, rate) and answer as the platform does.
 * Sleep and the clock are injected: waits are recorded, not waited out, and the robots rate-limit on the same clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../lib/alerts/digest';
import { dingtalkPlatform } from '../../lib/channels/dingtalk';
import { WebhookSink } from '../../lib/channels/webhook';
import { wecomPlatform } from '../../lib/channels/wecom';
import { AlertDeliveryError } from '../../lib/errors';
import type { CertificateRecord } from '../../lib/model';
import { type DingtalkReceiver, startDingtalkReceiver } from '../helpers/receivers/dingtalk';
import { startWecomReceiver, type WecomReceiver } from '../helpers/receivers/wecom';
import { cert, digestOf } from '../helpers/reports';

const TOKEN = 'f3b1c2d4e5a6978812345678abcdef0123456789abcdef0123456789abcdef01';
const SECRET = 'SECa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const KEY = '693a91f6-7a0c-4bc4-97a0-0ec25ifa5aaa';

const HOSTILE = [
  '[x](http://e)',
  '![i](http://e/i.png)',
  'two\n# h',
  '<font color=red>x</font>',
  '<@all> **bold**',
];

/** A wall clock that moves only when the sink sleeps; every wait recorded. */
function fakeTime() {
  let now = Date.now();
  const waits: number[] = [];
  return {
    waits,
    clock: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
}

function certs(count: number, overrides: (i: number) => Partial<CertificateRecord> = () => ({})) {
  return Array.from({ length: count }, (_, i) =>
    cert({
      id: `ssl-${i}`,
      name: `cert-${i}`,
      status: i % 4 === 0 ? 'expired' : 'critical',
      daysLeft: i % 4 === 0 ? -2 : 5,
      notAfter: i % 4 === 0 ? '2026-11-21T00:00:00Z' : '2026-11-28T00:00:00Z',
      domains: [`www.${i}.example.com`],
      boundTo: [`ulb-${i}/vserver-443`],
      ...overrides(i),
    }),
  );
}

function idsInDigest(digest: Digest): string[] {
  return digest.content.sections.flatMap((section) =>
    section.groups.flatMap((group) => group.entries.map((entry) => /\(ssl-(\d+)\)/.exec(entry.title)![1]!)),
  );
}

function idsIn(texts: readonly string[]): string[] {
  return texts.flatMap((text) => [...text.matchAll(/\(ssl-(\d+)\)/g)].map((m) => m[1]!));
}

/** What an injected name must never become in chat markdown: a link, image, tag, mention, bold or heading. */
function expectInert(text: string): void {
  expect(text).not.toMatch(/\]\(|!\[|<font color=red|<@all|<\/font>x|:\/\/e/);
  expect(text).not.toMatch(/^\s*# h/m);
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

describe('DingTalk custom robot', () => {
  async function robot(
    time = fakeTime(),
    secret: string | null = SECRET,
  ): Promise<{ receiver: DingtalkReceiver; sink: WebhookSink; time: ReturnType<typeof fakeTime> }> {
    const receiver = await startDingtalkReceiver({ token: TOKEN, secret, now: time.clock });
    open.push(receiver);
    const platform = dingtalkPlatform({ url: receiver.url, secret: SECRET });
    return { receiver, sink: new WebhookSink(platform, { clock: time.clock, sleep: time.sleep }), time };
  }

  it('delivers a digest of a few alerts, signed, in the shape DingTalk checks', async () => {
    const { receiver, sink } = await robot();
    const digest = digestOf(certs(3))!;
    await sink.publishDigest(digest);
    expect(receiver.refused).toEqual([]);
    expect(receiver.delivered).toHaveLength(1);
    expect(receiver.delivered[0]!.title).toBe(digest.subject);
    expect(idsIn(receiver.delivered.map((m) => m.text))).toEqual(idsInDigest(digest));
    const request = receiver.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toMatch(/^\/robot\/send\?access_token=[0-9a-f]+&timestamp=\d+&sign=[^&]+$/);
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('splits a long digest into ordered parts within 20,000 bytes, paced 3 s apart', async () => {
    const { receiver, sink, time } = await robot();
    const digest = digestOf(certs(200))!;
    await sink.publishDigest(digest);
    const parts = receiver.delivered.length;
    expect(parts).toBeGreaterThan(1);
    expect(receiver.refused).toEqual([]);
    receiver.delivered.forEach((message, index) => {
      expect(message.title).toContain(`(part ${index + 1} of ${parts})`);
    });
    for (const request of receiver.requests)
      expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(20_000);
    expect(idsIn(receiver.delivered.map((m) => m.text))).toEqual(idsInDigest(digest));
    // One message every 3 s: the robot's 20 a minute, never more.
    expect(time.waits).toEqual(Array(parts - 1).fill(3000));
  });

  it('stops at 10 messages with a note counting what was left out', async () => {
    const { receiver, sink } = await robot();
    const digest = digestOf(certs(900))!;
    await sink.publishDigest(digest);
    expect(receiver.delivered).toHaveLength(10);
    expect(receiver.refused).toEqual([]);
    const shown = idsIn(receiver.delivered.map((m) => m.text));
    const all = idsInDigest(digest);
    expect(shown).toEqual(all.slice(0, shown.length));
    expect(receiver.delivered.at(-1)!.text).toContain(
      `${all.length - shown.length} more entries are not shown`,
    );
  });

  it('fails on an error code in an HTTP 200, naming DingTalk and the host, never the token or secret', async () => {
    const time = fakeTime();
    const receiver = await startDingtalkReceiver({ token: TOKEN, secret: 'SECanother', now: time.clock });
    open.push(receiver);
    const sink = new WebhookSink(dingtalkPlatform({ url: receiver.url, secret: SECRET }), {
      clock: time.clock,
      sleep: time.sleep,
    });
    const error = await sink.publishDigest(digestOf(certs(2))!).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AlertDeliveryError);
    const message = (error as Error).message;
    expect(message).toContain(`DingTalk webhook (${new URL(receiver.origin).host})`);
    expect(message).toContain('errcode 310000 "sign not match');
    expect(message).toContain('CERTWATCH_DINGTALK_SECRET');
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(SECRET);
    expect(message).not.toMatch(/sign=|timestamp=/);
    // A signature that does not match is not worth a second attempt.
    expect(receiver.requests).toHaveLength(1);
  });

  it('retries the throttle until DingTalk takes the message, waiting between attempts', async () => {
    const { receiver, sink, time } = await robot();
    receiver.throttle(2);
    await sink.publishDigest(digestOf(certs(2))!);
    expect(receiver.refused).toEqual([
      '130101 send too fast, exceed 20 times per minute',
      '130101 send too fast, exceed 20 times per minute',
    ]);
    expect(receiver.delivered).toHaveLength(1);
    // Backoff 1 s then 2 s, each topped up to the 3 s between two requests to the robot.
    expect(time.waits).toEqual([1000, 2000, 2000, 1000]);
  });

  it('retries a 500 after its Retry-After', async () => {
    const { receiver, sink, time } = await robot();
    receiver.failWith(1, { status: 503, retryAfter: '5' });
    await sink.publishDigest(digestOf(certs(2))!);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.delivered).toHaveLength(1);
    expect(time.waits).toEqual([5000]);
  });

  it('delivers hostile certificate names as inert text', async () => {
    const { receiver, sink } = await robot();
    const digest = digestOf(certs(HOSTILE.length, (i) => ({ name: HOSTILE[i]! })))!;
    await sink.publishDigest(digest);
    const text = receiver.delivered.map((m) => m.text).join('\n');
    expectInert(text);
    // Still readable: with the invisible breaks and the escapes taken out, each name is there as written.
    const visible = text.replaceAll('\u200B', '').replace(/\\([\\`*_~[\]])/g, '$1');
    for (const name of HOSTILE) expect(visible).toContain(name.replace('\n', ' '));
  });

  it('previews exactly what it would send, with no token, secret or signature', async () => {
    const { receiver, sink } = await robot();
    const digest = digestOf(certs(200))!;
    const preview = sink.preview(digest, []);
    expect(preview.length).toBeGreaterThan(1);
    for (const request of preview) {
      expect(request.to).toBe(
        `POST ${receiver.origin}/robot/send?access_token=<secret>&timestamp=<timestamp>&sign=<signature>`,
      );
      expect(`${request.to}${request.body}`).not.toContain(TOKEN);
      expect(`${request.to}${request.body}`).not.toContain(SECRET);
    }
    expect(receiver.requests).toHaveLength(0);
    await sink.publishDigest(digest);
    expect(receiver.requests.map((r) => r.body)).toEqual(preview.map((p) => p.body));
  });
});

describe('WeCom group robot', () => {
  async function robot(
    time = fakeTime(),
  ): Promise<{ receiver: WecomReceiver; sink: WebhookSink; time: ReturnType<typeof fakeTime> }> {
    const receiver = await startWecomReceiver({ key: KEY, now: time.clock });
    open.push(receiver);
    const platform = wecomPlatform({ url: receiver.url });
    return { receiver, sink: new WebhookSink(platform, { clock: time.clock, sleep: time.sleep }), time };
  }

  it('delivers a digest of a few alerts in the shape WeCom checks', async () => {
    const { receiver, sink } = await robot();
    const digest = digestOf(certs(3))!;
    await sink.publishDigest(digest);
    expect(receiver.refused).toEqual([]);
    expect(receiver.delivered).toHaveLength(1);
    expect(receiver.delivered[0]).toContain('<font color="warning">🔴 EXPIRED</font>');
    expect(idsIn(receiver.delivered)).toEqual(idsInDigest(digest));
    expect(receiver.requests[0]!.path).toBe(`/cgi-bin/webhook/send?key=${KEY}`);
  });

  it('splits a long digest into ordered parts of at most 4096 bytes, paced, capped with a note', async () => {
    const { receiver, sink, time } = await robot();
    const digest = digestOf(certs(300))!;
    await sink.publishDigest(digest);
    expect(receiver.refused).toEqual([]);
    expect(receiver.delivered).toHaveLength(10);
    receiver.delivered.forEach((content, index) => {
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
      expect(content.split('\n')[0]).toContain(`(part ${index + 1} of 10)`);
    });
    const shown = idsIn(receiver.delivered);
    const all = idsInDigest(digest);
    expect(shown).toEqual(all.slice(0, shown.length));
    expect(receiver.delivered.at(-1)).toContain(`${all.length - shown.length} more entries are not shown`);
    expect(time.waits).toEqual(Array(9).fill(3000));
  });

  it('fails on a wrong key (93000 in an HTTP 200), naming WeCom and the host, never the key', async () => {
    const time = fakeTime();
    const receiver = await startWecomReceiver({ key: 'another-key', now: time.clock });
    open.push(receiver);
    const sink = new WebhookSink(
      wecomPlatform({ url: `${receiver.origin}/cgi-bin/webhook/send?key=${KEY}` }),
      {
        clock: time.clock,
        sleep: time.sleep,
      },
    );
    const error = await sink.publishDigest(digestOf(certs(2))!).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AlertDeliveryError);
    const message = (error as Error).message;
    expect(message).toContain(`WeCom webhook (${new URL(receiver.origin).host})`);
    expect(message).toContain('errcode 93000 "invalid webhook url');
    expect(message).toContain('CERTWATCH_WECOM_URL');
    expect(message).not.toContain(KEY);
    expect(receiver.requests).toHaveLength(1);
  });

  it('retries 45009 and a 500, then delivers', async () => {
    const { receiver, sink, time } = await robot();
    receiver.throttle(1);
    await sink.publishDigest(digestOf(certs(2))!);
    receiver.failWith(1);
    await sink.publishDigest(digestOf(certs(2))!);
    expect(receiver.refused).toEqual(['45009 api freq out of limit', 'HTTP 500']);
    expect(receiver.delivered).toHaveLength(2);
    // Throttled: 1 s backoff, topped up to 3 s. Then the next digest waits its 3 s turn, and the 500 its backoff.
    expect(time.waits).toEqual([1000, 2000, 3000, 1000, 2000]);
  });

  it('delivers hostile certificate names as inert text', async () => {
    const { receiver, sink } = await robot();
    await sink.publishDigest(digestOf(certs(HOSTILE.length, (i) => ({ name: HOSTILE[i]! })))!);
    const text = receiver.delivered.join('\n');
    expectInert(text);
    expect(text).not.toContain('**bold**');
    const visible = text.replaceAll('\u200B', '');
    for (const name of HOSTILE) expect(visible).toContain(name.replace('\n', ' '));
  });

  it('previews with the key as a placeholder', async () => {
    const { receiver, sink } = await robot();
    const preview = sink.preview(digestOf(certs(3))!, []);
    expect(preview).toHaveLength(1);
    expect(preview[0]!.to).toBe(`POST ${receiver.origin}/cgi-bin/webhook/send?key=<secret>`);
    expect(`${preview[0]!.to}${preview[0]!.body}`).not.toContain(KEY);
    expect(receiver.requests).toHaveLength(0);
  });
});
