/**
 * Retries with full-jitter exponential backoff, shared by every provider client. Whether an error is worth a
 * retry is the error's own business (`ProviderError.retryable`); a provider's explicit retry-after wins.
 */
import { ProviderError } from '../errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 300, maxDelayMs: 10_000 };

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1). */
  random: () => number;
  /** Told about each retry (for counters and progress). */
  onRetry?: ((error: ProviderError, attempt: number, delayMs: number) => void) | undefined;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  deps: RetryDeps,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || attempt >= policy.attempts) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const jittered = Math.floor(deps.random() * ceiling);
      const delayMs =
        error.retryAfterSeconds !== undefined ? Math.max(jittered, error.retryAfterSeconds * 1000) : jittered;
      deps.onRetry?.(error, attempt, delayMs);
      await deps.sleep(delayMs);
    }
  }
}
