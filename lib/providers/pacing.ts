/**
 * Adaptive pacing: how fast to call each provider API, learned from its replies instead of configured. Cloud APIs
 * limit each account's calls per API (UCloud answers RetCode 153, Alibaba `Throttling.User`) and do not say the
 * limit, so each (account, API) lane finds it, much as TCP finds a link's capacity:
 *
 * - replies are judged in windows of 20: a window with more than 5% throttled (above the background, below) is
 *   "too fast"; replies to requests sent before the last cut are not counted (they went at the old rate);
 * - slow start: the rate doubles every 250 ms until the first window that is too fast;
 * - a cut is sized to the share throttled: a rate limit R answers r × (1 − share) ≈ R of the r sent, so the rate
 *   goes to just below that (and by at least 15%);
 * - between cuts the rate grows by 5% of the last good rate per second, faster the longer since the last cut;
 * - a cut after which the share is about the same did not help; after two such, the throttling is not about our
 *   rate (a provider shedding load at random): the cuts are undone and that share is tolerated from then on.
 *
 * Requests are released one at a time at the current rate, with ±10% jitter so that parallel lanes and other
 * clients do not fall into step.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ProviderError } from '../errors';
import { abortError } from './retry';

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

/** One API of one account: releases requests at the rate it has learned. */
export class PacedLane {
  #rate: number;
  #slowStart = true;
  #rateAtCut: number;
  #lastCutAt = Number.NEGATIVE_INFINITY;
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
  /** Cuts in a row after which the share stayed the same, and the rate before the first of them. */
  #strikes = 0;
  #rateBeforeStrikes = 0;
  #nextReleaseAt = 0;
  #waiting: { resolve: () => void }[] = [];
  #pumping = false;
  readonly #options: Required<Omit<PacingOptions, 'sleep'>> & Pick<PacingOptions, 'sleep'>;

  constructor(options: PacingOptions = {}) {
    this.#options = {
      ...DEFAULTS,
      clock: Date.now,
      random: Math.random,
      ...options,
    };
    this.#rate = this.#options.initialRate;
    this.#rateAtCut = this.#rate;
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
    await this.#acquire(signal);
    const sentAt = this.#options.clock();
    try {
      const result = await request();
      this.#learn('ok', sentAt);
      return result;
    } catch (error) {
      this.#learn(error instanceof ProviderError && error.throttled ? 'throttled' : 'failed', sentAt);
      throw error;
    }
  }

  #learn(outcome: PacedOutcome, sentAt: number): void {
    if (outcome !== 'throttled') {
      // Any reply that is not "slower" (a failure too) arrives about `rate` times a second, so these steps add up
      // to: in slow start, the rate itself every SLOW_START_DOUBLING_MS (a doubling); afterwards `increase` × the
      // last good rate a second, more the longer the lane goes without a cut (so a cut made by an early burst is
      // outgrown in seconds, not minutes).
      const sinceCutS = (this.#options.clock() - this.#lastCutAt) / 1000;
      const step = this.#slowStart
        ? 1000 / SLOW_START_DOUBLING_MS
        : (this.#options.increase * this.#rateAtCut * (1 + sinceCutS)) / this.#rate;
      this.#rate = Math.min(this.#options.maxRate, this.#rate + step);
    }
    // A request sent before the last cut went at the old rate: its reply says nothing about the new one.
    if (sentAt <= this.#lastCutAt) return;
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
    // A cut sized to the throttled share brings a rate limit's share to about nothing (if the share was diluted by
    // a burst allowance, one more cut does). A share as high after it is a strike; after two, the throttling is not
    // about our rate (a provider shedding load at random): the cuts are undone and that share is tolerated.
    // The first cut since a clean window: the rate to go back to if these cuts turn out not to help.
    if (previous === null) this.#rateBeforeStrikes = this.#rate;
    if (previous !== null && share >= previous * 0.4) {
      this.#strikes++;
      if (this.#strikes >= 2) {
        this.#background = Math.max(this.#background, Math.min(0.9, (share + previous) / 2));
        this.#rate = this.#rateBeforeStrikes;
        this.#strikes = 0;
        return;
      }
    }
    // Under a rate limit R, a share s of replies throttled at rate r means r(1 - s) ≈ R: go just below that.
    const factor = Math.min(this.#options.decrease, Math.max(0.25, (1 - share) * 0.95));
    this.#lastCutShare = share;
    this.#rateAtCut = this.#rate;
    this.#rate = Math.max(this.#options.minRate, this.#rate * factor);
    this.#slowStart = false;
    this.#lastCutAt = this.#options.clock();
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) {
          this.#waiting.splice(index, 1);
          reject(abortError(signal!));
        }
      };
      // The listener goes as soon as the request is released: a scan's signal sees tens of thousands of
      // requests, and listeners left on it would pile up (and slow every addEventListener after them).
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
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
        const next = this.#waiting.shift();
        if (!next) break;
        const spacing = (1000 / this.#rate) * (0.9 + 0.2 * this.#options.random());
        this.#nextReleaseAt = Math.max(this.#nextReleaseAt, this.#options.clock() - spacing) + spacing;
        next.resolve();
      }
    } finally {
      this.#pumping = false;
    }
  }
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
