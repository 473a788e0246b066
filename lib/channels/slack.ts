/**
 * The digest to a Slack channel through an incoming webhook, as Block Kit messages.
 *
 * What Slack documents, and how it is used here:
 * - Incoming webhooks (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks): POST JSON to
 *   `https://hooks.slack.com/services/T.../B.../<token>`; the whole path is the secret. A message has `text` (the
 *   notification and fallback text) and `blocks`. Success is HTTP 200 with the body `ok`.
 * - Errors (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks): the body is a
 *   bare string; HTTP 400 invalid_payload / user_not_found, 403 action_prohibited, 404 channel_not_found, 410
 *   channel_is_archived, 500 rollup_error. A removed or mistyped webhook answers 404 no_service, a bad token 403
 *   invalid_token (seen in the field, e.g. gueils/whales#38). A 4xx will not change by retrying; 429 and 5xx
 *   are retried.
 * - Rate limits (https://docs.slack.dev/apis/web-api/rate-limits): incoming webhooks 1 per second, short bursts
 *   allowed; over it, HTTP 429 with a Retry-After header in seconds. Messages go 1 s apart.
 * - Block Kit (https://docs.slack.dev/reference/block-kit/blocks): at most 50 blocks in a message; a section's
 *   text at most 3000 characters; a header's plain_text at most 150. Text objects
 *   (https://docs.slack.dev/reference/block-kit/composition-objects/text-object): `verbatim: true` stops Slack
 *   turning plain text into links, channel links and mentions.
 * - Whole message: no documented limit for section blocks, but Slack refuses messages whose blocks carry more
 *   than about 13,000 characters with msg_blocks_too_long (slackapi/bolt-js#2509; the markdown block documents a
 *   12,000-character total). Each message keeps its header and sections within 12,000 characters: a few more
 *   parts, never a refused one.
 * - Escaping (https://docs.slack.dev/messaging/formatting-message-text#escaping): `&`, `<` and `>` are control
 *   characters and must be sent as `&amp;`, `&lt;`, `&gt;`; only those three are decoded (see SLACK_DIALECT).
 *
 * At most SLACK_MAX_MESSAGES messages per digest: past that a channel is flooded, and the email and SNS digests
 * carry everything; the last message says how many entries were left out.
 */

import { type Digest, fitSubject } from '../alerts/digest';
import { type ChatDialect, chatBlocks, entriesLeftOut, overflowNote } from './chatText';
import { channelModule } from './module';
import {
  packDigest,
  parseWebhookUrl,
  pathTokenPreviewUrl,
  retryAfterMs,
  type WebhookPlatform,
  type WebhookReply,
  type WebhookRequest,
  WebhookSink,
  type WebhookVerdict,
  webhookSecrets,
} from './webhook';
import { readWebhookSettings, type WebhookChannelConfig } from './webhookSettings';

export const SLACK_MAX_BLOCKS = 50;
/** Characters of a section's text. Measured in UTF-16 units, which never undercounts Slack's characters. */
export const SLACK_MAX_SECTION_CHARS = 3000;
export const SLACK_MAX_HEADER_CHARS = 150;
/** Characters of all of a message's block texts together (see the header comment). */
export const SLACK_MAX_MESSAGE_CHARS = 12_000;
export const SLACK_MIN_INTERVAL_MS = 1000;
/** Most messages one digest becomes. */
export const SLACK_MAX_MESSAGES = 10;
/**
 * chatBlocks cuts a block at this many code points; even if every one were outside the BMP (two UTF-16 units),
 * a block still fits one section.
 */
const MAX_BLOCK_CODE_POINTS = SLACK_MAX_SECTION_CHARS / 2;

/** What an error body means for the person reading the error. */
const ERROR_ADVICE: Readonly<Record<string, string>> = {
  no_service: 'the webhook was removed or disabled, or the URL is wrong',
  no_active_hooks: 'the webhook was removed or disabled',
  no_team: 'the workspace of this webhook no longer exists',
  team_disabled: 'the workspace of this webhook is disabled',
  invalid_token: 'the token in the URL is not valid',
  channel_not_found: "the webhook's channel no longer exists: make a new webhook",
  channel_is_archived: "the webhook's channel is archived: unarchive it or make a new webhook",
  action_prohibited: 'a workspace admin restricts posting there',
  posting_to_general_channel_denied: 'a workspace admin restricts posting to #general',
  invalid_payload: 'Slack could not read the message (a certwatch bug: please report it)',
  invalid_blocks: 'Slack could not read the message (a certwatch bug: please report it)',
  too_many_attachments: 'Slack could not read the message (a certwatch bug: please report it)',
};

export interface SlackOptions {
  /** The incoming webhook URL: `https://hooks.slack.com/services/T.../B.../...`. */
  url: string;
}

export interface SlackTextObject {
  type: 'mrkdwn';
  text: string;
  verbatim: true;
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: true } }
  | { type: 'section'; text: SlackTextObject };

/** One message, as `messages` gives it and `request` sends it. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/**
 * Slack mrkdwn. Provider text: `&`, `<`, `>` become entities, so `<!channel>`, `<@U123>` and `<http://e|x>` show
 * as text instead of paging the channel or linking; with `verbatim` set, a bare `@here`, `#general` or URL is
 * not parsed either. Slack has no escape for `*`, `_`, `~` or backquotes: a name holding them may look bold or
 * italic, which changes how it looks, never what it does. Line breaks become spaces (an entry stays one block).
 */
