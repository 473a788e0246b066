/**
 * Paging through ULB DescribeSSLV2 for one region and project.
 * https://docs.ucloud.cn/api/ulb-api/describe_sslv2 — Limit (default 20) and Offset; TotalCount is the number of
 * matching certificates. Pages of 100, as terraform-provider-ucloud and ucloud-cli ask for. The listing follows
 * the discipline every listing does (../listing.ts): offset paging, each page after the first starting one item
 * early to see the list shift, restarts, TotalCount checked against what the pages held.
 */
import { PagingError } from '../../errors';
import { contentIdentity, type Listing, type ListingLimits, listItems } from '../listing';
import { isWireObject } from '../wire';
import type { UcloudClient } from './client';

/** SSLInfo as it arrives: unchecked wire JSON. */
export type SslInfoWire = Record<string, unknown>;

export interface DescribeSslV2Target {
  region: string;
  /** null: the account's default project (ProjectId omitted). */
  projectId: string | null;
}

export interface PagingOptions extends ListingLimits {
  pageSize: number;
}

export const DEFAULT_PAGING: PagingOptions = { pageSize: 100, maxRestarts: 3, maxPages: 10_000 };

export function describeTarget({ region, projectId }: DescribeSslV2Target): string {
  return `in ${region} (${projectId === null ? 'default project' : `project ${projectId}`})`;
}

export interface SslV2Page {
  /** DataSet as sent: positions count for paging even when an entry is not a certificate object. */
  entries: unknown[];
  /** TotalCount: the certificates matching in the whole target; null when the reply leaves it out. */
  total: number | null;
}

/**
 * One DescribeSSLV2 call: `limit` entries from `offset`. Throws ProviderError when the call fails, PagingError when
 * the reply has no DataSet list (not the UCloud API).
 */
export async function describeSslV2Page(
  client: UcloudClient,
  target: DescribeSslV2Target,
  limit: number,
  offset: number,
  signal?: AbortSignal,
): Promise<SslV2Page> {
  const where = describeTarget(target);
  const reply = await client.call(
    'DescribeSSLV2',
    { Region: target.region, ProjectId: target.projectId, Limit: limit, Offset: offset },
    where,
    signal,
  );
  const total = typeof reply.TotalCount === 'number' ? reply.TotalCount : null;
  if (reply.DataSet === undefined && total === 0) return { entries: [], total };
  if (!Array.isArray(reply.DataSet)) {
    throw new PagingError(
      `UCloud DescribeSSLV2 ${where}: the reply at offset ${offset} has no DataSet list; ` +
        'check UCLOUD_API_URL points at the UCloud API',
    );
  }
  return { entries: reply.DataSet, total };
}

/** The DescribeSSLV2 listing of one target, under the one listing discipline (../listing.ts). */
export function sslV2Listing(
  client: UcloudClient,
  target: DescribeSslV2Target,
  pageSize: number,
): Listing<SslInfoWire> {
  return {
    label: `UCloud DescribeSSLV2 ${describeTarget(target)}`,
    paging: {
      style: 'offset',
      pageSize,
      fetch: (offset, limit, signal) => describeSslV2Page(client, target, limit, offset, signal),
    },
    totalName: 'TotalCount',
    entryName: 'DataSet entries',
    itemName: 'certificate objects',
    item: (entry) => (isWireObject(entry) ? entry : null),
    identity: identityOf,
  };
}

/**
 * Yields every SSLInfo of the target once. Throws ProviderError when a call fails, PagingError when the listing
 * cannot be trusted (a malformed reply, a list that keeps shifting or pages that keep repeating, a count that
 * disagrees with TotalCount); what was yielded before the throw is real.
 */
export function listSslV2(
  client: UcloudClient,
  target: DescribeSslV2Target,
  paging: PagingOptions = DEFAULT_PAGING,
  signal?: AbortSignal,
): AsyncGenerator<SslInfoWire> {
  return listItems(sslV2Listing(client, target, paging.pageSize), paging, signal);
}

/**
 * What makes an SSLInfo the same one on another page: its SSLId (a string on the wire, a number accepted), else
 * its HashValue, else its whole content (hashed, never kept).
 */
export function identityOf(item: SslInfoWire): string {
  const id = item.SSLId;
  if ((typeof id === 'string' && id !== '') || typeof id === 'number') return `id:${id}`;
  if (typeof item.HashValue === 'string' && item.HashValue !== '') return `hash:${item.HashValue}`;
  return contentIdentity(item);
}
