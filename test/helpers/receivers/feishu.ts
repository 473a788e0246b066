/**
 * A Feishu/Lark custom bot webhook on 127.0.0.1, for tests: it checks each request the way the platform documents
 * it and answers with the platform's own bodies, so a sink that passes here sends what Feishu takes.
 *
 * Sources (see lib/channels/feishu.ts for the same list):
 * - Custom bot guide, https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot: POST JSON to
 *   /open-apis/bot/v2/hook/<token>; body at most 20 KB; `timestamp` (seconds, within one hour) and `sign` in the
 *   body when signature verification is on; the answers
 *     success   {"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}
 *               (StatusCode/StatusMessage are redundant fields "for old logic"; `legacy` answers with only them)
 *     malformed {"code":9499,"msg":"Bad Request","data":{}}
 *     signature {"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}
 *     keyword   {"code":19024,"msg":"Key Words Not Found"}
 *     11232     the throttle code the guide names ("11232 限流错误"); its msg as observed in the field.
 * - An unknown token answers HTTP 200 {"code":19001,"data":{},"msg":"param invalid: incoming webhook access token
 *   invalid"}: not in the guide, but what Feishu answers, quoted alike by many public projects.
 * - Rate limits page, https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control: HTTP 429 with
 *   {"code":99991400,"msg":"request trigger frequency limit"} and the wait in `x-ogw-ratelimit-reset` (seconds).
 * - Card JSON 1.0 (https://open.feishu.cn/document/feishu-cards/card-json-structure): `header.title` plain_text,
 *   `header.template` a colour, `elements` of components; the `markdown` component has a string `content`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type ReceivedRequest,
  type ReceiverReply,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../webhookReceiver';

export const FEISHU_TOKEN = '6f1c9e0a-3b7d-4e52-9a8f-feishu-test';
/** The guide's "20 KB", read as the lower 20,000 bytes. */
export const FEISHU_RECEIVER_MAX_BYTES = 20_000;
const HOOK_PREFIX = '/open-apis/bot/v2/hook/';
const HEADER_TEMPLATES = new Set([
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
  'default',
]);
const MESSAGE_TYPES = new Set(['text', 'post', 'image', 'share_chat', 'interactive']);

export const FEISHU_ANSWERS = {
  success: { code: 0, data: {}, msg: 'success' },
  documentedSuccess: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' },
  legacySuccess: { Extra: null, StatusCode: 0, StatusMessage: 'success' },
  badRequest: { code: 9499, msg: 'Bad Request', data: {} },
  signMatchFail: {
    code: 19021,
    data: {},
    msg: 'sign match fail or timestamp is not within one hour from current time',
  },
  keyWordsNotFound: { code: 19024, msg: 'Key Words Not Found' },
  tokenInvalid: { code: 19001, data: {}, msg: 'param invalid: incoming webhook access token invalid' },
  frequencyLimited: {
    code: 11232,
    data: {},
    msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]',
  },
  tooManyRequests: { code: 99991400, msg: 'request trigger frequency limit' },
} as const;

/** A canned answer for the next request, before any check. */
export type FeishuScripted =
  | 'frequency-limited'
  | 'too-many-requests'
  | 'server-error'
  | 'bad-request'
  | 'sign-fail'
  | 'keyword-missing'
  /** Feishu's token-invalid answer with the request's path (and so the token) in its msg, as a gateway may echo. */
  | 'echoes-path';

export interface FeishuReceiverOptions {
  /** The bot's token, the last segment of its webhook path. */
  token?: string;
  /** The bot's signing secret; null: signature verification off (a signed body is still accepted). */
  secret?: string | null;
  /** The bot's custom keywords; none: no keyword check. */
  keywords?: readonly string[];
  /** Success as old bots answered it, with StatusCode only. */
  legacySuccess?: boolean;
  /** Feishu's clock, for the one-hour window (ms); default Date.now. */
  clock?: () => number;
  /** The `x-ogw-ratelimit-reset` a scripted 429 carries, in seconds; default 2. */
  rateLimitResetSeconds?: number;
}

/** A card request the receiver took. */
export interface FeishuCardBody {
  timestamp?: string;
  sign?: string;
  msg_type: 'interactive';
  card: {
    header: { title: { tag: string; content: string }; template: string };
    elements: { tag: string; content?: string }[];
  };
}

export interface FeishuReceiver {
  /** The bot's webhook URL, as the platform gives it. */
  readonly url: string;
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** The bodies taken (answered success), in order. */
  readonly accepted: FeishuCardBody[];
  /** Every documented rule a request broke, for a test to expect none. */
  readonly problems: string[];
  /** The next requests get these answers, in order, before any check. */
  script(...answers: FeishuScripted[]): void;
  close(): Promise<void>;
}

