/**
 * A DingTalk custom robot on 127.0.0.1, for tests: it checks what DingTalk checks and answers as DingTalk does,
 * HTTP 200 with `{errcode, errmsg}` for good and bad alike.
 *
 * Checked, in DingTalk's order: POST to /robot/send with the robot's access_token; with a secret (加签), a
 * `timestamp` within an hour of the receiver's clock and a `sign` that is base64(HMAC-SHA256(secret,
 * "timestamp\nsecret")), computed here with node:crypto on its own, not with certwatch's signer; a JSON body in
 * UTF-8 of at most 20,000 bytes; msgtype markdown with a title and a text; at most 20 messages in any minute.
 * (https://open.dingtalk.com/document/robots/custom-robot-access,
 * https://open.dingtalk.com/document/robots/customize-robot-security-settings)
 *
 * The answers are DingTalk's as its robots send them (errmsg texts as quoted in users' reports of the live API):
 * `{"errcode":0,"errmsg":"ok"}`; `{"errcode":300001,"errmsg":"token is not exist"}`; 310000 with "sign not
 * match, more: [...]" or "invalid timestamp, more: [...]"; 130101 "send too fast, exceed 20 times per minute"
 * (with the throttle's extra fields); 460101 "message too long, exceed 20000 bytes"; 43009 "post参数需要json类型"
 * for a body that is not JSON; 40035 "不合法的参数" (the global code) for JSON that is not a markdown message.
 */
import { createHmac } from 'node:crypto';
import {
  type ReceivedRequest,
  type ReceiverReply,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../webhookReceiver';

export const DINGTALK_PATH = '/robot/send';
const MAX_BODY_BYTES = 20_000;
const PER_MINUTE = 20;
const HOUR_MS = 3_600_000;
const MORE = 'more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]';

export interface DingtalkMarkdown {
  title: string;
  text: string;
}

export interface DingtalkReceiverOptions {
  token: string;
  /** The robot's signing secret; null: the robot does not sign, and `timestamp`/`sign` are not looked at. */
  secret: string | null;
  /** The receiver's clock, for the timestamp check and the rate limit; default Date.now. */
  now?: () => number;
}

export interface DingtalkReceiver {
  readonly origin: string;
  /** The webhook as DingTalk hands it out: origin, path and the token. */
  readonly url: string;
  /** Every request, as received. */
  readonly requests: ReceivedRequest[];
  /** The messages taken (errcode 0), in order. */
  readonly delivered: DingtalkMarkdown[];
  /** Why each refused request was refused, in order (the errcode and errmsg sent back). */
  readonly refused: string[];
  /** The next `count` requests that pass every check are answered with the throttle (130101). */
  throttle(count: number): void;
  /** The next `count` requests are answered HTTP `status` (default 500), with a Retry-After when given. */
  failWith(count: number, options?: { status?: number; retryAfter?: string }): void;
  close(): Promise<void>;
}

export async function startDingtalkReceiver(options: DingtalkReceiverOptions): Promise<DingtalkReceiver> {
  const now = options.now ?? Date.now;
  const delivered: DingtalkMarkdown[] = [];
  const refused: string[] = [];
  const acceptedAt: number[] = [];
  let throttleLeft = 0;
  let failures: { left: number; status: number; retryAfter?: string } = { left: 0, status: 500 };

  /** DingTalk's refusal; `why` (for the test) says what this receiver found wrong when errmsg does not. */
  const refuse = (
    errcode: number,
    errmsg: string,
    why = '',
    extra: Record<string, unknown> = {},
  ): ReceiverReply => {
    refused.push(`${errcode} ${errmsg}${why ? ` (${why})` : ''}`);
    return { status: 200, body: JSON.stringify({ ...extra, errcode, errmsg }) };
  };

  const handle = (request: ReceivedRequest): ReceiverReply => {
    if (failures.left > 0) {
      failures.left -= 1;
      refused.push(`HTTP ${failures.status}`);
      return {
        status: failures.status,
        body: '<html><body>Service Unavailable</body></html>',
        headers: failures.retryAfter === undefined ? {} : { 'retry-after': failures.retryAfter },
      };
    }
    const url = new URL(request.path, 'http://receiver');
    if (request.method !== 'POST') {
      refused.push(`HTTP 405 (${request.method})`);
      return { status: 405, body: '' };
    }
    if (url.pathname !== DINGTALK_PATH || url.searchParams.get('access_token') !== options.token) {
      return refuse(300001, 'token is not exist');
    }
    if (options.secret !== null) {
      const timestamp = url.searchParams.get('timestamp');
      const sign = url.searchParams.get('sign');
      if (timestamp === null || !/^\d+$/.test(timestamp) || Math.abs(now() - Number(timestamp)) > HOUR_MS) {
        return refuse(310000, `invalid timestamp, ${MORE}`);
      }
      const expected = createHmac('sha256', options.secret)
        .update(`${timestamp}\n${options.secret}`)
        .digest('base64');
      if (sign !== expected) return refuse(310000, `sign not match, ${MORE}`);
    }
    const contentType = String(request.headers['content-type'] ?? '');
    if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(contentType)) {
      return refuse(43009, 'post参数需要json类型', `content-type ${contentType}`);
    }
    if (Buffer.byteLength(request.body, 'utf8') > MAX_BODY_BYTES) {
      return refuse(460101, 'message too long, exceed 20000 bytes');
    }
    const markdown = readMarkdown(request.body);
    if (markdown === null) return refuse(43009, 'post参数需要json类型', 'the body is not JSON');
    if (typeof markdown === 'string') return refuse(40035, '不合法的参数', markdown);
    const at = now();
    while (acceptedAt.length > 0 && acceptedAt[0]! <= at - 60_000) acceptedAt.shift();
    if (throttleLeft > 0 || acceptedAt.length >= PER_MINUTE) {
      throttleLeft = Math.max(0, throttleLeft - 1);
      return refuse(130101, 'send too fast, exceed 20 times per minute', '', {
        status: 1111,
        wait: 5,
        source: 'x5',
        punish: 'deny',
        uuid: '9ff0e7e2346aabb5a8bcbb7c93c71636',
      });
    }
    acceptedAt.push(at);
    delivered.push(markdown);
    return { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) };
  };

  const receiver: WebhookReceiver = await startWebhookReceiver(handle);
  return {
    origin: receiver.origin,
    url: `${receiver.origin}${DINGTALK_PATH}?access_token=${options.token}`,
    requests: receiver.requests,
    delivered,
    refused,
    throttle: (count) => {
      throttleLeft = count;
    },
    failWith: (count, failure = {}) => {
      failures = { left: count, status: failure.status ?? 500, retryAfter: failure.retryAfter };
    },
    close: () => receiver.close(),
  };
}

/** The markdown message in a body, what is wrong with it, or null when it is not JSON. */
function readMarkdown(body: string): DingtalkMarkdown | string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return 'the body is not a JSON object';
  const message = parsed as { msgtype?: unknown; markdown?: { title?: unknown; text?: unknown } };
  if (message.msgtype !== 'markdown') return `msgtype is ${JSON.stringify(message.msgtype)}, not markdown`;
  const title = message.markdown?.title;
  const text = message.markdown?.text;
  if (typeof title !== 'string' || title === '') return 'markdown.title is missing';
  if (typeof text !== 'string' || text === '') return 'markdown.text is missing';
  return { title, text };
}
