import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../emulator/faults';
import { CertwatchError, ProviderError } from '../../../lib/errors';
import { PacedLane, Pacing } from '../../../lib/providers/pacing';

/** A lane on a virtual clock: waiting advances time, nothing really sleeps. */
function virtualLane(options: { initialRate?: number; random?: () => number } = {}) {
  const time = { now: 0 };
  const lane = new PacedLane({
    initialRate: options.initialRate ?? 10,
    clock: () => time.now,
    // Lets released requests start before time moves on, as real time would.
    sleep: async (ms) => {
      await new Promise((resolve) => setImmediate(resolve));
      time.now += ms;
    },
    random: options.random ?? (() => 0.5),
  });
  return { lane, time };
}

const throttled = () =>
  new ProviderError('slow down', {
    provider: 'ucloud',
    code: 'RetCode 153',
    retryable: true,
    throttled: true,
  });
const refused = () => new ProviderError('no', { provider: 'ucloud', code: 'RetCode 171', retryable: false });

/** Sends `count` requests one after another; `outcome(i)` says how request i ends. */
async function send(lane: PacedLane, count: number, outcome: (i: number) => 'ok' | 'throttled' | 'failed') {
  for (let i = 0; i < count; i++) {
    const result = outcome(i);
    await lane
      .run(async () => {
        if (result === 'throttled') throw throttled();
        if (result === 'failed') throw refused();
        return i;
      })
      .catch(() => undefined);
  }
}

/**
 * Time in a discrete-event simulation: every sleep (the lane's and the requests' latency) is a timer, and once
 * nothing else can run, time jumps to the earliest one. Many workers can then wait at once, as on a real loop.
 */
function simulatedTime() {
  const time = { now: 0 };
  const timers: { at: number; order: number; wake: () => void }[] = [];
  let order = 0;
  const sleep = (ms: number) =>
    new Promise<void>((wake) => {
      timers.push({ at: time.now + Math.max(0, ms), order: order++, wake });
    });
  /** Runs the simulation until `work` settles. */
  async function until(work: Promise<unknown>): Promise<void> {
    let settled = false;
    work.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    for (;;) {
      // One macrotask turn: every promise chain that can go on without time moving has done so.
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return;
      timers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = timers.shift();
      if (!next) throw new Error('the simulation stalled: nothing waiting on time and the work not done');
      time.now = next.at;
      next.wake();
    }
  }
  return { time, sleep, until };
}

/**
 * `workers` callers, each sending its next request when the last one's reply is back, through one lane to an API
 * with `latencyMs` (±20%) round trips that admits `limit` requests a second (a token bucket with a second's burst).
 */
async function fleet(options: {
  workers: number;
  latencyMs: number;
  limit: number;
  calls: number;
  seed: number;
}) {
  const random = seededRandom(options.seed);
  const { time, sleep, until } = simulatedTime();
  const lane = new PacedLane({ initialRate: 50, clock: () => time.now, sleep, random });
  const bucket = { tokens: options.limit, at: 0 };
  const calls: { sentAt: number; throttled: boolean }[] = [];
  const rates: { at: number; rate: number }[] = [];
  const worker = async () => {
    while (calls.length < options.calls) {
      const call = { sentAt: 0, throttled: false };
      calls.push(call);
      await lane
        .run(async () => {
          call.sentAt = time.now;
          const latency = options.latencyMs * (0.8 + 0.4 * random());
          // The API counts the request on arrival, halfway through the round trip.
          await sleep(latency / 2);
          bucket.tokens = Math.min(
            options.limit,
            bucket.tokens + ((time.now - bucket.at) / 1000) * options.limit,
          );
          bucket.at = time.now;
          const admitted = bucket.tokens >= 1;
          if (admitted) bucket.tokens -= 1;
          await sleep(latency / 2);
          if (!admitted) {
            call.throttled = true;
            throw throttled();
          }
        })
        .catch(() => undefined);
      rates.push({ at: time.now, rate: lane.rate });
    }
  };
  await until(Promise.all(Array.from({ length: options.workers }, worker)));
  return { lane, calls, rates, elapsedMs: time.now };
}

