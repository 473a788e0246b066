/**
 * Paging through ULB DescribeSSLV2 for one region and project.
 * https://docs.ucloud.cn/api/ulb-api/describe_sslv2 — Limit (default 20) and Offset; TotalCount is the number of
 * matching certificates. Pages of 100, as terraform-provider-ucloud and ucloud-cli ask for.
 *
 * Offset paging shifts when certificates are added or removed between pages, and a shift can hide a certificate
 * even when TotalCount stays the same (one removed, one added). So each page after the first starts one item
 * early: its first item must be the previous page's last. If it is not, or TotalCount moved, the listing starts
 * again from offset 0, skipping what it already yielded — nothing that existed for the whole scan is lost or
 * doubled. The offset advances by what a page held, so a server that caps Limit below 100 is read correctly.
 *
 * The listing ends only where the pages and TotalCount agree: on a page shorter than the ones before it (or, for
 * the first page, shorter than Limit) once TotalCount certificates were listed. A TotalCount that is too small
 * must not end it early (pages of a capped Limit all look short), so a full last page costs one more request to
 * confirm, and a count that disagrees with what the pages held is a named failure either way.
 */
import { createHash } from 'node:crypto';
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
  /** Listings restarted because the list shifted before giving up. */
  maxRestarts: number;
  maxPages: number;
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

/**
 * Yields every SSLInfo of the target once. Throws ProviderError when a call fails, PagingError when the listing
 * cannot be trusted (a malformed reply, a list that keeps shifting or pages that keep repeating, a count that
 * disagrees with TotalCount); what was yielded before the throw is real.
 */
export async function* listSslV2(
  client: UcloudClient,
  target: DescribeSslV2Target,
  paging: PagingOptions = DEFAULT_PAGING,
  signal?: AbortSignal,
): AsyncGenerator<SslInfoWire> {
  const where = describeTarget(target);
  const yielded = new Set<string>();
  let pages = 0;
  const fetchPage = async (offset: number): Promise<SslV2Page> => {
    if (++pages > paging.maxPages) {
      throw new PagingError(`UCloud DescribeSSLV2 ${where}: more than ${paging.maxPages} pages; stopped`);
    }
    return describeSslV2Page(client, target, paging.pageSize, offset, signal);
  };

  for (let restart = 0; ; restart++) {
    const first = await fetchPage(0);
    const expectedTotal = first.total;
    let page = first;
    let offset = 0;
    let listed = 0;
    let skipped = 0;
    let largestPage = 0;
    let shifted: string | null = null;
    for (;;) {
      // Every page after the first repeats the previous page's last entry, which was read already.
      const fresh = offset === 0 ? page.entries : page.entries.slice(1);
      listed += fresh.length;
      // Short: less than asked, and (a server may cap Limit) less than an earlier page of this listing held.
      const short =
        page.entries.length < paging.pageSize && (offset === 0 || page.entries.length < largestPage);
      largestPage = Math.max(largestPage, page.entries.length);
      for (const entry of fresh) {
        if (!isSslInfo(entry)) {
          skipped++;
          continue;
        }
        const key = identityOf(entry);
        if (yielded.has(key)) continue;
        yielded.add(key);
        yield entry;
      }
      // Without a TotalCount a short first page may be a capped one: one more page tells.
      const done =
        fresh.length === 0 || (short && (expectedTotal !== null ? listed === expectedTotal : offset > 0));
      if (done) break;
      const nextOffset = offset + page.entries.length - 1;
      const next = await fetchPage(nextOffset);
      if (next.total !== null && expectedTotal !== null && next.total !== expectedTotal) {
        shifted = `TotalCount moved from ${expectedTotal} to ${next.total}`;
        break;
      }
      // A page that repeats (a server that ignored Offset once) is read again from the start, like a shift.
      if (next.entries.length > 0 && sameEntries(next.entries, page.entries)) {
        shifted = `the page at offset ${nextOffset} repeated the previous one`;
        break;
      }
      const overlap = next.entries[0];
      if (overlap === undefined || entryKey(overlap) !== entryKey(page.entries[page.entries.length - 1])) {
        shifted = 'the list shifted between pages';
        break;
      }
      page = next;
      offset = nextOffset;
    }
    if (shifted === null) {
      if (expectedTotal !== null && listed < expectedTotal) {
        throw new PagingError(
          `UCloud DescribeSSLV2 ${where}: TotalCount says ${expectedTotal} certificates but the pages held ` +
            `${listed}; some may be missing`,
        );
      }
      if (expectedTotal !== null && listed > expectedTotal) {
        throw new PagingError(
          `UCloud DescribeSSLV2 ${where}: TotalCount says ${expectedTotal} certificates but the pages held ` +
            `${listed}; the listing cannot be trusted — run the scan again`,
        );
      }
      if (skipped > 0) {
        throw new PagingError(
          `UCloud DescribeSSLV2 ${where}: ${skipped} DataSet entries were not certificate objects and were skipped`,
        );
      }
      return;
    }
    if (restart >= paging.maxRestarts) {
      throw new PagingError(
        `UCloud DescribeSSLV2 ${where}: the certificate list kept changing while it was read ` +
          `(${restart + 1} attempts, last: ${shifted}); the listing cannot be trusted and some certificates ` +
          'may be missing — run the scan again',
      );
    }
  }
}

/**
 * What makes an SSLInfo the same one on another page: its SSLId (a string on the wire, a number accepted), else
 * its HashValue, else its whole content (hashed, never kept).
 */
export function identityOf(item: SslInfoWire): string {
  const id = item.SSLId;
  if ((typeof id === 'string' && id !== '') || typeof id === 'number') return `id:${id}`;
  if (typeof item.HashValue === 'string' && item.HashValue !== '') return `hash:${item.HashValue}`;
  return `content:${createHash('sha1').update(JSON.stringify(item)).digest('hex')}`;
}

function isSslInfo(entry: unknown): entry is SslInfoWire {
  return typeof entry === 'object' && entry !== null && !Array.isArray(entry);
}

/** Identity of any DataSet entry, certificate or not, for the overlap and repeat checks. */
function entryKey(entry: unknown): string {
  return isSslInfo(entry) ? identityOf(entry) : `entry:${JSON.stringify(entry) ?? String(entry)}`;
}

function sameEntries(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((entry, i) => entryKey(entry) === entryKey(b[i]));
}
