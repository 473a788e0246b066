/**
 * CAS ListCloudResources (2020-04-07): the cloud resources a batch of certificates is deployed on.
 * https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-listcloudresources
 * — CertIds is ONE parameter holding a JSON array (`[123,456]`), not `CertIds.1=`; CurrentPage/ShowSize (default
 * 20); the total is `Total` (not TotalCount); `Data` is a plain array. CloudProduct is left out: the API doc marks
 * it optional, and leaving it out asks for every product at once.
 */
import { PagingError } from '../../../errors';
import { contentIdentity, type Listing, type ListingLimits, listPages } from '../../listing';
import { isWireObject, wireText } from '../../wire';
import type { AliyunRpcClient } from '../client';
import type { CasDeployment } from './getUserCertificateDetail';
import { casIdOf, wholeNumber } from './listUserCertificateOrder';

/** One entry of Data, unchecked. */
export type CasCloudResource = Record<string, unknown>;

/**
 * Certificate ids per call. Most certificates are deployed on a few resources, so 50 ids usually fit one page of
 * 50 resources: one call per 50 certificates instead of one each, with a CertIds value (~500 characters) far from
 * any URL limit. The API's QPS is unconfirmed, which makes few calls the point.
 */
export const CAS_RESOURCE_BATCH = 50;
/** ShowSize asked; the default is 20 and the maximum unconfirmed, so 50 (the list's documented default) is used. */
export const CAS_RESOURCE_PAGE_SIZE = 50;
const RESOURCE_LIMITS: ListingLimits = { maxPages: 200, maxRestarts: 3 };

/** The ListCloudResources listing of the resources of `certIds` (CloudName aliyun). */
export function cloudResourcesListing(
  client: AliyunRpcClient,
  certIds: readonly string[],
  pageSize = CAS_RESOURCE_PAGE_SIZE,
): Listing<CasCloudResource> {
  const ids = `[${certIds.join(',')}]`;
  const where = certIds.length === 1 ? `CertId ${certIds[0]}` : `${certIds.length} CertIds`;
  return {
    label: `Alibaba CAS ListCloudResources (${where})`,
    paging: {
      style: 'page-number',
      pageSize,
      async fetch(currentPage, showSize, signal) {
        const reply = await client.call(
          'ListCloudResources',
          {
            CertIds: ids,
            CloudName: 'aliyun',
            CurrentPage: String(currentPage),
            ShowSize: String(showSize),
          },
          { where: `(${where}, page ${currentPage})`, signal },
        );
        const data = reply.Data;
        if (data !== undefined && data !== null && data !== '' && !Array.isArray(data)) {
          throw new PagingError(
            `Alibaba CAS ListCloudResources (${where}, page ${currentPage}): Data is not a list; check ` +
              'ALIBABA_CLOUD_CAS_ENDPOINT',
          );
        }
        return { entries: Array.isArray(data) ? data : [], total: wholeNumber(reply.Total) };
      },
    },
    totalName: 'Total',
    entryName: 'Data entries',
    itemName: 'resources with a CertId',
    item: (entry) => (isWireObject(entry) && casIdOf(entry.CertId) !== null ? entry : null),
    identity: (entry) => {
      const id = casIdOf(entry.Id);
      return id === null ? contentIdentity(entry) : `id:${id}`;
    },
  };
}

/**
 * Where each of `certIds` is deployed: every id gets an entry (inUse false when no resource names it). Throws
 * what the listing throws (ProviderError, PagingError): then no id's deployment is known.
 */
export async function casDeployments(
  client: AliyunRpcClient,
  certIds: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, CasDeployment>> {
  const places = new Map<string, Set<string>>(certIds.map((id) => [id, new Set<string>()]));
  for await (const page of listPages(cloudResourcesListing(client, certIds), RESOURCE_LIMITS, signal)) {
    for (const resource of page) {
      // A resource of a certificate not asked for is not this batch's to report.
      places.get(casIdOf(resource.CertId)!)?.add(describeResource(resource));
    }
  }
  return new Map(
    [...places].map(([id, set]) => [id, { inUse: set.size > 0, boundTo: [...set].sort() }] as const),
  );
}

/**
 * One resource in a short, stable line: product, instance, listener and port, domain, region
 * (`ALB alb-xxx lsr-xxx:443 www.example.com (cn-hangzhou)`); what the resource leaves out is left out.
 */
export function describeResource(resource: CasCloudResource): string {
  const product = wireText(resource.CloudProduct) || 'resource';
  const listener = wireText(resource.ListenerId);
  const port = wireText(resource.ListenerPort);
  // ListenerId may already carry the port (`lsn-…@443`).
  const listenerText = listener && port && !listener.includes('@') ? `${listener}:${port}` : listener;
  const region = wireText(resource.RegionId) || wireText(resource.CloudRegion);
  const parts = [product, wireText(resource.InstanceId), listenerText, wireText(resource.Domain)].filter(
    (part) => part !== '',
  );
  return `${parts.join(' ')}${region ? ` (${region})` : ''}`;
}
