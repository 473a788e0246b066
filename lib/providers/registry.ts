/** The providers certwatch knows: one line each. Everything else about a provider is in its own module. */
import { aliyun } from './aliyun/provider';
import type { ProviderModule } from './module';
import { ucloud } from './ucloud/provider';

export const PROVIDERS = [ucloud, aliyun] as const;

type Registered = (typeof PROVIDERS)[number];
type ConfigOf<P> = P extends ProviderModule<string, infer C, infer _Scope> ? C : never;
type ScopeOf<P> = P extends ProviderModule<string, infer _C, infer Scope> ? Scope : never;

/** One field per provider, named by its id: its configuration, or null when it is not configured. */
export type ProviderConfigs = { [P in Registered as P['id']]: ConfigOf<P> | null };

/** What the sharded mode's planner knows of each provider (ProviderShards.scope); null: not planned. */
export type ProviderScopes = { [P in Registered as P['id']]: ScopeOf<P> | null };

/** The modules as code over every provider sees them (each module's own config type erased). */
export const PROVIDER_MODULES: readonly ProviderModule[] = PROVIDERS;

/** Each configured provider with its configuration, in registry order. */
export function configuredProviders(
  configs: ProviderConfigs | ProviderScopes,
): { provider: ProviderModule; config: unknown }[] {
  const byId = configs as unknown as Readonly<Record<string, unknown>>;
  return PROVIDER_MODULES.flatMap((provider) => {
    const config = byId[provider.id];
    return config === null || config === undefined ? [] : [{ provider, config }];
  });
}

/** The provider whose settings include `key` (a secret setting names its provider), if any. */
export function providerOfKey(key: string): ProviderModule | undefined {
  return PROVIDER_MODULES.find((provider) => provider.settings.some((setting) => setting.key === key));
}
