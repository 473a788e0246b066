/**
 * Alibaba Cloud certificates: CDN (list the ids, then one DescribeCertificateInfoByID each, a bounded number in
 * flight) and SLB (DescribeServerCertificates per configured region, concurrently). A page, a certificate or a
 * region that fails is a named failure; the rest still complete.
 */

import { forEachBounded } from '../../concurrency';
import type { AliyunConfig } from '../../config';
import type { CertificateSource, ProviderDeps, ScanSink } from '../source';
import { failureMessage } from '../source';
import { describeCertificateInfo, mapCdnCertificate } from './cdn/certificateInfo';
import { certIdOf, listCdnCertificatePages } from './cdn/listCertificates';
import { type AliyunClientOptions, AliyunRpcClient } from './client';
import { describeServerCertificates, mapServerCertificate } from './slb/describeServerCertificates';

export const CDN_VERSION = '2018-05-10';
export const SLB_VERSION = '2014-05-15';

/**
 * DescribeCertificateInfoByID calls in flight. One call per certificate makes this the scan's longest chain;
 * Alibaba's per-account quota for CDN Describe APIs is on the order of 100 calls/s, and 10 in flight at 50–100 ms
 * round trips is about that — throttled replies are retried with backoff.
 */
export const CDN_INFO_CONCURRENCY = 10;

/**
 * Regions served by the central endpoint slb.aliyuncs.com; every other region has slb.{RegionId}.aliyuncs.com
 * (endpoint map of alibabacloud-go/slb-20140515).
 */
const CENTRAL_SLB_REGIONS = new Set([
  'cn-qingdao',
  'cn-beijing',
  'cn-hangzhou',
  'cn-shanghai',
  'cn-shenzhen',
  'cn-hongkong',
  'ap-southeast-1',
  'us-east-1',
  'us-west-1',
  'cn-hangzhou-finance',
  'cn-shanghai-finance-1',
  'cn-shenzhen-finance-1',
  'cn-north-2-gov-1',
]);

export function slbEndpointFor(regionId: string): string {
  return CENTRAL_SLB_REGIONS.has(regionId)
    ? 'https://slb.aliyuncs.com'
    : `https://slb.${regionId}.aliyuncs.com`;
}

interface SourceOptions {
  requestTimeoutMs: number;
  cdnConcurrency?: number;
  slbConcurrency?: number;
}

/** The client for one Alibaba product, configured as every caller (scan, upload) needs it. */
export function aliyunClient(
  config: AliyunConfig,
  product: 'CDN' | 'SLB',
  region: string | null,
  options: { requestTimeoutMs: number },
  deps: ProviderDeps = {},
): AliyunRpcClient {
  const counters = deps.counters;
  return new AliyunRpcClient({
    credentials: {
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      securityToken: config.securityToken ?? undefined,
    },
    endpoint: product === 'CDN' ? config.cdnEndpoint : (config.slbEndpoint ?? slbEndpointFor(region ?? '')),
    version: product === 'CDN' ? CDN_VERSION : SLB_VERSION,
    product,
    settings: {
      accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
      accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      endpoint: product === 'CDN' ? 'ALIBABA_CLOUD_CDN_ENDPOINT' : 'ALIBABA_CLOUD_SLB_ENDPOINT',
    },
    timeoutMs: options.requestTimeoutMs,
    fetch: deps.fetch,
    sleep: deps.sleep,
    random: deps.random,
    onRequest: counters ? () => void counters.requests++ : undefined,
    onRetry: counters ? () => void counters.retries++ : undefined,
  });
}

export function aliyunCdnSource(
  config: AliyunConfig,
  options: SourceOptions,
  deps: ProviderDeps = {},
): CertificateSource {
  const client = aliyunClient(config, 'CDN', null, options, deps);
  const fail = (sink: ScanSink, message: string) =>
    sink.failure({ provider: 'aliyun', service: 'cdn', region: null, project: null, message });
  return {
    provider: 'aliyun',
    service: 'cdn',
    async scan(sink, signal) {
      // Certificates whose details could not be read: reported once, together, so a throttled run does not
      // bury the digest under thousands of lines.
      const unread: { id: string; message: string }[] = [];
      // Two stages: while one page's certificates are described, the next page is already being listed.
      let describing: Promise<void> = Promise.resolve();
      try {
        for await (const page of listCdnCertificatePages(client, undefined, signal)) {
          await describing;
          describing = forEachBounded(page, options.cdnConcurrency ?? CDN_INFO_CONCURRENCY, async (entry) => {
            const id = certIdOf(entry)!;
            try {
              sink.certificate(mapCdnCertificate(entry, await describeCertificateInfo(client, id, signal)));
            } catch (error) {
              // The certificate exists (the list said so): report it with what the list knew, and the failure.
              const known = mapCdnCertificate(entry, null);
              known.notes.push('its details could not be read (see the failures)');
              sink.certificate(known);
              unread.push({ id, message: failureMessage(error) });
            }
          });
        }
      } catch (error) {
        fail(sink, failureMessage(error));
      }
      await describing;
      if (unread.length > 0) fail(sink, unreadMessage(unread));
    },
  };
}

function unreadMessage(unread: { id: string; message: string }[]): string {
  const ids = unread.map((u) => u.id).sort();
  const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
  return `the details of ${unread.length} certificate(s) could not be read (${shown}): ${unread[0]!.message}`;
}

export function aliyunSlbSource(
  config: AliyunConfig,
  options: SourceOptions,
  deps: ProviderDeps = {},
): CertificateSource {
  const clients = new Map(
    config.slbRegions.map((region) => [region, aliyunClient(config, 'SLB', region, options, deps)]),
  );
  return {
    provider: 'aliyun',
    service: 'slb',
    scan: (sink, signal) =>
      forEachBounded(config.slbRegions, options.slbConcurrency ?? 8, async (region) => {
        try {
          const items = await describeServerCertificates(clients.get(region)!, region, signal);
          for (const item of items) sink.certificate(mapServerCertificate(item, region));
        } catch (error) {
          sink.failure({
            provider: 'aliyun',
            service: 'slb',
            region,
            project: null,
            message: failureMessage(error),
          });
        }
      }),
  };
}
