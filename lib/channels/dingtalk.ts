/**
 * The DingTalk custom robot (自定义机器人): the digest as markdown messages to a group's webhook, signed when the
 * robot has 加签 on. Pure: the time to sign for and the reply's clock are given.
 *
 * What DingTalk documents, and what certwatch does with it:
 * - Rate: 20 messages a minute per robot, and a robot over it is throttled for 10 minutes
 *   (https://open.dingtalk.com/document/robots/custom-robot-access, 调用频率限制). certwatch sends one message every
 *   3 s at most, and at most 10 messages per digest, half a minute's allowance, so a digest never trips it alone;
 *   what does not fit is counted in the last message, which points to the email/SNS digest and `certwatch audit`.
 *   The throttle answers HTTP 200 with errcode 130101 "send too fast, exceed 20 times per minute": retried.
 * - Size: a request body of at most 20,000 bytes (errcode 460101 "message too long, exceed 20000 bytes"; newer
 *   answers say "body 大小不合法 ... 请保持大小在 20000bytes 以内"). Each message's whole JSON body is measured.
 * - Signing: sign = base64(HMAC-SHA256(key = secret, "<timestamp>\n<secret>")), the timestamp in ms and within an
 *   hour of DingTalk's clock, both added to the URL, the sign URL-encoded
 *   (https://open.dingtalk.com/document/robots/customize-robot-security-settings, 加签).
 * - Markdown: a subset (headings, bold, italic, links, images, lists, quotes, `<font>`); a line break is written
 *   "  \n  " (the message-type doc suggests two spaces on each side of \n, https://open.dingtalk.com/document/orgapp/
 *   message-type). `title` is plain text shown in the chat list and notification.
 * - Errors come as HTTP 200 with a non-zero errcode inside: a failure, never a delivery (errcodeAnswer.ts).
 *
 * A robot with a keyword (自定义关键词) takes only messages that carry it: every message here carries "certwatch"
 * (the first in its title block, every part in its header), so the keyword `certwatch` works.
 */
import { createHmac } from 'node:crypto';
import { type Digest, type DigestTone, fitSubject, SUBJECT_MAX_LENGTH } from '../alerts/digest';
import {
  breakLinks,
  type ChatDialect,
  chatBlocks,
  entriesLeftOut,
  overflowNote,
  singleLine,
} from './chatText';
import { errcodeVerdict } from './errcodeAnswer';
import { channelModule } from './module';
import {
  packDigest,
  parseWebhookUrl,
  previewUrl,
  sizeCounter,
  utf8Bytes,
  type WebhookPlatform,
  WebhookSink,
  webhookSecrets,
} from './webhook';
import { readWebhookSettings, type WebhookChannelConfig } from './webhookSettings';

/** Request body limit, bytes (errcode 460101). */
export const DINGTALK_MAX_BODY_BYTES = 20_000;
/** 20 messages a minute per robot. */
export const DINGTALK_MIN_INTERVAL_MS = 3_000;
/** Messages per digest: half of what one minute allows, so a second channel or run on the same robot still fits. */
export const DINGTALK_MAX_MESSAGES = 10;

/** The throttle's code, as DingTalk answers it (HTTP 200): worth another attempt, later. */
const TOO_FAST_CODES: ReadonlySet<number> = new Set([130101]);

/** What the codes people meet most often mean, beside DingTalk's own errmsg. */
const CODE_MEANINGS: Readonly<Record<number, string>> = {
  310000: "the robot's security settings refused it (signature, timestamp, keyword or IP allow-list)",
  300001: 'the access_token in the URL names no robot (removed, or mistyped)',
  130101: 'the robot is throttled: more than 20 messages in a minute',
  460101: 'the message is larger than DingTalk takes',
};

/**
 * Makes provider text inert in DingTalk markdown, which documents no escape of its own:
 * - Line breaks (and other control characters) become spaces, so provider text never starts a line: no heading
 *   (`# h`), list (`- x`, `1. x`), quote (`> q`) or rule can come out of it; block syntax only works there.
 * - A backslash before `\ * _ ~ \` [ ]`: CommonMark's escapes, against emphasis, strike-through and code
 *   spans. DingTalk does not document them, but alert bridges to DingTalk rely on them (prometheus-webhook-dingtalk
 *   escapes `_ * \`` so), and wildcards (`*.example.com`) and `my_cert_name` must not turn italic.
 * - A zero-width space after every `]`, `!`, `<` and `&`, and inside `://`: these do not rely on escapes being
 *   honoured. No link `[x](http://e)` (it needs `](`), image `![i](...)` (it needs `![`), HTML tag (`<font>`
 *   needs a letter right after `<`), autolink `<http://...>`, entity (`&lt;`) or clickable bare URL can form.
 *   The space is invisible, so the name reads as written; it only rides along when copied.
 */
