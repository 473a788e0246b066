/**
 * The one retry loop of certwatch, shared by the provider clients, the chat webhooks and the SNS batches. What an
 * attempt's outcome means (worth another? after how long?) is the caller's classifier; how long to wait is one
 * policy here: exponential backoff, with full jitter or none, a server's Retry-After honoured, a cap. Sleep,
 * randomness and the clock are injectable; an abort (the scan's deadline) ends the waiting at once.
 */
import { abortError, sleep as realSleep } from './abort';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first retry's backoff step; each further retry doubles it. */
  baseDelayMs: number;
  /** Longest wait between two attempts (see `overLong`). */
  maxDelayMs: number;
  /**
   * `full` (the default): each wait a random fraction of its step, so that clients throttled together do not
   * come back together ("full jitter"), and never shorter than a Retry-After. `none`: the step itself, and a
   * Retry-After replaces it.
   */
  jitter?: 'full' | 'none' | undefined;
  /**
   * A wait past `maxDelayMs`: `clamp` (the default) waits `maxDelayMs` (the step is capped too); `give-up` ends
   * the retries there (RetryOptions.giveUp is told `wait-too-long`).
   */
  overLong?: 'clamp' | 'give-up' | undefined;
}

/** The outcome of one attempt: the value it resolved with or the error it threw. */
export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What a classifier says of an attempt's outcome. */
export type RetryVerdict =
  | { retry: false; throttled?: boolean | undefined }
  | {
      retry: true;
      /** How long the server asked to wait (a Retry-After, parsed by retryAfterMs), when it said. */
      retryAfterMs?: number | undefined;
      /** The server said "too many requests" (for counters; also when the outcome is not retried). */
      throttled?: boolean | undefined;
    };

/** Why the retries ended without an outcome the classifier calls final. */
export interface GiveUp {
  reason: 'attempts' | 'wait-too-long';
  /** Attempts made. */
  attempts: number;
  /** With `wait-too-long`: the wait it would have taken. */
  waitMs?: number | undefined;
}

export interface RetryHooks<T> {
  /** Told about each retry, before its wait. */
  onRetry?: ((retry: { outcome: AttemptOutcome<T>; attempt: number; delayMs: number }) => void) | undefined;
  /** Told about each outcome the classifier called throttled, the last one included. */
  onThrottled?: (() => void) | undefined;
}

export interface RetryOptions<T> extends RetryHooks<T> {
  policy: RetryPolicy;
  /**
   * Whether an outcome is worth another attempt. `nowMs` is the clock when the attempt ended (what a Retry-After
   * date is measured from). An outcome not retried ends the loop: a value is returned, an error thrown.
   */
  classify: (outcome: AttemptOutcome<T>, context: { attempt: number; nowMs: number }) => RetryVerdict;
  /**
   * The result when the retries end on an outcome still worth retrying; default: that outcome (its value
   * returned, its error thrown).
   */
  giveUp?: ((outcome: AttemptOutcome<T>, why: GiveUp) => T) | undefined;
  /** Ends the waiting and any further attempt with the scan's reason (abortError). */
  signal?: AbortSignal | undefined;
  /** Default: a timer, cleared when `signal` aborts. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** A number in [0, 1) for the jitter; default Math.random. */
  random?: (() => number) | undefined;
  /** Wall clock (ms since the epoch) given to the classifier; default Date.now. */
  clock?: (() => number) | undefined;
}

/**
 * Runs `attempt` (given its number, from 1) until the classifier calls its outcome final, the policy's attempts
 * run out, or a wait would be longer than the policy allows (with `overLong: 'give-up'`).
 */
export async function retrying<T>(
  attempt: (attempt: number) => Promise<T>,
  options: RetryOptions<T>,
): Promise<T> {
  const { policy, classify, signal } = options;
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? Date.now;
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw abortError(signal);
    let outcome: AttemptOutcome<T>;
    try {
      outcome = { ok: true, value: await attempt(n) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const verdict = classify(outcome, { attempt: n, nowMs: clock() });
    if (verdict.throttled) options.onThrottled?.();
    if (!verdict.retry) return settle(outcome);
    if (n >= policy.attempts) return giveUp(options, outcome, { reason: 'attempts', attempts: n });
    const delayMs = retryDelay(policy, n, verdict.retryAfterMs, options.random ?? Math.random);
    if (delayMs > policy.maxDelayMs) {
      return giveUp(options, outcome, { reason: 'wait-too-long', attempts: n, waitMs: delayMs });
    }
    options.onRetry?.({ outcome, attempt: n, delayMs });
    try {
      await sleep(delayMs, signal);
    } catch (sleepError) {
      if (signal?.aborted) throw abortError(signal);
      throw sleepError;
    }
  }
}

/**
 * The wait after attempt `attempt` failed: the step `baseDelayMs × 2^(attempt−1)`; with full jitter a random part
 * of it, at least the server's `retryAfterMs`; without jitter, the server's `retryAfterMs` when it gave one. With
 * `overLong: 'clamp'` the step and the Retry-After are first capped at `maxDelayMs`.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const clamp = (policy.overLong ?? 'clamp') === 'clamp';
  const cap = (ms: number) => (clamp ? Math.min(policy.maxDelayMs, ms) : ms);
  const step = cap(policy.baseDelayMs * 2 ** (attempt - 1));
  if ((policy.jitter ?? 'full') === 'none') return retryAfterMs ?? step;
  const jittered = Math.floor(random() * step);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, cap(retryAfterMs));
}

/**
 * The wait a Retry-After header asks for, in ms, measured from `nowMs`: delta-seconds or an HTTP date (RFC 9110
 * 10.2.3). `unitMs` reads the number in another unit (Alibaba's `x-acs-retry-after` counts milliseconds).
 * Undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, nowMs: number, unitMs = 1000): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * unitMs;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function settle<T>(outcome: AttemptOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}

function giveUp<T>(options: RetryOptions<T>, outcome: AttemptOutcome<T>, why: GiveUp): T {
  return options.giveUp ? options.giveUp(outcome, why) : settle(outcome);
}
