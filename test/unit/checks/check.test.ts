import { describe, expect, it } from 'vitest';
import { type Check, type CheckResult, runChecksInOrder } from '../../../lib/checks/check';

/** A check that answers after `ms`, counting how many run at once. */
function timed(name: string, ms: number, gauge: { now: number; max: number }): Check {
  return {
    subject: name,
    async run(): Promise<CheckResult> {
      gauge.now++;
      gauge.max = Math.max(gauge.max, gauge.now);
      await new Promise((resolve) => setTimeout(resolve, ms));
      gauge.now--;
      return { status: 'ok', text: name };
    },
  };
}

describe('runChecksInOrder', () => {
  it('reports in the given order although later checks finish first', async () => {
    const gauge = { now: 0, max: 0 };
    const checks = [timed('slow', 60, gauge), timed('fast', 1, gauge), timed('middle', 20, gauge)];
    const reported: string[] = [];
    const results = await runChecksInOrder(checks, 8, (result) => {
      reported.push(result.text);
    });
    expect(reported).toEqual(['slow', 'fast', 'middle']);
    expect(results.map((result) => result.text)).toEqual(['slow', 'fast', 'middle']);
    expect(gauge.max).toBe(3);
  });

  it('runs at most `limit` checks at once', async () => {
    const gauge = { now: 0, max: 0 };
    const checks = Array.from({ length: 10 }, (_, i) => timed(`c${i}`, 5, gauge));
    const results = await runChecksInOrder(checks, 3, () => {});
    expect(results).toHaveLength(10);
    expect(gauge.max).toBe(3);
  });

  it('turns a check that throws into a failure naming it, and still reports the others', async () => {
    const broken: Check = {
      subject: 'state table t (DynamoDB)',
      run: () => Promise.reject(new TypeError('x is undefined')),
    };
    const results = await runChecksInOrder([broken, timed('after', 1, { now: 0, max: 0 })], 2, () => {});
    expect(results[0]).toEqual({
      status: 'fail',
      text:
        'state table t (DynamoDB): unexpected error: TypeError: x is undefined (please report this as a ' +
        'certwatch bug)',
    });
    expect(results[1]).toEqual({ status: 'ok', text: 'after' });
  });
});
