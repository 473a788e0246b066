/**
 * Paging through CDN DescribeCdnSSLCertificateList for certificate ids.
 * https://www.alibabacloud.com/help/en/cdn/developer-reference/api-cdn-2018-05-10-describecdnsslcertificatelist —
 * PageNumber from 1, PageSize 1..1000; the reply wraps lists: `CertificateListModel.CertList.Cert[]`. Whether
 * `Count` is the total or the page's count is UNVERIFIED, so paging stops on a short page either way; when Count
 * stayed the same on every page and exceeds what was listed, it was a total and something is missing.
 */
import { PagingError } from '../../../errors';
import { isWireObject } from '../../wire';
import type { AliyunRpcClient } from '../client';

/** One entry of the list, unchecked. CertId is an integer here (a string in DescribeCertificateInfoByID). */
export type CdnCertListEntry = Record<string, unknown>;

export interface CdnPaging {
  pageSize: number;
  maxPages: number;
}

export const DEFAULT_CDN_PAGING: CdnPaging = { pageSize: 1000, maxPages: 1000 };

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

/** Yields each page's entries (CertId present), every CertId once. Throws PagingError when it cannot be trusted. */
export async function* listCdnCertificatePages(
  client: AliyunRpcClient,
  paging: CdnPaging = DEFAULT_CDN_PAGING,
  signal?: AbortSignal,
): AsyncGenerator<CdnCertListEntry[]> {
  const seen = new Set<string>();
  const counts = new Set<number>();
  let listed = 0;
  let previousIds: string | null = null;
  for (let pageNumber = 1; ; pageNumber++) {
    if (pageNumber > paging.maxPages) {
      throw new PagingError(
        `Alibaba CDN DescribeCdnSSLCertificateList: more than ${paging.maxPages} pages; stopped`,
      );
    }
    const { certs, count, servedPageSize } = await describeCdnCertificatePage(
      client,
      pageNumber,
      paging.pageSize,
      signal,
    );
    if (count !== null) counts.add(count);
    const entries = certs.filter(
      (entry): entry is CdnCertListEntry =>
        typeof entry === 'object' && entry !== null && certIdOf(entry as CdnCertListEntry) !== null,
    );
    if (entries.length < certs.length) {
      throw new PagingError(
        `Alibaba CDN DescribeCdnSSLCertificateList (page ${pageNumber}): ${certs.length - entries.length} ` +
          'entries have no CertId',
      );
    }
    const ids = entries.map((entry) => certIdOf(entry)!).join(',');
    if (entries.length > 0 && ids === previousIds) {
      throw new PagingError(
        `Alibaba CDN DescribeCdnSSLCertificateList: page ${pageNumber} repeats the previous one; the listing ` +
          'cannot be trusted',
      );
    }
    previousIds = ids;
    listed += entries.length;
    const fresh = entries.filter((entry) => {
      const id = certIdOf(entry)!;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    if (fresh.length > 0) yield fresh;
    // The reply says the page size it used: a server that caps it must not make a full page look short.
    if (certs.length < Math.min(servedPageSize ?? paging.pageSize, paging.pageSize)) break;
  }
  const [count] = counts;
  if (counts.size === 1 && count !== undefined && count > listed) {
    throw new PagingError(
      `Alibaba CDN DescribeCdnSSLCertificateList: Count says ${count} certificates but the pages held ` +
        `${listed}; some may be missing`,
    );
  }
}

/** CertId as a string (an integer on the list's wire, a string elsewhere); null when absent. */
export function certIdOf(entry: Record<string, unknown>): string | null {
  const id = entry.CertId;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  return null;
}
