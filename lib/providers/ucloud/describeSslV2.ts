/**
 * Paging through ULB DescribeSSLV2 for one region and project.
 * https://docs.ucloud.cn/api/ulb-api/describe_sslv2 — Limit (default 20) and Offset; TotalCount is the number of
 * matching certificates. As terraform-provider-ucloud and ucloud-cli do, pages of 100 until a short page.
 *
 * Offset paging shifts when certificates are added or removed between pages. A TotalCount that moves is the
 * sign: the listing starts again from offset 0, skipping what it already yielded, so nothing is lost or doubled.
 */
import { PagingError } from '../../errors';
import type { UcloudClient } from './client';

/** SSLInfo as it arrives: unchecked wire JSON. */
export type SslInfoWire = Record<string, unknown>;

export interface DescribeSslV2Target {
  region: string;
  /** null: the account's default project (ProjectId omitted). */
  projectId: string | null;
}

export interface PagingOptions {
  pageSize: number;
  /** Listings restarted because TotalCount moved before giving up. */
  maxRestarts: number;
  maxPages: number;
}

export const DEFAULT_PAGING: PagingOptions = { pageSize: 100, maxRestarts: 3, maxPages: 10_000 };

export function describeTarget({ region, projectId }: DescribeSslV2Target): string {
  return `in ${region} (${projectId === null ? 'default project' : `project ${projectId}`})`;
}

/**
 * Yields every SSLInfo of the target once. Throws ProviderError when a call fails, PagingError when the listing
 * cannot be trusted (a page repeats, TotalCount keeps moving, fewer items than TotalCount promised); what was
 * yielded before the throw is real.
 */
export async function* listSslV2(
  client: UcloudClient,
  target: DescribeSslV2Target,
  paging: PagingOptions = DEFAULT_PAGING,
): AsyncGenerator<SslInfoWire> {
  const where = describeTarget(target);
  const yielded = new Set<string>();
  let pages = 0;
  for (let restart = 0; ; restart++) {
    let expectedTotal: number | null = null;
    let previousPageIds: string | null = null;
    let listed = 0;
    let moved = false;
    for (let offset = 0; ; offset += paging.pageSize) {
      if (++pages > paging.maxPages) {
        throw new PagingError(`UCloud DescribeSSLV2 ${where}: more than ${paging.maxPages} pages; stopped`);
      }
      const reply = await client.call(
        'DescribeSSLV2',
        { Region: target.region, ProjectId: target.projectId, Limit: paging.pageSize, Offset: offset },
        where,
      );
      const dataSet = reply.DataSet ?? [];
      if (!Array.isArray(dataSet)) {
        throw new PagingError(`UCloud DescribeSSLV2 ${where}: DataSet at offset ${offset} is not a list`);
      }
      const total = typeof reply.TotalCount === 'number' ? reply.TotalCount : null;
      if (expectedTotal === null) expectedTotal = total;
      else if (total !== null && total !== expectedTotal) {
        moved = true;
        break;
      }
      const pageIds = dataSet.map((item) => sslIdOf(item)).join('\n');
      if (dataSet.length > 0 && pageIds === previousPageIds) {
        throw new PagingError(
          `UCloud DescribeSSLV2 ${where}: the page at offset ${offset} repeats the previous one; ` +
            'the listing cannot be trusted',
        );
      }
      previousPageIds = pageIds;
      listed += dataSet.length;
      for (const item of dataSet as unknown[]) {
        if (typeof item !== 'object' || item === null) continue;
        const id = sslIdOf(item);
        if (id !== null && yielded.has(id)) continue;
        if (id !== null) yielded.add(id);
        yield item as SslInfoWire;
      }
      if (dataSet.length < paging.pageSize) break;
    }
    if (!moved) {
      if (expectedTotal !== null && listed < expectedTotal) {
        throw new PagingError(
          `UCloud DescribeSSLV2 ${where}: TotalCount says ${expectedTotal} certificates but the pages held ` +
            `${listed}; some may be missing`,
        );
      }
      return;
    }
    if (restart >= paging.maxRestarts) {
      throw new PagingError(
        `UCloud DescribeSSLV2 ${where}: the certificate list kept changing while it was read ` +
          `(${restart + 1} attempts); some certificates may be missing — run the scan again`,
      );
    }
  }
}

function sslIdOf(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const id = (item as SslInfoWire).SSLId;
  return typeof id === 'string' && id !== '' ? id : null;
}
