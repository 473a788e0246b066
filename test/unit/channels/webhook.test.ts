/**
 * The shared webhook sender (lib/channels/webhook.ts): what it withholds from every platform's answers, and how it
 * reads them. The platforms' own verdicts are tested beside each platform; the receivers over real sockets in
 * test/integration/webhook-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { dingtalkPlatform } from '../../../lib/channels/dingtalk';
import { feishuPlatform } from '../../../lib/channels/feishu';
import { slackPlatform } from '../../../lib/channels/slack';
import {
  WEBHOOK_ANSWER_MAX_BYTES,
  type WebhookPlatform,
  WebhookSink,
  webhookSecrets,
  withholding,
} from '../../../lib/channels/webhook';
import { wecomPlatform } from '../../../lib/channels/wecom';
import { AlertDeliveryError } from '../../../lib/errors';
import { cert, digestOf } from '../../helpers/reports';

const SLACK_TOKEN = 'k8Yd2mQw4PzV7nLx3cRs6TbH';
const FEISHU_TOKEN = '6f1c9e0a-3b7d-4e52-9a8f-0123456789ab';
const DINGTALK_TOKEN = 'b955f0e4a1c2d3e4f5a6b7c8d9e0f1a2';
const WECOM_KEY = '693a91f6-7a0c-4bc4-97a0-0ec25ffa5aaa';
const SIGNING_SECRET = 'SECd41d8cd98f00b204e9800998ecf8427e';

/** Each platform, and the secrets an answer might echo. */
const PLATFORMS: [string, WebhookPlatform, string[]][] = [
  [
    'Slack',
    slackPlatform({ url: `https://hooks.slack.com/services/T0CERTW8/B0CERTW9/${SLACK_TOKEN}` }),
    [SLACK_TOKEN, `T0CERTW8/B0CERTW9/${SLACK_TOKEN}`],
  ],
  [
    'Feishu/Lark',
    feishuPlatform({
      url: `https://open.feishu.cn/open-apis/bot/v2/hook/${FEISHU_TOKEN}`,
      secret: SIGNING_SECRET,
    }),
    [FEISHU_TOKEN, SIGNING_SECRET],
  ],
  [
    'DingTalk',
    dingtalkPlatform({
      url: `https://oapi.dingtalk.com/robot/send?access_token=${DINGTALK_TOKEN}`,
      secret: SIGNING_SECRET,
    }),
    [DINGTALK_TOKEN, SIGNING_SECRET],
  ],
  [
    'WeCom',
    wecomPlatform({ url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}` }),
    [WECOM_KEY],
  ],
];

const digest = () =>
  digestOf([
    cert({ id: 'ssl-1', name: 'shop', status: 'expired', daysLeft: -3, domains: ['shop.example.com'] }),
  ])!;

/** A fetch that answers every request with `status` and `body`, as a platform or a proxy in front of it would. */
function answering(status: number, body: string | ReadableStream<Uint8Array>): typeof globalThis.fetch {
  return async () => new Response(body, { status, headers: { 'content-type': 'text/plain' } });
}

async function failureOf(
  platform: WebhookPlatform,
  fetch: typeof globalThis.fetch,
): Promise<AlertDeliveryError> {
  const sink = new WebhookSink(platform, { fetch, sleep: async () => {}, maxAttempts: 2 });
  const error = await sink.publishDigest(digest()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AlertDeliveryError);
  return error as AlertDeliveryError;
}

describe('WebhookSink: what no answer may show', () => {
  it.each(PLATFORMS)(
    '%s: an answer that echoes the token and secret (an error page quoting the request) shows neither',
    async (title, platform, secrets) => {
      const echo = secrets.join(' ');
      for (const [status, body] of [
        [404, `<pre>Cannot POST /path/${echo}</pre>`],
        [400, JSON.stringify({ code: 19001, errcode: 400101, msg: `bad ${echo}`, errmsg: `bad ${echo}` })],
        [200, JSON.stringify({ code: 9499, errcode: 310000, msg: echo, errmsg: echo })],
        [503, `upstream ${encodeURIComponent(echo)} unavailable`],
      ] as const) {
        const error = await failureOf(platform, answering(status, body));
        expect(error.message).toContain(`${title} webhook`);
        expect(error.message).toContain('<secret>');
        for (const secret of secrets) {
          expect(error.message).not.toContain(secret);
          expect(error.message).not.toContain(encodeURIComponent(secret));
        }
      }
    },
  );

  it.each(PLATFORMS)(
    '%s: an answer holding line breaks, escape sequences or bidi controls shows them inert',
    async (_title, platform) => {
      const hostile = 'bad\u001b[2J\u001b[31mFORGED\n== Could not check ==\u202e';
      for (const [status, body] of [
        [500, hostile],
        [400, JSON.stringify({ code: 19001, errcode: 400101, msg: hostile, errmsg: hostile })],
      ] as const) {
        const error = await failureOf(platform, answering(status, body));
        for (const obeyed of ['\u001b', '\u202e']) expect(error.message).not.toContain(obeyed);
        expect(error.message).toMatch(/\\x1b\[2J|\\u202e/);
      }
    },
  );

  it('withholds the longest form first, and leaves values too short to mean anything', () => {
    const withhold = withholding(['abcd', 'abcdefgh', 'x/y z', 'T']);
    expect(withhold('abcdefgh abcd x/y z x%2Fy%20z T')).toBe('<secret> <secret> <secret> <secret> T');
  });

  it('takes as secrets every query value, the path after the token marker and its segments, and the signing secret', () => {
    const url = new URL('https://h.example/services/T1/B2/tok%41en?x=query-value');
    expect(webhookSecrets(url, { tokenAfter: '/services/', signingSecret: 'SECsign' })).toEqual(
      expect.arrayContaining(['query-value', 'T1/B2/tok%41en', 'T1', 'B2', 'tok%41en', 'tokAen', 'SECsign']),
    );
    expect(webhookSecrets(new URL('https://h.example/robot/send?access_token=abc123'))).toEqual(
      expect.arrayContaining(['abc123']),
    );
  });
});

describe('WebhookSink: answers are read up to 64 KiB', () => {
  it('refuses an answer that declares more, without retrying (the message may have arrived)', async () => {
    let requests = 0;
    const declared: typeof globalThis.fetch = async () => {
      requests += 1;
      return new Response('ok', { status: 200, headers: { 'content-length': String(5 * 1024 ** 3) } });
    };
    const error = await failureOf(PLATFORMS[0]![1], declared);
    expect(error.message).toContain(
      'its answer (HTTP 200) declares 5368709120 bytes (Content-Length), more than the 64 KiB certwatch reads ' +
        "of a webhook's answer, and was not read: Slack answers in a few bytes",
    );
    expect(error.message).toContain('check CERTWATCH_SLACK_URL');
    expect(requests).toBe(1);
  });

  it('cuts off an answer that streams past the limit, and cancels the rest', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull: (controller) => {
          pulled += 1024;
          controller.enqueue(new Uint8Array(1024));
          // A stop far past the limit, so a sender without one ends (and fails here) instead of filling memory.
          if (pulled >= 16 * 1024 * 1024) controller.close();
        },
        cancel: () => {
          cancelled = true;
        },
      });
    const error = await failureOf(PLATFORMS[1]![1], async () => new Response(endless(), { status: 200 }));
    expect(error.message).toContain("went past 64 KiB, the most certwatch reads of a webhook's answer");
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(WEBHOOK_ANSWER_MAX_BYTES + 64 * 1024);
  });
});
