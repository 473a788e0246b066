/**
 * UCloud ULB certificates for every configured region × project, scanned concurrently with a bound. A target that
 * fails is reported as a failure; the others still complete.
 */

import { forEachBounded } from '../../concurrency';
import { failureMessage } from '../../inert';
import type { CertificateSource, ProviderDeps, ScanSink } from '../source';
import { transportFrom } from '../source';
import { UcloudClient } from './client';
import type { UcloudConfig } from './config';
import { DEFAULT_PAGING, type DescribeSslV2Target, listSslV2, type PagingOptions } from './describeSslV2';
import { mapSslInfo } from './mapper';

/**
 * Region × project listings at once. Each listing's pages are sequential; the client's pacing decides how fast
 * calls go, so this needs only to keep DescribeSSLV2's rate busy (tens of calls/s at round trips of ~0.3 s for a
 * page of certificates).
 */
const UCLOUD_LISTINGS_IN_FLIGHT = 16;

export interface UcloudSourceOptions {
  /** Region × project listings in flight at once. */
  concurrency?: number;
  paging?: PagingOptions;
  requestTimeoutMs: number;
}

export function ucloudSource(
  config: UcloudConfig,
  options: UcloudSourceOptions,
  deps: ProviderDeps = {},
): CertificateSource {
  const client = new UcloudClient({
    publicKey: config.publicKey,
    privateKey: config.privateKey,
    apiUrl: config.apiUrl,
    timeoutMs: options.requestTimeoutMs,
    ...transportFrom(deps),
  });
  const targets = ucloudTargets(config);
  return {
    provider: 'ucloud',
    service: 'ulb',
    scan: (sink: ScanSink, signal?: AbortSignal) =>
      forEachBounded(targets, options.concurrency ?? UCLOUD_LISTINGS_IN_FLIGHT, async (target) => {
        try {
          for await (const info of listSslV2(client, target, options.paging ?? DEFAULT_PAGING, signal)) {
            sink.certificate(mapSslInfo(info, target.region, target.projectId));
          }
        } catch (error) {
          sink.failure({
            provider: 'ucloud',
            service: 'ulb',
            region: target.region,
            project: target.projectId,
            message: failureMessage(error),
          });
        }
      }),
  };
}

/** Every configured region × project; no projects: each region's default project. */
export function ucloudTargets(config: UcloudConfig): DescribeSslV2Target[] {
  const projects = config.projectIds.length > 0 ? config.projectIds : [null];
  return config.regions.flatMap((region) => projects.map((projectId) => ({ region, projectId })));
}
