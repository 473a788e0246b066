/**
 * A one-line progress counter on stderr for scans that take more than a moment. Only on a terminal: logs and
 * pipes get nothing.
 */
import type { RequestCounters } from '../lib/providers/source';
import type { CliIo } from './io';

const SHOW_AFTER_MS = 700;
const REDRAW_EVERY_MS = 100;

export interface Progress {
  update(seen: { certificates: number; failures: number }): void;
  done(): void;
}

export function createProgress(io: CliIo, counters: RequestCounters): Progress {
  if (!io.stderrIsTTY) return { update: () => {}, done: () => {} };
  const started = io.clock();
  let drawnAt = 0;
  let drawn = false;
  return {
    update({ certificates, failures }) {
      const now = io.clock();
      if (now - started < SHOW_AFTER_MS || now - drawnAt < REDRAW_EVERY_MS) return;
      drawnAt = now;
      drawn = true;
      const failed = failures > 0 ? `, ${failures} source(s) failed` : '';
      const retries = counters.retries > 0 ? `, ${counters.retries} retried` : '';
      io.stderr.write(
        `\rscanning: ${certificates} certificates, ${counters.requests} requests${retries}${failed}\x1b[K`,
        () => {},
      );
    },
    done() {
      if (drawn) io.stderr.write('\r\x1b[K', () => {});
    },
  };
}