export async function startFeishuReceiver(options: FeishuReceiverOptions = {}): Promise<FeishuReceiver> {
  const token = options.token ?? FEISHU_TOKEN;
  const secret = options.secret ?? null;
  const clock = options.clock ?? Date.now;
  const accepted: FeishuCardBody[] = [];
  const problems: string[] = [];
  const scripted: FeishuScripted[] = [];

  const handle = (request: ReceivedRequest, index: number): ReceiverReply => {
    const next = scripted.shift();
    if (next !== undefined) return cannedAnswer(next, options.rateLimitResetSeconds ?? 2, request);
    const refuse = (problem: string, answer: object): ReceiverReply => {
      problems.push(`request ${index + 1}: ${problem}`);
      return json(200, answer);
    };
    if (request.method !== 'POST')
      return refuse(`method ${request.method}, not POST`, FEISHU_ANSWERS.badRequest);
    if (request.path !== `${HOOK_PREFIX}${token}`) {
      return refuse('not the bot webhook path', FEISHU_ANSWERS.tokenInvalid);
    }
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return refuse('content-type is not application/json', FEISHU_ANSWERS.badRequest);
    }
    const bytes = Buffer.byteLength(request.body, 'utf8');
    if (bytes > FEISHU_RECEIVER_MAX_BYTES) {
      return refuse(`body of ${bytes} bytes, over 20 KB`, FEISHU_ANSWERS.badRequest);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return refuse('body is not JSON', FEISHU_ANSWERS.badRequest);
    }
    if (secret !== null) {
      const signature = checkSignature(body, secret, clock());
      if (signature !== null) return refuse(signature, FEISHU_ANSWERS.signMatchFail);
    }
    const shape = checkShape(body);
    if (shape !== null) return refuse(shape, FEISHU_ANSWERS.badRequest);
    const card = body as unknown as FeishuCardBody;
    if (options.keywords !== undefined && options.keywords.length > 0) {
      // Keywords are matched in text and title values, never in links (the guide's note on keywords).
      const texts = [card.card.header.title.content, ...card.card.elements.map((e) => e.content ?? '')];
      if (!options.keywords.some((keyword) => texts.some((text) => text.includes(keyword)))) {
        return refuse('none of the keywords', FEISHU_ANSWERS.keyWordsNotFound);
      }
    }
    accepted.push(card);
    return json(200, options.legacySuccess ? FEISHU_ANSWERS.legacySuccess : FEISHU_ANSWERS.documentedSuccess);
  };

  const receiver: WebhookReceiver = await startWebhookReceiver(handle);
  return {
    url: `${receiver.origin}${HOOK_PREFIX}${token}`,
    origin: receiver.origin,
    requests: receiver.requests,
    accepted,
    problems,
    script: (...answers) => {
      scripted.push(...answers);
    },
    close: () => receiver.close(),
  };
}

function cannedAnswer(answer: FeishuScripted, resetSeconds: number, request: ReceivedRequest): ReceiverReply {
  switch (answer) {
    case 'frequency-limited':
      return json(200, FEISHU_ANSWERS.frequencyLimited);
    case 'too-many-requests':
      return json(429, FEISHU_ANSWERS.tooManyRequests, {
        'x-ogw-ratelimit-limit': '100',
        'x-ogw-ratelimit-reset': String(resetSeconds),
      });
    case 'server-error':
      // A gateway's answer, not Feishu's JSON: the sink must not need a code to know to retry.
      return { status: 500, body: 'Internal Server Error', headers: { 'content-type': 'text/plain' } };
    case 'bad-request':
      return json(200, FEISHU_ANSWERS.badRequest);
    case 'sign-fail':
      return json(200, FEISHU_ANSWERS.signMatchFail);
    case 'keyword-missing':
      return json(200, FEISHU_ANSWERS.keyWordsNotFound);
    case 'echoes-path':
      return json(200, {
        ...FEISHU_ANSWERS.tokenInvalid,
        msg: `${FEISHU_ANSWERS.tokenInvalid.msg}: ${request.path}`,
      });
  }
}

/** Null when the body is signed as the guide says, for Feishu's clock `nowMs`; otherwise what is wrong. */
function checkSignature(body: Record<string, unknown>, secret: string, nowMs: number): string | null {
  const { timestamp, sign } = body;
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp))
    return 'timestamp missing or not a string of digits';
  if (typeof sign !== 'string') return 'sign missing';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > 3600)
    return 'timestamp not within one hour (seconds expected)';
  // The guide's algorithm, written out here rather than imported, so the sink's signer is checked, not trusted.
  const expected = createHmac('sha256', Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .update(Buffer.alloc(0))
    .digest();
  const given = Buffer.from(sign, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'sign does not match';
}

/** Null when the body is a message the custom bot takes (a card here); otherwise what is wrong. */
function checkShape(body: Record<string, unknown>): string | null {
  if (typeof body.msg_type !== 'string' || !MESSAGE_TYPES.has(body.msg_type))
    return 'msg_type missing or unknown';
  if (body.msg_type !== 'interactive') return null;
  if ('content' in body) return 'a card goes in `card`, not `content`';
  const card = body.card as Record<string, unknown> | undefined;
  if (typeof card !== 'object' || card === null) return 'card missing';
  const header = card.header as
    | { title?: { tag?: unknown; content?: unknown }; template?: unknown }
    | undefined;
  if (header !== undefined) {
    if (header.title?.tag !== 'plain_text' || typeof header.title.content !== 'string') {
      return 'header.title is not plain_text';
    }
    if (header.template !== undefined && !HEADER_TEMPLATES.has(String(header.template))) {
      return `header.template ${String(header.template)} is not a card colour`;
    }
  }
  const elements = card.elements;
  if (!Array.isArray(elements) || elements.length === 0) return 'card.elements missing or empty';
  for (const element of elements as Record<string, unknown>[]) {
    if (typeof element?.tag !== 'string') return 'an element without a tag';
    if (element.tag === 'markdown' && (typeof element.content !== 'string' || element.content === '')) {
      return 'a markdown element without content';
    }
  }
  return null;
}

function json(status: number, body: object, headers: Record<string, string> = {}): ReceiverReply {
  return {
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  };
}
