/**
 * One shard of a sharded run, and the cuts providers share (lib/providers/<id>/provider.ts cuts its own shards;
 * lib/shard/shards.ts plans them over the registry). Types and pure helpers only.
 */

import type { AccountRef } from '../model';

/** `ucloud/ulb`, `aliyun/slb`: a provider id and one of its services. */
export type ShardService = string;

export interface Shard {
  /** Unique within a run: `ucloud-ulb-1`, `aliyun-slb-2`, `aliyun-cdn`. */
  id: string;
  service: ShardService;
  /** The regions this shard scans; empty for a global service (CDN), which has none. */
  regions: string[];
  /**
   * The one account this shard scans, when the provider cuts shards by account too (Alibaba's assumed roles);
   * absent: the configured keys' account and every account the planner cannot name.
   */
  account?: AccountRef;
  /**
   * One of `count` shards over accounts only a worker can list (a Resource Directory's members: the planner holds
   * no key), `index` from 1: the worker takes every `count`th of them.
   */
  slot?: { index: number; count: number };
}

/** The shards of one service: its regions cut into groups of `regionsPerShard`, numbered from 1. */
export function shardsByRegions(
  service: ShardService,
  regions: readonly string[],
  regionsPerShard: number,
): Shard[] {
  const prefix = service.replace('/', '-');
  const shards: Shard[] = [];
  for (let start = 0, index = 1; start < regions.length; start += regionsPerShard, index++) {
    shards.push({
      id: `${prefix}-${index}`,
      service,
      regions: regions.slice(start, start + regionsPerShard),
    });
  }
  return shards;
}

/**
 * `shards` again for one more account: the same services and regions, each marked with `account` and its id
 * suffixed `-a<n>` (`aliyun-slb-1-a3`: the third such account), so one run's ids stay unique and short.
 */
export function shardsOfAccount(shards: readonly Shard[], account: AccountRef, n: number): Shard[] {
  return shards.map((shard) => ({ ...shard, id: `${shard.id}-a${n}`, account }));
}

/**
 * `count` shards of `service` over accounts only a worker can list (`aliyun-directory-1` ...): each takes the
 * accounts `inSlot` gives it.
 */
export function shardsBySlot(service: ShardService, count: number): Shard[] {
  const prefix = service.replace('/', '-');
  return Array.from({ length: count }, (_, at) => ({
    id: `${prefix}-${at + 1}`,
    service,
    regions: [],
    slot: { index: at + 1, count },
  }));
}

/**
 * Whether the account `id` (digits) falls in `slot`: by the id alone, so every worker cuts the same way whatever it
 * listed, and an account joining or leaving moves no other.
 */
export function inSlot(id: string, slot: { index: number; count: number }): boolean {
  return /^\d+$/.test(id) && BigInt(id) % BigInt(slot.count) === BigInt(slot.index - 1);
}
