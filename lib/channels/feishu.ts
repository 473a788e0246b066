/**
 * The digest to a Feishu/Lark group through a custom bot's webhook, as interactive cards. Lark is the same API
 * under open.larksuite.com; only the host differs, and the URL carries it.
 *
 * What the platform documents, and how it is used here:
 * - Custom bot guide (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
 *   - POST JSON to `https://open.feishu.cn/open-apis/bot/v2/hook/<token>`; the token in the path is the secret.
 *   - Rate limit 100 requests/minute and 5/second per bot ("单租户单机器人 100 次/分钟，5 次/秒"), and code 11232
 *     when it throttles: messages go at least 600 ms apart, which keeps under both, and 11232 is retried.
 *   - The request body may not exceed 20 KB ("请求体的数据大小不能超过 20 KB"): each card's whole body, signature
 *     fields included, is kept within 20,000 bytes of UTF-8 (the lower reading of "KB").
 *   - Signature: HMAC-SHA256 keyed by `timestamp + "\n" + secret` over an EMPTY message, base64; `timestamp` in
 *     seconds, within an hour of Feishu's clock; both go in the JSON body beside msg_type (not the URL, and not
 *     DingTalk's key/message order). Failure is HTTP 200 with code 19021.
 *   - Answers are HTTP 200 with a code inside: `{"code":0,"data":{},"msg":"success"}` (older answers carry
 *     `StatusCode` 0 too), 9499 "Bad Request", 19021 signature, 19022 IP not allowed, 19024 keyword not found.
 * - Rate limits of the open platform (https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control):
 *   HTTP 429 (older APIs: 400) with code 99991400 "request trigger frequency limit": retried too, after the wait
 *   its `x-ogw-ratelimit-reset` header gives in seconds (Feishu sends no Retry-After; one would be honoured first).
 * - Card markdown (https://open.feishu.cn/document/feishu-cards/card-components/content-components/rich-text):
 *   card JSON 1.0, `markdown` elements; characters markdown uses are shown literally only as HTML entities
 *   (`&#60;` for `<`...), which is how provider text is made inert (see FEISHU_DIALECT).
 *
 * A bot with custom keywords (自定义关键词) takes only messages that carry one in a text or title value: every card's
 * title is the digest's subject, which starts with "certwatch", so the keyword `certwatch` works.
 *
 * At most FEISHU_MAX_MESSAGES cards per digest: past that a chat is flooded, and the email and SNS digests carry
 * everything; the last card says how many entries were left out.
 */
import { createHmac } from 'node:crypto';
import type { Digest, DigestContent, DigestTone } from '../alerts/digest';
import { type ChatDialect, chatBlocks, entriesLeftOut, overflowNote } from './chatText';
import { channelModule } from './module';
import {
  packDigest,
  parseWebhookUrl,
  pathTokenPreviewUrl,
  retryAfterMs,
  utf8Bytes,
  type WebhookPlatform,
  type WebhookReply,
  type WebhookRequest,
  WebhookSink,
  type WebhookVerdict,
  webhookSecrets,
} from './webhook';
import { readWebhookSettings, type WebhookChannelConfig } from './webhookSettings';

/** Largest request body, in bytes of UTF-8. */
export const FEISHU_MAX_BODY_BYTES = 20_000;
/** 100/minute is one per 600 ms; 5/second is one per 200 ms: 600 ms keeps under both. */
export const FEISHU_MIN_INTERVAL_MS = 600;
/** Most cards one digest becomes. */
export const FEISHU_MAX_MESSAGES = 10;

/** "Too fast": the custom bot's own (guide) and the open platform's (rate limits page). */
const FREQUENCY_LIMITED_CODES: ReadonlySet<number> = new Set([11232, 99991400]);
/** What a code means for the person reading the error, where the platform's message alone is cryptic. */
const CODE_ADVICE: Readonly<Record<number, string>> = {
  9499: 'Feishu refused the request as malformed or over 20 KB',
  19001: 'the webhook token is not valid: the bot was removed or the URL is wrong',
  19021: "the signature did not match, or this machine's clock is more than an hour off",
  19022: "this machine's IP address is not on the bot's IP allow-list",
  19024:
    "the message has none of the bot's custom keywords: add one such as certwatch, or remove the keyword check",
};
/** A signature field as long as a real one, for measuring a card before it is signed (base64 of 32 bytes). */
const SIGNATURE_SIZED = 'x'.repeat(44);
const TIMESTAMP_SIZED = '0000000000';

export interface FeishuOptions {
  /** The custom bot's webhook URL: `https://open.feishu.cn/open-apis/bot/v2/hook/<token>` (or open.larksuite.com). */
  url: string;
  /** The bot's signing secret, when its signature verification is on. */
  secret: string | null;
}

/** One card, before it is signed: what `messages` gives and `request` sends. */
export interface FeishuCard {
  config: { wide_screen_mode: boolean };
  header: { title: { tag: 'plain_text'; content: string }; template: FeishuHeaderTemplate };
  elements: { tag: 'markdown'; content: string }[];
}

