/**
 * How one run is cut into shards, each small enough for one worker invocation: per provider account and service,
 * a group of regions (UCloud: the group × every configured project; Alibaba SLB: the group; Alibaba CDN: one shard,
 * the service is global). Pure: a shard is scanned by narrowing the Config to it and building the usual sources
 * (lib/providers), so no provider code knows about shards.
 */
import type { Config } from '../config';
import type { SourceFailure } from '../model';
import type { ShardScope } from './scope';

export type ShardService = 'ucloud/ulb' | 'aliyun/slb' | 'aliyun/cdn';

export interface Shard {
  /** Unique within a run: `ucloud-ulb-1`, `aliyun-slb-2`, `aliyun-cdn`. */
  id: string;
  service: ShardService;
  /** The regions this shard scans; empty for CDN, which has none. */
  regions: string[];
}

export const SHARD_SERVICES: readonly ShardService[] = ['ucloud/ulb', 'aliyun/slb', 'aliyun/cdn'];

/** The shards of one run, in a stable order: UCloud, then Alibaba CDN, then Alibaba SLB. */
export function planShards(config: ShardScope, regionsPerShard: number): Shard[] {
  const shards: Shard[] = [];
  const byRegions = (service: ShardService, regions: readonly string[]) => {
    const prefix = service.replace('/', '-');
    for (const [index, group] of chunk(regions, regionsPerShard).entries()) {
      shards.push({ id: `${prefix}-${index + 1}`, service, regions: group });
    }
  };
  if (config.ucloud) byRegions('ucloud/ulb', config.ucloud.regions);
  if (config.aliyun?.scanCdn) shards.push({ id: 'aliyun-cdn', service: 'aliyun/cdn', regions: [] });
  if (config.aliyun) byRegions('aliyun/slb', config.aliyun.slbRegions);
  return shards;
}

/**
 * The configuration that scans exactly one shard: its provider only, its service only, its regions only. Null when
 * the shard's provider is no longer configured (a deploy between the plan and the worker).
 */
export function narrowConfig(config: Config, shard: Shard): Config | null {
  switch (shard.service) {
    case 'ucloud/ulb':
      return config.ucloud
        ? { ...config, aliyun: null, ucloud: { ...config.ucloud, regions: shard.regions } }
        : null;
    case 'aliyun/cdn':
      return config.aliyun
        ? { ...config, ucloud: null, aliyun: { ...config.aliyun, scanCdn: true, slbRegions: [] } }
        : null;
    case 'aliyun/slb':
      return config.aliyun
        ? { ...config, ucloud: null, aliyun: { ...config.aliyun, scanCdn: false, slbRegions: shard.regions } }
        : null;
  }
}

/**
 * The failures that stand for a shard nothing was read from: one per region (one for CDN), so the digest's
 * "could not check" names each place exactly as a failed region of a single scan would.
 */
export function shardFailures(shard: Shard, message: string): SourceFailure[] {
  const [provider, service] = shard.service.split('/') as [string, string];
  const regions = shard.regions.length > 0 ? shard.regions : [null];
  return regions.map((region) => ({ provider, service, region, project: null, message }));
}

/** A shard as read back from storage or a message; throws a TypeError naming what is wrong. */
export function parseShard(value: unknown): Shard {
  const shard = value as Partial<Shard> | null;
  if (
    typeof shard !== 'object' ||
    shard === null ||
    typeof shard.id !== 'string' ||
    !/^[a-z0-9-]{1,64}$/.test(shard.id) ||
    !SHARD_SERVICES.includes(shard.service as ShardService) ||
    !Array.isArray(shard.regions) ||
    !shard.regions.every((region) => typeof region === 'string')
  ) {
    throw new TypeError(`not a shard: ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return { id: shard.id, service: shard.service as ShardService, regions: shard.regions };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}
