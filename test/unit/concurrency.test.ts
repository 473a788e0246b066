import { describe, expect, it } from 'vitest';
import { forEachPaged } from '../../lib/concurrency';

async function* pagesOf(pages: number[][], read: { count: number }, failAfter?: number) {
  for (const [index, page] of pages.entries()) {
    if (failAfter !== undefined && index === failAfter) throw new Error('page 3 could not be read');
    read.count += page.length;
    await new Promise((resolve) => setImmediate(resolve));
    yield page;
  }
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
});
