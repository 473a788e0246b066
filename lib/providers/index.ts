/** The providers certwatch knows: one line each. */
import type { Config } from '../config';
import { aliyunCdnSource, aliyunSlbSource } from './aliyun/source';
import { Pacing } from './pacing';
import type { CertificateSource, ProviderDeps } from './source';
import { ucloudSource } from './ucloud/source';

export function buildSources(config: Config, deps: ProviderDeps = {}): CertificateSource[] {
  const { requestTimeoutMs, ucloud, aliyun } = config;
  // One set of pacing lanes for every client, so SLB regions of one account share what they learn.
  deps = { ...deps, pacing: deps.pacing ?? new Pacing() };
  const sources: CertificateSource[] = [];
  if (ucloud) sources.push(ucloudSource(ucloud, { requestTimeoutMs }, deps));
  if (aliyun?.scanCdn) sources.push(aliyunCdnSource(aliyun, { requestTimeoutMs }, deps));
  if (aliyun && aliyun.slbRegions.length > 0)
    sources.push(aliyunSlbSource(aliyun, { requestTimeoutMs }, deps));
  return sources;
}
