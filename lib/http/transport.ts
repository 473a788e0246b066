/**
 * One HTTP exchange, shared by every provider client and the chat webhooks: a per-request timeout joined with the
 * scan's abort signal, the body read up to a size limit, and failures sorted into what a person can act on.
 */
import { CertwatchError, ProviderError } from '../errors';
import { abortError } from './retry';

export interface Exchange {
  response: Response;
  text: string;
}

export interface ExchangeOptions {
  timeoutMs: number;
  /**
   * Most bytes of body read. A reply that declares more (Content-Length) is refused before its body is read, one
   * that sends more is cut off there; either way the connection is closed and the exchange fails with
   * ReplyTooLarge. What lives in memory per reply is bounded by this, whatever the other end sends.
   */
  maxBodyBytes: number;
  /** The scan's signal: aborting it ends the exchange with the scan's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Most of one provider reply certwatch reads: 16 MiB, 17 times the largest page of the emulator's fleets (an SLB
 * region of 2,000 certificates: DescribeServerCertificates does not page), and small enough that one reply this
 * size, read and parsed, fits a 256 MB function. README "Replies are read up to a limit" has the figures.
 */
export const PROVIDER_REPLY_MAX_BYTES = 16 * 1024 * 1024;

/** A request that got no complete reply. `code` is the system error (ECONNREFUSED...) when there is one. */
export class TransportFailure extends CertwatchError {
  constructor(
    readonly kind: 'timeout' | 'network' | 'too-large',
    readonly code: string,
    options: { cause?: unknown; message?: string },
  ) {
    super(
      options.message ?? (kind === 'timeout' ? 'no complete reply in time' : `network error ${code}`),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'TransportFailure';
  }

  /** Whether the request certainly never reached the server (so even a write may be retried). */
  get notSent(): boolean {
    return this.kind === 'network' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(this.code);
  }

  /**
   * The failure as a provider error, retryable: `label` names the call, `target` what could not be reached and
   * `setting` the configuration key a person should check. The code is `timeout`, `network`, or
   * `not-sent:ECONNREFUSED` (and the like) when the request certainly never left.
   */
  toProviderError(call: ProviderCall): ProviderError {
    const detail =
      this.kind === 'timeout'
        ? `no complete reply within ${call.timeoutMs} ms`
        : `could not reach ${call.target} (${this.code})`;
    return new ProviderError(
      `${call.label}: ${detail} — check ${call.setting} and the network`,
      { provider: call.provider, code: this.notSent ? `not-sent:${this.code}` : this.kind, retryable: true },
      { cause: this },
    );
  }
}

/** What a provider error about one call names. */
export interface ProviderCall {
  provider: string;
  /** The call, as errors name it: `UCloud DescribeSSLV2 in cn-bj2 (project org-x)`. */
  label: string;
  /** What was called, as a person may check it: the endpoint. */
  target: string;
  /** The configuration key of the endpoint: `UCLOUD_API_URL`. */
  setting: string;
  timeoutMs: number;
}

/**
 * A reply larger than the exchange reads (ExchangeOptions.maxBodyBytes). Its body was not kept: refused on its
 * Content-Length (`declaredBytes`), or cut off once more than the limit had arrived (`declaredBytes` null).
 */
export class ReplyTooLarge extends TransportFailure {
  readonly status: number;
  readonly limitBytes: number;
  readonly declaredBytes: number | null;

  constructor(details: { status: number; limitBytes: number; declaredBytes: number | null }) {
    super('too-large', 'too-large', {
      message: `an HTTP ${details.status} reply that ${sizeOf(details, 'certwatch reads')}`,
    });
    this.name = 'ReplyTooLarge';
    this.status = details.status;
    this.limitBytes = details.limitBytes;
    this.declaredBytes = details.declaredBytes;
  }

  /**
   * What happened, after "the reply": `declares 5368709120 bytes (Content-Length), more than the 16 MiB <most>,
   * and was not read`, or `went past 16 MiB, the most <most>, and was cut off there`.
   */
  sizeText(most: string): string {
    return sizeOf(this, most);
  }

