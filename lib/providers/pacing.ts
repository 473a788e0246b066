/**
 * Adaptive pacing: how fast to call each provider API, learned from its replies instead of configured. Cloud APIs
 * limit each account's calls per API (UCloud answers RetCode 153, Alibaba `Throttling.User`) and do not say the
 * limit, so each (account, API) lane finds it, much as TCP finds a link's capacity:
 *
 * - replies are judged in windows of 20: a window with more than 5% throttled (above the background, below) is
 *   "too fast"; replies to requests sent before the last cut are not counted (they went at the old rate), nor to
 *   those sent while requests from before it could still reach the API, nor failures that are not throttling (a
 *   timeout or a 5xx says nothing about our rate, and neither speeds the lane up nor slows it down);
 * - the rate grows only on clean replies to requests that waited for the lane, while the lane has been sending
 *   back to back (its spacing took ≥ 90% of the time of the last 20 releases): when the callers cannot send as fast
 *   as the lane allows, they are the limit, and a rate nobody sends at is untested (TCP's congestion window
 *   validation, RFC 7661);
 * - slow start: the rate doubles every 250 ms until the first window that is too fast;
 * - a cut is sized to the share throttled: a rate limit R answers r × (1 − share) ≈ R of the r sent, so the rate
 *   goes to just below that (and by at least 15%); r is what was really sent (the rate × the share of the time the
 *   lane was busy), so a cut always slows what is sent;
 * - between cuts the rate grows by 5% of the send rate at the last cut per second, faster the longer since it;
 * - a cut that slowed what was sent, after which the share is about the same, did not help; after two such, the
 *   throttling is not about our rate (a provider shedding load at random): the send rate from before the cuts is
 *   restored and that share is tolerated from then on.
 *
 * Requests are released one at a time at the current rate, with ±10% jitter so that parallel lanes and other
 * clients do not fall into step.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ProviderError } from '../errors';
import { abortError } from '../http/abort';

export interface PacingOptions {
  /** Requests per second before anything is known. */
  initialRate?: number;
  minRate?: number;
  maxRate?: number;
  /** Factor applied on a throttled reply after slow start (0.85: a 15% cut). */
  decrease?: number;
  /** Additive increase per second, as a share of the rate at the last cut. */
  increase?: number;
  clock?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const DEFAULTS = {
  initialRate: 50,
  minRate: 1,
  maxRate: 5000,
  decrease: 0.85,
  increase: 0.05,
} as const;

type PacedOutcome = 'ok' | 'throttled' | 'failed';

/** Until the first cut, the rate doubles this often. */
const SLOW_START_DOUBLING_MS = 250;

/** Replies judged together: the share of them throttled decides whether to cut. */
const WINDOW = 20;

/** Throttled share above the background that counts as "too fast" (and the most a lane should cost). */
const TOLERANCE = 0.05;

/** A request waiting for its turn. */
interface Waiter {
  release: () => void;
  fail: (error: unknown) => void;
}

/**
 * Utilization (the share of the last releases' time the lane's spacing took) from which the lane counts as the
 * limit, and clean replies may speed it up. Below it the callers are slower than the lane (RFC 7661 validates a
 * congestion window in use for half of it; jitter-free spacing lets this be stricter).
 */
const LANE_LIMITED = 0.9;

