import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { toIsoUtc } from '../../../lib/expiry/instant';

const byLuxon = (epochMs: number) =>
  DateTime.fromMillis(epochMs, { zone: 'utc' }).toISO({ suppressMilliseconds: true }) ?? '';

describe('toIsoUtc', () => {
  it('prints UTC with a Z, milliseconds only when there are some', () => {
    expect(toIsoUtc(Date.UTC(2026, 10, 23))).toBe('2026-11-23T00:00:00Z');
    expect(toIsoUtc(Date.UTC(2026, 10, 23, 1, 2, 3, 45))).toBe('2026-11-23T01:02:03.045Z');
    expect(toIsoUtc(Date.UTC(9999, 11, 31, 23, 59, 59))).toBe('9999-12-31T23:59:59Z');
  });

  it('prints exactly what luxon prints, inside the four-digit years and outside them', () => {
    const edges = [
      0,
      -1,
      1,
      -62_167_219_200_000,
      -62_167_219_200_001,
      253_402_300_799_999,
      253_402_300_800_000,
      Date.UTC(2000, 1, 29),
      Date.UTC(2100, 2, 1) - 1,
      Date.UTC(1600, 1, 29, 23, 59, 59),
      1.5,
      Number.NaN,
    ];
    for (const epochMs of edges) expect(toIsoUtc(epochMs)).toBe(byLuxon(epochMs));
    const fourDigitYears = { min: -62_167_219_200_000, max: 253_402_300_799_999 };
    fc.assert(
      fc.property(fc.integer(fourDigitYears), (epochMs) => {
        expect(toIsoUtc(epochMs)).toBe(byLuxon(epochMs));
        const wholeSeconds = Math.floor(epochMs / 1000) * 1000;
        expect(toIsoUtc(wholeSeconds)).toBe(byLuxon(wholeSeconds));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (epochMs) => {
        expect(toIsoUtc(epochMs)).toBe(byLuxon(epochMs));
      }),
      { numRuns: 500 },
    );
  });
});
