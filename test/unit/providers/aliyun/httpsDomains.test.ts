import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config';
import { evaluate } from '../../../../lib/expiry/evaluate';
import {
  CDN_HTTPS_DOMAINS,
  DCDN_HTTPS_DOMAINS,
  mapHttpsDomain,
} from '../../../../lib/providers/aliyun/domains/httpsDomainList';
import { readChinaTime } from '../../../../lib/providers/aliyun/timestamps';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-23T12:00:00Z');
const STATUS_DAYS = { warningDays: 30, criticalDays: 7 };

describe('readChinaTime', () => {
  it('reads a bare yyyy-MM-dd HH:mm:ss as UTC+8, the earlier of the two plausible readings', () => {
    expect(readChinaTime('2018-12-26 14:45:09')).toEqual({
      epochMs: Date.parse('2018-12-26T06:45:09Z'),
      assumedChinaTime: true,
    });
    expect(readChinaTime('2018-12-26 14:45:09')!.epochMs).toBeLessThan(Date.parse('2018-12-26T14:45:09Z'));
  });

  it('reads a time that names its zone as it says', () => {
    expect(readChinaTime('2018-06-03T22:03:39Z')).toEqual({
      epochMs: Date.parse('2018-06-03T22:03:39Z'),
      assumedChinaTime: false,
    });
    expect(readChinaTime('2018-06-04T06:03:39+08:00')?.epochMs).toBe(Date.parse('2018-06-03T22:03:39Z'));
    expect(readChinaTime('2018-06-03 22:03:39 +0000 UTC')?.epochMs).toBe(Date.parse('2018-06-03T22:03:39Z'));
  });

  it('refuses what is no date', () => {
    for (const text of ['', 'soon', '2018-02-30 10:00:00', 12, null]) expect(readChinaTime(text)).toBeNull();
  });
});

describe('mapHttpsDomain', () => {
  it('makes one global record per domain, named by its certificate, bound to the domain', () => {
    const observed = mapHttpsDomain(
      {
        DomainName: 'WWW.Example.com',
        CertName: 'www-2026',
        CertCommonName: '*.example.com',
        CertType: 'cas',
        CertStatus: 'ok',
        CertStartTime: '2026-01-01 08:00:00',
        CertExpireTime: '2026-12-26 14:45:09',
      },
      CDN_HTTPS_DOMAINS,
    );
    expect(observed).toMatchObject({
      provider: 'aliyun',
      service: 'cdn-domain',
      region: 'global',
      project: null,
      id: 'www.example.com',
      name: 'www-2026',
      domains: ['www.example.com', '*.example.com'],
      apiNotAfter: { epochMs: Date.parse('2026-12-26T06:45:09Z'), source: 'api:CertExpireTime' },
      chain: null,
      apiStatus: null,
      inUse: true,
      boundTo: ['CDN www.example.com'],
    });
    expect(observed.notes).toEqual([
      'CertExpireTime names no time zone; it was read as Beijing time (UTC+8), the earlier of the two plausible ' +
        'readings, so an alert is never late',
      'CertType cas: a certificate from Certificate Management Service (CAS)',
    ]);
  });

  it('takes an ISO expiry as it is, names DCDN, and lists the common name once when it is the domain', () => {
    const observed = mapHttpsDomain(
      {
        DomainName: 'api.example.com',
        CertCommonName: 'api.example.com',
        CertType: 'upload',
        CertExpireTime: '2027-01-02T03:04:05Z',
      },
      DCDN_HTTPS_DOMAINS,
    );
    expect(observed).toMatchObject({
      service: 'dcdn-domain',
      name: 'api.example.com',
      domains: ['api.example.com'],
      apiNotAfter: { epochMs: Date.parse('2027-01-02T03:04:05Z') },
      boundTo: ['DCDN api.example.com'],
      notes: ['CertType upload: a certificate uploaded to the domain'],
    });
  });

  it("reports Alibaba's mismatch plainly as a finding", () => {
    const observed = mapHttpsDomain(
      {
        DomainName: 'img.example.com',
        CertName: 'other',
        CertCommonName: 'www.other.example',
        CertStatus: 'mismatch',
        CertExpireTime: '2027-12-26 14:45:09',
      },
      CDN_HTTPS_DOMAINS,
    );
    expect(observed.notes).toContain(
      'Alibaba reports that the certificate does not match the domain img.example.com (CertStatus mismatch): ' +
        'browsers refuse it for this domain',
    );
    expect(observed.domains).toEqual(['img.example.com', 'www.other.example']);
  });

  it('survives missing and broken fields: unknown expiry, named, never a throw', () => {
    const bare = mapHttpsDomain({ DomainName: 'x.example' }, CDN_HTTPS_DOMAINS);
    expect(bare).toMatchObject({ id: 'x.example', name: 'x.example', apiNotAfter: null, notes: [] });
    expect(evaluate(bare, NOW, STATUS_DAYS)).toMatchObject({ status: 'unknown', expirySource: 'none' });
    const garbage = mapHttpsDomain(
      { DomainName: 'y.example', CertExpireTime: 'unknown', CertType: 'weird' },
      CDN_HTTPS_DOMAINS,
    );
    expect(garbage.notes).toEqual([
      'CertExpireTime "unknown" is not a date certwatch can read',
      'CertType weird: a type certwatch does not know',
    ]);
  });
});

