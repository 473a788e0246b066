/**
 * The providers' date fields, fuzzed: UCloud NotAfter, Alibaba CDN CertExpireTime, SLB ExpireTime and
 * ExpireTimeStamp. Whatever arrives, the reader gives an instant it can stand behind or nothing (and the mapper a
 * note); every layout the providers send reads back to the instant written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lib/expiry/evaluate';
import { statusAt } from '../../lib/expiry/status';
import { STATUS_ORDER } from '../../lib/model';
import { mapCdnCertificate } from '../../lib/providers/aliyun/cdn/certificateInfo';
import { mapServerCertificate } from '../../lib/providers/aliyun/slb/describeServerCertificates';
import { readAliyunTime, readEpoch } from '../../lib/providers/aliyun/timestamps';
import { mapSslInfo } from '../../lib/providers/ucloud/mapper';
import { fuzz } from './fuzz';

/** 1000-01-01 and 9998-12-31: instants every layout can write with a four-digit year in any offset. */
const FROM_MS = Date.UTC(1000, 0, 1);
const TO_MS = Date.UTC(9998, 11, 31);
const NOW = Date.parse('2026-11-23T00:00:00Z');
const THRESHOLDS = { warningDays: 30, criticalDays: 7 };

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');

/** Text that looks like a date: each part in or just outside its range, in any of the separators seen. */
const dateLike = fc
  .record({
    year: fc.integer({ min: 0, max: 99_999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }),
    separator: fc.constantFrom(' ', 'T', 't', '  ', '_'),
    zone: fc.constantFrom(
      '',
      'Z',
      'z',
      ' +0000 UTC',
      ' +0800 CST',
      ' +0800 +08',
      ' -0530',
      ' +2400 UTC',
      ' +9999 X',
      '+08:00',
      '-23:59',
      '+24:00',
      ' UTC',
      ' +0000 VERYLONGZONE',
    ),
    padding: fc.constantFrom('', ' ', '\t', '\n', '\u00a0', '\ufeff'),
  })
  .map(
    (p) =>
      `${p.padding}${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}${p.separator}${pad(p.hour, 2)}:` +
      `${pad(p.minute, 2)}:${pad(p.second, 2)}${p.fraction === undefined ? '' : `.${p.fraction}`}${p.zone}${p.padding}`,
  );

/** Any value a JSON field could hold, and strings that nearly make a date. */
const anyField = fc.oneof(
  { weight: 3, arbitrary: dateLike },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  fc.double(),
  fc.integer(),
  fc.constantFrom(undefined, null, '', 0, '0', -0, Number.NaN, Number.POSITIVE_INFINITY, 1e300, true, [], {}),
);

/** A sensible instant and a UTC offset in whole minutes, as zones have them (-12:00 to +14:00). */
const instantAndOffset = fc.record({
  epochMs: fc.integer({ min: FROM_MS, max: TO_MS }),
  wholeSeconds: fc.boolean(),
  offsetMinutes: fc.integer({ min: -12 * 60, max: 14 * 60 }),
});

