/**
 * CAS ListUserCertificateOrder (2020-04-07): the certificates of the account, page by page.
 * https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-listusercertificateorder
 * — CurrentPage from 1, ShowSize (default 50), `{TotalCount, CurrentPage, ShowSize, CertificateOrderList: []}`
 * (a plain array, not wrapped). OrderType defaults to CPACK, which lists orders, not certificates; for CERT and
 * UPLOAD an empty Status lists only ISSUED and WILLEXPIRED, so expired certificates need Status=EXPIRED asked.
 */
import { PagingError } from '../../../errors';
import type { Listing, ListingLimits } from '../../listing';
import { isWireObject } from '../../wire';
import type { AliyunRpcClient } from '../client';

/** One entry of CertificateOrderList, unchecked. */
export type CasOrderEntry = Record<string, unknown>;

/** What one listing asks for: certificates (`CERT`: issued and uploaded) or uploaded ones, expired or not. */
export interface CasOrderQuery {
  orderType: 'CERT' | 'UPLOAD';
  /** `EXPIRED`, or null for CAS's default (ISSUED and WILLEXPIRED). */
  status: 'EXPIRED' | null;
}

/**
 * The four listings that together hold every certificate: CERT should hold the uploaded ones too, but UPLOAD is
 * asked as well, so an uploaded certificate CERT leaves out is still seen (each is reported once, by id).
 */
export const CAS_ORDER_QUERIES: readonly CasOrderQuery[] = [
  { orderType: 'CERT', status: null },
  { orderType: 'CERT', status: 'EXPIRED' },
  { orderType: 'UPLOAD', status: null },
  { orderType: 'UPLOAD', status: 'EXPIRED' },
];

/** ShowSize 50: the documented default; the maximum is unconfirmed (reference §0), so no more is asked. */
export const CAS_PAGE_SIZE = 50;
export const CAS_LISTING_LIMITS: ListingLimits = { maxPages: 2000, maxRestarts: 3 };

export interface CasOrderPage {
  entries: unknown[];
  totalCount: number | null;
}

/**
 * One ListUserCertificateOrder call. Throws ProviderError when the call fails, PagingError when the reply holds
 * no CertificateOrderList (not the CAS API). A missing or null list is an empty page (reference §0: a listing
 * field may be absent instead of empty).
 */
export async function listUserCertificateOrderPage(
  client: AliyunRpcClient,
  query: CasOrderQuery,
  page: { currentPage: number; showSize: number },
  signal?: AbortSignal,
): Promise<CasOrderPage> {
  const params: Record<string, string> = {
    OrderType: query.orderType,
    CurrentPage: String(page.currentPage),
    ShowSize: String(page.showSize),
  };
  if (query.status) params.Status = query.status;
  const reply = await client.call('ListUserCertificateOrder', params, {
    where: `(${describeQuery(query)}, page ${page.currentPage})`,
    signal,
  });
  const list = reply.CertificateOrderList;
  const hasTotal = typeof reply.TotalCount === 'number' || typeof reply.TotalCount === 'string';
  if (list !== undefined && list !== null && list !== '' && !Array.isArray(list)) {
    throw new PagingError(
      `Alibaba CAS ListUserCertificateOrder (${describeQuery(query)}, page ${page.currentPage}): ` +
        'CertificateOrderList is not a list; check ALIBABA_CLOUD_CAS_ENDPOINT',
    );
  }
  if (!Array.isArray(list) && !hasTotal) {
    throw new PagingError(
      `Alibaba CAS ListUserCertificateOrder (${describeQuery(query)}, page ${page.currentPage}): the reply has ` +
        'neither CertificateOrderList nor TotalCount; check ALIBABA_CLOUD_CAS_ENDPOINT',
    );
  }
  return {
    entries: Array.isArray(list) ? list : [],
    totalCount: wholeNumber(reply.TotalCount),
  };
}

/** `OrderType=CERT, Status=EXPIRED`, as messages name a listing. */
export function describeQuery(query: CasOrderQuery): string {
  return `OrderType=${query.orderType}${query.status ? `, Status=${query.status}` : ''}`;
}

/** The listing of one query under the one listing discipline (../../listing.ts). */
export function casOrderListing(
  client: AliyunRpcClient,
  query: CasOrderQuery,
  pageSize = CAS_PAGE_SIZE,
): Listing<CasOrderEntry> {
  return {
    label: `Alibaba CAS ListUserCertificateOrder (${describeQuery(query)})`,
    paging: {
      style: 'page-number',
      pageSize,
      async fetch(currentPage, showSize, signal) {
        const page = await listUserCertificateOrderPage(client, query, { currentPage, showSize }, signal);
        // The reply's ShowSize is not passed on as the size served: whether CAS echoes what was asked or what it
        // capped to is unconfirmed, and an echo would end the listing early. TotalCount and a short page tell.
        return { entries: page.entries, total: page.totalCount };
      },
    },
    totalName: 'TotalCount',
    entryName: 'CertificateOrderList entries',
    itemName: 'certificates with a CertificateId',
    item: (entry) => (isWireObject(entry) && casIdOf(entry.CertificateId) !== null ? entry : null),
    identity: (entry) => `id:${casIdOf(entry.CertificateId)}`,
  };
}

/** A CAS certificate id (int64 on the wire; a numeric string accepted) as text; null unless it is one. */
export function casIdOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^\d{1,19}$/.test(value.trim()) && !/^0+$/.test(value.trim())) {
    return value.trim().replace(/^0+/, '');
  }
  return null;
}

/** A count as CAS sends it (int64; a numeric string accepted); null otherwise. */
export function wholeNumber(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : null;
}
