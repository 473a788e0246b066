/**
 * One HTTP exchange, shared by every provider client and the chat webhooks: a per-request timeout joined with the
 * scan's abort signal, the body read up to a size limit, and failures sorted into what a person can act on (each
 * caller words them for its own readers: lib/providers/transport.ts, lib/channels/webhook.ts).
 */
import { CertwatchError } from '../errors';
import { abortError, deadline } from './abort';

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
  const request = deadline(timeoutMs, signal);
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
    request.clear();
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
