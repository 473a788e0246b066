/**
 * Per-API rate limits: one token bucket per provider account (a UCloud key, an Alibaba account id) and Action,
 * shared by every emulated service, so a client that calls faster than the provider allows gets the provider's own
 * throttling reply (UCloud RetCode 153, Alibaba `Throttling.User`) the way it would in production.
 *
 * A bucket holds one second's worth of requests (`burstSeconds`, default 1) and starts full. That is the shape of
 * a "N requests per second" quota: a client may send N at once, then N more each second; a client that spreads
 * its calls never notices the limit. Over any window of T seconds at most N·(T + burstSeconds) calls get through.
 */

/** Requests per second by Action. */
export type RateLimitTable = Readonly<Record<string, number>>;

/**
 * The limits `npm run bench` runs with (issue 6). Real quotas are per account and differ between accounts and
 * over time; these are of the order Alibaba documents for CDN Describe APIs (~100 calls/s), with the list call
 * tighter than the per-id call. Actions not named here are unlimited.
 */
export const DEFAULT_RATE_LIMITS: RateLimitTable = Object.freeze({
  DescribeSSLV2: 50,
  DescribeCdnSSLCertificateList: 20,
  DescribeCertificateInfoByID: 100,
  DescribeServerCertificates: 50,
  // CDN and DCDN HTTPS domain lists: 100 calls/s per account each (their API docs).
  DescribeCdnHttpsDomainList: 100,
  DescribeDcdnHttpsDomainList: 100,
  // CAS, per account (CAS API docs: "the QPS limit for a single user").
  ListUserCertificateOrder: 10,
  GetUserCertificateDetail: 100,
  // ALB and NLB: QPS unconfirmed (provider-apis-more.md, open question 4); emulator choice, of the order of the
  // other per-account Describe/List quotas. Both products use these names, each with its own buckets.
  ListLoadBalancers: 20,
  ListListeners: 20,
  ListListenerCertificates: 50,
  // STS AssumeRole and Resource Directory ListAccounts: QPS unconfirmed (open question 4); emulator choices. A scan
  // assumes one role per account per hour or so, and lists the directory once.
  AssumeRole: 100,
  ListAccounts: 20,
});

export interface RateLimitOptions {
  /** Requests per second by Action; an Action not named is unlimited. Default {@link DEFAULT_RATE_LIMITS}. */
  perSecond?: RateLimitTable;
  /** Multiplies every limit (and so every bucket's size), e.g. 10 for a short benchmark run. Default 1. */
  scale?: number;
  /** A bucket's size, in seconds' worth of requests (at least one request). Default 1. */
  burstSeconds?: number;
  /** Monotonic milliseconds. Default performance.now. */
  clock?: () => number;
}

/** A token bucket: `ratePerSecond` tokens a second, at most `capacity`, starting full. */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  readonly #clock: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, capacity: number, clock: () => number) {
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
      throw new RangeError(`a rate limit must be a number of requests per second > 0, got ${ratePerSecond}`);
    }
    if (!(Number.isFinite(capacity) && capacity >= 1)) {
      throw new RangeError(`a bucket must hold at least one request, got ${capacity}`);
    }
    this.#ratePerMs = ratePerSecond / 1000;
    this.#capacity = capacity;
    this.#clock = clock;
    this.#tokens = capacity;
    this.#updatedAt = clock();
  }

  /** Spends one token if there is one; false means the request is over the limit. */
  take(): boolean {
    const now = this.#clock();
    // A clock that steps back must not drain the bucket.
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export interface RateLimiter {
  /** The effective limits (scaled), requests per second by Action. */
  readonly limits: RateLimitTable;
  /** True when `account` may call `action` now (and spends the token); false: answer with throttling. */
  admit(account: string, action: string): boolean;
}

/** Builds the limiter the emulated services share. */
export function createRateLimiter(options: RateLimitOptions = {}): RateLimiter {
  const scale = options.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0))
    throw new RangeError(`scale must be a number > 0, got ${scale}`);
  const burstSeconds = options.burstSeconds ?? 1;
  if (!(Number.isFinite(burstSeconds) && burstSeconds > 0)) {
    throw new RangeError(`burstSeconds must be a number > 0, got ${burstSeconds}`);
  }
  const clock = options.clock ?? (() => performance.now());
  const limits: Record<string, number> = {};
  for (const [action, perSecond] of Object.entries(options.perSecond ?? DEFAULT_RATE_LIMITS)) {
    if (!(Number.isFinite(perSecond) && perSecond > 0)) {
      throw new RangeError(`the rate limit of ${action} must be a number of requests per second > 0`);
    }
    limits[action] = perSecond * scale;
  }
  const buckets = new Map<string, TokenBucket>();
  return {
    limits: Object.freeze(limits),
    admit(account, action) {
      const perSecond = Object.hasOwn(limits, action) ? limits[action] : undefined;
      if (perSecond === undefined) return true;
      const key = `${account}\n${action}`;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = new TokenBucket(perSecond, Math.max(1, perSecond * burstSeconds), clock);
        buckets.set(key, bucket);
      }
      return bucket.take();
    },
  };
}

/**
 * Reads `DescribeSSLV2=50,DescribeCdnSSLCertificateList=20` into a table. `ACTION=off` lifts a limit (the entry
 * is kept, as `null`, so a caller merging over defaults can drop it). Throws RangeError naming the bad entry.
 */
export function parseRateLimits(text: string): Record<string, number | null> {
  const table: Record<string, number | null> = {};
  for (const entry of text.split(',').map((item) => item.trim())) {
    const match = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(entry);
    const value = match?.[2]?.trim();
    const perSecond = value === 'off' ? null : Number(value);
    if (!match || (perSecond !== null && !(Number.isFinite(perSecond) && perSecond > 0))) {
      throw new RangeError(
        `"${entry}" is not ACTION=N (requests per second, > 0) or ACTION=off, e.g. DescribeSSLV2=50`,
      );
    }
    table[match[1]!] = perSecond;
  }
  return table;
}
