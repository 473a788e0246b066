/**
 * CAS GetUserCertificateDetail (2020-04-07), always with CertFilter=true, and the mapping of a listed certificate
 * plus its details to an ObservedCertificate.
 * https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-getusercertificatedetail
 * — without CertFilter=true the reply holds the certificate's private key (`Key`, and the SM pairs): this file is
 * the only place that sends the action, and it sets CertFilter itself.
 */
import { ProviderError } from '../../../errors';
import type { ApiIntermediate, ObservedCertificate } from '../../../model';
import { isWireObject, uniqueNames, wireSha1, wireText } from '../../wire';
import type { AliyunRpcClient } from '../client';
import { type CasOrderEntry, casIdOf } from './listUserCertificateOrder';

/** The details as sent, unchecked; never holds Cert or Key (CertFilter=true leaves them out). */
export type CasCertificateDetail = Record<string, unknown>;

/** Reply fields a CertFilter=true reply must not hold; dropped should a server send them all the same. */
const SECRET_FIELDS = [
  'Cert',
  'Key',
  'EncryptCert',
  'EncryptPrivateKey',
  'SignCert',
  'SignPrivateKey',
] as const;

/**
 * The details of one CAS certificate. CertFilter=true is sent on every call and cannot be turned off: the reply
 * then holds no PEM and no private key. Throws ProviderError when the call fails, and when the reply is about
 * another certificate (its Id is not `certId`: a cache or proxy answering with an earlier reply), whose expiry
 * would otherwise be reported as this one's.
 */
export async function getUserCertificateDetail(
  client: AliyunRpcClient,
  certId: string,
  signal?: AbortSignal,
): Promise<CasCertificateDetail> {
  const reply = await client.call(
    'GetUserCertificateDetail',
    { CertId: certId, CertFilter: 'true' },
    { where: `(CertId ${certId})`, signal },
  );
  const replyId = casIdOf(reply.Id);
  if (replyId !== null && replyId !== certId) {
    throw new ProviderError(
      `Alibaba CAS GetUserCertificateDetail (CertId ${certId}): the reply describes CertId ${replyId}; its ` +
        'details were not used — check ALIBABA_CLOUD_CAS_ENDPOINT (a cache or proxy may be answering)',
      { provider: 'aliyun', code: 'MismatchedReply', retryable: false },
    );
  }
  // A key is never kept, even from a server that ignored CertFilter.
  const detail: CasCertificateDetail = { ...reply };
  for (const field of SECRET_FIELDS) delete detail[field];
  return detail;
}

/** The earliest and latest epoch milliseconds a CAS NotAfter/CertEndTime is read as (1e12..1e13: 2001..2286). */
const MS_MIN = 1e12;
const MS_MAX = 1e13;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/**
 * An instant CAS sends as a number or a numeric string. The unit of GetUserCertificateDetail NotAfter is
 * unconfirmed (its SDK example has 14 digits): only 1e12..1e13 is read, as milliseconds; anything else is null.
 */
export function readCasMillis(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d{1,20}$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) return null;
  return number >= MS_MIN && number < MS_MAX ? Math.trunc(number) : null;
}

/**
 * A CAS `yyyy-MM-dd` date (StartDate/EndDate) as the START of that day in China time (UTC+8). Whether CAS writes
 * the date in UTC or China time is unconfirmed: this is the earliest instant the date can mean either way, so an
 * expiry read from it is never late. Null unless it is a real date.
 */
export function readCasDate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const date = new Date(utc);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  return utc - CHINA_OFFSET_MS;
}

