/**
 * Alibaba Cloud (CDN certificates, CDN's and DCDN's HTTPS domains, the Certificate Management Service inventory,
 * SLB server certificates per region, ALB and NLB listener certificates per region), as one provider module.
 */

import type { Check } from '../../checks/check';
import type { RetryPolicy } from '../../http/retry';
import type { AccountRef } from '../../model';
import type { ProviderModule } from '../module';
import { inSlot, type Shard, shardsByRegions, shardsBySlot, shardsOfAccount } from '../shard';
import type { CertificateSource, ProviderDeps } from '../source';
import { accountsChecks, accountsSources } from './accounts';
import { ALB_LISTENERS } from './alb/listings';
import { aliyunCasSource } from './cas/source';
import { albEndpointFor, aliyunClient, nlbEndpointFor, slbEndpointFor } from './client';
import { ALIYUN_SETTINGS, type AliyunConfig, readAliyun } from './config';
import { casCheck, cdnCheck, httpsDomainsCheck, listenerRegionCheck, slbRegionCheck } from './doctor';
import { CDN_HTTPS_DOMAINS, DCDN_HTTPS_DOMAINS } from './domains/httpsDomainList';
import type { ListenerService } from './listenerCertificates';
import { NLB_LISTENERS } from './nlb/listings';
import { aliyunCdnSource, aliyunHttpsDomainSource, aliyunListenerSource, aliyunSlbSource } from './source';

/** The load balancers of an emulated ALB or NLB, as far as the wiring reads them. */
interface LoadBalancerFleetView {
  loadBalancers: readonly { RegionId: string; listeners: readonly { certificates: readonly unknown[] }[] }[];
}

/** The part of an emulated fleet this provider is pointed at (emulator/fleet/model.ts, read structurally). */
interface AliyunFleetView {
  accounts?: readonly { AccessKeyId: string; AccessKeySecret: string }[];
  cdn?: { certificates: readonly unknown[] };
  cdnDomains?: { domains: readonly unknown[] };
  /** Absent: DCDN is not opened for the account. */
  dcdnDomains?: { domains: readonly unknown[] };
  slb?: { certificates: readonly { RegionId: string }[] };
  cas?: { certificates: readonly unknown[] };
  alb?: LoadBalancerFleetView;
  nlb?: LoadBalancerFleetView;
  accountId?: string;
  displayName?: string;
  /** The main account manages a Resource Directory whose members are `members`. */
  resourceDirectory?: boolean;
  /** Other accounts, each holding services as the main one does. */
  members?: readonly AliyunFleetView[];
}

/** The main account and its members, whose services one configuration scans alike. */
function accountsOf(fleet: AliyunFleetView): AliyunFleetView[] {
  return [fleet, ...(fleet.members ?? [])];
}

/** Its part of the emulator's stats (emulator/aliyun/handler.ts, read structurally): counters per service. */
interface AliyunStatsView {
  cdn: { requests: number };
  dcdn?: { requests: number };
  slb: { requests: number };
  cas?: { requests: number };
  alb?: { requests: number };
  nlb?: { requests: number };
  sts?: { requests: number };
  resourcemanager?: { requests: number };
}

/** The listener services, each with the regions the config gives it and its endpoint. */
const LISTENER_SERVICES: readonly {
  listeners: ListenerService;
  regions(config: { albRegions?: readonly string[]; nlbRegions?: readonly string[] }): readonly string[];
  endpoint(config: AliyunConfig, region: string): string;
}[] = [
  {
    listeners: ALB_LISTENERS,
    regions: (config) => config.albRegions ?? [],
    endpoint: (config, region) => config.albEndpoint ?? albEndpointFor(region),
  },
  {
    listeners: NLB_LISTENERS,
    regions: (config) => config.nlbRegions ?? [],
    endpoint: (config, region) => config.nlbEndpoint ?? nlbEndpointFor(region),
  },
];

const listenerCertificateCount = (fleet: LoadBalancerFleetView | undefined) =>
  (fleet?.loadBalancers ?? []).reduce(
    (sum, lb) => sum + lb.listeners.reduce((inner, listener) => inner + listener.certificates.length, 0),
    0,
  );

