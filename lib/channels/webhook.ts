/**
 * What every chat webhook channel shares (DingTalk, Feishu/Lark, WeCom, Slack): a platform says how a digest
 * becomes its messages, how one is signed and sent, and how to read its answer; the sink here sends the messages
 * in order, one webhook's rate limit apart, retrying what the platform says is worth retrying (429, 5xx, a
 * "too fast" code in an HTTP 200). A webhook's URL carries its token, so no URL, token or signature ever reaches
 * an error, a log or a preview: errors name the platform and the host only, an answer is read with the platform's
 * secrets withheld before anything quotes it (whatever a platform or a proxy echoes), and the helpers here that
 * read a webhook URL (parseWebhookUrl) or show one (previewUrl, pathTokenPreviewUrl) never let its secret through.
 * What a platform's answer body means is the platform's (errcodeAnswer.ts for the {errcode, errmsg} kind).
 */

import type { Digest } from '../alerts/digest';
import type { AlertSink, OutgoingAlert, PreviewedRequest } from '../alerts/sink';
import { AlertDeliveryError, ConfigError } from '../errors';
import { sleep as realSleep } from '../http/abort';
import { httpFetch } from '../http/httpFetch';
import { type RetryPolicy, retrying } from '../http/retry';
import { type Exchange, exchange, ReplyTooLarge, TransportFailure } from '../http/transport';
import { inertText } from '../inert';

/** One HTTP request to the webhook: always a POST of JSON. */
export interface WebhookRequest {
  url: string;
  body: string;
}

/** The platform's answer, as much as a verdict needs. */
export interface WebhookReply {
  status: number;
  /** The answer's text, every one of the platform's `secrets` in it already replaced by `<secret>`. */
  body: string;
  /** The sink's clock (ms since the epoch) when the answer came: what a Retry-After date is measured from. */
  nowMs: number;
  /** A response header (name in any case), null when absent: `retry-after`, or a platform's own. */
  header(name: string): string | null;
}

export type WebhookVerdict =
  | { ok: true }
  | {
      ok: false;
      /** Worth another attempt (throttled, a 5xx): the platform may take the same message later. */
      retryable: boolean;
      /** What went wrong, for the run's error: the platform's code and message; never the URL. */
      reason: string;
      /** How long the platform asked to wait, when it said. */
      retryAfterMs?: number;
    };

export interface WebhookPlatform {
  /** The channel's name for `--channel`, logs and its alert history: `dingtalk`. */
  readonly name: string;
  /** How people call it in messages: `DingTalk`. */
  readonly title: string;
  /** What to check when it refuses: `check CERTWATCH_DINGTALK_URL and CERTWATCH_DINGTALK_SECRET`. */
  readonly hint: string;
  /** The webhook's host, for errors (`oapi.dingtalk.com`): the URL itself is a secret. */
  readonly host: string;
  /** Least time between two messages to one webhook, from the platform's documented rate limit. */
  readonly minIntervalMs: number;
  /**
   * What an answer must never show: the webhook's token and the signing secret (webhookSecrets). The sink
   * withholds them from every answer before the verdict reads it, so no reason can quote them.
   */
  readonly secrets: readonly string[];
  /**
   * The messages that tell this digest, in order, each within the platform's size limit (and as many as its rate
   * limit allows in one go; what does not fit is counted in the last one). Pure.
   */
  messages(digest: Digest): readonly unknown[];
  /**
   * The request for one message, signed for `nowMs` (ms since the epoch) where the platform signs. With
   * `nowMs` null, for a preview: every secret (token, timestamp, signature) replaced by a `<...>` placeholder.
   */
  request(message: unknown, nowMs: number | null): WebhookRequest;
  /** Whether the platform took the message; some answer HTTP 200 with an error code inside. */
  verdict(reply: WebhookReply): WebhookVerdict;
}

export interface WebhookSinkOptions {
  /** Default: node:http(s) with keep-alive (lib/http/httpFetch.ts). */
  fetch?: typeof globalThis.fetch;
  /** Wall clock (ms since the epoch) for signatures, pacing and the replies' `nowMs`; default Date.now. */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Per message, the first included; default 4. */
  maxAttempts?: number;
}

