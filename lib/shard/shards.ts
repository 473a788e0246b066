/**
 * How one run is cut into shards, each small enough for one worker invocation: each provider module cuts its own
 * (ProviderShards: UCloud a group of regions × every configured project, Alibaba SLB a group of regions, Alibaba
 * CDN one shard, the service being global). Pure: a shard is scanned by narrowing the Config to it and building
 * the usual sources, so no source knows about shards.
 */
import type { Config } from '../config';
import type { AccountRef, SourceFailure } from '../model';
import { configuredProviders, PROVIDER_MODULES } from '../providers/registry';
import type { Shard, ShardService } from '../providers/shard';
import type { ShardScope } from './scope';

export type { Shard, ShardService } from '../providers/shard';

/** Every service a shard may name, provider by provider. */
export const SHARD_SERVICES: readonly ShardService[] = PROVIDER_MODULES.flatMap(
  (provider) => provider.shards.services,
);

/** The shards of one run, in a stable order: provider by provider as registered, each cutting its own. */
export function planShards(config: ShardScope, regionsPerShard: number): Shard[] {
  return configuredProviders(config).flatMap(({ provider, config: scope }) =>
    provider.shards.plan(scope, regionsPerShard),
  );
}

/**
 * The configuration that scans exactly one shard: its provider only, its service only, its regions only (its
 * account only, when it names one). Null when the shard's provider, or its account, is no longer configured (a
 * deploy between the plan and the worker).
 */
export function narrowConfig(config: Config, shard: Shard, plan: readonly Shard[]): Config | null {
  const provider = PROVIDER_MODULES.find((candidate) => candidate.shards.services.includes(shard.service));
  const byId = config as unknown as Readonly<Record<string, unknown>>;
  const own = provider ? byId[provider.id] : null;
  if (!provider || own === null || own === undefined) return null;
  const narrowed: Record<string, unknown> = { ...config };
  for (const other of PROVIDER_MODULES) narrowed[other.id] = null;
  const scoped = provider.shards.narrow(own, shard, plan);
  if (scoped === null) return null;
  narrowed[provider.id] = scoped;
  return narrowed as unknown as Config;
}

/**
 * The failures that stand for a shard nothing was read from: one per region (one for CDN), so the digest's
 * "could not check" names each place exactly as a failed region of a single scan would.
 */
export function shardFailures(shard: Shard, message: string): SourceFailure[] {
  const [provider, service] = shard.service.split('/') as [string, string];
  const regions = shard.regions.length > 0 ? shard.regions : [null];
  const account = shard.account ? { account: shard.account } : {};
  return regions.map((region) => ({ provider, service, region, project: null, ...account, message }));
}

function isAccountRef(value: unknown): value is AccountRef {
  const account = value as Partial<AccountRef> | null;
  return (
    typeof account === 'object' &&
    account !== null &&
    typeof account.name === 'string' &&
    (account.id === null || typeof account.id === 'string')
  );
}

function isSlot(value: unknown): value is { index: number; count: number } {
  const slot = value as Partial<{ index: number; count: number }> | null;
  return (
    typeof slot === 'object' &&
    slot !== null &&
    Number.isInteger(slot.index) &&
    Number.isInteger(slot.count) &&
    slot.index! >= 1 &&
    slot.index! <= slot.count!
  );
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
    !shard.regions.every((region) => typeof region === 'string') ||
    (shard.account !== undefined && !isAccountRef(shard.account)) ||
    (shard.slot !== undefined && !isSlot(shard.slot))
  ) {
    throw new TypeError(`not a shard: ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return {
    id: shard.id,
    service: shard.service as ShardService,
    regions: shard.regions,
    ...(shard.account ? { account: { id: shard.account.id, name: shard.account.name } } : {}),
    ...(shard.slot ? { slot: { index: shard.slot.index, count: shard.slot.count } } : {}),
  };
}
