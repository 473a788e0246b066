/**
 * CDN DescribeCdnHttpsDomainList and DCDN DescribeDcdnHttpsDomainList: every HTTPS domain of the account with its
 * certificate's name, type, expiry and Alibaba's own status (reference §5).
 * https://www.alibabacloud.com/help/en/cdn/developer-reference/api-cdn-2018-05-10-describecdnhttpsdomainlist,
 * https://www.alibabacloud.com/help/en/dcdn/developer-reference/api-dcdn-2018-01-15-describedcdnhttpsdomainlist —
 * PageNumber 1..100000, PageSize (DCDN 1..500, CDN's maximum unconfirmed), reply `{RequestId, TotalCount,
 * CertInfos: {CertInfo: [{DomainName, CertName, CertCommonName, CertType, CertStatus, CertStartTime,
 * CertExpireTime, CertUpdateTime}]}}`. No certificate id and no PEM: DescribeDomainCertificateInfo has those, one
 * domain per call, and the scan does not need them.
 */
import { PagingError, ProviderError } from '../../../errors';
import type { ObservedCertificate } from '../../../model';
import { type Listing, type ListingLimits, listPages } from '../../listing';
import { isWireObject, uniqueNames, wireText } from '../../wire';
import type { AliyunRpcClient } from '../client';
import { readChinaTime } from '../timestamps';

export type HttpsDomainEntry = Record<string, unknown>;

/** What differs between the CDN and the DCDN list: the same API under two products. */
export interface HttpsDomainProduct {
  product: 'CDN' | 'DCDN';
  action: string;
  /** The `service` of its records and failures. */
  service: 'cdn-domain' | 'dcdn-domain';
  endpointSetting: string;
  scanSetting: string;
  paging: ListingLimits & { pageSize: number };
}

export const CDN_HTTPS_DOMAINS: HttpsDomainProduct = {
  product: 'CDN',
  action: 'DescribeCdnHttpsDomainList',
  service: 'cdn-domain',
  endpointSetting: 'ALIBABA_CLOUD_CDN_ENDPOINT',
  scanSetting: 'ALIBABA_CLOUD_SCAN_CDN_DOMAINS',
  // CDN's maximum PageSize is UNCONFIRMED (DCDN's twin documents 1..500): 100 stays well inside what its other
  // Describe lists take, and at 100 calls/s a second of calls still lists 10,000 domains.
  paging: { pageSize: 100, maxPages: 2000, maxRestarts: 3 },
};

export const DCDN_HTTPS_DOMAINS: HttpsDomainProduct = {
  product: 'DCDN',
  action: 'DescribeDcdnHttpsDomainList',
  service: 'dcdn-domain',
  endpointSetting: 'ALIBABA_CLOUD_DCDN_ENDPOINT',
  scanSetting: 'ALIBABA_CLOUD_SCAN_DCDN',
  // The documented maximum.
  paging: { pageSize: 500, maxPages: 1000, maxRestarts: 3 },
};

/**
 * Codes that say the product is not opened (or is suspended) for the account, so it has no domains to list:
 * `OperationDenied` (reference §5), and CDN's `CdnServiceNotFound` / `CdnServiceSuspended` (CDN error-code
 * table). DCDN's own names for these are UNCONFIRMED: the `Dcdn` forms are accepted too.
 */
const NOT_OPENED = new Set([
  'OperationDenied',
  'CdnServiceNotFound',
  'CdnServiceSuspended',
  'DcdnServiceNotFound',
  'DcdnServiceSuspended',
]);

export interface HttpsDomainPage {
  /** CertInfos.CertInfo as sent, unchecked. */
  domains: unknown[];
  total: number | null;
  /** False when Alibaba says the product is not opened for the account: nothing to list. */
  opened: boolean;
}

/**
 * One page of the list. An account without HTTPS domains may be answered with the error `NoHttpsDomain` (DCDN's
 * documented error) instead of an empty list: both read as an empty page. Throws ProviderError when the call
 * fails, PagingError when the reply holds no list (not this API).
 */
export async function describeHttpsDomainPage(
  client: AliyunRpcClient,
  product: HttpsDomainProduct,
  pageNumber: number,
  pageSize: number,
  signal?: AbortSignal,
): Promise<HttpsDomainPage> {
  let reply: Record<string, unknown>;
  try {
    reply = await client.call(
      product.action,
      { PageNumber: String(pageNumber), PageSize: String(pageSize) },
      { where: `(page ${pageNumber})`, signal },
    );
  } catch (error) {
    if (error instanceof ProviderError && error.code === 'NoHttpsDomain') {
      return { domains: [], total: 0, opened: true };
    }
    if (error instanceof ProviderError && NOT_OPENED.has(error.code)) {
      return { domains: [], total: 0, opened: false };
    }
    throw error;
  }
  // Alibaba leaves an empty list out (reference §0): no CertInfos, or CertInfos without CertInfo, is none.
  const infos = reply.CertInfos;
  let domains: unknown;
  if (infos === undefined || infos === null || infos === '') domains = [];
  else if (isWireObject(infos)) domains = infos.CertInfo ?? [];
  if (!Array.isArray(domains)) {
    throw new PagingError(
      `Alibaba ${product.product} ${product.action} (page ${pageNumber}): the reply has no CertInfos.CertInfo ` +
        `list; check ${product.endpointSetting}`,
    );
  }
  const total = reply.TotalCount;
  return {
    domains,
    total: typeof total === 'number' && Number.isInteger(total) ? total : null,
    opened: true,
  };
}