/**
 * Most of a webhook's answer certwatch reads: 64 KiB. The platforms answer a message in a few dozen bytes (Slack
 * `ok`, DingTalk and WeCom `{"errcode":0,"errmsg":"ok"}`, Feishu `{"code":0,"data":{},"msg":"success"}`) and a
 * gateway's error page in a few KB; an answer past this is not the platform's, and reading on would only cost
 * memory every other channel of the run shares.
 */
export const WEBHOOK_ANSWER_MAX_BYTES = 64 * 1024;
/** Longest wait certwatch accepts from a Retry-After or a backoff before it gives the message up. */
export const MAX_RETRY_WAIT_MS = 60_000;
const FIRST_BACKOFF_MS = 1_000;
/** Most of a reply's body quoted in an error. */
const MAX_REASON_CHARS = 300;

export class WebhookSink implements AlertSink {
  readonly name: string;
  readonly historyScope: string;
  readonly platform: WebhookPlatform;
  readonly #fetch: typeof globalThis.fetch;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #timeoutMs: number;
  /** Backoff 1 s, 2 s, 4 s... without jitter (one sender per webhook); a wait past a minute gives the message up. */
  readonly #retryPolicy: RetryPolicy;
  readonly #withhold: (text: string) => string;
  /** When this webhook was last sent to (clock ms): the pacing carries over a warm container's invocations. */
  #lastSentMs = Number.NEGATIVE_INFINITY;

  constructor(platform: WebhookPlatform, options: WebhookSinkOptions = {}) {
    this.platform = platform;
    this.name = platform.name;
    this.historyScope = platform.name;
    this.#fetch = options.fetch ?? httpFetch;
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retryPolicy = {
      attempts: Math.max(1, options.maxAttempts ?? 4),
      baseDelayMs: FIRST_BACKOFF_MS,
      maxDelayMs: MAX_RETRY_WAIT_MS,
      jitter: 'none',
      overLong: 'give-up',
    };
    this.#withhold = withholding(platform.secrets);
  }

  /**
   * Sends the digest's messages in order, each after the one before was taken. A message the platform refuses
   * (after the retries it is worth) stops the digest: the error says which part, and that the earlier ones
   * arrived.
   */
  async publishDigest(digest: Digest): Promise<void> {
    const messages = this.platform.messages(digest);
    for (const [index, message] of messages.entries()) {
      const failure = await this.#deliver(message);
      if (failure === null) continue;
      const which =
        messages.length === 1
          ? 'the digest'
          : `part ${index + 1} of ${messages.length} of the digest` +
            (index > 0 ? ` (parts 1-${index} were delivered)` : '');
      throw new AlertDeliveryError(
        `${this.platform.title} webhook (${this.platform.host}) did not take ${which}: ${failure}; ` +
          this.platform.hint,
      );
    }
  }

  preview(digest: Digest | null, _alerts: readonly OutgoingAlert[]): PreviewedRequest[] {
    if (!digest) return [];
    return this.platform.messages(digest).map((message) => {
      const request = this.platform.request(message, null);
      return { to: `POST ${request.url}`, body: request.body };
    });
  }

