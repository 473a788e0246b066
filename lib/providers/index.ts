/** The sources of a scan: those of every configured provider (lib/providers/registry.ts). */
import type { Config } from '../config';
import { Pacing } from './pacing';
import { configuredProviders } from './registry';
import type { CertificateSource, ProviderDeps } from './source';

export function buildSources(config: Config, deps: ProviderDeps = {}): CertificateSource[] {
  const { requestTimeoutMs } = config;
  // One set of pacing lanes for every client, so SLB regions of one account share what they learn.
  deps = { ...deps, pacing: deps.pacing ?? new Pacing() };
  return configuredProviders(config).flatMap(({ provider, config: providerConfig }) =>
    provider.sources(providerConfig, { requestTimeoutMs }, deps),
  );
}