describe("Alibaba's CertStatus beside certwatch's own status", () => {
  const record = (status: string, expiresIn: number) =>
    evaluate(
      mapHttpsDomain(
        {
          DomainName: 'a.example',
          CertStatus: status,
          CertExpireTime: new Date(NOW + expiresIn).toISOString().replace('.000', ''),
        },
        CDN_HTTPS_DOMAINS,
      ),
      NOW,
      STATUS_DAYS,
    );
  const statusNotes = (notes: string[]) => notes.filter((note) => note.startsWith("Alibaba's CertStatus"));

  it('says nothing more where they agree', () => {
    expect(record('expired', -2 * DAY)).toMatchObject({
      status: 'expired',
      expirySource: 'api:CertExpireTime',
    });
    expect(statusNotes(record('expired', -2 * DAY).notes)).toEqual([]);
    expect(statusNotes(record('expire_soon', 10 * DAY).notes)).toEqual([]);
    expect(statusNotes(record('expire_soon', 3 * DAY).notes)).toEqual([]);
    expect(statusNotes(record('ok', 100 * DAY).notes)).toEqual([]);
  });

  it('notes where they disagree', () => {
    expect(statusNotes(record('expired', 100 * DAY).notes)).toEqual([
      "Alibaba's CertStatus says expired, but by its expiry date it is ok",
    ]);
    expect(statusNotes(record('expire_soon', 100 * DAY).notes)).toEqual([
      "Alibaba's CertStatus says expire_soon, but by its expiry date it is ok",
    ]);
    expect(statusNotes(record('expire_soon', -DAY).notes)).toEqual([
      "Alibaba's CertStatus says expire_soon, but by its expiry date it is expired",
    ]);
    const unread = evaluate(
      mapHttpsDomain({ DomainName: 'b.example', CertStatus: 'expired' }, CDN_HTTPS_DOMAINS),
      NOW,
      STATUS_DAYS,
    );
    expect(statusNotes(unread.notes)).toEqual([
      "Alibaba's CertStatus says expired, but certwatch could not read its expiry date",
    ]);
  });
});

describe('the CDN and DCDN domain settings', () => {
  const keys = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b' };
  const aliyun = (env: Record<string, string>) => loadConfig({ ...keys, ...env }).aliyun!;

  it('scan both with the keys, through Alibaba, by default', () => {
    expect(aliyun({})).toMatchObject({
      scanCdnDomains: true,
      scanDcdn: true,
      dcdnEndpoint: 'https://dcdn.aliyuncs.com',
    });
    expect(aliyun({ ALIBABA_CLOUD_CDN_ENDPOINT: 'https://cdn.ap-southeast-1.aliyuncs.com' }).scanDcdn).toBe(
      true,
    );
  });

  it('follow ALIBABA_CLOUD_SCAN_CDN, and can be set each on its own', () => {
    expect(
      aliyun({ ALIBABA_CLOUD_SCAN_CDN: 'false', ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou' }),
    ).toMatchObject({
      scanCdnDomains: false,
      scanDcdn: false,
    });
    expect(aliyun({ ALIBABA_CLOUD_SCAN_CDN: 'false', ALIBABA_CLOUD_SCAN_DCDN: 'true' })).toMatchObject({
      scanCdn: false,
      scanCdnDomains: false,
      scanDcdn: true,
    });
    expect(aliyun({ ALIBABA_CLOUD_SCAN_CDN_DOMAINS: 'false' })).toMatchObject({
      scanCdn: true,
      scanCdnDomains: false,
      scanDcdn: true,
    });
  });

  it('do not go around a CDN endpoint that is not Alibaba to reach DCDN, unless DCDN has its own', () => {
    const proxied = { ALIBABA_CLOUD_CDN_ENDPOINT: 'https://proxy.internal.example/cdn' };
    expect(aliyun(proxied).scanDcdn).toBe(false);
    expect(
      aliyun({ ...proxied, ALIBABA_CLOUD_DCDN_ENDPOINT: 'https://proxy.internal.example/dcdn' }),
    ).toMatchObject({ scanDcdn: true, dcdnEndpoint: 'https://proxy.internal.example/dcdn' });
    expect(aliyun({ ...proxied, ALIBABA_CLOUD_SCAN_DCDN: 'true' }).scanDcdn).toBe(true);
  });

  it('name a bad value', () => {
    expect(() => loadConfig({ ...keys, ALIBABA_CLOUD_SCAN_DCDN: 'maybe' })).toThrow(
      /ALIBABA_CLOUD_SCAN_DCDN "maybe" must be true or false/,
    );
    expect(() => loadConfig({ ...keys, ALIBABA_CLOUD_DCDN_ENDPOINT: 'dcdn.example' })).toThrow(
      /ALIBABA_CLOUD_DCDN_ENDPOINT "dcdn.example" is not an http\(s\) URL/,
    );
  });
});