  /** Null once the platform took the message; otherwise why it did not, after every attempt worth making. */
  async #deliver(message: unknown): Promise<string | null> {
    const verdict = await retrying(
      async () => {
        await this.#pace();
        return this.#attempt(message);
      },
      {
        policy: this.#retryPolicy,
        classify: (outcome) =>
          outcome.ok && !outcome.value.ok && outcome.value.retryable
            ? { retry: true, retryAfterMs: outcome.value.retryAfterMs }
            : { retry: false },
        giveUp: (outcome, why) => {
          const { reason } = outcome.ok && !outcome.value.ok ? outcome.value : { reason: 'not attempted' };
          return {
            ok: false,
            retryable: false,
            reason:
              why.reason === 'attempts'
                ? `${reason} (after ${why.attempts} attempts)`
                : `${reason} (it asked for a wait of ${Math.ceil((why.waitMs ?? 0) / 1000)} s, longer than certwatch waits)`,
          };
        },
        sleep: this.#sleep,
        clock: this.#clock,
      },
    );
    return verdict.ok ? null : verdict.reason;
  }

  async #pace(): Promise<void> {
    const waitMs = this.#lastSentMs + this.platform.minIntervalMs - this.#clock();
    if (waitMs > 0) await this.#sleep(waitMs);
  }

  async #attempt(message: unknown): Promise<WebhookVerdict> {
    const now = this.#clock();
    const request = this.platform.request(message, now);
    this.#lastSentMs = now;
    let reply: Exchange;
    try {
      reply = await exchange(
        this.#fetch,
        request.url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: request.body,
        },
        { timeoutMs: this.#timeoutMs, maxBodyBytes: WEBHOOK_ANSWER_MAX_BYTES },
      );
    } catch (error) {
      if (error instanceof ReplyTooLarge) {
        // Not retried: the message may have arrived (a second attempt could post it twice), and whatever answers
        // this way will answer so again.
        return {
          ok: false,
          retryable: false,
          reason:
            `its answer (HTTP ${error.status}) ${error.sizeText("certwatch reads of a webhook's answer")}: ` +
            `${this.platform.title} answers in a few bytes, so something else may be answering at that URL ` +
            '(whether it took the message is unknown)',
        };
      }
      // Not answered (refused, reset, timed out): the platform may not have it, so another attempt is worth it;
      // a chat message twice beats none.
      return { ok: false, retryable: true, reason: describeNetworkError(error) };
    }
    const { response, text } = reply;
    const verdict = this.platform.verdict({
      status: response.status,
      body: this.#withhold(text),
      nowMs: this.#clock(),
      header: (name) => response.headers.get(name),
    });
    // The reason quotes the answer: its secrets withheld, and what a terminal would obey shown, never obeyed.
    return verdict.ok ? verdict : { ...verdict, reason: clip(inertText(this.#withhold(verdict.reason))) };
  }
}

/** The time a Retry-After header asks for (lib/http's one parser), for the platforms' verdicts. */
export { retryAfterMs } from '../http/retry';

/**
 * Groups `items` into consecutive chunks, in order, each as large as `fits` allows. An item that does not fit
 * even alone is a RangeError: the platform must cut its blocks small enough first.
 */
export function packInOrder<T>(items: readonly T[], fits: (chunk: readonly T[]) => boolean): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  for (const item of items) {
    const grown = [...current, item];
    if (fits(grown)) {
      current = grown;
      continue;
    }
    if (current.length === 0 || !fits([item])) {
      throw new RangeError('a block of the digest is larger than one message may be');
    }
    chunks.push(current);
    current = [item];
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Blocks packed into at most `maxMessages` messages, in order (packInOrder). When they do not all fit, the last
 * message ends with the block `overflow(left)`, `left` being how many blocks (the last ones) were left out, in
 * place of as many of its own as that takes: a chat gets the most urgent part (the digest puts it first) and is
 * told there is more. chatText.ts `overflowNote` says it to people, counting entries rather than blocks.
 */
export function packDigest(
  blocks: readonly string[],
  fits: (chunk: readonly string[]) => boolean,
  maxMessages: number,
  overflow: (left: number) => string,
): string[][] {
  const chunks = packInOrder(blocks, fits);
  if (chunks.length <= maxMessages) return chunks;
  const kept = chunks.slice(0, Math.max(1, maxMessages));
  const last = kept[kept.length - 1]!;
  let shown = kept.reduce((sum, chunk) => sum + chunk.length, 0);
  while (last.length > 0 && !fits([...last, overflow(blocks.length - shown)])) {
    last.pop();
    shown -= 1;
  }
  last.push(overflow(blocks.length - shown));
  return kept;
}

/** UTF-8 bytes: what the platforms' size limits count. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Sums the sizes of blocks, each measured once: packing asks about the same blocks again and again. */
export function sizeCounter(size: (block: string) => number): (blocks: readonly string[]) => number {
  const cache = new Map<string, number>();
  return (blocks) => {
    let total = 0;
    for (const block of blocks) {
      let bytes = cache.get(block);
      if (bytes === undefined) {
        bytes = size(block);
        cache.set(block, bytes);
      }
      total += bytes;
    }
    return total;
  };
}

/**
 * The webhook URL in setting `key`, or a ConfigError naming the key and never the value (it holds the token).
 * `example` shows what the platform's webhook looks like: `https://hooks.slack.com/services/...`.
 */
export function parseWebhookUrl(value: string, key: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError([
      `${key} is not a URL: give the webhook, ${example} (its value is not shown: it holds the token)`,
    ]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError([`${key} must be an https:// URL: the webhook, ${example}`]);
  }
  return url;
}

/**
 * A webhook URL whose token is in the query (DingTalk, WeCom) as a preview shows it: every query value (the
 * token, whatever else the URL carries) as `<secret>`, and `extra` placeholders after them.
 */
export function previewUrl(base: URL, extra: readonly string[] = []): string {
  const query = [...base.searchParams.keys()].map((key) => `${key}=<secret>`).concat(extra);
  return `${base.origin}${base.pathname}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/**
 * A webhook URL whose token is its path (Feishu after `/hook/`, Slack after `/services/`) as a preview shows it:
 * the path after the last `tokenAfter` (all of it when there is none) and any query replaced by `<secret>`.
 */
export function pathTokenPreviewUrl(url: URL, tokenAfter: string): string {
  const at = url.pathname.lastIndexOf(tokenAfter);
  const path = at === -1 ? '/<secret>' : `${url.pathname.slice(0, at + tokenAfter.length)}<secret>`;
  return `${url.protocol}//${url.host}${path}${url.search === '' ? '' : '?<secret>'}`;
}

/**
 * The values of a webhook an answer could echo and must not: every query value (DingTalk's access_token, WeCom's
 * key), the path after the last `tokenAfter` and each segment of it (Feishu after `/hook/`, Slack after
 * `/services/`), and the signing secret. For WebhookPlatform.secrets.
 */
export function webhookSecrets(
  url: URL,
  options: { tokenAfter?: string; signingSecret?: string | null } = {},
): string[] {
  const secrets = [...url.searchParams.values()];
  if (options.tokenAfter !== undefined) {
    const at = url.pathname.lastIndexOf(options.tokenAfter);
    const path = at === -1 ? url.pathname : url.pathname.slice(at + options.tokenAfter.length);
    secrets.push(path, ...path.split('/'));
  }
  if (options.signingSecret) secrets.push(options.signingSecret);
  return secrets.flatMap((secret) => [secret, decoded(secret)]);
}

/** Shorter values would match everywhere and hide nothing (a Slack path's `T`, a query flag). */
const MIN_SECRET_CHARS = 4;

/**
 * Replaces every one of `secrets` in a text, as it is and percent-encoded (as a URL an answer quotes carries it),
 * by `<secret>`; the longest first, so a secret inside another one is never left half shown.
 */
export function withholding(secrets: readonly string[]): (text: string) => string {
  const forms = [
    ...new Set(
      secrets
        .filter((secret) => secret.length >= MIN_SECRET_CHARS)
        .flatMap((secret) => [secret, encodeURIComponent(secret)]),
    ),
  ].sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((shown, form) => shown.split(form).join('<secret>'), text);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function clip(text: string): string {
  const chars = Array.from(text);
  return chars.length <= MAX_REASON_CHARS ? text : `${chars.slice(0, MAX_REASON_CHARS).join('')}...`;
}

function describeNetworkError(error: unknown): string {
  if (error instanceof TransportFailure && error.kind === 'timeout')
    return 'no answer within the request timeout';
  // Messages of network errors name the address, never the path or query that hold the token; a system error
  // code (ECONNREFUSED...) is enough and certainly safe, anything else is named by its kind only.
  const code = error instanceof TransportFailure ? error.code : null;
  if (code !== null && /^[A-Z][A-Z0-9_]+$/.test(code)) return `no answer (${code})`;
  const cause = error instanceof TransportFailure ? error.cause : error;
  return `no answer (${cause instanceof Error ? cause.name : 'error'})`;
}
