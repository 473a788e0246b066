import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const { deadManHours } = createRequire(import.meta.url)('../../../deploy/deadManAlarm.cjs') as {
  deadManHours: (schedule: string, override?: string) => number;
};

describe('deadManHours', () => {
  it('is the rate interval plus 10%, at least one hour more, rounded up to whole hours', () => {
    expect(deadManHours('rate(1 day)')).toBe(27);
    expect(deadManHours('rate(2 days)')).toBe(53);
    expect(deadManHours('rate(12 hours)')).toBe(14);
    expect(deadManHours('rate(1 hour)')).toBe(2);
    expect(deadManHours('rate(30 minutes)')).toBe(2);
    expect(deadManHours(' rate( 6 hours ) ', 'auto')).toBe(7);
  });

  it('takes an explicit window, which a cron schedule needs', () => {
    expect(deadManHours('cron(0 6 * * ? *)', '30')).toBe(30);
    expect(() => deadManHours('cron(0 6 * * ? *)')).toThrow(/cron\(0 6 \* \* \? \*\).*deadManHours=N/);
  });

  it('refuses windows CloudWatch cannot evaluate (more than 7 days of hourly periods) and nonsense', () => {
    expect(() => deadManHours('rate(7 days)')).toThrow(/at most 168 hours/);
    expect(deadManHours('rate(6 days)')).toBe(159);
    for (const bad of ['0', '169', '2.5', 'soon']) {
      expect(() => deadManHours('rate(1 day)', bad)).toThrow(
        new RegExp(`deadManHours "${bad.replace('.', '\\.')}"`),
      );
    }
  });
});
