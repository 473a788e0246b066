/**
 * A UTC date and time of day, as a certificate writes it, to epoch milliseconds: checked field by field, for
 * any year 0000–9999 of the proleptic Gregorian calendar (X.509's and Date's).
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The instant, or null for a time that does not exist (February 30th, 24:00, a leap second, year 10000, a
 * negative or NaN field). Arguments as `Date.UTC`'s, but the month is 1–12 and a year below 100 is that year,
 * not 19YY.
 */
export function utcEpochMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number | null {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  // Each field is asked to be in range, not checked for being out of it, so that NaN is refused too.
  const exists =
    year >= 0 &&
    year <= 9999 &&
    day >= 1 &&
    day <= monthDays &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59 &&
    millisecond >= 0 &&
    millisecond <= 999;
  if (!exists) return null;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  // Date.UTC reads years 0–99 as 1900–1999. Month and day go with the year: 1900 has no February 29th.
  return year >= 100 ? epochMs : new Date(epochMs).setUTCFullYear(year, month - 1, day);
}
