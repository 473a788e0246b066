/**
 * The WeCom (企业微信) group robot: the digest as markdown messages to a group's webhook. The key in the URL is
 * the only credential; WeCom does not sign. Pure.
 *
 * What WeCom documents (群机器人配置说明, https://developer.work.weixin.qq.com/document/path/91770), and what
 * certwatch does with it:
 * - Rate: "每个机器人发送的消息不能超过20条/分钟" (20 messages a minute per robot). certwatch sends one message
 *   every 3 s at most, and at most 10 per digest; what does not fit is counted in the last message, which points to
 *   the email/SNS digest and `certwatch audit`. Over the limit WeCom answers errcode 45009 "api freq out of
 *   limit" in an HTTP 200: retried.
 * - Size: markdown `content` of at most 4096 bytes of UTF-8 ("最长不超过4096个字节，必须是utf8编码"; over it,
 *   errcode 40058 "markdown.content exceed max length 4096").
 * - Markdown: a subset: headings, `**bold**`, links `[text](url)`, inline code, quotes, and
 *   `<font color="info|comment|warning">` (green, grey, orange-red); `<@userid>` mentions a member. Lines break on
 *   "\n".
 * - Errors come as HTTP 200 with a non-zero errcode inside (93000 "invalid webhook url" for a wrong key): a
 *   failure, never a delivery (errcodeAnswer.ts).
 */

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

/** Markdown content limit, bytes of UTF-8 (errcode 40058). */
export const WECOM_MAX_CONTENT_BYTES = 4096;
/** 20 messages a minute per robot. */
export const WECOM_MIN_INTERVAL_MS = 3_000;
/** Messages per digest: half of what one minute allows, so a second channel or run on the same robot still fits. */
export const WECOM_MAX_MESSAGES = 10;

/** "api freq out of limit": the robot is over 20 a minute; worth another attempt, later. */
const TOO_FAST_CODES: ReadonlySet<number> = new Set([45009]);

const CODE_MEANINGS: Readonly<Record<number, string>> = {
  93000: 'the key in the URL names no robot (removed from the group, or mistyped)',
  45009: 'the robot is throttled: more than 20 messages in a minute',
  40058: 'the message is larger than WeCom takes',
};

/** Inside `**`, so bold cannot form. */
const ZWSP = '\u200B';

/**
 * Makes provider text inert in WeCom markdown, which documents no escape (so a backslash would only show):
 * - Line breaks (and other control characters) become spaces, so provider text never starts a line: no heading
 *   (`# h`) or quote (`> q`) can come out of it; those only work there.
 * - A zero-width space inside every `**` (bold needs the two together), after every `]` (a link `[x](url)` needs
 *   `](`), `!` (no image `![i](...)`, should a client render one), `<` (no `<font ...>` tag and no `<@userid>`
 *   mention: both need `<` right before the name) and `&` (no entity), and inside `://` (no clickable bare URL).
 *   The space is invisible, so the name reads as written.
 * - Backticks stay: an inline code span shows its text literally, so it cannot hide anything.
 */
export function escapeWecom(text: string): string {
  return breakLinks(singleLine(text).replace(/\*(?=\*)/g, `*${ZWSP}`));
}

/** WeCom's three colours: warning is orange-red, comment grey. Unset: no colour. */
const TONE_COLORS: Partial<Record<DigestTone, 'info' | 'comment' | 'warning'>> = {
  expired: 'warning',
  critical: 'warning',
  warning: 'warning',
  failure: 'warning',
  cleanup: 'comment',
  silenced: 'comment',
};

export const wecomDialect: ChatDialect = {
  escape: escapeWecom,
  bold: (text) => `**${text}**`,
  heading: (text) => `### ${text}`,
  tone: (tone, label) => {
    const color = TONE_COLORS[tone];
    return color === undefined ? label : `<font color="${color}">${label}</font>`;
  },
  lineBreak: '\n',
};

