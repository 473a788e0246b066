/**
 * One error hierarchy. Foreign errors are wrapped at the adapter edge (with `cause`); our own pass through untouched.
 * Messages say what failed and what to do, and never carry a secret.
 */
export class CertwatchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertwatchError';
  }
}

/** Configuration that cannot be used. `problems` lists every one found, each naming its key. */
export class ConfigError extends CertwatchError {
  readonly problems: string[];
  constructor(problems: string[], options?: { cause?: unknown }) {
    super(
      problems.length === 1
        ? `Configuration error: ${problems[0]}`
        : `Configuration errors:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      options,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Bad command-line usage. */
export class UsageError extends CertwatchError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ProviderErrorDetails {
  provider: string;
  /** The provider's error code (UCloud RetCode, Alibaba Code, or `HTTP 503`, `timeout`, `network`). */
  code: string;
  retryable: boolean;
  requestId?: string | undefined;
  /** Milliseconds the provider asked us to wait before retrying, when it said. */
  retryAfterMs?: number | undefined;
  /** The provider said "too many requests" (counted apart from other failures). */
  throttled?: boolean | undefined;
}

/** A call to a cloud API failed. */
export class ProviderError extends CertwatchError {
  readonly provider: string;
  readonly code: string;
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly throttled: boolean;
  constructor(message: string, details: ProviderErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderError';
    this.provider = details.provider;
    this.code = details.code;
    this.retryable = details.retryable;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.throttled = details.throttled ?? false;
  }
}

/** Paging went wrong in a way that could lose or double certificates (a page repeated, a total moved). */
export class PagingError extends CertwatchError {
  constructor(message: string) {
    super(message);
    this.name = 'PagingError';
  }
}

/** An alert could not be delivered. Raised after everything else was attempted, so the run fails loudly. */
export class AlertDeliveryError extends CertwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlertDeliveryError';
  }
}
