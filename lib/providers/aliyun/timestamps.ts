/**
 * The date layouts Alibaba's certificate APIs send. CDN `CertExpireTime` is documented as
 * `2098-02-08 08:02:07 +0000 UTC` (Go's time.String() layout) but its real form is UNVERIFIED, so ISO 8601 and a
 * bare `yyyy-MM-dd HH:mm:ss` (taken as UTC) are read too. Go names zones without an abbreviation by their
 * offset (`+0800 +08`). SLB sends ISO 8601 and epoch milliseconds.
 */
import { parseIsoInstant } from '../../expiry/instant';

export interface ReadInstant {
  epochMs: number;
  /** The text named no time zone, so it was taken as UTC. */
  assumedUtc: boolean;
}

const GO_TIME =
  /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-])(\d{2})(\d{2})(?: [A-Za-z0-9+-]{1,6})?$/;
const NAIVE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

/** Reads any of the layouts above; null when the text is none of them. */
export function readAliyunTime(value: unknown): ReadInstant | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const go = GO_TIME.exec(text);
  if (go) return fromIso(`${go[1]}T${go[2]}${go[3]}${go[4]}:${go[5]}`, false);
  const naive = NAIVE.exec(text);
  if (naive) return fromIso(`${naive[1]}T${naive[2]}Z`, true);
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text)) return fromIso(text, false);
  return null;
}

/** An instant read by {@link readChinaTime}. */
export interface ChinaTimeInstant {
  epochMs: number;
  /** The text named no time zone, so it was taken as UTC+8. */
  assumedChinaTime: boolean;
}

/**
 * The CDN/DCDN HTTPS domain lists' `yyyy-MM-dd HH:mm:ss` (reference §5: its time zone is UNCONFIRMED). The console
 * shows Beijing time, so a bare text is read as UTC+8: of the two plausible readings (UTC+8 and UTC) it is the
 * earlier instant, so an expiry is never reported later than it may be. A text that names its zone (ISO 8601, Go's
 * layout) is read as it says.
 */
export function readChinaTime(value: unknown): ChinaTimeInstant | null {
  if (typeof value !== 'string') return null;
  const naive = NAIVE.exec(value.trim());
  if (naive) {
    const epochMs = parseIsoInstant(`${naive[1]}T${naive[2]}+08:00`);
    return epochMs === null ? null : { epochMs, assumedChinaTime: true };
  }
  const read = readAliyunTime(value);
  return read ? { epochMs: read.epochMs, assumedChinaTime: false } : null;
}

/**
 * Epoch milliseconds as SLB's `ExpireTimeStamp` sends them (seconds accepted too: a value below 1e11 is seconds).
 * Null when absent, zero or not a plausible instant.
 */
export function readEpoch(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0 || number > 1e14) return null;
  const ms = number > 1e11 ? Math.trunc(number) : Math.trunc(number * 1000);
  // A fraction of a millisecond truncates to 0, which means "no date", not 1970.
  return ms > 0 ? ms : null;
}

function fromIso(iso: string, assumedUtc: boolean): ReadInstant | null {
  const epochMs = parseIsoInstant(iso);
  return epochMs === null ? null : { epochMs, assumedUtc };
}
