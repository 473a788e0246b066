import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatLadder,
  isRung,
  type Ladder,
  type Lifetime,
  parseLadder,
  rungOf,
  rungOrder,
} from '../../../lib/alerts/ladder';
import { ConfigError } from '../../../lib/errors';
import { MS_PER_DAY } from '../../../lib/expiry/instant';
import type { Rung } from '../../../lib/expiry/status';
import { daysLeft, severityOf, statusAt } from '../../../lib/expiry/status';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const THRESHOLDS = { warningDays: 30, criticalDays: 7 };

/** What the scan would say about a certificate expiring at `notAfterMs`, seen at `nowMs`. */
function subject(notAfterMs: number, nowMs = NOW) {
  return {
    notAfterMs,
    daysLeft: daysLeft(notAfterMs, nowMs),
    status: statusAt(notAfterMs, nowMs, THRESHOLDS),
  };
}

function problemsOf(text: string, key?: string): string[] {
  try {
    parseLadder(text, key);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`parseLadder accepted ${JSON.stringify(text)}`);
}

describe('parseLadder', () => {
  it('defaults to 30,14,7,3,1 without a share when unset, empty or blank', () => {
    for (const text of [undefined, '', '   ']) {
      expect(parseLadder(text)).toEqual({ days: [30, 14, 7, 3, 1], lifetimePercent: null });
    }
  });

  it('sorts days largest first, trims items and reads one share of lifetime', () => {
    expect(parseLadder(' 1, 7,30 ,14,3, 20%')).toEqual({ days: [30, 14, 7, 3, 1], lifetimePercent: 20 });
    expect(parseLadder('20 %,60')).toEqual({ days: [60], lifetimePercent: 20 });
    expect(parseLadder('7,12.5%')).toEqual({ days: [7], lifetimePercent: 12.5 });
    expect(parseLadder('45')).toEqual({ days: [45], lifetimePercent: null });
  });

  it('gives a fresh ladder each time (the default cannot be changed by a caller)', () => {
    parseLadder(undefined).days.push(999);
    expect(parseLadder(undefined).days).toEqual([30, 14, 7, 3, 1]);
  });

  it('formats a ladder back into text it reads', () => {
    expect(formatLadder(parseLadder('1,30,20%'))).toBe('30,1,20%');
    expect(parseLadder(formatLadder(parseLadder('60,30,14,7,12.5%')))).toEqual(
      parseLadder('60,30,14,7,12.5%'),
    );
  });

  it('names the key and the bad item in every error', () => {
    expect(problemsOf('30,abc')).toEqual([
      'CERTWATCH_THRESHOLDS: "abc" is neither a number of days (such as 30) nor a share of lifetime (such as 20%)',
    ]);
    expect(problemsOf('30,7.5')).toEqual(['CERTWATCH_THRESHOLDS: "7.5" is not a whole number of days']);
    expect(problemsOf('30,0')).toEqual(['CERTWATCH_THRESHOLDS: "0" must be at least 1 day']);
    expect(problemsOf('30,-3')).toEqual(['CERTWATCH_THRESHOLDS: "-3" must be at least 1 day']);
    expect(problemsOf('40000')).toEqual([
      'CERTWATCH_THRESHOLDS: "40000" is more than 36500 days (100 years)',
    ]);
    expect(problemsOf('30,7,07')).toEqual(['CERTWATCH_THRESHOLDS: 7 is listed more than once']);
    expect(problemsOf('30,0%')).toEqual([
      'CERTWATCH_THRESHOLDS: "0%" must be a share of lifetime above 0% and below 100%',
    ]);
    expect(problemsOf('30,100%')).toEqual([
      'CERTWATCH_THRESHOLDS: "100%" must be a share of lifetime above 0% and below 100%',
    ]);
    expect(problemsOf('30,20%,10%')).toEqual([
      'CERTWATCH_THRESHOLDS: has more than one share of lifetime ("20%", "10%"); give at most one',
    ]);
    expect(problemsOf('30,,7,')).toEqual([
      'CERTWATCH_THRESHOLDS: has an empty item; give comma-separated days such as 30,14,7,3,1',
    ]);
    expect(problemsOf('20%')).toEqual([
      'CERTWATCH_THRESHOLDS: has no number of days; give at least one (such as 30,14,7,3,1), optionally with ' +
        'one share of lifetime (such as 20%)',
    ]);
  });

  it('reports every problem at once, under the key it was given', () => {
    const problems = problemsOf('x,0,7,7,,150%', 'rules.yaml: rules[0].thresholds');
    expect(problems).toEqual([
      'rules.yaml: rules[0].thresholds: "x" is neither a number of days (such as 30) nor a share of lifetime (such as 20%)',
      'rules.yaml: rules[0].thresholds: "0" must be at least 1 day',
      'rules.yaml: rules[0].thresholds: 7 is listed more than once',
      'rules.yaml: rules[0].thresholds: "150%" must be a share of lifetime above 0% and below 100%',
      'rules.yaml: rules[0].thresholds: has an empty item; give comma-separated days such as 30,14,7,3,1',
    ]);
    expect(() => parseLadder('x,0')).toThrow(/^Configuration errors:\n {2}- CERTWATCH_THRESHOLDS: "x"/);
  });
});