describe('PacedLane', () => {
  it('releases requests one at a time, 1/rate apart, with at most ±10% jitter', async () => {
    for (const random of [() => 0, () => 0.999]) {
      const { lane, time } = virtualLane({ initialRate: 10, random });
      const released: number[] = [];
      const finish: (() => void)[] = [];
      // Replies held back until all are released, so the rate cannot change in between.
      const requests = Array.from({ length: 6 }, () =>
        lane.run(() => {
          released.push(time.now);
          return new Promise<void>((resolve) => finish.push(resolve));
        }),
      );
      while (released.length < 6) await new Promise((resolve) => setImmediate(resolve));
      for (const done of finish) done();
      await Promise.all(requests);
      const gaps = released.slice(2).map((at, i) => at - released[i + 1]!);
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(90 - 1e-9);
        expect(gap).toBeLessThanOrEqual(110 + 1e-9);
      }
    }
  });

  it('doubles its rate about every 250 ms of clean replies until the first throttling', async () => {
    const { lane, time } = virtualLane({ initialRate: 10 });
    await send(lane, 40, () => 'ok');
    expect(lane.rate).toBe(10 + 40 * 4);
    expect(time.now).toBeLessThan(2000);
  });

  it('cuts in proportion to the share throttled (a rate limit lets rate × (1 − share) through), at least 15%', async () => {
    const { lane } = virtualLane({ initialRate: 100 });
    await send(lane, 18, () => 'ok');
    const beforeCut = lane.rate;
    await send(lane, 2, () => 'throttled');
    expect(lane.rate).toBeCloseTo(beforeCut * 0.85, 5);
    // The next window is clean: the cut helped, and the rate grows slowly again (no more doubling).
    await send(lane, 20, () => 'ok');
    const grown = lane.rate;
    expect(grown).toBeGreaterThan(beforeCut * 0.85);
    expect(grown).toBeLessThan(beforeCut * 0.85 + 20);
    await send(lane, 10, () => 'ok');
    const beforeSecondCut = lane.rate;
    await send(lane, 10, () => 'throttled');
    expect(lane.rate).toBeCloseTo(beforeSecondCut * 0.5 * 0.95, 5);
  });

  it('tolerates up to 5% throttled in a window; other failures neither slow it down nor speed it up', async () => {
    const { lane } = virtualLane({ initialRate: 100 });
    await send(lane, 40, (i) => (i === 5 ? 'throttled' : i % 3 === 0 ? 'failed' : 'ok'));
    // Still in slow start: each of the 25 clean replies added 4 requests/s; the 14 failures (a timeout, a 5xx) and
    // the throttled one, nothing.
    expect(lane.rate).toBe(100 + 25 * 4);
  });

  it('undoes cuts that did not lower the throttling: that share is background noise, not our rate', async () => {
    const { lane } = virtualLane({ initialRate: 100 });
    // 20% throttled whatever the rate: a provider shedding load at random.
    const noisy = (i: number) => (i % 5 === 0 ? 'throttled' : 'ok');
    await send(lane, 16, () => 'ok');
    const before = lane.rate;
    await send(lane, 4, () => 'throttled');
    expect(lane.rate).toBeLessThan(before);
    await send(lane, 40, noisy);
    expect(lane.rate).toBeGreaterThanOrEqual(before);
    // From then on the same noise does not cut the rate any more.
    const restored = lane.rate;
    await send(lane, 100, noisy);
    expect(lane.rate).toBeGreaterThanOrEqual(restored);
  });

  it('keeps its pace under random throttling: chance windows above the background do not ratchet it down', async () => {
    const random = seededRandom(11);
    const { lane, time } = virtualLane({ initialRate: 50, random });
    await send(lane, 1500, () => {
      const draw = random();
      return draw < 0.15 ? 'throttled' : draw < 0.2 ? 'failed' : 'ok';
    });
    // 1,500 calls at the initial 50/s would take 30 s; a lane cut to a crawl, minutes.
    expect(time.now / 1000).toBeLessThan(25);
    expect(lane.rate).toBeGreaterThan(40);
  });

  it('finds a token bucket’s rate and stays near it, few replies throttled (not mistaken for noise)', async () => {
    const { lane, time } = virtualLane({ initialRate: 20, random: Math.random });
    // 100 requests a second, a second's worth of burst, as the emulator and the providers limit.
    const bucket = { tokens: 100, at: 0 };
    let throttledCount = 0;
    const rates: number[] = [];
    for (let i = 0; i < 3000; i++) {
      await lane
        .run(async () => {
          bucket.tokens = Math.min(100, bucket.tokens + ((time.now - bucket.at) / 1000) * 100);
          bucket.at = time.now;
          if (bucket.tokens < 1) {
            throttledCount++;
            throw throttled();
          }
          bucket.tokens -= 1;
        })
        .catch(() => undefined);
      if (i >= 1000) rates.push(lane.rate);
    }
    expect(throttledCount / 3000).toBeLessThan(0.05);
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    expect(mean).toBeGreaterThan(85);
    expect(mean).toBeLessThan(125);
    // The whole run took about as long as 3000 calls at 100/s.
    expect(time.now / 1000).toBeLessThan(30 * 1.15 + 1);
  });

  it('keeps 48 workers under a rate limit they could exceed: ≤ 5% throttled, throughput near the limit', async () => {
    // 48 workers × 300 ms round trips could send 160/s; the API admits 100/s.
    const { calls, elapsedMs } = await fleet({
      workers: 48,
      latencyMs: 300,
      limit: 100,
      calls: 6000,
      seed: 7,
    });
    // After slow start (the first 5 s: a second's burst, then the first cuts).
    const settled = calls.filter((call) => call.sentAt >= 5000);
    const throttledShare = settled.filter((call) => call.throttled).length / settled.length;
    expect(throttledShare).toBeLessThanOrEqual(0.05);
    const spanS = (elapsedMs - 5000) / 1000;
    const admittedPerS = settled.filter((call) => !call.throttled).length / spanS;
    expect(admittedPerS).toBeGreaterThan(85);
    expect(admittedPerS).toBeLessThanOrEqual(100 + 1);
  });

  it('does not inflate its rate while the callers, not the lane, are the limit', async () => {
    // 4 workers × 100 ms round trips send at most 40/s, and nothing throttles them.
    const { rates, calls, elapsedMs } = await fleet({
      workers: 4,
      latencyMs: 100,
      limit: 1_000_000,
      calls: 2000,
      seed: 3,
    });
    expect(calls.every((call) => !call.throttled)).toBe(true);
    // The callers' own pace, not slowed by the lane.
    expect(calls.length / (elapsedMs / 1000)).toBeGreaterThan(38);
    // The rate stays near what is really sent (a later cut then lowers what is sent), not thousands a second.
    expect(Math.max(...rates.map(({ rate }) => rate))).toBeLessThan(80);
  });

  it('fails the waiting requests with the error when its sleep fails, rather than leaving them hanging', async () => {
    const broken = new Error('timer gone');
    const lane = new PacedLane({ initialRate: 10, clock: () => 0, sleep: () => Promise.reject(broken) });
    // The first is released at once; the second has to wait 100 ms, and the sleep fails.
    await lane.run(async () => 1);
    const second = lane.run(async () => 2);
    const third = lane.run(async () => 3);
    await expect(second).rejects.toBe(broken);
    await expect(third).rejects.toBe(broken);
  });

  it('fails every waiting request, the next in line too, when its jitter or clock fails', async () => {
    const broken = new Error('no randomness');
    const lane = new PacedLane({
      initialRate: 10,
      clock: () => 0,
      random: () => {
        throw broken;
      },
    });
    const first = lane.run(async () => 1);
    const second = lane.run(async () => 2);
    await expect(first).rejects.toBe(broken);
    await expect(second).rejects.toBe(broken);
  });

  it('ignores replies to requests sent before the last cut: they went at the old rate', async () => {
    const { lane, time } = virtualLane({ initialRate: 100 });
    // 60 requests in flight together, half of them to be throttled; the first 20 replies cut the rate.
    const release: (() => void)[] = [];
    const inFlight = Array.from({ length: 60 }, (_, i) =>
      lane
        .run(
          () =>
            new Promise<void>((resolve, reject) =>
              release.push(() => (i % 2 === 0 ? reject(throttled()) : resolve())),
            ),
        )
        .catch(() => undefined),
    );
    while (release.length < 60) await new Promise((resolve) => setImmediate(resolve));
    for (const settle of release.slice(0, 20)) settle();
    await Promise.all(inFlight.slice(0, 20));
    const afterCut = lane.rate;
    time.now += 1;
    // Two more windows' worth of replies, as throttled as the first: no second cut.
    for (const settle of release.slice(20)) settle();
    await Promise.all(inFlight);
    expect(lane.rate).toBeGreaterThanOrEqual(afterCut);
  });

  it('stops waiting when the scan is aborted, with the scan’s own reason', async () => {
    const { lane } = virtualLane({ initialRate: 1 });
    const controller = new AbortController();
    await lane.run(async () => 1);
    await lane.run(async () => 1);
    const waiting = lane.run(async () => 'never', controller.signal);
    controller.abort(new CertwatchError('time is up'));
    await expect(waiting).rejects.toThrow('time is up');
  });
});

describe('Pacing', () => {
  it('keeps one lane per provider, account and API, and labels them without the account key', () => {
    const pacing = new Pacing();
    const a = pacing.lane('ucloud', 'canary-public-key', 'DescribeSSLV2');
    expect(pacing.lane('ucloud', 'canary-public-key', 'DescribeSSLV2')).toBe(a);
    expect(pacing.lane('ucloud', 'other-key', 'DescribeSSLV2')).not.toBe(a);
    expect(pacing.lane('ucloud', 'canary-public-key', 'DescribeULB')).not.toBe(a);
    const labels = Object.keys(pacing.rates());
    expect(labels).toEqual(['ucloud#1 DescribeSSLV2', 'ucloud#2 DescribeSSLV2', 'ucloud#1 DescribeULB']);
    expect(JSON.stringify(pacing.rates())).not.toContain('canary');
  });
});
