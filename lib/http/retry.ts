/**
 * Retries with full-jitter exponential backoff, shared by every provider client. Whether an error is worth a
 * retry is the error's own business (`ProviderError.retryable`); a provider's explicit retry-after wins. An abort
 * (the scan's deadline) ends the waiting at once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CertwatchError, ProviderError } from '../errors';
import type { Pacing } from '../providers/pacing';
import { httpFetch } from './httpFetch';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 300, maxDelayMs: 10_000 };

export interface RetryDeps {
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1). */
  random: () => number;
  /** Told about each retry (for counters and progress). */
  onRetry?: ((error: ProviderError, attempt: number, delayMs: number) => void) | undefined;
  /** Told about each reply that said "too many requests", the last one included. */
  onThrottled?: (() => void) | undefined;
}

export const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {});

/** The error an aborted scan reports: the reason it was aborted with, when that is ours. */
export function abortError(signal: AbortSignal): CertwatchError {
  return signal.reason instanceof CertwatchError
    ? signal.reason
    : new CertwatchError('the scan was stopped before this part finished');
}

export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  deps: RetryDeps,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortError(signal);
    try {
      return await call();
    } catch (error) {
      if (error instanceof ProviderError && error.throttled) deps.onThrottled?.();
      if (!(error instanceof ProviderError) || !error.retryable) throw error;
      if (attempt >= policy.attempts) {
        throw new ProviderError(`${error.message} (gave up after ${attempt} attempts)`, error, {
          cause: error,
        });
      }
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const jittered = Math.floor(deps.random() * ceiling);
      const delayMs =
        error.retryAfterMs !== undefined
          ? Math.max(jittered, Math.min(error.retryAfterMs, policy.maxDelayMs))
          : jittered;
      deps.onRetry?.(error, attempt, delayMs);
      try {
        await deps.sleep(delayMs, signal);
      } catch (sleepError) {
        if (signal?.aborted) throw abortError(signal);
        throw sleepError;
      }
    }
  }
}

/** How a client sends and retries: injectable for tests, defaults for production. */
export interface TransportOptions {
  fetch?: typeof globalThis.fetch | undefined;
  retry?: RetryPolicy | undefined;
  sleep?: RetryDeps['sleep'] | undefined;
  random?: RetryDeps['random'] | undefined;
  onRetry?: RetryDeps['onRetry'];
  onThrottled?: RetryDeps['onThrottled'];
  /** Told about every HTTP request sent (for counters). */
  onRequest?: ((action: string) => void) | undefined;
  /** The scan's adaptive pacing per account and API; none: requests go as fast as they are made. */
  pacing?: Pacing | undefined;
}

/** The options with their defaults filled in, as a client keeps them. */
export function resolveTransport(options: TransportOptions) {
  return {
    fetch: options.fetch ?? httpFetch,
    pacing: options.pacing,
    retryPolicy: options.retry ?? DEFAULT_RETRY_POLICY,
    retryDeps: {
      sleep: options.sleep ?? realSleep,
      random: options.random ?? Math.random,
      onRetry: options.onRetry,
      onThrottled: options.onThrottled,
    } satisfies RetryDeps,
  };
}
