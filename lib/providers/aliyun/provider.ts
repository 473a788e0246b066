/**
 * Alibaba Cloud (CDN certificates, CDN's and DCDN's HTTPS domains, the Certificate Management Service inventory,
 * and SLB server certificates per region), as one provider module.
 */

import type { ProviderModule } from '../module';
import { shardsByRegions } from '../shard';
import { aliyunCasSource } from './cas/source';
import { aliyunClient, slbEndpointFor } from './client';
import { ALIYUN_SETTINGS, type AliyunConfig, readAliyun } from './config';
import { casCheck, cdnCheck, httpsDomainsCheck, slbRegionCheck } from './doctor';
import { CDN_HTTPS_DOMAINS, DCDN_HTTPS_DOMAINS } from './domains/httpsDomainList';
import { aliyunCdnSource, aliyunHttpsDomainSource, aliyunSlbSource } from './source';

/** The part of an emulated fleet this provider is pointed at (emulator/fleet/model.ts, read structurally). */
interface AliyunFleetView {
  accounts?: readonly { AccessKeyId: string; AccessKeySecret: string }[];
  cdn?: { certificates: readonly unknown[] };
  cdnDomains?: { domains: readonly unknown[] };
  /** Absent: DCDN is not opened for the account. */
  dcdnDomains?: { domains: readonly unknown[] };
  slb?: { certificates: readonly { RegionId: string }[] };
  cas?: { certificates: readonly unknown[] };
}

/** Its part of the emulator's stats (emulator/aliyun/handler.ts, read structurally): counters per service. */
interface AliyunStatsView {
  cdn: { requests: number };
  dcdn?: { requests: number };
  slb: { requests: number };
  cas?: { requests: number };
}

export const aliyun: ProviderModule<
  'aliyun',
  AliyunConfig,
  /** `scanCdn`: whether the one CDN shard runs (CDN certificates, CDN or DCDN HTTPS domains). */
  { scanCdn: boolean; scanCas: boolean; slbRegions: readonly string[] }
