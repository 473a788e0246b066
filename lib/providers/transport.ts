/**
 * One HTTP exchange with a provider API, shared by every client: a per-request timeout joined with the scan's
 * abort signal, the body read whole, and failures sorted into what a person can act on.
 */
import { CertwatchError, ProviderError } from '../errors';
import { abortError } from './retry';

export interface Exchange {
  response: Response;
  text: string;
}

/** A request that got no complete reply. `code` is the system error (ECONNREFUSED...) when there is one. */
export class TransportFailure extends CertwatchError {
  constructor(
    readonly kind: 'timeout' | 'network',
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(kind === 'timeout' ? 'no complete reply in time' : `network error ${code}`, options);
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
  toProviderError(
    provider: string,
    label: string,
    target: string,
    setting: string,
    timeoutMs: number,
  ): ProviderError {
    const detail =
      this.kind === 'timeout'
        ? `no complete reply within ${timeoutMs} ms`
        : `could not reach ${target} (${this.code})`;
    return new ProviderError(
      `${label}: ${detail} — check ${setting} and the network`,
      { provider, code: this.notSent ? `not-sent:${this.code}` : this.kind, retryable: true },
      { cause: this },
    );
  }
}

/**
 * Sends one request and reads the whole reply. Throws TransportFailure, or the scan's abort reason when `signal`
 * ended it.
 */
export async function exchange(
  fetchImpl: typeof globalThis.fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Exchange> {
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
    return { response, text: await response.text() };
  } catch (error) {
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