export type FeishuHeaderTemplate = 'red' | 'orange' | 'yellow' | 'grey';

/**
 * The custom bot signature: base64 of HMAC-SHA256 keyed by "timestamp\nsecret", over the empty string. The
 * timestamp is in seconds and is sent as given (the guide's example body has it as a string).
 */
export function signFeishu(timestampSeconds: number | string, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/**
 * Every character the card markdown gives a meaning to, per the documented escape table (`<` `>` for tags such as
 * `<at id=all>`, `[` `]` `(` `)` for links, `*` `_` `~` for emphasis, `:` for emoji, `#` `-` `+` for headings and
 * lists, `$` for variables...), plus `&` so that an entity a provider wrote is shown, not decoded.
 */
const MARKDOWN_SPECIAL = /[&<>~\-!*/\\[\]()#:+"'`$_]/g;

/**
 * Card markdown. Provider text: line breaks become spaces (an entry stays one block) and every special character
 * becomes a numeric HTML entity, so `<at id=all></at>` shows as that text instead of paging the group, and
 * `[x](http://e)` is not a link. Bold is `**`; headings are bold too (JSON 1.0 cards have no heading syntax).
 */
export const FEISHU_DIALECT: ChatDialect = {
  escape: (text) =>
    text.replace(/\r\n|[\r\n]/g, ' ').replace(MARKDOWN_SPECIAL, (c) => `&#${c.codePointAt(0)};`),
  bold: (text) => `**${text}**`,
  heading: (text) => `**${text}**`,
  tone: (tone, label) => {
    const color = TONE_COLORS[tone];
    return color === null ? label : `<font color='${color}'>${label}</font>`;
  },
  lineBreak: '\n',
};

const TONE_COLORS: Readonly<Record<DigestTone, string | null>> = {
  expired: 'red',
  critical: 'orange',
  // Yellow text is unreadable on a white card; the label's emoji marks a warning.
  warning: null,
  open: null,
  cleanup: 'grey',
  silenced: 'grey',
  failure: 'red',
};

/** A Feishu/Lark custom bot as a webhook platform (webhook.ts). */
export function feishuPlatform(options: FeishuOptions): WebhookPlatform {
  const url = parseWebhookUrl(
    options.url,
    'CERTWATCH_FEISHU_URL',
    'https://open.feishu.cn/open-apis/bot/v2/hook/...',
  );
  const secret = options.secret === null || options.secret === '' ? null : options.secret;
  const previewUrl = pathTokenPreviewUrl(url, '/hook/');
  return {
    name: 'feishu',
    title: 'Feishu/Lark',
    hint:
      secret === null
        ? 'check CERTWATCH_FEISHU_URL (and set CERTWATCH_FEISHU_SECRET if the bot verifies signatures)'
        : 'check CERTWATCH_FEISHU_URL and CERTWATCH_FEISHU_SECRET',
    host: url.host,
    minIntervalMs: FEISHU_MIN_INTERVAL_MS,
    secrets: webhookSecrets(url, { tokenAfter: '/hook/', signingSecret: secret }),
    messages: (digest) => feishuCards(digest),
    request: (message, nowMs) => {
      const card = message as FeishuCard;
      let body: string;
      if (secret === null) {
        body = JSON.stringify({ msg_type: 'interactive', card });
      } else if (nowMs === null) {
        body = JSON.stringify({
          timestamp: '<timestamp>',
          sign: '<signature>',
          msg_type: 'interactive',
          card,
        });
      } else {
        const timestamp = String(Math.floor(nowMs / 1000));
        body = JSON.stringify({
          timestamp,
          sign: signFeishu(timestamp, secret),
          msg_type: 'interactive',
          card,
        });
      }
      return { url: nowMs === null ? previewUrl : url.href, body } satisfies WebhookRequest;
    },
    verdict: (reply) => feishuVerdict(reply, secret !== null),
  };
}

/** The cards that tell this digest, in order, each within the body limit; at most FEISHU_MAX_MESSAGES. Pure. */
export function feishuCards(digest: Digest): FeishuCard[] {
  const template = headerTemplate(digest.content);
  // Measured with the longest part label there can be, so a card that fits while packing fits once labelled.
  const widest = partLabel(FEISHU_MAX_MESSAGES, FEISHU_MAX_MESSAGES);
  const fits = (chunk: readonly string[]) =>
    signedBodyBytes(card(`${digest.subject}${widest}`, template, chunk)) <= FEISHU_MAX_BODY_BYTES;
  const blocks = chatBlocks(digest.content, FEISHU_DIALECT);
  const entriesLeft = entriesLeftOut(digest.content, blocks.length);
  const chunks = packDigest(blocks, fits, FEISHU_MAX_MESSAGES, (left) =>
    FEISHU_DIALECT.bold(
      FEISHU_DIALECT.escape(
        overflowNote(entriesLeft(left), FEISHU_MAX_MESSAGES, 'more would flood the chat'),
      ),
    ),
  );
  return chunks.map((chunk, index) =>
    card(
      chunks.length === 1 ? digest.subject : `${digest.subject}${partLabel(index + 1, chunks.length)}`,
      template,
      chunk,
    ),
  );
}

/** The header's colour: the worst thing new in this digest. */
export function headerTemplate(content: DigestContent): FeishuHeaderTemplate {
  if (content.counts.expired > 0) return 'red';
  if (content.counts.critical > 0) return 'orange';
  if (content.counts.warning > 0) return 'yellow';
  return 'grey';
}

/**
 * What Feishu's answer means. It answers HTTP 200 with a code inside: 0 is taken (`code`, or `StatusCode` in
 * older answers), anything else is refused. Throttling (11232, 99991400, HTTP 429) and 5xx are worth another
 * attempt, after the Retry-After or else the `x-ogw-ratelimit-reset` seconds when given; the rest (bad
 * signature, keyword, IP, malformed) will not change by retrying.
 */
export function feishuVerdict(reply: WebhookReply, signed = true): WebhookVerdict {
  const answer = readAnswer(reply.body);
  const wait =
    retryAfterMs(reply.header('retry-after'), reply.nowMs) ??
    // The open platform's `x-ogw-ratelimit-reset`: seconds until the limit resets, as a Retry-After counts them.
    retryAfterMs(reply.header('x-ogw-ratelimit-reset'), reply.nowMs);
  const said = answer === null ? quoteBody(reply.body) : describeCode(answer, signed);
  if ((answer !== null && FREQUENCY_LIMITED_CODES.has(answer.code)) || reply.status === 429) {
    return { ok: false, retryable: true, reason: `HTTP ${reply.status}, ${said}`, retryAfterMs: wait };
  }
  if (reply.status >= 500) {
    return { ok: false, retryable: true, reason: `HTTP ${reply.status}, ${said}`, retryAfterMs: wait };
  }
  if (reply.status >= 200 && reply.status < 300) {
    if (answer === null) {
      // Taken or not, nobody can tell: sending it again could post it twice, so it is reported instead.
      return { ok: false, retryable: false, reason: `HTTP ${reply.status} without a code: ${said}` };
    }
    if (answer.code === 0) return { ok: true };
  }
  return { ok: false, retryable: false, reason: `HTTP ${reply.status}, ${said}` };
}

function card(title: string, template: FeishuHeaderTemplate, blocks: readonly string[]): FeishuCard {
  return {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: title }, template },
    elements: blocks.map((content) => ({ tag: 'markdown', content })),
  };
}

