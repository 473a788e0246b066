import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/io';
import { createProgress } from '../../../cli/progress';

function io(isTTY: boolean) {
  let now = 0;
  let stderr = '';
  const fake: CliIo = {
    env: {},
    stdout: {
      write(_chunk, callback) {
        callback();
        return true;
      },
    },
    stderr: {
      write(chunk, callback) {
        stderr += chunk;
        callback();
        return true;
      },
    },
    stderrIsTTY: isTTY,
    clock: () => now,
    readFile: async () => '',
    readBytes: async () => Buffer.alloc(0),
    untilStopped: async () => {},
  };
  return { fake, advance: (ms: number) => (now += ms), stderr: () => stderr };
}

describe('createProgress', () => {
  it('draws on a terminal only after a moment, then clears its line', () => {
    const t = io(true);
    const progress = createProgress(t.fake, { requests: 12, retries: 2, throttled: 0 });
    progress.update({ certificates: 5, failures: 0 });
    expect(t.stderr()).toBe('');
    t.advance(1000);
    progress.update({ certificates: 900, failures: 1 });
    expect(t.stderr()).toBe('\rscanning: 900 certificates, 12 requests, 2 retried, 1 source(s) failed\x1b[K');
    progress.done();
    expect(t.stderr().endsWith('\r\x1b[K')).toBe(true);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const t = io(false);
    const progress = createProgress(t.fake, { requests: 1, retries: 0, throttled: 0 });
    t.advance(5000);
    progress.update({ certificates: 1, failures: 0 });
    progress.done();
    expect(t.stderr()).toBe('');
  });
});