  /**
   * Not retryable: the same page will be as large again. Either the endpoint is not the provider's API (a proxy,
   * a captive portal, something streaming), or a page holds more than certwatch reads at once.
   */
  override toProviderError(call: ProviderCall): ProviderError {
    return new ProviderError(
      `${call.label}: the reply (HTTP ${this.status}) ${this.sizeText('certwatch reads of one provider reply')} ` +
        `— check that ${call.setting} is the provider's API; if it is, it answered more than certwatch reads at ` +
        'once, and smaller pages would be needed (where the API pages): please report it',
      { provider: call.provider, code: 'reply-too-large', retryable: false },
      { cause: this },
    );
  }
}

function sizeOf(details: { limitBytes: number; declaredBytes: number | null }, most: string): string {
  const limit = byteSize(details.limitBytes);
  return details.declaredBytes === null
    ? `went past ${limit}, the most ${most}, and was cut off there`
    : `declares ${details.declaredBytes} bytes (Content-Length), more than the ${limit} ${most}, and was not read`;
}

/** `16 MiB`, `64 KiB`, `100 bytes`. */
export function byteSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Sends one request and reads its reply, up to `maxBodyBytes`. Throws TransportFailure (ReplyTooLarge for a reply
 * over the limit), or the scan's abort reason when `signal` ended it.
 */
export async function exchange(
  fetchImpl: typeof globalThis.fetch,
  url: string,
  init: RequestInit,
  options: ExchangeOptions,
): Promise<Exchange> {
  const { timeoutMs, maxBodyBytes, signal } = options;
  if (signal?.aborted) throw abortError(signal);
  // One controller per request, its timer cleared and its listener removed as soon as the reply is read. Not
  // AbortSignal.timeout/any: their timers live on for the whole timeout, and every combined signal leaves a weak
  // reference on the scan's signal (52,000 of them and 13,000 pending timers, 7 MB, 95,000 certificates in).
  const request = new AbortController();
  const timer = setTimeout(
    () => request.abort(new DOMException(`no reply within ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  const onAbort = () => request.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchImpl(url, { ...init, signal: request.signal });
    const text = await readBody(response, maxBodyBytes, (failure) => request.abort(failure));
    return { response, text };
  } catch (error) {
    if (error instanceof ReplyTooLarge) throw error;
    if (signal?.aborted) throw abortError(signal);
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return Promise.reject(
      new TransportFailure(timedOut ? 'timeout' : 'network', networkCode(error), { cause: error }),
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

const UTF8 = new TextDecoder('utf-8');

/**
 * The body as text (UTF-8, a byte-order mark dropped, as Response.text() reads it), read chunk by chunk and never
 * past `limit` bytes: over it, `stop` closes the connection and ReplyTooLarge is thrown. A Content-Length over the
 * limit is refused before any of the body is read.
 */
async function readBody(
  response: Response,
  limit: number,
  stop: (failure: ReplyTooLarge) => void,
): Promise<string> {
  const body = response.body;
  // Aborting the request closes the connection of a fetch that honours its signal; cancelling the body stops
  // one that does not.
  const refuse = (declaredBytes: number | null, cancel: (reason: unknown) => Promise<void>) => {
    const failure = new ReplyTooLarge({ status: response.status, limitBytes: limit, declaredBytes });
    stop(failure);
    cancel(failure).catch(() => {});
    return failure;
  };
  const declared = contentLength(response.headers.get('content-length'));
  if (body === null) return '';
  if (declared !== null && declared > limit) throw refuse(declared, (reason) => body.cancel(reason));
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) throw refuse(null, (reason) => reader.cancel(reason));
    chunks.push(value);
  }
  return UTF8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes));
}

/** A Content-Length header's value (RFC 9110 8.6: digits only); null when absent or not one number. */
function contentLength(header: string | null): number | null {
  const text = header?.trim() ?? '';
  return /^\d+$/.test(text) ? Number(text) : null;
}

/** The reply as a JSON object, or null when it is not one. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function networkCode(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) return 'code' in cause && cause.code ? String(cause.code) : cause.message;
  return String(cause);
}