function signedBodyBytes(value: FeishuCard): number {
  return utf8Bytes(
    JSON.stringify({
      timestamp: TIMESTAMP_SIZED,
      sign: SIGNATURE_SIZED,
      msg_type: 'interactive',
      card: value,
    }),
  );
}

function partLabel(part: number, total: number): string {
  return ` (part ${part} of ${total})`;
}

interface FeishuAnswer {
  code: number;
  msg: string;
}

function readAnswer(body: string): FeishuAnswer | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  // `code` is the answer; `StatusCode` is a redundant field kept for old clients, the only one in old answers.
  const code = typeof record.code === 'number' ? record.code : record.StatusCode;
  if (typeof code !== 'number') return null;
  const msg = typeof record.msg === 'string' ? record.msg : record.StatusMessage;
  return { code, msg: typeof msg === 'string' ? msg : '' };
}

function describeCode(answer: FeishuAnswer, signed: boolean): string {
  const said = `code ${answer.code} "${clipText(answer.msg, 120)}"`;
  let advice = CODE_ADVICE[answer.code];
  if (answer.code === 19021 && !signed) {
    advice = 'the bot verifies signatures but no signing secret is configured';
  }
  if (FREQUENCY_LIMITED_CODES.has(answer.code)) advice = 'Feishu is throttling this bot';
  return advice === undefined ? said : `${said} (${advice})`;
}

function quoteBody(body: string): string {
  const text = body.trim();
  return text === '' ? 'an empty answer' : `"${clipText(text.replace(/\s+/g, ' '), 120)}"`;
}

function clipText(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}...`;
}

/** The Feishu/Lark channel: interactive cards to a custom bot, signed when it has a secret. */
export const feishu = channelModule({
  name: 'feishu',
  settings: [
    { key: 'CERTWATCH_FEISHU_URL', description: "a Feishu or Lark custom bot's webhook", secret: true },
    {
      key: 'CERTWATCH_FEISHU_SECRET',
      description: "the Feishu or Lark bot's signing secret, if it has one",
      secret: true,
    },
  ],
  enabledBy: 'CERTWATCH_FEISHU_URL (and CERTWATCH_FEISHU_SECRET if the bot signs)',
  read: (get, problems): WebhookChannelConfig | null =>
    readWebhookSettings(get, problems, {
      title: 'Feishu/Lark',
      urlKey: 'CERTWATCH_FEISHU_URL',
      secretKey: 'CERTWATCH_FEISHU_SECRET',
      shape: (url) => /^\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(url.pathname),
      example: 'https://open.feishu.cn/open-apis/bot/v2/hook/... (or open.larksuite.com)',
    }),
  build: async (settings, deps) => new WebhookSink(feishuPlatform(settings), deps.webhookOptions),
});
