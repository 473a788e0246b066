/**
 * The emulated CDN and DCDN HTTPS domain lists over real sockets, and certwatch's sources reading them: paging as
 * documented, the documented errors, throttling and signatures.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateAliyunHttpsDomains } from '../../emulator/fleet/generate';
import type { Fleet } from '../../emulator/fleet/model';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import { loadConfig } from '../../lib/config';
import type { ObservedCertificate, SourceFailure } from '../../lib/model';
import { CDN_HTTPS_DOMAINS, DCDN_HTTPS_DOMAINS } from '../../lib/providers/aliyun/domains/httpsDomainList';
import { canonicalQuery, percentEncode, signRpcRequest } from '../../lib/providers/aliyun/signature';
import { aliyunHttpsDomainSource } from '../../lib/providers/aliyun/source';
import { ALIYUN_ACCOUNT, NOW } from '../helpers/fleet';

const cdnDomains = generateAliyunHttpsDomains({ count: 230, seed: 11, now: NOW, product: 'CDN' });
const dcdnDomains = generateAliyunHttpsDomains({ count: 620, seed: 12, now: NOW, product: 'DCDN' });
const FLEET: Fleet = {
  aliyun: {
    accounts: [ALIYUN_ACCOUNT],
    cdnDomains: { domains: cdnDomains },
    dcdnDomains: { domains: dcdnDomains },
  },
};

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  emulator = await startEmulator({ fleet: FLEET, ...options });
  return emulator;
}

type Reply = { status: number; body: Record<string, unknown> };

/** One V1-signed GET, as Alibaba's SDKs send it. */
async function call(
  url: string,
  version: string,
  action: string,
  params: Record<string, string>,
  secret = ALIYUN_ACCOUNT.AccessKeySecret,
): Promise<Reply> {
  const signed = signRpcRequest(
    { ...params, Action: action, Version: version },
    'GET',
    { accessKeyId: ALIYUN_ACCOUNT.AccessKeyId, accessKeySecret: secret },
    { timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), nonce: randomUUID() },
  );
  const query = `${canonicalQuery(signed)}&Signature=${percentEncode(signed.Signature!)}`;
  const response = await fetch(`${url}?${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const dcdn = (params: Record<string, string>, secret?: string) =>
  call(emulator!.dcdnUrl, '2018-01-15', 'DescribeDcdnHttpsDomainList', params, secret);
const cdn = (params: Record<string, string>) =>
  call(emulator!.cdnUrl, '2018-05-10', 'DescribeCdnHttpsDomainList', params);

/** Runs one source against the emulator and collects what it reports. */
async function scan(env: Record<string, string>, product = DCDN_HTTPS_DOMAINS) {
  const config = loadConfig({
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_CDN_ENDPOINT: emulator!.cdnUrl,
    ALIBABA_CLOUD_DCDN_ENDPOINT: emulator!.dcdnUrl,
    CERTWATCH_REQUEST_TIMEOUT_MS: '5000',
    ...env,
  }).aliyun!;
  const certificates: ObservedCertificate[] = [];
  const failures: SourceFailure[] = [];
  const source = aliyunHttpsDomainSource(
    config,
    product,
    { requestTimeoutMs: 5000 },
    { sleep: async () => {} },
  );
  await source.scan({ certificate: (c) => certificates.push(c), failure: (f) => failures.push(f) });
  return { certificates, failures };
}

describe('emulated DescribeDcdnHttpsDomainList and DescribeCdnHttpsDomainList', () => {
  it('pages by PageNumber and PageSize, with TotalCount and the wrapped CertInfo list', async () => {
    await start();
    const first = await dcdn({});
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ TotalCount: 620 });
    const page = (first.body.CertInfos as { CertInfo: { DomainName: string }[] }).CertInfo;
    expect(page.map((d) => d.DomainName)).toEqual(dcdnDomains.slice(0, 20).map((d) => d.DomainName));
    const last = await dcdn({ PageNumber: '2', PageSize: '500' });
    expect((last.body.CertInfos as { CertInfo: unknown[] }).CertInfo).toHaveLength(120);
    const beyond = await dcdn({ PageNumber: '100000', PageSize: '500' });
    expect(beyond.body).toMatchObject({ TotalCount: 620, CertInfos: { CertInfo: [] } });
    expect((await cdn({ PageSize: '100', PageNumber: '3' })).body).toMatchObject({ TotalCount: 230 });
    expect(emulator!.stats.aliyun.dcdn.byAction.DescribeDcdnHttpsDomainList).toBe(3);
    expect(emulator!.stats.aliyun.cdn.byAction.DescribeCdnHttpsDomainList).toBe(1);
  });

  it('refuses a PageNumber or PageSize outside the documented range', async () => {
    await start();
    const ranges: Record<string, string>[] = [
      { PageSize: '501' },
      { PageSize: '0' },
      { PageNumber: '0' },
      { PageNumber: '100001' },
    ];
    for (const params of ranges) {
      const reply = await dcdn(params);
      expect(reply.status).toBe(400);
      expect(reply.body.Code).toBe('InvalidParameter');
    }
  });

  it('answers OperationDenied (403) when DCDN is not opened, NoHttpsDomain when it holds none', async () => {
    await start({ fleet: { aliyun: { accounts: [ALIYUN_ACCOUNT] } } });
    expect(await dcdn({})).toMatchObject({ status: 403, body: { Code: 'OperationDenied' } });
    expect((await cdn({})).body).toMatchObject({ TotalCount: 0, CertInfos: { CertInfo: [] } });
    await emulator!.close();
    await start({ fleet: { aliyun: { accounts: [ALIYUN_ACCOUNT], dcdnDomains: { domains: [] } } } });
    expect(await dcdn({})).toMatchObject({ status: 400, body: { Code: 'NoHttpsDomain' } });
  });

  it('checks the signature and the version', async () => {
    await start();
    expect(await dcdn({}, 'not-the-secret')).toMatchObject({
      status: 400,
      body: { Code: 'SignatureDoesNotMatch' },
    });
    const wrongVersion = await call(emulator!.dcdnUrl, '2018-05-10', 'DescribeDcdnHttpsDomainList', {});
    expect(wrongVersion.body.Code).toBe('InvalidVersion');
  });

  it("throttles CDN's list with Throttling and HTTP 503, at 100 calls a second", async () => {
    await start({ rateLimits: { clock: () => 0 } });
    expect(emulator!.rateLimits).toMatchObject({
      DescribeCdnHttpsDomainList: 100,
      DescribeDcdnHttpsDomainList: 100,
    });
    const replies = await Promise.all(Array.from({ length: 101 }, () => cdn({ PageSize: '1' })));
    const throttled = replies.filter((reply) => reply.status !== 200);
    expect(throttled).toHaveLength(1);
    expect(throttled[0]).toMatchObject({ status: 503, body: { Code: 'Throttling' } });
  });
});

describe('the CDN and DCDN domain sources against the emulator', () => {
  it('report every domain once over several pages, each page read twice', async () => {
    await start();
    const dcdnScan = await scan({});
    expect(dcdnScan.failures).toEqual([]);
    expect(dcdnScan.certificates.map((c) => c.id).sort()).toEqual(
      dcdnDomains.map((d) => d.DomainName.toLowerCase()).sort(),
    );
    // Two pages of 500, read twice: page numbers cannot show a shift that keeps TotalCount.
    expect(emulator!.stats.aliyun.dcdn.byAction.DescribeDcdnHttpsDomainList).toBe(4);
    const cdnScan = await scan({}, CDN_HTTPS_DOMAINS);
    expect(cdnScan.failures).toEqual([]);
    expect(cdnScan.certificates).toHaveLength(230);
    expect(new Set(cdnScan.certificates.map((c) => c.id)).size).toBe(230);
    expect(emulator!.stats.aliyun.cdn.byAction.DescribeCdnHttpsDomainList).toBe(6);
  });

  it('lists nothing, and names no failure, where DCDN is not opened or holds no domain', async () => {
    await start({ fleet: { aliyun: { accounts: [ALIYUN_ACCOUNT] } } });
    expect(await scan({})).toEqual({ certificates: [], failures: [] });
    await emulator!.close();
    await start({ fleet: { aliyun: { accounts: [ALIYUN_ACCOUNT], dcdnDomains: { domains: [] } } } });
    expect(await scan({})).toEqual({ certificates: [], failures: [] });
  });

  it('names the missing RAM action when the key may not list', async () => {
    await start({
      aliyun: { failures: [{ service: 'dcdn', code: 'Forbidden.RAM', message: 'User not authorized' }] },
    });
    const { certificates, failures } = await scan({});
    expect(certificates).toEqual([]);
    expect(failures).toEqual([
      {
        provider: 'aliyun',
        service: 'dcdn-domain',
        region: null,
        project: null,
        message: expect.stringMatching(
          /^Alibaba DCDN DescribeDcdnHttpsDomainList \(page 1\): HTTP 403 Forbidden\.RAM .* grant it the RAM action dcdn:DescribeDcdnHttpsDomainList/,
        ),
      },
    ]);
  });

  it('names a total the pages did not hold as a failure, keeping what was read', async () => {
    await start({
      aliyun: {
        onAction: ({ action }) =>
          action === 'DescribeCdnHttpsDomainList'
            ? { reply: (body) => ({ ...body, TotalCount: 231 }) }
            : undefined,
      },
    });
    const { certificates, failures } = await scan({}, CDN_HTTPS_DOMAINS);
    expect(certificates).toHaveLength(230);
    expect(failures.map((f) => f.message)).toEqual([
      expect.stringMatching(/TotalCount says 231 certificates but the pages held 230/),
    ]);
  });
});
