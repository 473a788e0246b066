import { describe, expect, it } from 'vitest';
import {
  createRateLimiter,
  DEFAULT_RATE_LIMITS,
  parseRateLimits,
  TokenBucket,
} from '../../../emulator/rateLimits';

/** A clock the test moves by hand, in milliseconds. */
function manualClock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function takeMany(take: () => boolean, times: number): number {
  let admitted = 0;
  for (let i = 0; i < times; i++) if (take()) admitted++;
  return admitted;
}

describe('TokenBucket', () => {
  it('starts full: a burst of `capacity` passes at once, the next request does not', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(50, 50, clock.now);
    expect(takeMany(() => bucket.take(), 50)).toBe(50);
    expect(bucket.take()).toBe(false);
  });

  it('refills at the rate: one token every 1000/rate ms, fractions carried over', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(50, 50, clock.now);
    takeMany(() => bucket.take(), 50);
    clock.advance(19);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    // 10 ms twice make one token (20 ms at 50/s).
    clock.advance(10);
    expect(bucket.take()).toBe(false);
    clock.advance(10);
    expect(bucket.take()).toBe(true);
  });

  it('never holds more than its capacity, however long it idles', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(20, 20, clock.now);
    clock.advance(60_000);
    expect(takeMany(() => bucket.take(), 100)).toBe(20);
  });

  it('over a long run admits rate × seconds plus one burst, whatever the demand', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(100, 100, clock.now);
    let admitted = 0;
    // 10 s of a client asking three times every 10 ms (300/s against a limit of 100/s).
    for (let ms = 0; ms <= 10_000; ms += 10) {
      admitted += takeMany(() => bucket.take(), 3);
      clock.advance(10);
    }
    expect(admitted).toBe(100 * 10 + 100);
  });

  it('is not drained by a clock that steps back', () => {
    const clock = manualClock(5_000);
    const bucket = new TokenBucket(10, 10, clock.now);
    takeMany(() => bucket.take(), 10);
    clock.advance(-3_000);
    expect(bucket.take()).toBe(false);
    clock.advance(100);
    expect(bucket.take()).toBe(true);
  });

  it('rejects a rate or capacity that cannot work', () => {
    const clock = manualClock();
    expect(() => new TokenBucket(0, 1, clock.now)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN, 1, clock.now)).toThrow(RangeError);
    expect(() => new TokenBucket(5, 0.5, clock.now)).toThrow(RangeError);
  });
});

describe('createRateLimiter', () => {
  it('uses the default limits, and leaves other actions unlimited', () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ clock: clock.now });
    expect(limiter.limits).toEqual(DEFAULT_RATE_LIMITS);
    for (const [action, perSecond] of Object.entries(DEFAULT_RATE_LIMITS)) {
      expect(takeMany(() => limiter.admit('acct', action), perSecond + 5)).toBe(perSecond);
    }
    expect(takeMany(() => limiter.admit('acct', 'UploadServerCertificate'), 1_000)).toBe(1_000);
  });

  it('keeps one bucket per account and action', () => {
    const clock = manualClock();
    const limiter = createRateLimiter({
      perSecond: { DescribeSSLV2: 3, DescribeServerCertificates: 2 },
      clock: clock.now,
    });
    expect(takeMany(() => limiter.admit('a', 'DescribeSSLV2'), 5)).toBe(3);
    expect(takeMany(() => limiter.admit('b', 'DescribeSSLV2'), 5)).toBe(3);
    expect(takeMany(() => limiter.admit('a', 'DescribeServerCertificates'), 5)).toBe(2);
  });

  it('scales every limit, and the bucket with it', () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ perSecond: { DescribeSSLV2: 50 }, scale: 10, clock: clock.now });
    expect(limiter.limits).toEqual({ DescribeSSLV2: 500 });
    expect(takeMany(() => limiter.admit('a', 'DescribeSSLV2'), 600)).toBe(500);
    clock.advance(100);
    expect(takeMany(() => limiter.admit('a', 'DescribeSSLV2'), 600)).toBe(50);
  });

  it('sizes buckets by burstSeconds, never below one request', () => {
    const clock = manualClock();
    const limiter = createRateLimiter({
      perSecond: { DescribeSSLV2: 50, DescribeCdnSSLCertificateList: 0.5 },
      burstSeconds: 0.1,
      clock: clock.now,
    });
    expect(takeMany(() => limiter.admit('a', 'DescribeSSLV2'), 50)).toBe(5);
    expect(takeMany(() => limiter.admit('a', 'DescribeCdnSSLCertificateList'), 5)).toBe(1);
    clock.advance(1_999);
    expect(limiter.admit('a', 'DescribeCdnSSLCertificateList')).toBe(false);
    clock.advance(1);
    expect(limiter.admit('a', 'DescribeCdnSSLCertificateList')).toBe(true);
  });

  it('rejects bad options, naming them', () => {
    expect(() => createRateLimiter({ scale: 0 })).toThrow(/scale/);
    expect(() => createRateLimiter({ burstSeconds: -1 })).toThrow(/burstSeconds/);
    expect(() => createRateLimiter({ perSecond: { DescribeSSLV2: -5 } })).toThrow(/DescribeSSLV2/);
  });
});

describe('parseRateLimits', () => {
  it('reads ACTION=N pairs, decimals included, and ACTION=off', () => {
    expect(
      parseRateLimits('DescribeSSLV2=50, DescribeCdnSSLCertificateList=2.5,DescribeServerCertificates=off'),
    ).toEqual({
      DescribeSSLV2: 50,
      DescribeCdnSSLCertificateList: 2.5,
      DescribeServerCertificates: null,
    });
  });

  it.each([
    'DescribeSSLV2',
    'DescribeSSLV2=',
    'DescribeSSLV2=0',
    'DescribeSSLV2=-1',
    'DescribeSSLV2=fast',
    '=5',
    'a b=5',
  ])('rejects %j, quoting it', (text) => {
    expect(() => parseRateLimits(text)).toThrow(/is not ACTION=N/);
  });
});
