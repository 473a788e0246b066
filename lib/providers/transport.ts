/**
 * What the provider clients add to the HTTP layer (lib/http): their transport options and defaults, the retry
 * classifier for ProviderError (whose `retryable`, `throttled` and `retryAfterMs` each client sets from its
 * cloud's codes), and transport failures worded as provider errors that say what to check.
 */
import { ProviderError } from '../errors';
import { httpFetch } from '../http/httpFetch';
import { type RetryPolicy, type RetryVerdict, retrying } from '../http/retry';
import { ReplyTooLarge, type TransportFailure } from '../http/transport';
import type { Pacing } from './pacing';

/**
 * Most of one provider reply certwatch reads: 16 MiB, 17 times the largest page of the emulator's fleets (an SLB
 * region of 2,000 certificates: DescribeServerCertificates does not page), and small enough that one reply this
 * size, read and parsed, fits a 256 MB function. README "Replies are read up to a limit" has the figures.
 */
export const PROVIDER_REPLY_MAX_BYTES = 16 * 1024 * 1024;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 300, maxDelayMs: 10_000 };

/** How a client sends and retries: injectable for tests, defaults for production. */
export interface TransportOptions {
  fetch?: typeof globalThis.fetch | undefined;
  retry?: RetryPolicy | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** A number in [0, 1). */
  random?: (() => number) | undefined;
  /** Told about each retry (for counters and progress). */
  onRetry?: ((error: ProviderError, attempt: number, delayMs: number) => void) | undefined;
  /** Told about each reply that said "too many requests", the last one included. */
  onThrottled?: (() => void) | undefined;
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
    sleep: options.sleep,
    random: options.random,
    onRetry: options.onRetry,
    onThrottled: options.onThrottled,
  };
}

export type ResolvedTransport = ReturnType<typeof resolveTransport>;

/**
 * Calls `call` until it resolves or throws what is not worth another attempt: a ProviderError retried when it
 * says it is retryable, after its `retryAfterMs` when it gives one; anything else is thrown at once. Out of
 * attempts, the last error is thrown again saying so.
 */
export function withRetries<T>(
  call: () => Promise<T>,
  transport: ResolvedTransport,
  signal?: AbortSignal,
): Promise<T> {
  const { onRetry } = transport;
  return retrying(call, {
    policy: transport.retryPolicy,
    classify: classifyProviderOutcome,
    giveUp: (outcome, { attempts }) => {
      const error = (outcome as { error: ProviderError }).error;
      throw new ProviderError(`${error.message} (gave up after ${attempts} attempts)`, error, {
        cause: error,
      });
    },
    signal,
    sleep: transport.sleep,
    random: transport.random,
    onRetry: onRetry && (({ outcome, attempt, delayMs }) => onRetry(errorOf(outcome), attempt, delayMs)),
    onThrottled: transport.onThrottled,
  });
}

function classifyProviderOutcome(outcome: { ok: boolean; error?: unknown }): RetryVerdict {
  if (outcome.ok || !(outcome.error instanceof ProviderError)) return { retry: false } as const;
  const { retryable, throttled, retryAfterMs } = outcome.error;
  return retryable ? { retry: true, throttled, retryAfterMs } : { retry: false, throttled };
}

function errorOf(outcome: { ok: boolean; error?: unknown }): ProviderError {
  return outcome.error as ProviderError;
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
 * A transport failure as a provider error: `label` names the call, `target` what could not be reached and
 * `setting` the configuration key a person should check. Retryable, with the code `timeout`, `network`, or
 * `not-sent:ECONNREFUSED` (and the like) when the request certainly never left; except a reply too large, which
 * is not: the same page will be as large again. Either the endpoint is not the provider's API (a proxy, a captive
 * portal, something streaming), or a page holds more than certwatch reads at once.
 */
export function providerErrorFor(failure: TransportFailure, call: ProviderCall): ProviderError {
  if (failure instanceof ReplyTooLarge) {
    return new ProviderError(
      `${call.label}: the reply (HTTP ${failure.status}) ${failure.sizeText('certwatch reads of one provider reply')} ` +
        `— check that ${call.setting} is the provider's API; if it is, it answered more than certwatch reads at ` +
        'once, and smaller pages would be needed (where the API pages): please report it',
      { provider: call.provider, code: 'reply-too-large', retryable: false },
      { cause: failure },
    );
  }
  const detail =
    failure.kind === 'timeout'
      ? `no complete reply within ${call.timeoutMs} ms`
      : `could not reach ${call.target} (${failure.code})`;
  return new ProviderError(
    `${call.label}: ${detail} — check ${call.setting} and the network`,
    {
      provider: call.provider,
      code: failure.notSent ? `not-sent:${failure.code}` : failure.kind,
      retryable: true,
    },
    { cause: failure },
  );
}
