import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CertwatchError } from '../../../lib/errors';
import { type Deadline, deadline, sleep } from '../../../lib/http/abort';
import {
  type AttemptOutcome,
  type RetryPolicy,
  type RetryVerdict,
  retryAfterMs,
  retryDelay,
  retrying,
} from '../../../lib/http/retry';

const POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };
const NOW = Date.parse('2025-03-01T12:00:00Z');

/**
 * Runs `run` and counts the timers it created that are still pending once it settled: only its own (traced
 * through its async context), not the test runner's, which come and go on their own.
 */
async function timersLeftBy(run: () => Promise<unknown>): Promise<number> {
  const ours = new AsyncLocalStorage<true>();
  const live = new Set<number>();
  const hook = createHook({
    init: (id, type) => {
      if (type === 'Timeout' && ours.getStore()) live.add(id);
    },
    destroy: (id) => void live.delete(id),
  }).enable();
  try {
    await ours.run(true, run);
    // Destroy hooks are told a little later than the timer is cleared.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    return live.size;
  } finally {
    hook.disable();
  }
}

/** An attempt that answers from a script (a value, or an Error to throw), recording its calls. */
function scripted<T>(...script: (T | Error)[]) {
  const calls: number[] = [];
  const attempt = async (n: number): Promise<T> => {
    calls.push(n);
    const next = script[Math.min(n, script.length) - 1] as T | Error;
    if (next instanceof Error) throw next;
    return next;
  };
  return { attempt, calls };
}

/** Retries every thrown error and the value 'again'; 'done' is final. */
const retryErrorsAndAgain = (outcome: AttemptOutcome<string>): RetryVerdict =>
  !outcome.ok || outcome.value === 'again' ? { retry: true } : { retry: false };

describe('retrying: the classifier decides', () => {
  it('returns the first outcome the classifier calls final, waiting between attempts', async () => {
    const { attempt, calls } = scripted('again', new Error('reset'), 'done');
    const waits: number[] = [];
    const result = await retrying(attempt, {
      policy: POLICY,
      classify: retryErrorsAndAgain,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
    });
    expect(result).toBe('done');
    expect(calls).toEqual([1, 2, 3]);
    expect(waits).toEqual([50, 100]);
  });

  it('throws an error the classifier does not retry at once, as it is', async () => {
    const refused = new Error('forbidden');
    const { attempt, calls } = scripted<string>(refused);
    const error = await retrying(attempt, {
      policy: POLICY,
      classify: () => ({ retry: false }),
      sleep: async () => {},
    }).catch((e: unknown) => e);
    expect(error).toBe(refused);
    expect(calls).toEqual([1]);
  });

  it('gives the classifier the clock and tells the hooks about retries and throttling', async () => {
    const { attempt } = scripted('throttled', 'throttled', 'refused');
    const seen: number[] = [];
    const retries: { attempt: number; delayMs: number }[] = [];
    let throttled = 0;
    let clock = NOW;
    await retrying(attempt, {
      policy: POLICY,
      classify: (outcome, { nowMs }) => {
        seen.push(nowMs);
        return outcome.ok && outcome.value === 'throttled'
          ? { retry: true, throttled: true }
          : { retry: false, throttled: true };
      },
      clock: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      random: () => 0,
      onRetry: ({ attempt: n, delayMs }) => retries.push({ attempt: n, delayMs }),
      onThrottled: () => void throttled++,
    });
    expect(seen).toEqual([NOW, NOW, NOW]);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 0 },
      { attempt: 2, delayMs: 0 },
    ]);
    // The last reply said so too, though it was not retried.
    expect(throttled).toBe(3);
  });
});