const BLOCK_SEPARATOR = '\n\n';
/** The longest a block may be, in characters: at 4 bytes each at worst, it fits a message with its header. */
const MAX_BLOCK_CHARS = Math.floor((WECOM_MAX_CONTENT_BYTES - 256) / 4);

export interface WecomMessage {
  msgtype: 'markdown';
  markdown: { content: string };
}

export interface WecomOptions {
  /** The robot's webhook, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...` (CERTWATCH_WECOM_URL). */
  url: string;
}

export function wecomPlatform(options: WecomOptions): WebhookPlatform {
  const base = parseWebhookUrl(
    options.url,
    'CERTWATCH_WECOM_URL',
    'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...',
  );

  return {
    name: 'wecom',
    title: 'WeCom',
    hint: 'check CERTWATCH_WECOM_URL (the robot webhook, with its key)',
    host: base.host,
    minIntervalMs: WECOM_MIN_INTERVAL_MS,
    secrets: webhookSecrets(base),
    messages: (digest) => wecomMessages(digest),
    request(message, nowMs) {
      const body = JSON.stringify(message as WecomMessage);
      return { url: nowMs === null ? previewUrl(base) : base.toString(), body };
    },
    verdict: (reply) =>
      errcodeVerdict(reply, {
        title: 'WeCom',
        retryableCodes: TOO_FAST_CODES,
        meanings: CODE_MEANINGS,
      }),
  };
}

/** The digest as WeCom markdown messages, in order, each within 4096 bytes, at most 10. */
export function wecomMessages(digest: Digest): WecomMessage[] {
  const blocks = chatBlocks(digest.content, wecomDialect, MAX_BLOCK_CHARS);
  const blockBytes = sizeCounter(utf8Bytes);
  // The longest header a part can have, so the real one always fits.
  const headerBytes = utf8Bytes(header(digest.subject, WECOM_MAX_MESSAGES, WECOM_MAX_MESSAGES));
  const separatorBytes = utf8Bytes(BLOCK_SEPARATOR);
  const fits = (chunk: readonly string[]) =>
    headerBytes + blockBytes(chunk) + separatorBytes * chunk.length <= WECOM_MAX_CONTENT_BYTES;
  const entriesLeft = entriesLeftOut(digest.content, blocks.length);
  const chunks = packDigest(blocks, fits, WECOM_MAX_MESSAGES, (left) =>
    overflowNote(entriesLeft(left), WECOM_MAX_MESSAGES, 'WeCom takes 20 a minute from a robot'),
  );
  return chunks.map((chunk, index) => {
    const text = chunks.length === 1 ? chunk : [header(digest.subject, index + 1, chunks.length), ...chunk];
    return { msgtype: 'markdown', markdown: { content: text.join(BLOCK_SEPARATOR) } };
  });
}

/** A part's first line: the subject and which part this is. */
function header(subject: string, part: number, parts: number): string {
  const marker = ` (part ${part} of ${parts})`;
  return wecomDialect.bold(
    escapeWecom(`${fitSubject(subject, SUBJECT_MAX_LENGTH - marker.length)}${marker}`),
  );
}

/** The WeCom channel: markdown messages to a group robot. */
export const wecom = channelModule({
  name: 'wecom',
  settings: [
    { key: 'CERTWATCH_WECOM_URL', description: "a WeCom (企业微信) group robot's webhook", secret: true },
  ],
  enabledBy: 'CERTWATCH_WECOM_URL',
  read: (get, problems): WebhookChannelConfig | null =>
    readWebhookSettings(get, problems, {
      title: 'WeCom',
      urlKey: 'CERTWATCH_WECOM_URL',
      secretKey: null,
      shape: (url) => url.pathname === '/cgi-bin/webhook/send' && Boolean(url.searchParams.get('key')),
      example: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...',
    }),
  build: async (settings, deps) => new WebhookSink(wecomPlatform({ url: settings.url }), deps.webhookOptions),
});
