/**
 * SLB DescribeServerCertificates for one region, and its mapping to ObservedCertificates.
 * https://www.alibabacloud.com/help/en/slb/classic-load-balancer/developer-reference/api-slb-2014-05-15-describeservercertificates
 * — no paging; `{RequestId, ServerCertificates: {ServerCertificate: [...]}}`; never returns certificate or key
 * content. Expiry from ExpireTimeStamp (ms) or ExpireTime (ISO 8601); older replies (the 2017 API page) carry only
 * id, name, region and the SHA-1 Fingerprint, which the scan matches against certificates seen elsewhere.
 */
import { PagingError } from '../../../errors';
import type { ObservedCertificate } from '../../../model';
import { isWireObject, wireSha1, wireText } from '../../wire';
import type { AliyunRpcClient } from '../client';
import { readAliyunTime, readEpoch } from '../timestamps';

export type ServerCertificateWire = Record<string, unknown>;

export async function describeServerCertificates(
  client: AliyunRpcClient,
  regionId: string,
  signal?: AbortSignal,
): Promise<ServerCertificateWire[]> {
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
  const items = list.filter(isWireObject);
  if (items.length < list.length) {
    throw new PagingError(
      `Alibaba SLB DescribeServerCertificates in ${regionId}: ${list.length - items.length} entries are not certificates`,
    );
  }
  return items;
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