describe('retrying: the attempt cap', () => {
  it('makes at most `attempts` attempts, then throws the last error by default', async () => {
    const { attempt, calls } = scripted<string>(new Error('one'), new Error('two'), new Error('three'));
    const error = (await retrying(attempt, {
      policy: { ...POLICY, attempts: 3 },
      classify: retryErrorsAndAgain,
      sleep: async () => {},
    }).catch((e: unknown) => e)) as Error;
    expect(calls).toEqual([1, 2, 3]);
    expect(error.message).toBe('three');
  });

  it('returns the last value by default, and what giveUp makes of it when given', async () => {
    const { attempt } = scripted('again');
    const options = {
      policy: { ...POLICY, attempts: 2 },
      classify: retryErrorsAndAgain,
      sleep: async () => {},
    };
    expect(await retrying(attempt, options)).toBe('again');
    const givenUp = await retrying(attempt, {
      ...options,
      giveUp: (outcome, why) =>
        `${outcome.ok ? outcome.value : 'error'} after ${why.attempts} (${why.reason})`,
    });
    expect(givenUp).toBe('again after 2 (attempts)');
  });

  it('makes one attempt when the policy allows one', async () => {
    const { attempt, calls } = scripted<string>(new Error('down'));
    await expect(
      retrying(attempt, { policy: { ...POLICY, attempts: 1 }, classify: retryErrorsAndAgain }),
    ).rejects.toThrow('down');
    expect(calls).toEqual([1]);
  });
});

