import { describe, expect, it } from 'vitest';
import { forEachBounded, forEachPaged } from '../../lib/concurrency';

async function* pagesOf(pages: number[][], read: { count: number }, failAfter?: number) {
  for (const [index, page] of pages.entries()) {
    if (failAfter !== undefined && index === failAfter) throw new Error('page 3 could not be read');
    read.count += page.length;
    await new Promise((resolve) => setImmediate(resolve));
    yield page;
  }
}

/** Fails instead of hanging the suite when `promise` never settles. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Counts the calls of `work` that start and those still running, and fails those `failing` says to. */
function observedWork(failing: (item: number) => boolean) {
  const seen = { started: 0, active: 0 };
  const work = async (item: number) => {
    seen.started++;
    seen.active++;
    try {
      await tick();
      if (failing(item)) throw new Error(`item ${item} failed`);
    } finally {
      seen.active--;
    }
  };
  return { seen, work };
}

const pages = Array.from({ length: 10 }, (_, p) => Array.from({ length: 50 }, (_, i) => p * 50 + i));

describe('forEachPaged', () => {
  it('works on every item once, at most `limit` at a time, reading at most `highWater` items ahead', async () => {
    const read = { count: 0 };
    const done: number[] = [];
    let active = 0;
    let peak = 0;
    let maxAhead = 0;
    await forEachPaged(pagesOf(pages, read), 7, 100, async (item) => {
      active++;
      peak = Math.max(peak, active);
      maxAhead = Math.max(maxAhead, read.count - done.length);
      await new Promise((resolve) => setTimeout(resolve, item % 3));
      done.push(item);
      active--;
    });
    expect(done.sort((a, b) => a - b)).toEqual(pages.flat());
    expect(peak).toBe(7);
    // What was read but not yet finished: the waiting items (< highWater + a page) and those in flight.
    expect(maxAhead).toBeLessThanOrEqual(100 + 50 + 7);
  });

  it('does not wait for a page to finish before starting on the next one', async () => {
    const read = { count: 0 };
    let slowStillRunning = false;
    let overlapped = false;
    await forEachPaged(pagesOf(pages.slice(0, 2), read), 4, 1000, async (item) => {
      if (item === 0) {
        slowStillRunning = true;
        await new Promise((resolve) => setTimeout(resolve, 30));
        slowStillRunning = false;
      } else if (item >= 50 && slowStillRunning) overlapped = true;
    });
    expect(overlapped).toBe(true);
  });

  it('finishes the items already read when the source fails, then rejects with its error', async () => {
    const done: number[] = [];
    await expect(
      forEachPaged(pagesOf(pages, { count: 0 }, 3), 5, 1000, async (item) => void done.push(item)),
    ).rejects.toThrow('page 3 could not be read');
    expect(done.sort((a, b) => a - b)).toEqual(pages.slice(0, 3).flat());
  });

  it('returns at once for an empty source', async () => {
    let calls = 0;
    await forEachPaged(pagesOf([], { count: 0 }), 3, 10, async () => void calls++);
    expect(calls).toBe(0);
  });

  it('stops at the first failing item: closes the source, and rejects only once nothing runs', async () => {
    let closed = false;
    let pagesRead = 0;
    async function* source() {
      try {
        for (const page of pages) {
          pagesRead++;
          yield page;
        }
      } finally {
        closed = true;
      }
    }
    const { seen, work } = observedWork((item) => item === 3 || item === 4);
    const error = await forEachPaged(source(), 4, 60, work).catch((e: unknown) => e);
    expect((error as Error).message).toBe('item 3 failed');
    expect(seen.active).toBe(0);
    expect(closed).toBe(true);
    expect(pagesRead).toBeLessThan(pages.length);
    const started = seen.started;
    await tick();
    await tick();
    expect(seen.started).toBe(started);
    expect(started).toBeLessThan(pages.flat().length);
  });

  it.each([0, -5, Number.NaN])(
    'reads the source through with a highWater of %s (taken as 1)',
    async (highWater) => {
      const done: number[] = [];
      await within(
        2000,
        forEachPaged(pagesOf(pages, { count: 0 }), 3, highWater, async (item) => void done.push(item)),
      );
      expect(done.sort((a, b) => a - b)).toEqual(pages.flat());
    },
  );

  it.each([0, -2, Number.NaN])('works one item at a time with a limit of %s', async (limit) => {
    const { seen, work } = observedWork(() => false);
    let peak = 0;
    await within(
      2000,
      forEachPaged(
        pagesOf(
          [
            [1, 2, 3],
            [4, 5, 6, 7],
          ],
          { count: 0 },
        ),
        limit,
        2,
        async (item) => {
          const running = work(item);
          peak = Math.max(peak, seen.active);
          await running;
        },
      ),
    );
    expect(seen.started).toBe(7);
    expect(peak).toBe(1);
  });
});

describe('forEachBounded', () => {
  const items = Array.from({ length: 40 }, (_, i) => i);

  it('works on every item once, at most `limit` at a time', async () => {
    const { seen, work } = observedWork(() => false);
    let peak = 0;
    await forEachBounded(items, 6, async (item) => {
      const running = work(item);
      peak = Math.max(peak, seen.active);
      await running;
    });
    expect(seen.started).toBe(40);
    expect(peak).toBe(6);
  });

  it('starts nothing after the first failure, and rejects with it once the calls in flight are done', async () => {
    const { seen, work } = observedWork((item) => item === 5 || item === 6);
    const error = await forEachBounded(items, 4, work).catch((e: unknown) => e);
    expect((error as Error).message).toBe('item 5 failed');
    expect(seen.active).toBe(0);
    const started = seen.started;
    await tick();
    await tick();
    expect(seen.started).toBe(started);
    expect(started).toBeLessThan(items.length);
  });

  it.each([0, -1, Number.NaN])('works on every item, one at a time, with a limit of %s', async (limit) => {
    const { seen, work } = observedWork(() => false);
    let peak = 0;
    await forEachBounded(items.slice(0, 5), limit, async (item) => {
      const running = work(item);
      peak = Math.max(peak, seen.active);
      await running;
    });
    expect(seen.started).toBe(5);
    expect(peak).toBe(1);
  });
});