export function escapeDingtalk(text: string): string {
  return breakLinks(singleLine(text).replace(/[\\`*_~[\]]/g, '\\$&'));
}

/** `<font color=...>` per tone (red, orange, dark yellow: yellow text is unreadable on white). Unset: none. */
const TONE_COLORS: Partial<Record<DigestTone, string>> = {
  expired: '#d93025',
  failure: '#d93025',
  critical: '#e8710a',
  warning: '#b06000',
};

export const dingtalkDialect: ChatDialect = {
  escape: escapeDingtalk,
  bold: (text) => `**${text}**`,
  heading: (text) => `#### ${text}`,
  tone: (tone, label) => {
    const color = TONE_COLORS[tone];
    return color === undefined ? label : `<font color=${color}>${label}</font>`;
  },
  lineBreak: '  \n  ',
};

/** Between blocks: a blank line, a new paragraph. */
const BLOCK_SEPARATOR = '\n\n';

export interface DingtalkMessage {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
}

export interface DingtalkOptions {
  /** The robot's webhook, `https://oapi.dingtalk.com/robot/send?access_token=...` (CERTWATCH_DINGTALK_URL). */
  url: string;
  /** The robot's signing secret (`SEC...`, CERTWATCH_DINGTALK_SECRET) when 加签 is on; null when it is not. */
  secret: string | null;
}

/**
 * DingTalk's signature for a timestamp (ms since the epoch, as sent in the URL): base64 of HMAC-SHA256 keyed with
 * the secret over `"<timestamp>\n<secret>"`. Not yet URL-encoded.
 */
export function signDingtalk(timestampMs: number | string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export function dingtalkPlatform(options: DingtalkOptions): WebhookPlatform {
  const base = parseWebhookUrl(
    options.url,
    'CERTWATCH_DINGTALK_URL',
    'https://oapi.dingtalk.com/robot/send?access_token=...',
  );
  const { secret } = options;

  return {
    name: 'dingtalk',
    title: 'DingTalk',
    hint:
      secret === null
        ? 'check CERTWATCH_DINGTALK_URL, and set CERTWATCH_DINGTALK_SECRET if the robot signs (加签)'
        : 'check CERTWATCH_DINGTALK_URL and CERTWATCH_DINGTALK_SECRET',
    host: base.host,
    minIntervalMs: DINGTALK_MIN_INTERVAL_MS,
    secrets: webhookSecrets(base, { signingSecret: secret }),
    messages: (digest) => dingtalkMessages(digest),
    request(message, nowMs) {
      const body = JSON.stringify(message as DingtalkMessage);
      if (nowMs === null) {
        const signature = secret === null ? [] : ['timestamp=<timestamp>', 'sign=<signature>'];
        return { url: previewUrl(base, signature), body };
      }
      const url = new URL(base);
      if (secret !== null) {
        const timestamp = String(Math.floor(nowMs));
        // URLSearchParams encodes the base64 `+ / =` as %2B %2F %3D, as DingTalk's own samples do.
        url.searchParams.set('timestamp', timestamp);
        url.searchParams.set('sign', signDingtalk(timestamp, secret));
      }
      return { url: url.toString(), body };
    },
    verdict: (reply) =>
      errcodeVerdict(reply, {
        title: 'DingTalk',
        retryableCodes: TOO_FAST_CODES,
        meanings: CODE_MEANINGS,
      }),
  };
}

/** The digest as DingTalk markdown messages, in order, each body within 20,000 bytes, at most 10. */
export function dingtalkMessages(digest: Digest): DingtalkMessage[] {
  const blocks = chatBlocks(digest.content, dingtalkDialect);
  // Sizes as serialized: JSON escaping is per character, so a block's share of the body is its own escaped size.
  const jsonBytes = (text: string) => utf8Bytes(JSON.stringify(text)) - 2;
  const blockBytes = sizeCounter(jsonBytes);
  // The body without blocks, with the longest header a part can have, so the real one always fits.
  const emptyBytes = utf8Bytes(
    JSON.stringify(message(digest.subject, [], DINGTALK_MAX_MESSAGES, DINGTALK_MAX_MESSAGES)),
  );
  const separatorBytes = jsonBytes(BLOCK_SEPARATOR);
  const fits = (chunk: readonly string[]) =>
    emptyBytes + blockBytes(chunk) + separatorBytes * chunk.length <= DINGTALK_MAX_BODY_BYTES;
  const entriesLeft = entriesLeftOut(digest.content, blocks.length);
  const chunks = packDigest(blocks, fits, DINGTALK_MAX_MESSAGES, (left) =>
    overflowNote(entriesLeft(left), DINGTALK_MAX_MESSAGES, 'DingTalk takes 20 a minute from a robot'),
  );
  return chunks.map((chunk, index) => message(digest.subject, chunk, index + 1, chunks.length));
}

function message(subject: string, blocks: readonly string[], part: number, parts: number): DingtalkMessage {
  if (parts === 1) {
    return { msgtype: 'markdown', markdown: { title: subject, text: blocks.join(BLOCK_SEPARATOR) } };
  }
  const marker = ` (part ${part} of ${parts})`;
  const title = `${fitSubject(subject, SUBJECT_MAX_LENGTH - marker.length)}${marker}`;
  const header = dingtalkDialect.bold(escapeDingtalk(title));
  return { msgtype: 'markdown', markdown: { title, text: [header, ...blocks].join(BLOCK_SEPARATOR) } };
}

/** The DingTalk channel: markdown messages to a custom robot, signed when it has a secret. */
export const dingtalk = channelModule({
  name: 'dingtalk',
  settings: [
    { key: 'CERTWATCH_DINGTALK_URL', description: "a DingTalk custom robot's webhook", secret: true },
    {
      key: 'CERTWATCH_DINGTALK_SECRET',
      description: "the DingTalk robot's signing secret (加签), if it has one",
      secret: true,
    },
  ],
  enabledBy: 'CERTWATCH_DINGTALK_URL (and CERTWATCH_DINGTALK_SECRET if the robot signs)',
  read: (get, problems): WebhookChannelConfig | null =>
    readWebhookSettings(get, problems, {
      title: 'DingTalk',
      urlKey: 'CERTWATCH_DINGTALK_URL',
      secretKey: 'CERTWATCH_DINGTALK_SECRET',
      shape: (url) => url.pathname === '/robot/send' && Boolean(url.searchParams.get('access_token')),
      example: 'https://oapi.dingtalk.com/robot/send?access_token=...',
    }),
  build: async (settings, deps) => new WebhookSink(dingtalkPlatform(settings), deps.webhookOptions),
});
