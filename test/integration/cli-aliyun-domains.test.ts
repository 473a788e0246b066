/**
 * `certwatch audit` lists every CDN and DCDN HTTPS domain of an Alibaba-compatible endpoint (the emulator, real
 * sockets) once, with its status and Alibaba's findings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chinaTime, generateAliyunHttpsDomains } from '../../emulator/fleet/generate';
import type { AliyunHttpsDomain, Fleet } from '../../emulator/fleet/model';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import type { ReportJson } from '../../lib/report/json';
import { runCertwatch } from '../helpers/cli';
import { ALIYUN_ACCOUNT, NOW } from '../helpers/fleet';

const DAY = 86_400_000;
const domain = (DomainName: string, expiresIn: number, extra: Partial<AliyunHttpsDomain> = {}) => ({
  DomainName,
  CertName: `${DomainName}-cert`,
  CertCommonName: DomainName,
  CertType: 'upload' as const,
  CertStatus: 'ok' as const,
  CertExpireTime: chinaTime(NOW + expiresIn),
  ...extra,
});

const cdnCases: AliyunHttpsDomain[] = [
  domain('mismatch.example', 200 * DAY, { CertCommonName: 'www.other.example', CertStatus: 'mismatch' }),
  domain('free.example', 20 * DAY, { CertType: 'free', CertStatus: 'expire_soon' }),
  domain('gone.example', -3 * DAY, { CertStatus: 'expired' }),
  domain('iso.example', 3 * DAY, { CertExpireTime: new Date(NOW + 3 * DAY).toISOString(), CertType: 'cas' }),
];
const dcdnCases: AliyunHttpsDomain[] = [
  domain('soon.dcdn.example', 5 * DAY, { CertType: 'cas', CertStatus: 'expire_soon' }),
  domain('wrong.dcdn.example', 100 * DAY, { CertStatus: 'expired' }),
];
const FLEET: Fleet = {
  aliyun: {
    accounts: [ALIYUN_ACCOUNT],
    cdnDomains: {
      domains: [
        ...cdnCases,
        ...generateAliyunHttpsDomains({ count: 150, seed: 5, now: NOW, product: 'CDN' }),
      ],
    },
    dcdnDomains: {
      domains: [
        ...dcdnCases,
        ...generateAliyunHttpsDomains({ count: 40, seed: 6, now: NOW, product: 'DCDN' }),
      ],
    },
  },
};

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('certwatch audit over CDN and DCDN HTTPS domains', () => {
  it('lists every domain exactly once, with its status and notes', async () => {
    emulator = await startEmulator({ fleet: FLEET, latencyMs: 1 });
    const run = await runCertwatch(['audit', '--format', 'json', '--now', new Date(NOW).toISOString()], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
      ALIBABA_CLOUD_CDN_ENDPOINT: emulator.cdnUrl,
      ALIBABA_CLOUD_DCDN_ENDPOINT: emulator.dcdnUrl,
    });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.failures).toEqual([]);
    const keys = report.certificates.map((c) => `${c.service}/${c.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(
      [
        ...FLEET.aliyun!.cdnDomains!.domains.map((d) => `cdn-domain/${d.DomainName}`),
        ...FLEET.aliyun!.dcdnDomains!.domains.map((d) => `dcdn-domain/${d.DomainName}`),
      ].sort(),
    );
    expect(run.code).toBe(0);

    const row = (service: string, id: string) =>
      report.certificates.find((c) => c.service === service && c.id === id)!;
    for (const record of report.certificates) {
      expect(record).toMatchObject({ provider: 'aliyun', region: 'global', inUse: true });
    }
    expect(row('cdn-domain', 'mismatch.example')).toMatchObject({
      status: 'ok',
      expirySource: 'api:CertExpireTime',
      domains: ['mismatch.example', 'www.other.example'],
      boundTo: ['CDN mismatch.example'],
    });
    expect(row('cdn-domain', 'mismatch.example').notes.join('\n')).toContain(
      'Alibaba reports that the certificate does not match the domain mismatch.example',
    );
    const free = row('cdn-domain', 'free.example');
    expect(free).toMatchObject({ status: 'warning', daysLeft: 20 });
    expect(free.notes).toContain('CertType free: a free certificate Alibaba issued');
    expect(free.notes.join('\n')).toMatch(/read as Beijing time \(UTC\+8\)/);
    // Agreeing with Alibaba adds nothing; disagreeing says so.
    expect(free.notes.join('\n')).not.toContain("Alibaba's CertStatus");
    expect(row('cdn-domain', 'gone.example')).toMatchObject({ status: 'expired' });
    expect(row('cdn-domain', 'iso.example')).toMatchObject({
      status: 'critical',
      notAfter: new Date(NOW + 3 * DAY).toISOString().replace('.000', ''),
    });
    expect(row('dcdn-domain', 'soon.dcdn.example')).toMatchObject({
      status: 'critical',
      boundTo: ['DCDN soon.dcdn.example'],
    });
    expect(row('dcdn-domain', 'wrong.dcdn.example').notes).toContain(
      "Alibaba's CertStatus says expired, but by its expiry date it is ok",
    );
    // No certificate id or PEM is fetched per domain: the list is all.
    expect(Object.keys(emulator.stats.aliyun.cdn.byAction).sort()).toEqual([
      'DescribeCdnHttpsDomainList',
      'DescribeCdnSSLCertificateList',
    ]);
    expect(Object.keys(emulator.stats.aliyun.dcdn.byAction)).toEqual(['DescribeDcdnHttpsDomainList']);
  });
});