/** The list under the one listing discipline (../../listing.ts); each domain is one item, named by DomainName. */
export function httpsDomainListing(
  client: AliyunRpcClient,
  product: HttpsDomainProduct,
): Listing<HttpsDomainEntry> {
  return {
    label: `Alibaba ${product.product} ${product.action}`,
    paging: {
      style: 'page-number',
      pageSize: product.paging.pageSize,
      async fetch(pageNumber, size, signal) {
        const page = await describeHttpsDomainPage(client, product, pageNumber, size, signal);
        return { entries: page.domains, total: page.total };
      },
    },
    totalName: 'TotalCount',
    entryName: 'CertInfo entries',
    itemName: 'domains with a DomainName',
    item: (entry) => (isWireObject(entry) && domainNameOf(entry) !== null ? entry : null),
    identity: (entry) => `domain:${domainNameOf(entry)}`,
  };
}

/** Yields each page's domains, every DomainName once. Throws PagingError when the listing cannot be trusted. */
export function listHttpsDomainPages(
  client: AliyunRpcClient,
  product: HttpsDomainProduct,
  signal?: AbortSignal,
): AsyncGenerator<HttpsDomainEntry[], ReadonlySet<string>> {
  return listPages(httpsDomainListing(client, product), product.paging, signal);
}

/** DomainName in lower case (DNS names are case-insensitive); null when absent. */
function domainNameOf(entry: Record<string, unknown>): string | null {
  const name = wireText(entry.DomainName).toLowerCase();
  return name === '' ? null : name;
}

const CERT_TYPES: Readonly<Record<string, string>> = {
  free: 'a free certificate Alibaba issued',
  cas: 'a certificate from Certificate Management Service (CAS)',
  upload: 'a certificate uploaded to the domain',
};

/** One HTTPS domain as a record: the domain is the id, its certificate the rest. */
export function mapHttpsDomain(entry: HttpsDomainEntry, product: HttpsDomainProduct): ObservedCertificate {
  const domain = domainNameOf(entry) ?? '(no DomainName)';
  const notes: string[] = [];

  let apiNotAfter: ObservedCertificate['apiNotAfter'] = null;
  const expireText = entry.CertExpireTime;
  if (expireText !== undefined && expireText !== null && expireText !== '') {
    const read = readChinaTime(expireText);
    if (!read) {
      notes.push(
        `CertExpireTime ${JSON.stringify(expireText).slice(0, 60)} is not a date certwatch can read`,
      );
    } else {
      apiNotAfter = { epochMs: read.epochMs, source: 'api:CertExpireTime' };
      if (read.assumedChinaTime) {
        notes.push(
          'CertExpireTime names no time zone; it was read as Beijing time (UTC+8), the earlier of the two ' +
            'plausible readings, so an alert is never late',
        );
      }
    }
  }

  const type = wireText(entry.CertType).toLowerCase();
  if (type !== '') notes.push(`CertType ${type}: ${CERT_TYPES[type] ?? 'a type certwatch does not know'}`);

  const status = wireText(entry.CertStatus).toLowerCase();
  if (status === 'mismatch') {
    notes.push(
      `Alibaba reports that the certificate does not match the domain ${domain} (CertStatus mismatch): ` +
        'browsers refuse it for this domain',
    );
  }
  const apiStatus: ObservedCertificate['apiStatus'] =
    status === 'expired'
      ? { said: "Alibaba's CertStatus says expired", means: 'expired' }
      : status === 'expire_soon'
        ? { said: "Alibaba's CertStatus says expire_soon", means: 'expiring' }
        : null;

  const commonName = wireText(entry.CertCommonName);
  return {
    provider: 'aliyun',
    service: product.service,
    region: 'global',
    project: null,
    id: domain,
    name: wireText(entry.CertName) || domain,
    domains: uniqueNames([domain, commonName.toLowerCase() === domain ? '' : commonName]),
    apiNotAfter,
    chain: null,
    apiStatus,
    inUse: true,
    boundTo: [`${product.product} ${domain}`],
    notes,
  };
}
