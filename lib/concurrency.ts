/**
 * Runs `work` over `items` with at most `limit` at a time. `work` is expected to handle its own errors: one that
 * rejects rejects the whole run (the others still finish what they started).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * Runs `work` over the items of a paged source with at most `limit` at a time, without a pause between pages:
 * pages are read ahead while earlier items are worked on, until `highWater` items wait (so memory stays bounded
 * by it, not by the source). If reading the source fails, the items already read are still worked on; then the
 * returned promise rejects with that failure.
 */
export async function forEachPaged<T>(
  pages: AsyncIterable<readonly T[]>,
  limit: number,
  highWater: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queue: T[] = [];
  let head = 0;
  let finished = false;
  let failure: { error: unknown } | null = null;
  let wakeWorkers: (() => void) | null = null;
  let wakeReader: (() => void) | null = null;
  const notifyWorkers = () => {
    const wake = wakeWorkers;
    wakeWorkers = null;
    wake?.();
  };

  const read = async () => {
    try {
      for await (const page of pages) {
        queue.push(...page);
        notifyWorkers();
        while (queue.length - head >= highWater) await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      notifyWorkers();
    }
  };

  const worker = async () => {
    for (;;) {
      if (head < queue.length) {
        const item = queue[head++]!;
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        const wake = wakeReader;
        wakeReader = null;
        wake?.();
        await work(item);
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

  await Promise.all([read(), ...Array.from({ length: Math.max(1, limit) }, worker)]);
  if (failure) throw (failure as { error: unknown }).error;
}
