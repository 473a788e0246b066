/** Instants as the report prints them: ISO 8601, UTC, with a `Z`, milliseconds only when there are some. */
import { DateTime } from 'luxon';

export const MS_PER_DAY = 86_400_000;

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the years luxon prints with four digits. */
const FOUR_DIGIT_YEARS_FROM = -62_167_219_200_000;
const FOUR_DIGIT_YEARS_TO = 253_402_300_799_999;

export function toIsoUtc(epochMs: number): string {
  // The report writers print up to three instants per certificate; luxon costs ~1.5 µs each, this ~0.2 µs.
  if (Number.isInteger(epochMs) && epochMs >= FOUR_DIGIT_YEARS_FROM && epochMs <= FOUR_DIGIT_YEARS_TO) {
    return formatIsoUtc(epochMs);
  }
  return DateTime.fromMillis(epochMs, { zone: 'utc' }).toISO({ suppressMilliseconds: true }) ?? '';
}

const ZERO = 48;

/**
 * `YYYY-MM-DDTHH:MM:SS[.mmm]Z` for a whole number of ms in years 0000–9999 (proleptic Gregorian, as Date).
 * Built from character codes in one call: text joined with `+` or a template is a tree of string pieces in V8,
 * which a written report of 100,000 certificates would hold per instant until it is serialized.
 */
function formatIsoUtc(epochMs: number): string {
  const days = Math.floor(epochMs / MS_PER_DAY);
  let rest = epochMs - days * MS_PER_DAY;
  // Civil date from days since 1970-01-01: Howard Hinnant's days_from_civil, inverted (eras of 400 years).
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * marchMonth + 2) / 5) + 1;
  const month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const ms = rest - second * 1000;
  const century = Math.floor(year / 100);
  const yy = year % 100;
  const t = tens;
  const u = units;
  // Codes: 0x2d '-', 0x54 'T', 0x3a ':', 0x2e '.', 0x5a 'Z'. One call with fixed arguments: no array to build.
  // biome-ignore format: one group per field reads better than one code per line
  return ms === 0
    ? String.fromCharCode(
        t(century), u(century), t(yy), u(yy), 0x2d, t(month), u(month), 0x2d, t(day), u(day),
        0x54, t(hour), u(hour), 0x3a, t(minute), u(minute), 0x3a, t(second), u(second), 0x5a,
      )
    : String.fromCharCode(
        t(century), u(century), t(yy), u(yy), 0x2d, t(month), u(month), 0x2d, t(day), u(day),
        0x54, t(hour), u(hour), 0x3a, t(minute), u(minute), 0x3a, t(second), u(second),
        0x2e, ZERO + Math.floor(ms / 100), t(ms % 100), u(ms), 0x5a,
      );
}

const tens = (n: number) => ZERO + Math.floor(n / 10);
const units = (n: number) => ZERO + (n % 10);

/** `2026-12-01 09:30`: an instant to the minute, UTC, as the table, the Markdown and the HTML report print it. */
export function toMinuteUtc(epochMs: number): string {
  return toIsoUtc(epochMs).slice(0, 16).replace('T', ' ');
}

/** `toIsoUtc` for an instant that may be unknown: null stays null. */
export function toIsoUtcOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : toIsoUtc(epochMs);
}

/** The common layout, read without luxon: `YYYY-MM-DDTHH:MM[:SS[.fff]]` and an optional `Z` or offset. */
const COMMON_ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads an ISO 8601 instant: the one ISO reader of the program (report files, state, options, wire dates). A value
 * without an offset is taken as UTC (there is no sensible local zone for a fleet spread over regions). Returns null
 * when it is not an instant. The common layout is read with Date.parse (a digest or a state file reads many, and
 * luxon costs several times as much); luxon reads the rest of ISO 8601 (dates alone, week and ordinal dates).
 */
export function parseIsoInstant(text: string): number | null {
  const trimmed = text.trim();
  const common = COMMON_ISO_INSTANT.exec(trimmed);
  if (common) {
    // Date.parse alone would take a value without an offset in the machine's zone, and February 30 as March 2.
    const ms = Date.parse(common[4] === undefined ? `${trimmed}Z` : trimmed);
    const day = Number(common[3]);
    const lastDay = new Date(Date.UTC(Number(common[1]), Number(common[2]), 0)).getUTCDate();
    if (!Number.isNaN(ms) && day >= 1 && day <= lastDay) return ms;
  }
  const parsed = DateTime.fromISO(trimmed, { zone: 'utc', setZone: true });
  return parsed.isValid ? parsed.toMillis() : null;
}
