import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rateLimitOptions } from '../../../cli/emulator';
import { DEFAULT_RATE_LIMITS } from '../../../emulator/rateLimits';
import { UsageError } from '../../../lib/errors';

describe('certwatch emulator --rate-limits / --rate-scale', () => {
  it('limits nothing without either flag', () => {
    expect(rateLimitOptions(undefined, undefined)).toBeUndefined();
  });

  it('--rate-scale alone: the defaults, scaled', () => {
    expect(rateLimitOptions(undefined, '10')).toEqual({ perSecond: DEFAULT_RATE_LIMITS, scale: 10 });
  });

  it('--rate-limits changes, adds and lifts entries over the defaults', () => {
    expect(
      rateLimitOptions('DescribeSSLV2=5,UploadServerCertificate=1,DescribeServerCertificates=off', undefined),
    ).toEqual({
      perSecond: {
        DescribeSSLV2: 5,
        DescribeCdnSSLCertificateList: 20,
        DescribeCertificateInfoByID: 100,
        DescribeCdnHttpsDomainList: 100,
        DescribeDcdnHttpsDomainList: 100,
        ListUserCertificateOrder: 10,
        GetUserCertificateDetail: 100,
        ListLoadBalancers: 20,
        ListListeners: 20,
        ListListenerCertificates: 50,
        AssumeRole: 100,
        ListAccounts: 20,
        UploadServerCertificate: 1,
      },
      scale: 1,
    });
  });

  it.each([
    ['DescribeSSLV2=fast', undefined, /--rate-limits: "DescribeSSLV2=fast"/],
    [undefined, '0', /--rate-scale "0"/],
    [undefined, 'x', /--rate-scale "x"/],
    [undefined, '', /--rate-scale ""/],
  ])('rejects --rate-limits %j --rate-scale %j as a usage error', (limits, scale, message) => {
    expect(() => rateLimitOptions(limits, scale)).toThrow(UsageError);
    expect(() => rateLimitOptions(limits, scale)).toThrow(message);
  });

  it("the README lists the emulator's default limits as they are", () => {
    const defaults = Object.entries(DEFAULT_RATE_LIMITS)
      .map(([action, perSecond]) => `${action}=${perSecond}`)
      .join(',');
    expect(readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')).toContain(
      `Defaults: \`${defaults}\``,
    );
  });
});