describe('the backoff', () => {
  it('doubles a capped step and takes a random part of it (full jitter)', () => {
    const at = (attempt: number, random: number) => retryDelay(POLICY, attempt, undefined, () => random);
    expect([1, 2, 3, 4, 5, 6].map((attempt) => at(attempt, 0.5))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(at(1, 0)).toBe(0);
    expect(at(3, 0.999)).toBe(399);
  });

  it('without jitter waits the step itself', () => {
    const policy: RetryPolicy = { ...POLICY, jitter: 'none' };
    expect([1, 2, 3].map((attempt) => retryDelay(policy, attempt, undefined, Math.random))).toEqual([
      100, 200, 400,
    ]);
  });

  it('with jitter waits at least what the server asked, capped; without, what it asked', () => {
    expect(retryDelay(POLICY, 1, 700, () => 0)).toBe(700);
    expect(retryDelay(POLICY, 4, 10, () => 0.5)).toBe(400);
    expect(retryDelay(POLICY, 1, 60_000, () => 0)).toBe(1_000);
    expect(retryDelay({ ...POLICY, jitter: 'none' }, 3, 50, Math.random)).toBe(50);
  });

  it("gives up, with overLong 'give-up', when a wait would pass the cap", async () => {
    const { attempt, calls } = scripted('again');
    const waits: number[] = [];
    const result = await retrying(attempt, {
      policy: { ...POLICY, jitter: 'none', overLong: 'give-up' },
      classify: () => ({ retry: true, retryAfterMs: 120_000 }),
      sleep: async (ms) => void waits.push(ms),
      giveUp: (_outcome, why) => `${why.reason} ${why.waitMs}`,
    });
    expect(result).toBe('wait-too-long 120000');
    expect(calls).toEqual([1]);
    expect(waits).toEqual([]);
  });
});

describe('retryAfterMs: the one Retry-After parser', () => {
  it('reads delta-seconds', () => {
    expect(retryAfterMs('7', NOW)).toBe(7_000);
    expect(retryAfterMs(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP date, measured from the clock, never below zero', () => {
    expect(retryAfterMs('Sat, 01 Mar 2025 12:00:30 GMT', NOW)).toBe(30_000);
    expect(retryAfterMs('Sat, 01 Mar 2025 11:59:00 GMT', NOW)).toBe(0);
  });

  it('reads a number in another unit when told (milliseconds)', () => {
    expect(retryAfterMs('1500', NOW, 1)).toBe(1_500);
  });

  it('is undefined when absent or unreadable', () => {
    expect(retryAfterMs(null, NOW)).toBeUndefined();
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(retryAfterMs('', NOW)).toBeUndefined();
  });

  it('honoured in the loop: the wait is what the server asked', async () => {
    const { attempt } = scripted('again', 'done');
    const waits: number[] = [];
    await retrying(attempt, {
      policy: POLICY,
      classify: (outcome, { nowMs }) =>
        outcome.ok && outcome.value === 'again'
          ? { retry: true, retryAfterMs: retryAfterMs('Sat, 01 Mar 2025 12:00:00 GMT', nowMs - 800) }
          : { retry: false },
      clock: () => NOW,
      random: () => 0.1,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(waits).toEqual([800]);
  });
});

describe('abort and timers', () => {
  it('an abort during a wait ends it at once with the scan’s reason, its timer cleared', async () => {
    const scan = new AbortController();
    const { attempt, calls } = scripted<string>(new Error('reset'));
    const started = performance.now();
    let error: unknown;
    setTimeout(() => scan.abort(new CertwatchError('time limit ran out')), 20);
    const left = await timersLeftBy(async () => {
      error = await retrying(attempt, {
        policy: { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'none' },
        classify: retryErrorsAndAgain,
        signal: scan.signal,
      }).catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(CertwatchError);
    expect((error as Error).message).toBe('time limit ran out');
    expect(calls).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(left).toBe(0);
  });

  it('an aborted signal stops it before the first attempt', async () => {
    const scan = new AbortController();
    scan.abort();
    const { attempt, calls } = scripted('done');
    await expect(
      retrying(attempt, { policy: POLICY, classify: retryErrorsAndAgain, signal: scan.signal }),
    ).rejects.toThrow('the scan was stopped before this part finished');
    expect(calls).toEqual([]);
  });

  it('counts a timer left pending (the check below is not blind)', async () => {
    const leaked: NodeJS.Timeout[] = [];
    expect(await timersLeftBy(async () => void leaked.push(setTimeout(() => {}, 60_000)))).toBe(1);
    leaked.forEach(clearTimeout);
  });

  it('leaves no timer and no listener behind after a success or a failure', async () => {
    const scan = new AbortController();
    const policy: RetryPolicy = { attempts: 3, baseDelayMs: 5, maxDelayMs: 5, jitter: 'none' };
    const ok = scripted('again', 'done');
    const failing = scripted<string>(new Error('down'));
    const left = await timersLeftBy(async () => {
      expect(await retrying(ok.attempt, { policy, classify: retryErrorsAndAgain, signal: scan.signal })).toBe(
        'done',
      );
      await expect(
        retrying(failing.attempt, { policy, classify: retryErrorsAndAgain, signal: scan.signal }),
      ).rejects.toThrow('down');
    });
    expect(failing.calls).toEqual([1, 2, 3]);
    expect(left).toBe(0);
    expect(getEventListeners(scan.signal, 'abort')).toHaveLength(0);
  });

  it('sleep: an abort clears its timer', async () => {
    const scan = new AbortController();
    let error: unknown;
    const left = await timersLeftBy(async () => {
      const waiting = sleep(60_000, scan.signal).catch((e: unknown) => e);
      scan.abort(new CertwatchError('stop'));
      error = await waiting;
    });
    expect((error as Error).name).toBe('AbortError');
    expect(left).toBe(0);
  });

  it('deadline: times out with a TimeoutError; cleared, it leaves no timer or listener', async () => {
    const scan = new AbortController();
    const short = deadline(10, scan.signal);
    await new Promise((resolve) => short.signal.addEventListener('abort', resolve, { once: true }));
    expect((short.signal.reason as Error).name).toBe('TimeoutError');
    short.clear();

    const uncleared: Deadline[] = [];
    expect(await timersLeftBy(async () => void uncleared.push(deadline(60_000, scan.signal)))).toBe(1);
    for (const request of uncleared) request.clear();
    expect(await timersLeftBy(async () => deadline(60_000, scan.signal).clear())).toBe(0);
    expect(getEventListeners(scan.signal, 'abort')).toHaveLength(0);
  });

  it('deadline: follows the outer signal, with its reason', () => {
    const scan = new AbortController();
    const request = deadline(60_000, scan.signal);
    scan.abort(new CertwatchError('time limit ran out'));
    expect(request.signal.aborted).toBe(true);
    expect((request.signal.reason as Error).message).toBe('time limit ran out');
    request.clear();
  });
});