function localParts(epochMs: number, offsetMinutes: number) {
  const iso = new Date(epochMs + offsetMinutes * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hh = pad(Math.trunc(offsetMinutes / 60), 2);
  const mm = pad(offsetMinutes % 60, 2);
  return { date: iso.slice(0, 10), time: iso.slice(11, 23), sign, hh, mm };
}

const severity = (status: string) => STATUS_ORDER.length - STATUS_ORDER.indexOf(status as never);

describe('fuzz: Alibaba date layouts (CertExpireTime, ExpireTime)', () => {
  it('readAliyunTime never throws and gives a whole-millisecond instant or null, for any value', () => {
    fuzz(
      'dates',
      'readAliyunTime any value',
      fc.property(anyField, (value) => {
        const read = readAliyunTime(value);
        if (read === null) return;
        expect(Number.isSafeInteger(read.epochMs)).toBe(true);
        expect(typeof read.assumedUtc).toBe('boolean');
        expect(typeof value).toBe('string');
      }),
      20_000,
    );
  });

  it('reads back every instant written in each layout Alibaba sends, in any offset', () => {
    fuzz(
      'dates',
      'readAliyunTime round trip',
      fc.property(
        instantAndOffset,
        fc.constantFrom('go', 'go-abbreviation', 'iso-offset', 'iso-z', 'naive-space', 'naive-t'),
        ({ epochMs: raw, wholeSeconds, offsetMinutes }, layout) => {
          const epochMs = wholeSeconds ? raw - (raw % 1000) : raw;
          const utc = localParts(epochMs, 0);
          const local = localParts(epochMs, offsetMinutes);
          const time = (parts: typeof local) => (wholeSeconds ? parts.time.slice(0, 8) : parts.time);
          const text = {
            go: `${local.date} ${time(local)} ${local.sign}${local.hh}${local.mm}`,
            'go-abbreviation': `${local.date} ${time(local)} ${local.sign}${local.hh}${local.mm} ${local.sign}${local.hh}`,
            'iso-offset': `${local.date}T${time(local)}${local.sign}${local.hh}:${local.mm}`,
            'iso-z': `${utc.date}T${time(utc)}Z`,
            'naive-space': `${utc.date} ${time(utc)}`,
            'naive-t': `${utc.date}T${time(utc)}`,
          }[layout];
          expect(readAliyunTime(text), text).toEqual({ epochMs, assumedUtc: layout.startsWith('naive') });
        },
      ),
      10_000,
    );
  });
});

describe('fuzz: SLB ExpireTimeStamp', () => {
  it('readEpoch gives a positive whole millisecond up to 1e14, or null, for any value', () => {
    fuzz(
      'dates',
      'readEpoch any value',
      fc.property(anyField, (value) => {
        const ms = readEpoch(value);
        if (ms === null) return;
        expect(Number.isSafeInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThan(0);
        expect(ms).toBeLessThanOrEqual(1e14);
      }),
      10_000,
    );
  });

  it('reads milliseconds as themselves and seconds times 1000, as numbers or digit strings', () => {
    fuzz(
      'dates',
      'readEpoch round trip',
      fc.property(
        fc.integer({ min: 1e11 + 1, max: 1e14 }),
        fc.boolean(),
        fc.boolean(),
        (ms, asSeconds, asText) => {
          const value = asSeconds ? Math.floor(ms / 1000) : ms;
          const expected = asSeconds ? Math.floor(ms / 1000) * 1000 : ms;
          expect(readEpoch(asText ? String(value) : value)).toBe(expected);
        },
      ),
      5_000,
    );
  });
});

describe('fuzz: dates through the mappers and evaluate', () => {
  it('UCloud NotAfter: an instant, or nothing and a note; the record is never unknown without a reason', () => {
    fuzz(
      'dates',
      'ucloud NotAfter',
      fc.property(anyField, (notAfter) => {
        const cert = mapSslInfo({ SSLId: 'ssl-1', NotAfter: notAfter }, 'cn-bj2', null);
        if (cert.apiNotAfter !== null) {
          expect(Number.isSafeInteger(cert.apiNotAfter.epochMs)).toBe(true);
          // 0 is "no date" on the wire: nothing read as a number may become that instant (1970) either.
          expect(cert.apiNotAfter.epochMs).toBeGreaterThan(0);
          expect(cert.apiNotAfter.source).toBe('api:NotAfter');
        } else {
          const absent =
            notAfter === undefined ||
            notAfter === null ||
            notAfter === '' ||
            notAfter === 0 ||
            (typeof notAfter === 'string' && /^\s*0+\s*$/.test(notAfter));
          if (!absent) expect(cert.notes).toContain('NotAfter is not a timestamp and was ignored');
        }
        const record = evaluate(cert, NOW, THRESHOLDS);
        if (record.status === 'unknown') expect(record.notes.length).toBeGreaterThan(0);
        expect(() => JSON.stringify(record)).not.toThrow();
      }),
      10_000,
    );
  });

  it('CDN CertExpireTime: an instant, or a note that names the field', () => {
    fuzz(
      'dates',
      'cdn CertExpireTime',
      fc.property(anyField, (expire) => {
        const cert = mapCdnCertificate({ CertId: 7 }, { CertId: '7', CertExpireTime: expire });
        if (cert.apiNotAfter === null && expire !== undefined && expire !== null && expire !== '') {
          expect(cert.notes.some((note) => note.startsWith('CertExpireTime '))).toBe(true);
        }
        const record = evaluate(cert, NOW, THRESHOLDS);
        if (record.status === 'unknown') expect(record.notes.length).toBeGreaterThan(0);
      }),
      5_000,
    );
  });

  it('SLB ExpireTimeStamp wins over ExpireTime, and a disagreement is noted', () => {
    fuzz(
      'dates',
      'slb ExpireTime/ExpireTimeStamp',
      fc.property(anyField, anyField, (stamp, text) => {
        const cert = mapServerCertificate(
          { ServerCertificateId: 'sc-1', ExpireTimeStamp: stamp, ExpireTime: text },
          'cn-hangzhou',
        );
        const fromStamp = readEpoch(stamp);
        const fromText = readAliyunTime(text);
        if (fromStamp !== null)
          expect(cert.apiNotAfter).toEqual({ epochMs: fromStamp, source: 'api:ExpireTimeStamp' });
        else if (fromText)
          expect(cert.apiNotAfter).toEqual({ epochMs: fromText.epochMs, source: 'api:ExpireTime' });
        else expect(cert.apiNotAfter).toBeNull();
        const disagree =
          fromStamp !== null && fromText !== null && Math.abs(fromText.epochMs - fromStamp) >= 1000;
        expect(cert.notes.includes('ExpireTime and ExpireTimeStamp disagree; ExpireTimeStamp is used')).toBe(
          disagree,
        );
        const record = evaluate(cert, NOW, THRESHOLDS);
        if (record.status === 'unknown') expect(record.notes.length).toBeGreaterThan(0);
      }),
      5_000,
    );
  });

  it('a later NotAfter never gives a more severe status', () => {
    fuzz(
      'dates',
      'NotAfter monotonic',
      fc.property(
        fc.integer({ min: 1, max: 4e9 }),
        fc.integer({ min: 0, max: 4e9 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        (seconds, later, a, b) => {
          const thresholds = { warningDays: Math.max(a, b), criticalDays: Math.min(a, b) };
          const status = (s: number) =>
            evaluate(mapSslInfo({ SSLId: 's', NotAfter: s }, 'cn-bj2', null), NOW, thresholds).status;
          const early = status(seconds);
          const late = status(seconds + later);
          expect(severity(late)).toBeLessThanOrEqual(severity(early));
          expect(statusAt(null, NOW, thresholds)).toBe('unknown');
        },
      ),
      5_000,
    );
  });
});
