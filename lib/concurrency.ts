/** A count of workers or of waiting items: a whole number, at least 1 (NaN, 0 and negatives give 1). */
function atLeastOne(n: number): number {
  return Number.isNaN(n) ? 1 : Math.max(1, Math.floor(n));
}

/**
 * Runs `work` over `items` with at most `limit` at a time (at least 1; NaN counts as 1). `work` is expected to
 * handle its own errors: once one rejects, no further item is started, and the returned promise rejects with that
 * first error after the calls already in flight have finished (so no work runs after the caller sees the
 * rejection).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(atLeastOne(limit), Math.max(1, items.length)) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}

/**
 * Runs `work` over the items of a paged source with at most `limit` at a time, without a pause between pages:
 * pages are read ahead while earlier items are worked on, until `highWater` items wait (so memory stays bounded
 * by it, not by the source). `limit` and `highWater` are at least 1 (NaN counts as 1).
 *
 * If reading the source fails, the items already read are still worked on; then the returned promise rejects
 * with that failure. If `work` rejects, the run stops: no further item is started, the source is closed (its
 * `return()` is called, so a generator's `finally` runs), and once the calls in flight and the reader have
 * returned, the promise rejects with the first error. Nothing runs after the caller sees the rejection.
 */
export async function forEachPaged<T>(
  pages: AsyncIterable<readonly T[]>,
  limit: number,
  highWater: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const waiting = atLeastOne(highWater);
  const queue: T[] = [];
  let head = 0;
  let finished = false;
  let stopped = false;
  let failure: { error: unknown } | null = null;
  let wakeWorkers: (() => void) | null = null;
  let wakeReader: (() => void) | null = null;
  const notifyWorkers = () => {
    const wake = wakeWorkers;
    wakeWorkers = null;
    wake?.();
  };
  const notifyReader = () => {
    const wake = wakeReader;
    wakeReader = null;
    wake?.();
  };

  const read = async () => {
    try {
      // Leaving the loop early (break) calls the iterator's return(): a generator source is closed, not abandoned.
      for await (const page of pages) {
        if (stopped) break;
        queue.push(...page);
        notifyWorkers();
        while (!stopped && queue.length - head >= waiting) {
          await new Promise<void>((resolve) => (wakeReader = resolve));
        }
        if (stopped) break;
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      finished = true;
      notifyWorkers();
    }
  };

  const worker = async () => {
    while (!stopped) {
      if (head < queue.length) {
        const item = queue[head++]!;
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        notifyReader();
        try {
          await work(item);
        } catch (error) {
          failure ??= { error };
          stopped = true;
          notifyReader();
          notifyWorkers();
        }
        continue;
      }
      if (finished) return;
      // Every idle worker waits on the same wake-up: chain them so one notification wakes all.
      const previous = wakeWorkers;
      await new Promise<void>((resolve) => {
        wakeWorkers = () => {
          previous?.();
          resolve();
        };
      });
    }
  };

  // The workers first: should their count be absurd (Infinity), this throws before the source is touched.
  const workers = Array.from({ length: atLeastOne(limit) }, worker);
  await Promise.all([read(), ...workers]);
  if (failure) throw (failure as { error: unknown }).error;
}
