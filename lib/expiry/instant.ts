/** Instants as the report prints them: ISO 8601, UTC, with a `Z`, milliseconds only when there are some. */
import { DateTime } from 'luxon';

export const MS_PER_DAY = 86_400_000;

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: where Date's ISO text and luxon's are the same. */
const FOUR_DIGIT_YEARS_FROM = -62_167_219_200_000;
const FOUR_DIGIT_YEARS_TO = 253_402_300_799_999;

export function toIsoUtc(epochMs: number): string {
  // Date's own formatter, about ten times cheaper than luxon's: it runs three times per certificate.
  if (Number.isInteger(epochMs) && epochMs >= FOUR_DIGIT_YEARS_FROM && epochMs <= FOUR_DIGIT_YEARS_TO) {
    const iso = new Date(epochMs).toISOString();
    return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  }
  return DateTime.fromMillis(epochMs, { zone: 'utc' }).toISO({ suppressMilliseconds: true }) ?? '';
}

/**
 * Reads an ISO 8601 instant. A value without an offset is taken as UTC (there is no sensible local zone for a
 * fleet spread over regions). Returns null when it is not an instant.
 */
export function parseIsoInstant(text: string): number | null {
  const parsed = DateTime.fromISO(text.trim(), { zone: 'utc', setZone: true });
  return parsed.isValid ? parsed.toMillis() : null;
}