export const SLACK_DIALECT: ChatDialect = {
  escape: (text) => escapeMrkdwn(text.replace(/\r\n|[\r\n]/g, ' ')),
  bold: (text) => `*${text}*`,
  heading: (text) => `*${text}*`,
  // Slack text has no colour: the label's emoji carries the tone.
  tone: (_tone, label) => label,
  lineBreak: '\n',
};

/** A Slack incoming webhook as a webhook platform (webhook.ts). */
export function slackPlatform(options: SlackOptions): WebhookPlatform {
  const url = parseWebhookUrl(options.url, 'CERTWATCH_SLACK_URL', 'https://hooks.slack.com/services/...');
  const previewUrl = pathTokenPreviewUrl(url, '/services/');
  return {
    name: 'slack',
    title: 'Slack',
    hint: 'check CERTWATCH_SLACK_URL',
    host: url.host,
    minIntervalMs: SLACK_MIN_INTERVAL_MS,
    secrets: webhookSecrets(url, { tokenAfter: '/services/' }),
    messages: (digest) => slackMessages(digest),
    request: (message, nowMs) =>
      ({
        url: nowMs === null ? previewUrl : url.href,
        body: JSON.stringify(message),
      }) satisfies WebhookRequest,
    verdict: (reply) => slackVerdict(reply),
  };
}

/** The messages that tell this digest, in order, each within Block Kit's limits; at most SLACK_MAX_MESSAGES. */
export function slackMessages(digest: Digest): SlackMessage[] {
  const blocks = chatBlocks(digest.content, SLACK_DIALECT, MAX_BLOCK_CODE_POINTS);
  // One block of the message is the header (at most 150 characters); the rest are sections.
  const fits = (chunk: readonly string[]) => {
    const texts = sections(chunk);
    const chars = texts.reduce((sum, text) => sum + text.length, SLACK_MAX_HEADER_CHARS);
    return texts.length <= SLACK_MAX_BLOCKS - 1 && chars <= SLACK_MAX_MESSAGE_CHARS;
  };
  const entriesLeft = entriesLeftOut(digest.content, blocks.length);
  const chunks = packDigest(blocks, fits, SLACK_MAX_MESSAGES, (left) =>
    SLACK_DIALECT.bold(
      SLACK_DIALECT.escape(
        overflowNote(entriesLeft(left), SLACK_MAX_MESSAGES, 'more would flood the channel'),
      ),
    ),
  );
  return chunks.map((chunk, index) => {
    const title =
      chunks.length === 1 ? digest.subject : `${digest.subject} (part ${index + 1} of ${chunks.length})`;
    return {
      text: escapeMrkdwn(title),
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: fitSubject(title, SLACK_MAX_HEADER_CHARS), emoji: true },
        },
        ...sections(chunk).map(
          (text): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }),
        ),
      ],
    };
  });
}

/**
 * Consecutive chat blocks joined into section texts of at most SLACK_MAX_SECTION_CHARS: one-line list entries
 * (`• ...`, chatText.ts) stay on consecutive lines, anything else is set apart by a blank line.
 */
export function sections(blocks: readonly string[]): string[] {
  const texts: string[] = [];
  let current: string | null = null;
  let previous = '';
  for (const block of blocks) {
    const separator = block.startsWith('• ') && previous.startsWith('• ') ? '\n' : '\n\n';
    if (current !== null && current.length + separator.length + block.length <= SLACK_MAX_SECTION_CHARS) {
      current += separator + block;
    } else {
      if (current !== null) texts.push(current);
      current = block;
    }
    previous = block;
  }
  if (current !== null) texts.push(current);
  return texts;
}

/**
 * What Slack's answer means: 200 `ok` is taken; 429 and 5xx are worth another attempt (after Retry-After when
 * given); any other answer is a refusal that retrying will not change.
 */
export function slackVerdict(reply: WebhookReply): WebhookVerdict {
  const body = reply.body.trim();
  if (reply.status === 200 && body === 'ok') return { ok: true };
  const said = describeBody(body);
  if (reply.status === 429 || reply.status >= 500) {
    return {
      ok: false,
      retryable: true,
      reason: `HTTP ${reply.status}, ${said}`,
      retryAfterMs: retryAfterMs(reply.header('retry-after'), reply.nowMs),
    };
  }
  return { ok: false, retryable: false, reason: `HTTP ${reply.status}, ${said}` };
}

/** Slack's three control characters as the entities Slack decodes; nothing else is touched. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function describeBody(body: string): string {
  if (body === '') return 'an empty answer';
  const shown = Array.from(body.replace(/\s+/g, ' '));
  const quoted = `"${shown.length <= 120 ? shown.join('') : `${shown.slice(0, 120).join('')}...`}"`;
  const advice = ERROR_ADVICE[body];
  return advice === undefined ? quoted : `${quoted} (${advice})`;
}

/** The Slack channel: Block Kit messages to an incoming webhook. */
export const slack = channelModule({
  name: 'slack',
  settings: [{ key: 'CERTWATCH_SLACK_URL', description: 'a Slack incoming webhook', secret: true }],
  enabledBy: 'CERTWATCH_SLACK_URL',
  read: (get, problems): WebhookChannelConfig | null =>
    readWebhookSettings(get, problems, {
      title: 'Slack',
      urlKey: 'CERTWATCH_SLACK_URL',
      secretKey: null,
      shape: (url) => /^\/services\/[^/]+\/[^/]+\/[^/]+$/.test(url.pathname),
      example: 'https://hooks.slack.com/services/T.../B.../...',
    }),
  build: async (settings, deps) => new WebhookSink(slackPlatform({ url: settings.url }), deps.webhookOptions),
});