> = {
  id: 'aliyun',
  title: 'Alibaba Cloud',
  settings: ALIYUN_SETTINGS,
  enabledBy: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
  read: readAliyun,
  sources(config, options, deps) {
    const sources = [];
    if (config.scanCdn) sources.push(aliyunCdnSource(config, options, deps));
    if (config.scanCdnDomains)
      sources.push(aliyunHttpsDomainSource(config, CDN_HTTPS_DOMAINS, options, deps));
    if (config.scanDcdn) sources.push(aliyunHttpsDomainSource(config, DCDN_HTTPS_DOMAINS, options, deps));
    if (config.slbRegions.length > 0) sources.push(aliyunSlbSource(config, options, deps));
    if (config.scanCas) sources.push(aliyunCasSource(config, options, deps));
    return sources;
  },
  shards: {
    services: ['aliyun/slb', 'aliyun/cdn', 'aliyun/cas'],
    // CDN's services (CDN certificates, CDN and DCDN HTTPS domains) share one shard: each is a few list calls,
    // and none has regions to cut.
    scope: ({ scanCdn, scanCdnDomains, scanDcdn, scanCas, slbRegions }) => ({
      scanCdn: scanCdn || scanCdnDomains || scanDcdn,
      scanCas,
      slbRegions,
    }),
    // CDN first: it is global, one shard. CAS, global too, after SLB: shards planned before it keep their places.
    plan: (scope, regionsPerShard) => [
      ...(scope.scanCdn ? [{ id: 'aliyun-cdn', service: 'aliyun/cdn', regions: [] }] : []),
      ...shardsByRegions('aliyun/slb', scope.slbRegions, regionsPerShard),
      ...(scope.scanCas ? [{ id: 'aliyun-cas', service: 'aliyun/cas', regions: [] }] : []),
    ],
    narrow: (config, shard) =>
      shard.service === 'aliyun/cdn'
        ? { ...config, scanCas: false, slbRegions: [] }
        : shard.service === 'aliyun/cas'
          ? {
              ...config,
              scanCdn: false,
              scanCdnDomains: false,
              scanDcdn: false,
              scanCas: true,
              slbRegions: [],
            }
          : {
              ...config,
              scanCdn: false,
              scanCdnDomains: false,
              scanDcdn: false,
              scanCas: false,
              slbRegions: shard.regions,
            },
  },
  doctor: {
    checks(config, { requestTimeoutMs, retry, deps }) {
      const options = { requestTimeoutMs, retry };
      const checks = [];
      if (config.scanCdn) {
        checks.push(cdnCheck(aliyunClient(config, { product: 'CDN' }, options, deps), config.cdnEndpoint));
      }
      if (config.scanCdnDomains) {
        const client = aliyunClient(config, { product: 'CDN' }, options, deps);
        checks.push(httpsDomainsCheck(client, CDN_HTTPS_DOMAINS, config.cdnEndpoint));
      }
      if (config.scanDcdn) {
        const client = aliyunClient(config, { product: 'DCDN' }, options, deps);
        checks.push(httpsDomainsCheck(client, DCDN_HTTPS_DOMAINS, config.dcdnEndpoint));
      }
      if (config.scanCas) {
        checks.push(casCheck(aliyunClient(config, { product: 'CAS' }, options, deps), config.casEndpoint));
      }
      for (const region of config.slbRegions) {
        const client = aliyunClient(config, { product: 'SLB', region }, options, deps);
        checks.push(slbRegionCheck(client, region, config.slbEndpoint ?? slbEndpointFor(region)));
      }
      return checks;
    },
    covers({ scanCdn, scanCdnDomains, scanDcdn, scanCas, slbRegions }) {
      const covered: string[] = [];
      if (scanCdn) covered.push('Alibaba CDN');
      const domains = [scanCdnDomains ? 'CDN' : '', scanDcdn ? 'DCDN' : ''].filter(Boolean);
      if (domains.length > 0) covered.push(`Alibaba ${domains.join(' and ')} HTTPS domains`);
      if (scanCas) covered.push('Alibaba CAS');
      if (slbRegions.length > 0) {
        covered.push(`Alibaba SLB in ${slbRegions.length} region${slbRegions.length === 1 ? '' : 's'}`);
      }
      return covered;
    },
  },
  emulator: {
    env(fleet: AliyunFleetView | undefined, urls) {
      if (!fleet) return {};
      const account = fleet.accounts?.[0] ?? {
        AccessKeyId: 'demo-access-key-id',
        AccessKeySecret: 'demo-access-key-secret',
      };
      const env: Record<string, string> = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: account.AccessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: account.AccessKeySecret,
        ALIBABA_CLOUD_CDN_ENDPOINT: urls.cdnUrl ?? '',
        ALIBABA_CLOUD_SLB_ENDPOINT: urls.slbUrl ?? '',
        ALIBABA_CLOUD_SCAN_CDN: fleet.cdn ? 'true' : 'false',
        ALIBABA_CLOUD_SCAN_CDN_DOMAINS: fleet.cdnDomains ? 'true' : 'false',
        ALIBABA_CLOUD_DCDN_ENDPOINT: urls.dcdnUrl ?? '',
        ALIBABA_CLOUD_SCAN_DCDN: fleet.dcdnDomains ? 'true' : 'false',
        ALIBABA_CLOUD_CAS_ENDPOINT: urls.casUrl ?? '',
        ALIBABA_CLOUD_SCAN_CAS: fleet.cas ? 'true' : 'false',
      };
      const regions = [...new Set((fleet.slb?.certificates ?? []).map((c) => c.RegionId))].sort();
      if (regions.length > 0) env.ALIBABA_CLOUD_SLB_REGIONS = regions.join(',');
      return env;
    },
    certificates: (fleet: AliyunFleetView | undefined) => [
      { count: fleet?.cdn?.certificates.length ?? 0, what: 'Alibaba CDN' },
      { count: fleet?.cdnDomains?.domains.length ?? 0, what: 'Alibaba CDN HTTPS-domain' },
      { count: fleet?.dcdnDomains?.domains.length ?? 0, what: 'Alibaba DCDN HTTPS-domain' },
      { count: fleet?.slb?.certificates.length ?? 0, what: 'Alibaba SLB' },
      { count: fleet?.cas?.certificates.length ?? 0, what: 'Alibaba CAS' },
    ],
    requests: (stats: AliyunStatsView | undefined) =>
      (stats?.cdn.requests ?? 0) +
      (stats?.dcdn?.requests ?? 0) +
      (stats?.slb.requests ?? 0) +
      (stats?.cas?.requests ?? 0),
  },
};