/** One API of one account: releases requests at the rate it has learned. */
export class PacedLane {
  #rate: number;
  #slowStart = true;
  /** What was really sent a second when the lane was last cut: the base of the growth after it. */
  #sendRateAtCut: number;
  #lastCutAt = Number.NEGATIVE_INFINITY;
  /**
   * Requests sent and not yet answered; of those in flight at the last cut, how many are still out, and how many
   * replies to newer requests may come before they are given up as hung; and from when sent, replies count again.
   * Requests sent before a cut can still be reaching the API after it, taking its allowance from those sent after:
   * so the judging waits until they are all answered, and counts requests sent from then on.
   */
  #inFlight = 0;
  #outBeforeCut = 0;
  #newerRepliesAllowed = 0;
  #judgeFrom = Number.NEGATIVE_INFINITY;
  /** Replies to requests sent since the last cut: how many, and how many throttled. */
  #replies = 0;
  #throttled = 0;
  /**
   * Throttling that does not depend on our rate (a provider shedding load at random): found when cutting did
   * not lower it, and tolerated from then on rather than cutting the lane to a crawl.
   */
  #background = 0;
  /** The throttled share that made the last cut, until the next window shows whether it helped. */
  #lastCutShare: number | null = null;
  /** Below this send rate, the last cut really slowed what was sent (and a share as high after it is a strike). */
  #slowedBelow = 0;
  /** Cuts in a row after which the share stayed the same, and the send rate before the first of them. */
  #strikes = 0;
  #rateBeforeStrikes = 0;
  #nextReleaseAt = 0;
  #waiting: Waiter[] = [];
  /** The last WINDOW releases, oldest first: when, and the spacing the lane then set before the next one. */
  #releases: { at: number; spacing: number }[] = [];
  #pumping = false;
  readonly #options: Required<Omit<PacingOptions, 'sleep'>> & Pick<PacingOptions, 'sleep'>;

