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
      0, -1, 1, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000,
    ];
    for (const epochMs of edges) expect(toIsoUtc(epochMs)).toBe(byLuxon(epochMs));
    fc.assert(
      fc.property(
        fc.integer({ min: -8.64e15, max: 8.64e15 }),
        (epochMs) => toIsoUtc(epochMs) === byLuxon(epochMs),
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 4e12 }),
        (seconds) => toIsoUtc(seconds * 1000) === byLuxon(seconds * 1000),
      ),
      { numRuns: 2000 },
    );
  });
});