describe('rungOf', () => {
  const ladder = parseLadder('30,14,7');
  const at = (daysFromNow: number, extraMs = 0) =>
    rungOf(subject(NOW + daysFromNow * MS_PER_DAY + extraMs), ladder, null, NOW);

  it('is the smallest day step at or above the days left', () => {
    expect(at(40)).toBeNull();
    expect(at(31)).toBeNull();
    expect(at(30, MS_PER_DAY - 1)).toBe('d30'); // 30 days 23:59:59.999 reads as 30 days left
    expect(at(20)).toBe('d30');
    expect(at(14)).toBe('d14');
    expect(at(8)).toBe('d14');
    expect(at(7)).toBe('d7');
    expect(at(0, 1000)).toBe('d7'); // the last day: still the smallest step
  });

  it('is expired once the record says so, and null when the expiry is unknown', () => {
    expect(at(0)).toBe('expired');
    expect(at(-3)).toBe('expired');
    expect(rungOf({ notAfterMs: null, daysLeft: null, status: 'unknown' }, ladder, null, NOW)).toBeNull();
    expect(rungOf({ notAfterMs: null, daysLeft: -1, status: 'critical' }, ladder, null, NOW)).toBe('expired');
  });

  describe('with a share of lifetime', () => {
    const shared = parseLadder('30,14,7,20%');
    const rung = (notBeforeMs: number | null, notAfterMs: number, nowMs: number) =>
      rungOf(subject(notAfterMs, nowMs), shared, { notBeforeMs, notAfterMs }, nowMs);

    it('enters the share first when it comes before the first day step (1-year certificate)', () => {
      const notAfter = NOW + 365 * MS_PER_DAY;
      const notBefore = NOW; // 20% of 365 days is 73 days
      expect(rung(notBefore, notAfter, notAfter - 73 * MS_PER_DAY - 1)).toBeNull();
      expect(rung(notBefore, notAfter, notAfter - 73 * MS_PER_DAY)).toBe('p20');
      expect(rung(notBefore, notAfter, notAfter - 31 * MS_PER_DAY)).toBe('p20');
      expect(rung(notBefore, notAfter, notAfter - 31 * MS_PER_DAY + 1)).toBe('d30');
      expect(rung(notBefore, notAfter, notAfter - 5 * MS_PER_DAY)).toBe('d7');
      expect(rung(notBefore, notAfter, notAfter)).toBe('expired');
    });

    it('enters the share between day steps when it comes later (90-day certificate)', () => {
      const notAfter = NOW + 90 * MS_PER_DAY;
      const notBefore = NOW; // 20% of 90 days is 18 days
      expect(rung(notBefore, notAfter, notAfter - 25 * MS_PER_DAY)).toBe('d30');
      expect(rung(notBefore, notAfter, notAfter - 18 * MS_PER_DAY - 1)).toBe('d30');
      expect(rung(notBefore, notAfter, notAfter - 18 * MS_PER_DAY)).toBe('p20');
      expect(rung(notBefore, notAfter, notAfter - 15 * MS_PER_DAY)).toBe('p20');
      expect(rung(notBefore, notAfter, notAfter - 15 * MS_PER_DAY + 1)).toBe('d14');
    });

    it('never enters the share without a notBefore or a lifetime', () => {
      const notAfter = NOW + 40 * MS_PER_DAY;
      expect(rung(null, notAfter, NOW)).toBeNull();
      expect(rungOf(subject(notAfter), shared, { notAfterMs: notAfter }, NOW)).toBeNull();
      expect(rungOf(subject(notAfter), shared, null, NOW)).toBeNull();
      expect(rung(notAfter, notAfter, NOW)).toBeNull(); // an empty lifetime
    });

    it('ignores the share when the ladder has none', () => {
      const notAfter = NOW + 40 * MS_PER_DAY;
      expect(
        rungOf(subject(notAfter), ladder, { notBeforeMs: NOW - 360 * MS_PER_DAY, notAfterMs: notAfter }, NOW),
      ).toBeNull();
    });

    it('measures the time left to the effective notAfter, the lifetime from the leaf', () => {
      // The leaf runs a year, but an intermediate expires in 60 days: 60 days left is under 20% of a year.
      const leaf: Lifetime = { notBeforeMs: NOW - 300 * MS_PER_DAY, notAfterMs: NOW + 65 * MS_PER_DAY };
      expect(rungOf(subject(NOW + 60 * MS_PER_DAY), shared, leaf, NOW)).toBe('p20');
      expect(rungOf({ ...subject(NOW + 80 * MS_PER_DAY), notAfterMs: null }, shared, leaf, NOW)).toBe('p20');
    });
  });
});

