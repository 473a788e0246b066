/**
 * A WeCom (企业微信) group robot on 127.0.0.1, for tests: it checks what WeCom checks and answers as WeCom does,
 * HTTP 200 with `{errcode, errmsg}` for good and bad alike.
 *
 * Checked (https://developer.work.weixin.qq.com/document/path/91770): POST to /cgi-bin/webhook/send with the
 * robot's key; a JSON body in UTF-8; msgtype markdown with `markdown.content` of at most 4096 bytes of UTF-8; at
 * most 20 messages in any minute.
 *
 * The answers are WeCom's as its robots send them (errmsg texts as quoted in users' reports of the live API; the
 * hint and ip vary per request): `{"errcode":0,"errmsg":"ok"}`; 93000 "invalid webhook url, hint: [...], from
 * ip: ..., more info at https://open.work.weixin.qq.com/devtool/query?e=93000"; 45009 "api freq out of limit";
 * 40058 "markdown.content exceed max length 4096. invalid Request Parameter"; 40035 "invalid parameter" for a
 * body that is not a markdown message.
 */
import {
  type ReceivedRequest,
  type ReceiverReply,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../webhookReceiver';

export const WECOM_PATH = '/cgi-bin/webhook/send';
const MAX_CONTENT_BYTES = 4096;
const PER_MINUTE = 20;

export interface WecomReceiverOptions {
  key: string;
  /** The receiver's clock, for the rate limit; default Date.now. */
  now?: () => number;
}

export interface WecomReceiver {
  readonly origin: string;
  /** The webhook as WeCom hands it out: origin, path and the key. */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** The markdown contents taken (errcode 0), in order. */
  readonly delivered: string[];
  /** Why each refused request was refused, in order. */
  readonly refused: string[];
  /** The next `count` requests that pass every check are answered with the throttle (45009). */
  throttle(count: number): void;
  /** The next `count` requests are answered HTTP `status` (default 500), with a Retry-After when given. */
  failWith(count: number, options?: { status?: number; retryAfter?: string }): void;
  close(): Promise<void>;
}

export async function startWecomReceiver(options: WecomReceiverOptions): Promise<WecomReceiver> {
  const now = options.now ?? Date.now;
  const delivered: string[] = [];
  const refused: string[] = [];
  const acceptedAt: number[] = [];
  let hints = 0;
  let throttleLeft = 0;
  let failures: { left: number; status: number; retryAfter?: string } = { left: 0, status: 500 };

  const refuse = (errcode: number, what: string, why = ''): ReceiverReply => {
    hints += 1;
    const errmsg =
      `${what}, hint: [${1_755_605_200_000 + hints}773468916791], from ip: 127.0.0.1, more info at ` +
      `https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
    refused.push(`${errcode} ${what}${why ? ` (${why})` : ''}`);
    return { status: 200, body: JSON.stringify({ errcode, errmsg }) };
  };

  const handle = (request: ReceivedRequest): ReceiverReply => {
    if (failures.left > 0) {
      failures.left -= 1;
      refused.push(`HTTP ${failures.status}`);
      return {
        status: failures.status,
        body: '<html><body>503 Service Temporarily Unavailable</body></html>',
        headers: failures.retryAfter === undefined ? {} : { 'retry-after': failures.retryAfter },
      };
    }
    const url = new URL(request.path, 'http://receiver');
    if (request.method !== 'POST') {
      refused.push(`HTTP 405 (${request.method})`);
      return { status: 405, body: '' };
    }
    if (url.pathname !== WECOM_PATH || url.searchParams.get('key') !== options.key) {
      return refuse(93000, 'invalid webhook url');
    }
    const contentType = String(request.headers['content-type'] ?? '');
    if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(contentType)) {
      return refuse(40035, 'invalid parameter', `content-type ${contentType}`);
    }
    const content = readContent(request.body);
    if (content === null) return refuse(40035, 'invalid parameter', 'not a markdown message');
    if (Buffer.byteLength(content, 'utf8') > MAX_CONTENT_BYTES) {
      return refuse(40058, 'markdown.content exceed max length 4096. invalid Request Parameter');
    }
    const at = now();
    while (acceptedAt.length > 0 && acceptedAt[0]! <= at - 60_000) acceptedAt.shift();
    if (throttleLeft > 0 || acceptedAt.length >= PER_MINUTE) {
      throttleLeft = Math.max(0, throttleLeft - 1);
      return refuse(45009, 'api freq out of limit');
    }
    acceptedAt.push(at);
    delivered.push(content);
    return { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) };
  };

  const receiver: WebhookReceiver = await startWebhookReceiver(handle);
  return {
    origin: receiver.origin,
    url: `${receiver.origin}${WECOM_PATH}?key=${options.key}`,
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

/** `markdown.content` of a markdown message; null when the body is anything else. */
function readContent(body: string): string | null {
  try {
    const message = JSON.parse(body) as { msgtype?: unknown; markdown?: { content?: unknown } } | null;
    const content = message?.markdown?.content;
    return message?.msgtype === 'markdown' && typeof content === 'string' && content !== '' ? content : null;
  } catch {
    return null;
  }
}
