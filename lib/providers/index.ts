/** The sources of a scan: those of every configured provider (lib/providers/registry.ts). */
import { Pacing } from './pacing';
import { configuredProviders, type ProviderConfigs } from './registry';
import type { CertificateSource, ProviderDeps } from './source';

/** `config`: each provider's config (a Config has them) and the scan's request timeout. */
export function buildSources(
  config: ProviderConfigs & { requestTimeoutMs: number },
  deps: ProviderDeps = {},
): CertificateSource[] {
  const { requestTimeoutMs } = config;
  // One set of pacing lanes for every client, so SLB regions of one account share what they learn.
  deps = { ...deps, pacing: deps.pacing ?? new Pacing() };
  return configuredProviders(config).flatMap(({ provider, config: providerConfig }) =>
    provider.sources(providerConfig, { requestTimeoutMs }, deps),
  );
}
