/**
 * What the planner needs to cut a run into shards, and nothing more: which providers are configured, their regions
 * and services. No key: the planner's environment holds no secret and no secret's parameter name, and its role may
 * not read SSM (serverless.yml, deploy/shardedMode.cjs). Which providers the workers hold keys for comes from
 * CERTWATCH_SHARD_PROVIDERS, which deploy/secretParameters.cjs derives from the key parameters named at deploy time.
 */
import { loadConfig } from '../config';
import { ConfigError } from '../errors';
import { configuredProviders, PROVIDER_MODULES, type ProviderScopes } from '../providers/registry';

export const SHARD_PROVIDERS: readonly string[] = PROVIDER_MODULES.map((provider) => provider.id);

/** The part of a Config that planShards reads, one field per provider; a Config is one. */
export type ShardScope = ProviderScopes;

/**
 * `UCLOUD_*_PARAMETER and/or ALIBABA_CLOUD_*_PARAMETER`: each provider's key parameters by the prefix its settings
 * share (`UCLOUD_`).
 */
const KEY_PARAMETERS = (() => {
  const patterns = PROVIDER_MODULES.map(
    (provider) => `${sharedPrefix(provider.settings.map((s) => s.key))}*_PARAMETER`,
  );
  return patterns.length > 1
    ? `${patterns.slice(0, -1).join(', ')} and/or ${patterns.at(-1)}`
    : patterns.join('');
})();

/** The longest start, up to and including an underscore, that every key has. */
function sharedPrefix(keys: readonly string[]): string {
  const [first = ''] = keys;
  let length = first.length;
  for (const key of keys) while (!key.startsWith(first.slice(0, length))) length--;
  return first.slice(0, first.lastIndexOf('_', length - 1) + 1);
}

/**
 * A stand-in for each key of a named provider (the settings that configure it), because lib/config.ts (the one reader of
 * regions and services) configures a provider only with its keys. It never leaves this function: the scope holds
 * no key.
 */
const STAND_IN = 'not-read-by-the-planner';

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
      `CERTWATCH_SHARD_PROVIDERS is missing: the planner plans shards for the providers it names (${SHARD_PROVIDERS.join(', ')}). ` +
        `serverless.yml sets it from the key parameters: deploy with ${KEY_PARAMETERS} set`,
    ]);
  }
  const unknown = named.filter((name) => !SHARD_PROVIDERS.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError([
      `CERTWATCH_SHARD_PROVIDERS "${text}" names ${unknown.join(', ')}: use ${SHARD_PROVIDERS.join(', ')}`,
    ]);
  }
  const withStandIns: Record<string, string | undefined> = { ...env };
  // Only the secrets that configure a provider (enabledBy): one that says more than that (Alibaba's per-account
  // key pairs) is the workers' to read, and a stand-in would not parse as one.
  for (const provider of PROVIDER_MODULES.filter((candidate) => named.includes(candidate.id)))
    for (const setting of provider.settings)
      if (setting.secret && provider.enabledBy.includes(setting.key)) withStandIns[setting.key] = STAND_IN;
  const config = loadConfig(withStandIns);
  const scope: Record<string, unknown> = Object.fromEntries(
    PROVIDER_MODULES.map((provider) => [provider.id, null]),
  );
  for (const { provider, config: providerConfig } of configuredProviders(config)) {
    if (named.includes(provider.id)) scope[provider.id] = provider.shards.scope(providerConfig);
  }
  return scope as ShardScope;
}
