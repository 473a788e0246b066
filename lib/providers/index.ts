/** The providers certwatch knows: one line each. */
import type { Config } from '../config';
import type { CertificateSource, ProviderDeps } from './source';
import { ucloudSource } from './ucloud/source';

export function buildSources(config: Config, deps: ProviderDeps = {}): CertificateSource[] {
  const sources: CertificateSource[] = [];
  if (config.ucloud)
    sources.push(ucloudSource(config.ucloud, { requestTimeoutMs: config.requestTimeoutMs }, deps));
  return sources;
}
