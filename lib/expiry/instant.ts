/** Instants as the report prints them: ISO 8601, UTC, with a `Z`, milliseconds only when there are some. */
import { DateTime } from 'luxon';

export const MS_PER_DAY = 86_400_000;

export function toIsoUtc(epochMs: number): string {
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
