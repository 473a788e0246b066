/**
 * Paging through CDN DescribeCdnSSLCertificateList for certificate ids.
 * https://www.alibabacloud.com/help/en/cdn/developer-reference/api-cdn-2018-05-10-describecdnsslcertificatelist —
 * PageNumber from 1, PageSize 1..1000; the reply wraps lists: `CertificateListModel.CertList.Cert[]`. Whether
 * `Count` is the total or the page's count is UNVERIFIED (provider-apis.md), so paging ends on a short page
 * either way, and Count is used as a total only where it cannot be the page's own count.
 */
import { PagingError } from '../../../errors';
import { type Listing, type ListingLimits, listPages } from '../../listing';
import { isWireObject } from '../../wire';
import type { AliyunRpcClient } from '../client';

/** One entry of the list, unchecked. CertId is an integer here (a string in DescribeCertificateInfoByID). */
export type CdnCertListEntry = Record<string, unknown>;

export interface CdnPaging extends ListingLimits {
  pageSize: number;
}

export const DEFAULT_CDN_PAGING: CdnPaging = { pageSize: 1000, maxPages: 1000, maxRestarts: 3 };

export interface CdnCertificatePage {
  /** CertificateListModel.CertList.Cert as sent, unchecked. */
  certs: unknown[];
  /** CertificateListModel.Count (a total or this page's count: unverified); null when absent. */
  count: number | null;
  /** The PageSize the reply says it used; null when absent. */
  servedPageSize: number | null;
}

/**
 * One DescribeCdnSSLCertificateList call. Throws ProviderError when the call fails, PagingError when the reply
 * has no certificate list (not the CDN API).
 */
export async function describeCdnCertificatePage(
  client: AliyunRpcClient,
  pageNumber: number,
  pageSize: number,
  signal?: AbortSignal,
): Promise<CdnCertificatePage> {
  const reply = await client.call(
    'DescribeCdnSSLCertificateList',
    { PageNumber: String(pageNumber), PageSize: String(pageSize) },
    { where: `(page ${pageNumber})`, signal },
  );
  // An object without a list is an empty account (Alibaba leaves empty lists out); anything else is not the API,
  // and must fail the source rather than read as an empty fleet.
  const model = isWireObject(reply.CertificateListModel) ? reply.CertificateListModel : undefined;
  const certList = model?.CertList;
  let certs: unknown;
  if (certList === undefined) certs = model ? [] : undefined;
  else if (isWireObject(certList)) certs = certList.Cert ?? [];
  if (!Array.isArray(certs)) {
    throw new PagingError(
      `Alibaba CDN DescribeCdnSSLCertificateList (page ${pageNumber}): the reply has no ` +
        'CertificateListModel.CertList.Cert list; check ALIBABA_CLOUD_CDN_ENDPOINT',
    );
  }
  return {
    certs,
    count: typeof model?.Count === 'number' ? model.Count : null,
    servedPageSize: typeof model?.PageSize === 'number' && model.PageSize > 0 ? model.PageSize : null,
  };
}

/**
 * The DescribeCdnSSLCertificateList listing under the one listing discipline (../../listing.ts): page numbers, so
 * a listing of more than one page is read twice. Count is taken as a total only where it cannot be a page's own
 * count (it differs from the page's length), so a per-page Count never reads as a total that moved; a short page
 * ends the listing when the reply's PageSize says the server ran out, else one more page tells.
 */
export function cdnCertificateListing(client: AliyunRpcClient, pageSize: number): Listing<CdnCertListEntry> {
  return {
    label: 'Alibaba CDN DescribeCdnSSLCertificateList',
    paging: {
      style: 'page-number',
      pageSize,
      async fetch(pageNumber, size, signal) {
        const { certs, count, servedPageSize } = await describeCdnCertificatePage(
          client,
          pageNumber,
          size,
          signal,
        );
        // A Count equal to the page's length may be either; only one that differs is surely the total.
        return {
          entries: certs,
          total: count !== null && count !== certs.length ? count : null,
          servedPageSize,
        };
      },
    },
    totalName: 'Count',
    entryName: 'CertList entries',
    itemName: 'certificates with a CertId',
    item: (entry) => (isWireObject(entry) && certIdOf(entry) !== null ? entry : null),
    identity: (entry) => `id:${certIdOf(entry)}`,
  };
}

/** Yields each page's entries (CertId present), every CertId once. Throws PagingError when it cannot be trusted. */
export function listCdnCertificatePages(
  client: AliyunRpcClient,
  paging: CdnPaging = DEFAULT_CDN_PAGING,
  signal?: AbortSignal,
): AsyncGenerator<CdnCertListEntry[]> {
  return listPages(cdnCertificateListing(client, paging.pageSize), paging, signal);
}

/** CertId as a string (an integer on the list's wire, a string elsewhere); null when absent. */
export function certIdOf(entry: Record<string, unknown>): string | null {
  const id = entry.CertId;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  return null;
}