describe('severityOf', () => {
  it('is critical at or below the critical days, a warning above, expired for expired', () => {
    expect(severityOf('d30')).toBe('warning');
    expect(severityOf('d8')).toBe('warning');
    expect(severityOf('d7')).toBe('critical');
    expect(severityOf('d1')).toBe('critical');
    expect(severityOf('d14', 14)).toBe('critical');
    expect(severityOf('d7', 3)).toBe('warning');
    expect(severityOf('expired')).toBe('expired');
  });

  it('gives a share rung the severity of its days left', () => {
    expect(severityOf('p20', 7, 73)).toBe('warning');
    expect(severityOf('p20', 7, 7)).toBe('critical');
    expect(severityOf('p20', 7, 0)).toBe('critical');
    expect(severityOf('p20', 7, -1)).toBe('expired');
    expect(severityOf('p20', 7, null)).toBe('warning');
    expect(severityOf('p20')).toBe('warning');
  });
});

describe('rungOrder', () => {
  it('grows down the day ladder to expiry, with no rung lowest', () => {
    const order: (Rung | null)[] = [null, 'd60', 'd30', 'd14', 'd7', 'd1', 'expired'];
    const values = order.map((rung) => rungOrder(rung));
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(new Set(values).size).toBe(values.length);
  });

  it('places a share rung where the certificate enters it', () => {
    const year: Lifetime = { notBeforeMs: NOW, notAfterMs: NOW + 365 * MS_PER_DAY };
    const quarter: Lifetime = { notBeforeMs: NOW, notAfterMs: NOW + 90 * MS_PER_DAY };
    expect(rungOrder('p20', year)).toBeLessThan(rungOrder('d30'));
    expect(rungOrder('p20', quarter)).toBeGreaterThan(rungOrder('d30'));
    expect(rungOrder('p20', quarter)).toBeLessThan(rungOrder('d14'));
  });

  it('ranks a share rung without a lifetime below every day step, and junk like no rung', () => {
    expect(rungOrder('p20')).toBeLessThan(rungOrder('d36500'));
    expect(rungOrder('p20')).toBeGreaterThan(rungOrder(null));
    expect(rungOrder('q7' as Rung)).toBe(Number.NEGATIVE_INFINITY);
    expect(rungOrder('dx' as Rung)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('recognises rung names read back from history', () => {
    for (const text of ['expired', 'd30', 'd1', 'p20', 'p12.5']) expect(isRung(text)).toBe(true);
    for (const text of ['', 'd', 'd0', 'd-1', 'p', 'P20', 'x30', 'expired '])
      expect(isRung(text)).toBe(false);
  });
});

describe('ladder properties', () => {
  const ladders = fc
    .record({
      days: fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }),
      lifetimePercent: fc.option(fc.integer({ min: 1, max: 99 }), { nil: null }),
    })
    .map(
      ({ days, lifetimePercent }): Ladder =>
        parseLadder([...days, ...(lifetimePercent ? [`${lifetimePercent}%`] : [])].join(',')),
    );
  const span = 800 * MS_PER_DAY;

  it('never gives a day step smaller than the days left, nor a share not yet reached', () => {
    fc.assert(
      fc.property(
        ladders,
        fc.integer({ min: -span, max: span }),
        fc.integer({ min: 1, max: span }),
        (ladder, notAfterOffset, lifetimeMs) => {
          const notAfterMs = NOW + notAfterOffset;
          const record = subject(notAfterMs);
          const rung = rungOf(record, ladder, { notBeforeMs: notAfterMs - lifetimeMs, notAfterMs }, NOW);
          if (record.daysLeft < 0) return rung === 'expired';
          if (rung === null) return ladder.days.every((step) => step < record.daysLeft);
          if (rung.startsWith('d')) return Number(rung.slice(1)) >= record.daysLeft;
          // The share: at most P% of the lifetime is left.
          return rung.startsWith('p') && notAfterMs - NOW <= (lifetimeMs * ladder.lifetimePercent!) / 100;
        },
      ),
    );
  });

  it('is the crossed rung entered last', () => {
    fc.assert(
      fc.property(
        ladders,
        fc.integer({ min: 0, max: span }),
        fc.integer({ min: 1, max: span }),
        (ladder, notAfterOffset, lifetimeMs) => {
          const notAfterMs = NOW + notAfterOffset;
          const lifetime = { notBeforeMs: notAfterMs - lifetimeMs, notAfterMs };
          const record = subject(notAfterMs);
          if (record.status === 'expired') return rungOf(record, ladder, lifetime, NOW) === 'expired';
          const crossed: Rung[] = ladder.days
            .filter((step) => record.daysLeft <= step)
            .map((step) => `d${step}` as const);
          if (
            ladder.lifetimePercent !== null &&
            notAfterOffset <= (lifetimeMs * ladder.lifetimePercent) / 100
          ) {
            crossed.push(`p${ladder.lifetimePercent}`);
          }
          const latest = Math.max(...crossed.map((rung) => rungOrder(rung, lifetime)));
          const rung = rungOf(record, ladder, lifetime, NOW);
          return rung === null ? crossed.length === 0 : rungOrder(rung, lifetime) === latest;
        },
      ),
    );
  });

  it('never gives a later rung for a later notAfter at the same instant', () => {
    fc.assert(
      fc.property(
        ladders,
        fc.integer({ min: -span, max: span }),
        fc.integer({ min: 0, max: span }),
        fc.integer({ min: 1, max: span }),
        (ladder, notAfterOffset, later, lifetimeMs) => {
          const notBeforeMs = NOW + notAfterOffset - lifetimeMs;
          const orderAt = (notAfterMs: number) => {
            const lifetime = { notBeforeMs, notAfterMs };
            return rungOrder(rungOf(subject(notAfterMs), ladder, lifetime, NOW), lifetime);
          };
          return orderAt(NOW + notAfterOffset + later) <= orderAt(NOW + notAfterOffset);
        },
      ),
    );
  });

  it('only ever moves to later rungs as time passes', () => {
    fc.assert(
      fc.property(
        ladders,
        fc.integer({ min: 1, max: span }),
        fc.integer({ min: 0, max: span }),
        fc.integer({ min: 0, max: span }),
        (ladder, lifetimeMs, elapsed, more) => {
          const lifetime = { notBeforeMs: NOW, notAfterMs: NOW + lifetimeMs };
          const orderAt = (nowMs: number) =>
            rungOrder(rungOf(subject(lifetime.notAfterMs, nowMs), ladder, lifetime, nowMs), lifetime);
          return orderAt(NOW + elapsed) <= orderAt(NOW + elapsed + more);
        },
      ),
    );
  });
});