/** A SHA-256 fingerprint (CAS `Sha2`), with or without colons, as lowercase hex; null unless it is one. */
export function wireSha256(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const hex = value.replaceAll(':', '').trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

/** Where a CAS certificate is deployed, when ListCloudResources could be read; null when it could not. */
export interface CasDeployment {
  inUse: boolean;
  boundTo: string[];
}

/**
 * What the list entry, its details (null when they could not be read) and its deployments say about one CAS
 * certificate. Expiry, first that can be read: detail NotAfter (ms) -> `api:NotAfter`, list CertEndTime (ms) ->
 * `api:CertEndTime`, EndDate (detail, then list) -> `api:EndDate`, known to the day only.
 */
export function mapCasCertificate(
  entry: CasOrderEntry,
  detail: CasCertificateDetail | null,
  deployment: CasDeployment | null,
): ObservedCertificate {
  const notes: string[] = [];
  const id = wireText(entry.CertificateId) || wireText(detail?.Id) || '(no CertificateId)';
  const field = (name: string): unknown => {
    const own = detail?.[name];
    return own === undefined || own === null || own === '' ? entry[name] : own;
  };

  let apiNotAfter: ObservedCertificate['apiNotAfter'] = null;
  const notAfter = readCasMillis(detail?.NotAfter);
  if (notAfter !== null) apiNotAfter = { epochMs: notAfter, source: 'api:NotAfter' };
  else if (present(detail?.NotAfter)) {
    notes.push(
      `NotAfter ${JSON.stringify(detail?.NotAfter).slice(0, 40)} is not epoch milliseconds; it was ignored`,
    );
  }
  if (!apiNotAfter) {
    const endTime = readCasMillis(entry.CertEndTime);
    if (endTime !== null) apiNotAfter = { epochMs: endTime, source: 'api:CertEndTime' };
  }
  if (!apiNotAfter) {
    const endDate = field('EndDate');
    const day = readCasDate(endDate);
    if (day !== null) {
      apiNotAfter = { epochMs: day, source: 'api:EndDate' };
      notes.push(
        `expiry known to the day only: EndDate ${wireText(endDate)} read as the start of that day in China time`,
      );
    } else if (present(endDate)) {
      notes.push(`EndDate ${JSON.stringify(endDate).slice(0, 40)} is not a yyyy-MM-dd date`);
    }
  }

  // The mapper holds no clock (the scan judges dates later): CAS's own verdict is kept beside the date, so a
  // report shows where the two disagree.
  const expired = detail?.Expired ?? entry.Expired;
  if (expired === true) {
    notes.push(
      apiNotAfter
        ? 'CAS marks it expired (Expired=true)'
        : 'CAS marks it expired (Expired=true), but states no date certwatch can read',
    );
  }

  const upload = typeof entry.Upload === 'boolean' ? entry.Upload : undefined;
  const bought = typeof detail?.BuyInAliyun === 'boolean' ? detail.BuyInAliyun : undefined;
  if (upload === true || (upload === undefined && bought === false)) notes.push('uploaded to CAS');
  else if (upload === false || bought === true) notes.push('issued through CAS');

  const commonName = wireText(entry.CommonName) || wireText(detail?.Common);
  const sans = wireText(field('Sans'))
    .split(',')
    .map((name) => name.trim());
  return {
    provider: 'aliyun',
    service: 'cas',
    region: 'global',
    project: null,
    id,
    name: wireText(field('Name')) || id,
    domains: uniqueNames([commonName, ...sans]),
    apiNotAfter,
    chain: null,
    apiFingerprintSha1: wireSha1(field('Fingerprint')),
    apiFingerprintSha256: wireSha256(field('Sha2')),
    apiIntermediates: intermediatesOf(detail?.CertChain),
    casCertificateId: id,
    inUse: deployment ? deployment.inUse : null,
    boundTo: deployment ? deployment.boundTo : [],
    notes,
  };
}

/**
 * CertChain `[{CommonName, IssuerCommonName, NotBefore, NotAfter, RemainDay}]`, leaf first: the entries after the
 * leaf whose NotAfter reads as milliseconds (the same unconfirmed unit as the leaf's).
 */
function intermediatesOf(chain: unknown): ApiIntermediate[] {
  if (!Array.isArray(chain)) return [];
  const intermediates: ApiIntermediate[] = [];
  for (const link of chain.slice(1)) {
    if (!isWireObject(link)) continue;
    const notAfterMs = readCasMillis(link.NotAfter);
    if (notAfterMs === null) continue;
    intermediates.push({
      subject: wireText(link.CommonName) || '(no CommonName)',
      notAfterMs,
      source: 'api:CertChain',
    });
  }
  return intermediates;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
