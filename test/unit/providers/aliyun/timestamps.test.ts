import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAliyunTime, readEpoch } from '../../../../lib/providers/aliyun/timestamps';

const at = Date.parse('2098-02-08T08:02:07Z');

describe('readAliyunTime', () => {
  it('reads every CertExpireTime layout as the same instant', () => {
    expect(readAliyunTime('2098-02-08 08:02:07 +0000 UTC')).toEqual({ epochMs: at, assumedUtc: false });
    expect(readAliyunTime('2098-02-08 16:02:07 +0800 CST')).toEqual({ epochMs: at, assumedUtc: false });
    expect(readAliyunTime('2098-02-08 08:02:07.5 +0000 UTC')).toEqual({
      epochMs: at + 500,
      assumedUtc: false,
    });
    expect(readAliyunTime('2098-02-08T08:02:07Z')).toEqual({ epochMs: at, assumedUtc: false });
    expect(readAliyunTime('2098-02-08T16:02:07+08:00')).toEqual({ epochMs: at, assumedUtc: false });
    expect(readAliyunTime('2098-02-08 08:02:07')).toEqual({ epochMs: at, assumedUtc: true });
  });

  it('refuses what is not one of them', () => {
    for (const text of ['', 'unknown', '2098-02-30 08:02:07', '08:02:07 2098-02-08', '1700000000', 12]) {
      expect(readAliyunTime(text)).toBeNull();
    }
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        readAliyunTime(text);
      }),
    );
  });
});

describe('readEpoch', () => {
  it('reads milliseconds, and seconds, and refuses the implausible', () => {
    expect(readEpoch(at)).toBe(at);
    expect(readEpoch(at / 1000)).toBe(at);
    expect(readEpoch(String(at))).toBe(at);
    for (const value of [0, -5, null, undefined, 'soon', 1e16, Number.NaN])
      expect(readEpoch(value)).toBeNull();
  });
});

describe('Go zone names', () => {
  it('reads a zone written as its offset', () => {
    expect(readAliyunTime('2098-02-08 16:02:07 +0800 +08')?.epochMs).toBe(Date.parse('2098-02-08T08:02:07Z'));
  });
});
