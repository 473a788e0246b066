/**
 * A Slack incoming webhook on 127.0.0.1, for tests: it checks each request the way Slack documents it and
 * answers with Slack's own bodies, so a sink that passes here sends what Slack takes.
 *
 * Sources (see lib/channels/slack.ts for the same list):
 * - Incoming webhooks, https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks: POST JSON to
 *   /services/T.../B.../<token>; success is HTTP 200 with the body `ok`.
 * - Error bodies, https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks: 400
 *   invalid_payload, 403 action_prohibited, 404 channel_not_found, 410 channel_is_archived, 500 rollup_error;
 *   a removed webhook 404 no_service and a bad token 403 invalid_token, as Slack answers them.
 * - Block Kit, https://docs.slack.dev/reference/block-kit/blocks: at most 50 blocks; header plain_text at most
 *   150 characters; a section's text 1 to 3000 characters. A malformed block list answers 400 invalid_blocks.
 * - Rate limits, https://docs.slack.dev/apis/web-api/rate-limits: HTTP 429 with Retry-After in seconds; the JSON
 *   body with the counts is as Slack described it to a throttled integration (maknz/slack#36).
 */
import {
  type ReceivedRequest,
  type ReceiverReply,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../webhookReceiver';

export const SLACK_PATH = '/services/T0CERTW8/B0CERTW9/k8Yd2mQw4PzV7nLx3cRs6TbH';
const PATH_SHAPE = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;
const BLOCK_TYPES = new Set(['header', 'section', 'divider', 'context']);

/** A canned answer for the next request, before any check; `checked`: that request is checked and answered as usual. */
export type SlackScripted =
  | { kind: 'checked' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'server-error' }
  | { kind: 'no-service' }
  | { kind: 'invalid-token' }
  | { kind: 'channel-archived' }
  | { kind: 'invalid-payload' }
  /** A proxy's or router's error page that quotes the request line, path and token with it. */
  | { kind: 'echoes-path' };

export interface SlackReceiverOptions {
  /** The webhook's path, `/services/T.../B.../<token>`. */
  path?: string;
}

export interface SlackMessageBody {
  text?: string;
  blocks: { type: string; text?: { type: string; text: string; verbatim?: boolean } }[];
}

export interface SlackReceiver {
  readonly url: string;
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** The messages taken (answered `ok`), in order. */
  readonly accepted: SlackMessageBody[];
  /** Every documented rule a request broke, for a test to expect none. */
  readonly problems: string[];
  script(...answers: SlackScripted[]): void;
  close(): Promise<void>;
}

export async function startSlackReceiver(options: SlackReceiverOptions = {}): Promise<SlackReceiver> {
  const path = options.path ?? SLACK_PATH;
  const accepted: SlackMessageBody[] = [];
  const problems: string[] = [];
  const scripted: SlackScripted[] = [];

  const handle = (request: ReceivedRequest, index: number): ReceiverReply => {
    const next = scripted.shift();
    if (next !== undefined && next.kind !== 'checked') return cannedAnswer(next, request);
    const refuse = (problem: string, status: number, body: string): ReceiverReply => {
      problems.push(`request ${index + 1}: ${problem}`);
      return text(status, body);
    };
    if (request.method !== 'POST')
      return refuse(`method ${request.method}, not POST`, 400, 'invalid_payload');
    if (request.path !== path) {
      return PATH_SHAPE.test(request.path)
        ? refuse('not this webhook token', 403, 'invalid_token')
        : refuse('not a webhook path', 404, 'no_service');
    }
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return refuse('content-type is not application/json', 400, 'invalid_payload');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return refuse('body is not JSON', 400, 'invalid_payload');
    }
    if (typeof body !== 'object' || body === null)
      return refuse('body is not an object', 400, 'invalid_payload');
    const blocksProblem = checkBlocks(body.blocks);
    if (blocksProblem !== null) return refuse(blocksProblem, 400, 'invalid_blocks');
    if (body.text !== undefined && typeof body.text !== 'string')
      return refuse('text is not a string', 400, 'invalid_payload');
    if (body.text === undefined && body.blocks === undefined)
      return refuse('neither text nor blocks', 400, 'invalid_payload');
    accepted.push(body as unknown as SlackMessageBody);
    return text(200, 'ok');
  };

  const receiver: WebhookReceiver = await startWebhookReceiver(handle);
  return {
    url: `${receiver.origin}${path}`,
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

/** Null when `blocks` is absent or within Block Kit's rules for a message; otherwise what is wrong. */
function checkBlocks(blocks: unknown): string | null {
  if (blocks === undefined) return null;
  if (!Array.isArray(blocks)) return 'blocks is not an array';
  if (blocks.length > 50) return `${blocks.length} blocks, over 50`;
  for (const [index, block] of (blocks as Record<string, unknown>[]).entries()) {
    const where = `block ${index + 1}`;
    if (typeof block !== 'object' || block === null || !BLOCK_TYPES.has(String(block.type))) {
      return `${where}: type ${String(block?.type)} is not one this receiver knows`;
    }
    const textObject = block.text as { type?: unknown; text?: unknown } | undefined;
    if (block.type === 'header') {
      if (textObject?.type !== 'plain_text' || typeof textObject.text !== 'string') {
        return `${where}: a header's text must be plain_text`;
      }
      if (textObject.text.length > 150)
        return `${where}: header of ${textObject.text.length} characters, over 150`;
    }
    if (block.type === 'section') {
      if (
        (textObject?.type !== 'mrkdwn' && textObject?.type !== 'plain_text') ||
        typeof textObject.text !== 'string'
      ) {
        return `${where}: a section's text must be a text object`;
      }
      if (textObject.text.length < 1 || textObject.text.length > 3000) {
        return `${where}: section text of ${textObject.text.length} characters, not 1 to 3000`;
      }
    }
  }
  return null;
}

function cannedAnswer(
  answer: Exclude<SlackScripted, { kind: 'checked' }>,
  request: ReceivedRequest,
): ReceiverReply {
  switch (answer.kind) {
    case 'rate-limited':
      return {
        status: 429,
        body: JSON.stringify({ ok: false, count_hour_ago: 400, count_minute_ago: 100, count_second_ago: 5 }),
        headers: { 'content-type': 'application/json', 'retry-after': String(answer.retryAfterSeconds) },
      };
    case 'server-error':
      return text(500, 'rollup_error');
    case 'no-service':
      return text(404, 'no_service');
    case 'invalid-token':
      return text(403, 'invalid_token');
    case 'channel-archived':
      return text(410, 'channel_is_archived');
    case 'invalid-payload':
      return text(400, 'invalid_payload');
    case 'echoes-path':
      return text(404, `<pre>Cannot ${request.method} ${request.path}</pre>`);
  }
}

function text(status: number, body: string): ReceiverReply {
  return { status, body, headers: { 'content-type': 'text/html' } };
}
