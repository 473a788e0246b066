/**
 * SLB DescribeServerCertificates for one region, and its mapping to ObservedCertificates.
 * https://www.alibabacloud.com/help/en/slb/classic-load-balancer/developer-reference/api-slb-2014-05-15-describeservercertificates
 * — no paging; `{RequestId, ServerCertificates: {ServerCertificate: [...]}}`; never returns certificate or key
 * content. Expiry from ExpireTimeStamp (ms) or ExpireTime (ISO 8601); older replies (the 2017 API page) carry only
 * id, name, region and the SHA-1 Fingerprint, which the scan matches against certificates seen elsewhere.
 */
import { PagingError } from '../../../errors';
import type { ObservedCertificate } from '../../../model';
import { contentIdentity, type Listing, listPages } from '../../listing';
import { isWireObject, wireSha1, wireText } from '../../wire';
import type { AliyunRpcClient } from '../client';
import { readAliyunTime, readEpoch } from '../timestamps';

export type ServerCertificateWire = Record<string, unknown>;

/**
 * A region's DescribeServerCertificates under the one listing discipline (../../listing.ts): one reply, so only
 * its entries are checked — a certificate listed twice is read once, an entry that is not one is named.
 */
export function serverCertificatesListing(
  client: AliyunRpcClient,
  regionId: string,
): Listing<ServerCertificateWire> {
  return {
    label: `Alibaba SLB DescribeServerCertificates in ${regionId}`,
    paging: {
      style: 'single',
      fetch: async (signal) => ({
        entries: await describeServerCertificateList(client, regionId, signal),
        total: null,
      }),
    },
    totalName: 'total',
    entryName: 'ServerCertificate entries',
    itemName: 'certificates',
    item: (entry) => (isWireObject(entry) ? entry : null),
    identity: (item) => {
      const id = wireText(item.ServerCertificateId);
      return id === '' ? contentIdentity(item) : `id:${id}`;
    },
  };
}

/** Every server certificate of the region, each once. Throws ProviderError or PagingError. */
export async function describeServerCertificates(
  client: AliyunRpcClient,
  regionId: string,
  signal?: AbortSignal,
): Promise<ServerCertificateWire[]> {
  const items: ServerCertificateWire[] = [];
  for await (const page of listPages(serverCertificatesListing(client, regionId), undefined, signal)) {
    items.push(...page);
  }
  return items;
}

/** One DescribeServerCertificates call: the ServerCertificate list as sent, entries unchecked. */
async function describeServerCertificateList(
  client: AliyunRpcClient,
  regionId: string,
  signal?: AbortSignal,
): Promise<unknown[]> {
  const reply = await client.call(
    'DescribeServerCertificates',
    { RegionId: regionId },
    { where: `in ${regionId}`, signal },
  );
  // An object without a list is a region with none; anything else is not the API and must not read as empty.
  const wrapper = isWireObject(reply.ServerCertificates) ? reply.ServerCertificates : undefined;
  const list = wrapper?.ServerCertificate ?? (wrapper ? [] : undefined);
  if (!Array.isArray(list)) {
    throw new PagingError(
      `Alibaba SLB DescribeServerCertificates in ${regionId}: the reply has no ServerCertificates.ServerCertificate ` +
        'list; check ALIBABA_CLOUD_SLB_ENDPOINT',
    );
  }
  return list;
}

export function mapServerCertificate(item: ServerCertificateWire, regionId: string): ObservedCertificate {
  const notes: string[] = [];
  const id = wireText(item.ServerCertificateId) || '(no ServerCertificateId)';
  const fromStamp = readEpoch(item.ExpireTimeStamp);
  const fromText = readAliyunTime(item.ExpireTime);
  let apiNotAfter: ObservedCertificate['apiNotAfter'] = null;
  if (fromStamp !== null) apiNotAfter = { epochMs: fromStamp, source: 'api:ExpireTimeStamp' };
  else if (fromText) apiNotAfter = { epochMs: fromText.epochMs, source: 'api:ExpireTime' };
  if (fromStamp !== null && fromText && Math.abs(fromText.epochMs - fromStamp) >= 1000) {
    notes.push('ExpireTime and ExpireTimeStamp disagree; ExpireTimeStamp is used');
  }
  const sans = (item.SubjectAlternativeNames as Record<string, unknown> | undefined)?.SubjectAlternativeName;
  const domains = [wireText(item.CommonName), ...(Array.isArray(sans) ? sans.map(wireText) : [])];
  return {
    provider: 'aliyun',
    service: 'slb',
    region: wireText(item.RegionId) || regionId,
    project: wireText(item.ResourceGroupId) || null,
    id,
    name: wireText(item.ServerCertificateName) || id,
    domains: [...new Set(domains.filter((domain) => domain !== ''))],
    apiNotAfter,
    chain: null,
    apiFingerprintSha1: wireSha1(item.Fingerprint),
    // DescribeServerCertificates does not say which listeners use a certificate.
    inUse: null,
    boundTo: [],
    notes,
  };
}
