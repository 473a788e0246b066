/**
 * CDN DescribeCertificateInfoByID (one CertId per call) and its mapping to an ObservedCertificate.
 * https://www.alibabacloud.com/help/en/cdn/developer-reference/api-cdn-2018-05-10-describecertificateinfobyid —
 * `{RequestId, CertInfos: {CertInfo: [{CertId (string), CertName, CertType, CreateTime, CertExpireTime,
 * DomainList, HttpsCrt}]}}`.
 */
import type { ObservedCertificate } from '../../../model';
import { readPemChain } from '../../../pem/chain';
import { isWireObject, uniqueNames, wireSha1, wireText } from '../../wire';
import type { AliyunRpcClient } from '../client';
import { readAliyunTime } from '../timestamps';
import { type CdnCertListEntry, certIdOf } from './listCertificates';

export type CdnCertInfo = Record<string, unknown>;

/** The certificate's details, or null when the API answered with no CertInfo for the id. */
export async function describeCertificateInfo(
  client: AliyunRpcClient,
  certId: string,
  signal?: AbortSignal,
): Promise<CdnCertInfo | null> {
  const reply = await client.call(
    'DescribeCertificateInfoByID',
    { CertId: certId },
    { where: `(CertId ${certId})`, signal },
  );
  const infos = (reply.CertInfos as Record<string, unknown> | undefined)?.CertInfo;
  if (!Array.isArray(infos)) return null;
  // Arrays are objects too, but never details: a lone `[]` must not be read as the certificate's CertInfo.
  const objects = infos.filter(isWireObject);
  // Only the details of this id: a lone entry without a CertId is taken as the answer, any other is not.
  const match = objects.find((info) => certIdOf(info) === certId);
  if (match) return match;
  return objects.length === 1 && certIdOf(objects[0]!) === null ? objects[0]! : null;
}

/** What a list entry plus (when it could be read) its details say about one CDN certificate. */
export function mapCdnCertificate(entry: CdnCertListEntry, info: CdnCertInfo | null): ObservedCertificate {
  const notes: string[] = [];
  const id = certIdOf(entry) ?? '(no CertId)';
  const pem = readPemChain(typeof info?.HttpsCrt === 'string' ? info.HttpsCrt : null);
  if (info && !pem.chain) notes.push(`HttpsCrt: ${pem.problems.join('; ')}`);

  let apiNotAfter: ObservedCertificate['apiNotAfter'] = null;
  const expireText = info?.CertExpireTime;
  if (expireText !== undefined && expireText !== null && expireText !== '') {
    const read = readAliyunTime(expireText);
    if (!read) {
      notes.push(
        `CertExpireTime ${JSON.stringify(expireText).slice(0, 60)} is not a date certwatch can read`,
      );
    } else {
      apiNotAfter = { epochMs: read.epochMs, source: 'api:CertExpireTime' };
      if (read.assumedUtc) notes.push('CertExpireTime names no time zone; it was taken as UTC');
    }
  }

  const boundDomains = info ? domainList(info.DomainList) : null;
  const leaf = pem.chain?.leaf;
  const certNames = leaf ? [leaf.commonName ?? '', ...leaf.dnsNames] : [wireText(entry.Common)];
  return {
    provider: 'aliyun',
    service: 'cdn',
    region: wireText(entry.CertRegion) || 'global',
    project: null,
    id,
    name: wireText(info?.CertName) || wireText(entry.CertName) || id,
    domains: uniqueNames(boundDomains && boundDomains.length > 0 ? boundDomains : certNames),
    apiNotAfter,
    chain: pem.chain,
    apiFingerprintSha1: pem.chain ? null : wireSha1(entry.Fingerprint),
    inUse: boundDomains === null ? null : boundDomains.length > 0,
    boundTo: (boundDomains ?? []).map((domain) => `CDN domain ${domain}`),
    notes,
  };
}

/**
 * DomainList is a string: comma-separated names, or (as the documented example `[""]` shows) a JSON array. An
 * empty list means the certificate serves no domain. Null when the field is missing: binding unknown.
 */
function domainList(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  let items: unknown[] = [];
  if (Array.isArray(value)) items = value;
  else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        items = Array.isArray(parsed) ? parsed : [];
      } catch {
        items = trimmed.slice(1, -1).split(',');
      }
    } else items = trimmed.split(/[,\s]+/);
  }
  return uniqueNames(
    items.filter((item): item is string => typeof item === 'string').map((item) => item.trim()),
  );
}