export const aliyun: ProviderModule<
  'aliyun',
  AliyunConfig,
  {
    /** Whether the one CDN shard runs (CDN certificates, CDN or DCDN HTTPS domains). */
    scanCdn: boolean;
    scanCas: boolean;
    slbRegions: readonly string[];
    /** Present when ALB or NLB regions are set, so a scope without them reads as before they existed. */
    albRegions?: readonly string[];
    nlbRegions?: readonly string[];
    /** The assumed roles' accounts, each cut into shards of its own; present when roles are configured. */
    roleAccounts?: readonly AccountRef[];
    /** How many shards a Resource Directory's members are spread over; present when a directory is scanned. */
    directoryShards?: number;
    /** How many shards the accounts with keys of their own are spread over; present when more than none. */
    keyedShards?: number;
  }
> = {
  id: 'aliyun',
  title: 'Alibaba Cloud',
  settings: ALIYUN_SETTINGS,
  enabledBy: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
  read: readAliyun,
  sources: (config, options, deps) =>
    accountsSources(config, options, deps, (account) => serviceSources(account, options, deps)),
  shards: {
    services: [
      'aliyun/slb',
      'aliyun/cdn',
      'aliyun/alb',
      'aliyun/nlb',
      'aliyun/cas',
      'aliyun/directory',
      'aliyun/keyed',
    ],
    // CDN's services (CDN certificates, CDN and DCDN HTTPS domains) share one shard: each is a few list calls,
    // and none has regions to cut.
    scope: ({
      scanCdn,
      scanCdnDomains,
      scanDcdn,
      scanCas,
      slbRegions,
      albRegions,
      nlbRegions,
      assumeRoles,
      resourceDirectory,
      keyedAccountShards,
    }) => ({
      scanCdn: scanCdn || scanCdnDomains || scanDcdn,
      scanCas,
      slbRegions,
      ...(albRegions.length > 0 ? { albRegions } : {}),
      ...(nlbRegions.length > 0 ? { nlbRegions } : {}),
      ...(assumeRoles.length > 0 ? { roleAccounts: assumeRoles.map((role) => role.account) } : {}),
      ...(resourceDirectory ? { directoryShards: resourceDirectory.shards } : {}),
      ...(keyedAccountShards > 0 ? { keyedShards: keyedAccountShards } : {}),
    }),
    // CDN first: it is global, one shard. CAS, global too, last: shards planned before it keep their places. Then
    // the same again for each assumed role's account: accounts have their own rate limits, so each account's
    // shards run side by side with the others'. A Resource Directory's members, which only the keys can list,
    // are spread over `directoryShards` shards, each member in one with all its services; so are the accounts
    // with keys of their own over `keyedShards` (the planner cannot read that secret, so it is told how many
    // shards), or, when none, they ride in the keys' own account's shards.
    plan: (scope, regionsPerShard) => {
      const shards: Shard[] = [
        ...(scope.scanCdn ? [{ id: 'aliyun-cdn', service: 'aliyun/cdn', regions: [] }] : []),
        ...shardsByRegions('aliyun/slb', scope.slbRegions, regionsPerShard),
        ...shardsByRegions('aliyun/alb', scope.albRegions ?? [], regionsPerShard),
        ...shardsByRegions('aliyun/nlb', scope.nlbRegions ?? [], regionsPerShard),
        ...(scope.scanCas ? [{ id: 'aliyun-cas', service: 'aliyun/cas', regions: [] }] : []),
      ];
      return [
        ...shards,
        ...(scope.roleAccounts ?? []).flatMap((account, index) =>
          shardsOfAccount(shards, account, index + 1),
        ),
        ...shardsBySlot('aliyun/keyed', scope.keyedShards ?? 0),
        ...shardsBySlot('aliyun/directory', scope.directoryShards ?? 0),
      ];
    },
    // A shard scans its own service (CDN's: those of the three configured) and regions, nothing else; one that
    // names an account scans that account alone, and one that does not, the keys' own account and those with
    // keys of their own. A directory shard scans its members, every service of each.
    narrow: (config, shard, plan) => {
      const { slot } = shard;
      // What other shards of this run scan, by the plan (not by settings that may have changed since it was cut).
      const rolesPlanned = plan.flatMap((one) => (one.account ? [one.account.name] : []));
      const keyedPlanned = plan.some((one) => one.service === 'aliyun/keyed');
      const directoryPlanned = plan.some((one) => one.service === 'aliyun/directory');
      const allRoles = config.assumeRoles.map((role) => role.account.name);
      const others = { ...config, scanOwnAccount: false, rolesElsewhere: allRoles };
      if (slot && shard.service === 'aliyun/keyed') {
        const keyed = config.keyedAccounts.filter((one) => inSlot(one.account.id, slot));
        return { ...others, keyedAccounts: keyed, resourceDirectory: null };
      }
      if (slot) {
        if (!config.resourceDirectory) return null;
        // The keyed accounts stay known (the directory skips them) but are not scanned here.
        return { ...others, scanKeyed: false, resourceDirectory: { ...config.resourceDirectory, slot } };
      }
      const only = (service: string) => (shard.service === service ? shard.regions : []);
      const cdn = shard.service === 'aliyun/cdn';
      const services = {
        ...config,
        scanCdn: cdn && config.scanCdn,
        scanCdnDomains: cdn && config.scanCdnDomains,
        scanDcdn: cdn && config.scanDcdn,
        scanCas: shard.service === 'aliyun/cas',
        slbRegions: only('aliyun/slb'),
        albRegions: only('aliyun/alb'),
        nlbRegions: only('aliyun/nlb'),
      };
      if (!shard.account) {
        // The keys' own account, and whatever the plan did not give shards of its own (a role, keyed accounts or a
        // directory configured since), this service of each.
        return {
          ...services,
          rolesElsewhere: rolesPlanned,
          scanKeyed: !keyedPlanned,
          resourceDirectory: directoryPlanned ? null : config.resourceDirectory,
        };
      }
      const { id, name } = shard.account;
      const role = config.assumeRoles.find((one) => one.account.name === name && one.account.id === id);
      if (!role) return null;
      return {
        ...services,
        scanOwnAccount: false,
        assumeRoles: [role],
        keyedAccounts: [],
        resourceDirectory: null,
      };
    },
  },
  doctor: {
    checks(config, { requestTimeoutMs, retry, deps }) {
      const options = { requestTimeoutMs, retry };
      return accountsChecks(config, options, deps, (account) => serviceChecks(account, options, deps));
    },
    covers(config) {
      const covered: string[] = [];
      const inRegions = (what: string, regions: readonly string[]) =>
        `Alibaba ${what} in ${regions.length} region${regions.length === 1 ? '' : 's'}`;
      if (config.scanCdn) covered.push('Alibaba CDN');
      const domains = [config.scanCdnDomains ? 'CDN' : '', config.scanDcdn ? 'DCDN' : ''].filter(Boolean);
      if (domains.length > 0) covered.push(`Alibaba ${domains.join(' and ')} HTTPS domains`);
      if (config.scanCas) covered.push('Alibaba CAS');
      if (config.slbRegions.length > 0) covered.push(inRegions('SLB', config.slbRegions));
      for (const { listeners, regions } of LISTENER_SERVICES) {
        if (regions(config).length > 0) {
          covered.push(inRegions(`${listeners.product} listeners`, regions(config)));
        }
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
      // One configuration for every account: a service is scanned when any account holds it.
      const accounts = accountsOf(fleet);
      const any = (holds: (account: AliyunFleetView) => unknown) => (accounts.some(holds) ? 'true' : 'false');
      const regionsOf = (pick: (account: AliyunFleetView) => readonly { RegionId: string }[] | undefined) =>
        [...new Set(accounts.flatMap((one) => (pick(one) ?? []).map((item) => item.RegionId)))]
          .sort()
          .join(',');
      const env: Record<string, string> = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: account.AccessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: account.AccessKeySecret,
        ALIBABA_CLOUD_CDN_ENDPOINT: urls.cdnUrl ?? '',
        ALIBABA_CLOUD_SLB_ENDPOINT: urls.slbUrl ?? '',
        ALIBABA_CLOUD_SCAN_CDN: any((one) => one.cdn),
        ALIBABA_CLOUD_SCAN_CDN_DOMAINS: any((one) => one.cdnDomains),
        ALIBABA_CLOUD_DCDN_ENDPOINT: urls.dcdnUrl ?? '',
        ALIBABA_CLOUD_SCAN_DCDN: any((one) => one.dcdnDomains),
        ALIBABA_CLOUD_CAS_ENDPOINT: urls.casUrl ?? '',
        ALIBABA_CLOUD_SCAN_CAS: any((one) => one.cas),
        ALIBABA_CLOUD_STS_ENDPOINT: urls.stsUrl ?? '',
        ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT: urls.resourceManagerUrl ?? '',
        ALIBABA_CLOUD_RESOURCE_DIRECTORY: fleet.resourceDirectory ? 'true' : 'false',
        ALIBABA_CLOUD_ACCOUNT_NAME: fleet.displayName ?? '',
        ALIBABA_CLOUD_ACCOUNT_ID: fleet.accountId ?? '',
        ALIBABA_CLOUD_SLB_REGIONS: regionsOf((one) => one.slb?.certificates),
      };
      if (accounts.some((one) => one.alb)) {
        env.ALIBABA_CLOUD_ALB_ENDPOINT = urls.albUrl ?? '';
        env.ALIBABA_CLOUD_ALB_REGIONS = regionsOf((one) => one.alb?.loadBalancers);
      }
      if (accounts.some((one) => one.nlb)) {
        env.ALIBABA_CLOUD_NLB_ENDPOINT = urls.nlbUrl ?? '';
        env.ALIBABA_CLOUD_NLB_REGIONS = regionsOf((one) => one.nlb?.loadBalancers);
      }
      return env;
    },
    certificates: (fleet: AliyunFleetView | undefined) => {
      const accounts = fleet ? accountsOf(fleet) : [];
      const sum = (count: (account: AliyunFleetView) => number) =>
        accounts.reduce((total, one) => total + count(one), 0);
      return [
        { count: sum((one) => one.cdn?.certificates.length ?? 0), what: 'Alibaba CDN' },
        { count: sum((one) => one.cdnDomains?.domains.length ?? 0), what: 'Alibaba CDN HTTPS-domain' },
        { count: sum((one) => one.dcdnDomains?.domains.length ?? 0), what: 'Alibaba DCDN HTTPS-domain' },
        { count: sum((one) => one.slb?.certificates.length ?? 0), what: 'Alibaba SLB' },
        { count: sum((one) => one.cas?.certificates.length ?? 0), what: 'Alibaba CAS' },
        { count: sum((one) => listenerCertificateCount(one.alb)), what: 'Alibaba ALB listener' },
        { count: sum((one) => listenerCertificateCount(one.nlb)), what: 'Alibaba NLB listener' },
      ];
    },
    requests: (stats: AliyunStatsView | undefined) =>
      (stats?.cdn.requests ?? 0) +
      (stats?.dcdn?.requests ?? 0) +
      (stats?.slb.requests ?? 0) +
      (stats?.cas?.requests ?? 0) +
      (stats?.alb?.requests ?? 0) +
      (stats?.nlb?.requests ?? 0) +
      (stats?.sts?.requests ?? 0) +
      (stats?.resourcemanager?.requests ?? 0),
  },
};