  constructor(options: PacingOptions = {}) {
    this.#options = {
      ...DEFAULTS,
      // Monotonic: a wall clock stepped by NTP would open or close a gap between releases.
      clock: () => performance.now(),
      random: Math.random,
      ...options,
    };
    this.#rate = this.#options.initialRate;
    this.#sendRateAtCut = this.#rate;
  }

  /** Requests per second this lane currently allows. */
  get rate(): number {
    return this.#rate;
  }

  /**
   * Runs `request` when the lane allows, and learns from how it ended (a ProviderError marked `throttled` is the
   * API saying "slower"). The request's own result or error passes through unchanged.
   */
  async run<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const laneLimited = await this.#acquire(signal);
    const sentAt = this.#options.clock();
    this.#inFlight++;
    try {
      const result = await request();
      this.#learn('ok', sentAt, laneLimited);
      return result;
    } catch (error) {
      this.#learn(
        error instanceof ProviderError && error.throttled ? 'throttled' : 'failed',
        sentAt,
        laneLimited,
      );
      throw error;
    }
  }

  /**
   * How much of the last releases' time the lane's own spacing took: 1 when each release came as soon as the lane
   * allowed (requests were waiting: the lane is the limit), less when the lane sat idle waiting for callers.
   * Unlike the measured release rate, it does not lag a rate that is still growing.
   */
  #utilization(): number {
    const releases = this.#releases;
    if (releases.length < 2) return 1;
    const span = releases[releases.length - 1]!.at - releases[0]!.at;
    let paced = 0;
    for (let i = 0; i < releases.length - 1; i++) paced += releases[i]!.spacing;
    return span > 0 ? Math.min(1, paced / span) : 1;
  }

  /** Requests a second really sent: the rate, or less when the callers leave the lane idle part of the time. */
  #sendRate(): number {
    return this.#rate * this.#utilization();
  }

  /** Releases a second over the last WINDOW of them. */
  #measuredRate(): number {
    const releases = this.#releases;
    if (releases.length < 2) return this.#rate;
    const span = releases[releases.length - 1]!.at - releases[0]!.at;
    return span > 0 ? ((releases.length - 1) * 1000) / span : Number.POSITIVE_INFINITY;
  }

  #learn(outcome: PacedOutcome, sentAt: number, laneLimited: boolean): void {
    this.#inFlight--;
    if (this.#outBeforeCut > 0) {
      if (sentAt <= this.#lastCutAt) this.#outBeforeCut--;
      else this.#newerRepliesAllowed--;
      if (this.#outBeforeCut === 0 || this.#newerRepliesAllowed <= 0) {
        this.#outBeforeCut = 0;
        this.#judgeFrom = this.#options.clock();
      }
    }
    // A failure that is not throttling (a timeout, a 5xx) says nothing about our rate: neither faster nor slower.
    if (outcome === 'failed') return;
    if (outcome === 'ok' && laneLimited && this.#utilization() >= LANE_LIMITED) {
      // Clean replies to requests the lane held back arrive about `rate` times a second, so these steps add up to:
      // in slow start, the rate itself every SLOW_START_DOUBLING_MS (a doubling); afterwards `increase` × the send
      // rate at the last cut a second, more the longer the lane goes without a cut (so a cut made by an early burst
      // is outgrown in seconds, not minutes). A request that did not wait says only that the callers are slower
      // than the lane: a faster lane would not have sent it sooner, so its reply cannot vouch for a faster rate.
      const sinceCutS = (this.#options.clock() - this.#lastCutAt) / 1000;
      const step = this.#slowStart
        ? 1000 / SLOW_START_DOUBLING_MS
        : (this.#options.increase * this.#sendRateAtCut * (1 + sinceCutS)) / this.#rate;
      this.#rate = Math.min(this.#options.maxRate, this.#rate + step);
    }
    // A request sent before the last cut went at the old rate: its reply says nothing about the new one. Nor does
    // one sent while requests from before the cut were still reaching the API.
    if (sentAt <= this.#judgeFrom) return;
    this.#replies++;
    if (outcome === 'throttled') this.#throttled++;
    if (this.#replies < WINDOW) return;
    const share = this.#throttled / this.#replies;
    this.#replies = 0;
    this.#throttled = 0;
    const previous = this.#lastCutShare;
    this.#lastCutShare = null;
    // Over a background of random throttling, a window's share wanders by chance (binomially): only a share two
    // standard deviations above it says anything about our rate.
    const chance = 2 * Math.sqrt((this.#background * (1 - this.#background)) / WINDOW);
    if (share <= this.#background + Math.max(TOLERANCE, chance)) {
      this.#strikes = 0;
      return;
    }
    const sendRate = this.#sendRate();
    // A cut sized to the throttled share brings a rate limit's share to about nothing (if the share was diluted by
    // a burst allowance, one more cut does). A share as high after a cut that did slow what was sent is a strike;
    // after two, the throttling is not about our rate (a provider shedding load at random): the cuts are undone and
    // that share is tolerated. A cut that did not slow what was sent (the replies judged went at the pace of before)
    // tells nothing either way; nor does a share clearly higher after it (a rate limit's burst allowance running out
    // shows so: noise does not rise when the rate falls).
    // The first cut since a clean window: the rate to go back to if these cuts turn out not to help.
    if (previous === null) this.#rateBeforeStrikes = sendRate;
    const slowed = Math.min(this.#rate, this.#measuredRate()) < this.#slowedBelow;
    if (previous !== null && slowed && share >= previous * 0.4 && !clearlyAbove(share, previous)) {
      this.#strikes++;
      if (this.#strikes >= 2) {
        this.#background = Math.max(this.#background, Math.min(0.9, (share + previous) / 2));
        this.#rate = this.#rateBeforeStrikes;
        this.#strikes = 0;
        return;
      }
    }
    // Under a rate limit R, a share s of replies throttled at a send rate r means r(1 - s) ≈ R: go just below that.
    // From what was really sent, not the rate, which callers slower than the lane never reached: cut from the rate,
    // such a lane would go on sending as fast as before.
    const factor = Math.min(this.#options.decrease, Math.max(0.25, (1 - share) * 0.95));
    this.#lastCutShare = share;
    this.#sendRateAtCut = sendRate;
    // Halfway between the send rates before and after the cut: measured below it, the cut really slowed the lane.
    this.#slowedBelow = (sendRate * (1 + factor)) / 2;
    this.#rate = Math.max(this.#options.minRate, sendRate * factor);
    this.#slowStart = false;
    this.#lastCutAt = this.#options.clock();
    // Twice a flight of newer replies while some from before the cut are still out: those hang (until a timeout).
    this.#outBeforeCut = this.#inFlight;
    this.#newerRepliesAllowed = 2 * this.#inFlight;
    this.#judgeFrom = this.#inFlight > 0 ? Number.POSITIVE_INFINITY : this.#lastCutAt;
  }

  /** Waits for the request's turn; resolves to whether the lane (rather than the caller) set its time. */
  #acquire(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    // A request that comes while others queue, or before the next slot, waits for the lane: the lane is the limit.
    // One that comes after its slot went by finds the lane idle: the callers are.
    const laneLimited = this.#waiting.length > 0 || this.#options.clock() <= this.#nextReleaseAt;
    return new Promise<boolean>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) {
          this.#waiting.splice(index, 1);
          reject(abortError(signal!));
        }
      };
      // The listener goes as soon as the request is released: a scan's signal sees tens of thousands of
      // requests, and listeners left on it would pile up (and slow every addEventListener after them).
      const waiter: Waiter = {
        release: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(laneLimited);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.#waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      // #pump never rejects: a failure of its own goes to the requests waiting on it.
      void this.#pump();
    });
  }

  /** Releases waiting requests one at a time, each after 1/rate seconds (jittered) since the previous one. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiting.length > 0) {
        const wait = this.#nextReleaseAt - this.#options.clock();
        if (wait > 0) await (this.#options.sleep ?? sleepFor)(wait);
        if (this.#waiting.length === 0) break;
        // Clock and jitter first: if either throws, the request is still waiting, and fails below with the rest.
        const now = this.#options.clock();
        const spacing = (1000 / this.#rate) * (0.9 + 0.2 * this.#options.random());
        const next = this.#waiting.shift()!;
        this.#nextReleaseAt = Math.max(this.#nextReleaseAt, now - spacing) + spacing;
        this.#releases.push({ at: now, spacing });
        if (this.#releases.length > WINDOW) this.#releases.shift();
        next.release();
      }
    } catch (error) {
      // The sleep, the clock or the jitter (injectable) failed: nothing would release the requests still waiting, so they
      // fail with that error rather than hang (or leave it an unhandled rejection).
      for (const waiter of this.#waiting.splice(0)) waiter.fail(error);
    } finally {
      this.#pumping = false;
    }
  }
}

/**
 * Whether a window's throttled share is above the previous one's by more than chance: two windows of WINDOW replies
 * with one throttling rate differ by more than two standard deviations about one time in twenty.
 */
function clearlyAbove(share: number, previous: number): boolean {
  const pooled = (share + previous) / 2;
  return share - previous > 2 * Math.sqrt((2 * pooled * (1 - pooled)) / WINDOW);
}

const sleepFor = (ms: number) => delay(ms);

/** The lanes of one scan (or one warm Lambda container), by provider, account and API. */
export class Pacing {
  readonly #lanes = new Map<string, { lane: PacedLane; label: string }>();
  readonly #accounts = new Map<string, number>();
  constructor(private readonly options: PacingOptions = {}) {}

  /** The lane of `api` for `account` (an access key id: never the secret), created on first use. */
  lane(provider: string, account: string, api: string): PacedLane {
    const key = `${provider}\u0000${account}\u0000${api}`;
    const known = this.#lanes.get(key);
    if (known) return known.lane;
    const accountKey = `${provider}\u0000${account}`;
    const accountNumber = this.#accounts.get(accountKey) ?? this.#accounts.size + 1;
    this.#accounts.set(accountKey, accountNumber);
    // Labels number the accounts: even an access key id stays out of logs and reports.
    const entry = { lane: new PacedLane(this.options), label: `${provider}#${accountNumber} ${api}` };
    this.#lanes.set(key, entry);
    return entry.lane;
  }

  /** Current rates (requests per second) by lane, for a benchmark or a log line. */
  rates(): Record<string, number> {
    return Object.fromEntries(
      [...this.#lanes.values()].map(({ lane, label }) => [label, Math.round(lane.rate * 10) / 10]),
    );
  }
}

/** `request` through `lane` when there is one (tests and one-off calls may go unpaced). */
export function paced<T>(lane: PacedLane | undefined, request: () => Promise<T>, signal?: AbortSignal) {
  return lane ? lane.run(request, signal) : request();
}
