/**
 * What the planner needs to cut a run into shards, and nothing more: which providers are configured, their regions
 * and services. No key: the planner's environment holds no secret and no secret's parameter name, and its role may
 * not read SSM (serverless.yml, deploy/shardedMode.cjs). Which providers the workers hold keys for comes from
 * CERTWATCH_SHARD_PROVIDERS, which deploy/secretParameters.cjs derives from the key parameters named at deploy time.
 */
import { loadConfig } from '../config';
import { ConfigError } from '../errors';

export const SHARD_PROVIDERS = ['ucloud', 'aliyun'] as const;
export type ShardProvider = (typeof SHARD_PROVIDERS)[number];

/** The part of a Config that planShards reads; a Config is one. */
export interface ShardScope {
  ucloud: { regions: readonly string[] } | null;
  aliyun: { scanCdn: boolean; slbRegions: readonly string[] } | null;
}

/**
 * A stand-in for each key of a named provider, because lib/config.ts (the one reader of regions and services)
 * configures a provider only with its keys. It never leaves this function: the scope holds no key.
 */
const STAND_IN = 'not-read-by-the-planner';
const KEYS: Record<ShardProvider, readonly string[]> = {
  ucloud: ['UCLOUD_PUBLIC_KEY', 'UCLOUD_PRIVATE_KEY'],
  aliyun: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
};

/**
 * The planner's scope from its environment: the providers CERTWATCH_SHARD_PROVIDERS names, with the regions and
 * services the same settings give the workers. A ConfigError names every problem.
 */
export function loadShardScope(env: Readonly<Record<string, string | undefined>>): ShardScope {
  const text = env.CERTWATCH_SHARD_PROVIDERS?.trim() ?? '';
  const named = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (named.length === 0) {
    throw new ConfigError([
      'CERTWATCH_SHARD_PROVIDERS is missing: the planner plans shards for the providers it names (ucloud, ' +
        'aliyun). serverless.yml sets it from the key parameters: deploy with UCLOUD_*_PARAMETER and/or ' +
        'ALIBABA_CLOUD_*_PARAMETER set',
    ]);
  }
  const unknown = named.filter((name) => !(SHARD_PROVIDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ConfigError([
      `CERTWATCH_SHARD_PROVIDERS "${text}" names ${unknown.join(', ')}: use ${SHARD_PROVIDERS.join(', ')}`,
    ]);
  }
  const withStandIns: Record<string, string | undefined> = { ...env };
  for (const provider of named as ShardProvider[])
    for (const key of KEYS[provider]) withStandIns[key] = STAND_IN;
  const config = loadConfig(withStandIns);
  const { ucloud, aliyun } = config;
  return {
    ucloud: ucloud && named.includes('ucloud') ? { regions: ucloud.regions } : null,
    aliyun:
      aliyun && named.includes('aliyun') ? { scanCdn: aliyun.scanCdn, slbRegions: aliyun.slbRegions } : null,
  };
}