/** The sources of one account's services, as configured (./accounts.ts runs them for every account). */
function serviceSources(
  config: AliyunConfig,
  options: { requestTimeoutMs: number },
  deps: ProviderDeps,
): CertificateSource[] {
  const sources = [];
  if (config.scanCdn) sources.push(aliyunCdnSource(config, options, deps));
  if (config.scanCdnDomains) sources.push(aliyunHttpsDomainSource(config, CDN_HTTPS_DOMAINS, options, deps));
  if (config.scanDcdn) sources.push(aliyunHttpsDomainSource(config, DCDN_HTTPS_DOMAINS, options, deps));
  if (config.slbRegions.length > 0) sources.push(aliyunSlbSource(config, options, deps));
  for (const { listeners, regions } of LISTENER_SERVICES) {
    if (regions(config).length > 0) {
      sources.push(aliyunListenerSource(config, listeners, regions(config), options, deps));
    }
  }
  if (config.scanCas) sources.push(aliyunCasSource(config, options, deps));
  return sources;
}

/** The doctor's checks of one account's services, as configured (./accounts.ts runs them for every account). */
function serviceChecks(
  config: AliyunConfig,
  options: { requestTimeoutMs: number; retry?: RetryPolicy },
  deps: ProviderDeps,
): Check[] {
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
  for (const { listeners, regions, endpoint } of LISTENER_SERVICES) {
    for (const region of regions(config)) {
      const client = aliyunClient(config, { product: listeners.product, region }, options, deps);
      checks.push(listenerRegionCheck(listeners, client, region, endpoint(config, region)));
    }
  }
  return checks;
}
