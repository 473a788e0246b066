/**
 * Alibaba Cloud Certificate Management Service (CAS), API version 2020-04-07 (@alicloud/cas20200407;
 * ../shared/reference/provider-apis-more.md §2): ListUserCertificateOrder, GetUserCertificateDetail and
 * ListCloudResources. Lists are plain JSON arrays (CAS does not wrap them). GetUserCertificateDetail returns the
 * PEM and the private key unless CertFilter is true, as the real API does.
 */
import type { AliyunCasCertificate } from '../fleet/model';
import { type AliyunAction, type AliyunActionReply, failed } from './action';
import { aliyunError } from './errors';

export const CAS_API_VERSION = '2020-04-07';
/** ListUserCertificateOrder's documented default; its maximum is unconfirmed: the emulator clamps at 100. */
export const DEFAULT_CAS_ORDER_PAGE_SIZE = 50;
/** ListCloudResources's documented default; its maximum is unconfirmed: the emulator clamps at 100. */
export const DEFAULT_CAS_RESOURCE_PAGE_SIZE = 20;
export const MAX_CAS_PAGE_SIZE = 100;
const DAY_MS = 86_400_000;
/** The emulator's UserId for every ListCloudResources item. */
const USER_ID = 1_353_813_254_939_731;

/** Whether the request asked for the PEM and key to be left out: CertFilter=true (any case). */
export function isCertFiltered(params: Readonly<Record<string, string>>): boolean {
  return (params.CertFilter ?? '').trim().toLowerCase() === 'true';
}

/** The CAS actions, by name. */
export function createCasActions(): Record<string, AliyunAction> {
  return {
    ListUserCertificateOrder: ({ params, store, now, pageCap }) => {
      const paging = readPaging(params, DEFAULT_CAS_ORDER_PAGE_SIZE, pageCap);
      if (!paging.ok) return paging.reply;
      const orderType = (params.OrderType || 'CPACK').toUpperCase();
      if (!['CPACK', 'BUY', 'CERT', 'UPLOAD'].includes(orderType)) {
        return failed(aliyunError('InvalidParameter', 'OrderType', 'CPACK, BUY, CERT or UPLOAD'));
      }
      // CPACK and BUY list orders, and the emulated account holds none; CERT lists issued and uploaded
      // certificates, UPLOAD only uploaded ones. An empty Status lists only ISSUED and WILLEXPIRED.
      const status = params.Status?.trim().toUpperCase() ?? '';
      const matching =
        orderType === 'CPACK' || orderType === 'BUY'
          ? []
          : store.casCertificates().filter((certificate) => {
              if (orderType === 'UPLOAD' && !certificate.Upload) return false;
              const own = statusOf(certificate, now);
              return status === '' ? own === 'ISSUED' || own === 'WILLEXPIRED' : own === status;
            });
      const start = (paging.page - 1) * paging.size;
      const page = matching.slice(start, start + paging.size).map((c) => orderItem(c, now));
      return {
        ok: true,
        body: {
          TotalCount: matching.length,
          CurrentPage: paging.page,
          ShowSize: paging.size,
          CertificateOrderList: page,
        },
        certificatesReturned: page.length,
      };
    },

    GetUserCertificateDetail: ({ params, store, now }): AliyunActionReply => {
      const certId = params.CertId;
      if (!certId) return failed(aliyunError('MissingParameter', 'CertId'));
      if (!/^\d{1,19}$/.test(certId)) return failed(aliyunError('InvalidParameter', 'CertId'));
      const certificate = store.casCertificate(String(Number(certId)));
      if (!certificate) return failed(aliyunError('NotFound.Certificate'));
      const body = detail(certificate, now);
      if (!isCertFiltered(params)) {
        // What the real API does without CertFilter=true: the PEM and the private key in the reply.
        Object.assign(body, definedFields({ Cert: certificate.Cert, Key: certificate.Key }));
      }
      return { ok: true, body, certificatesReturned: 1 };
    },

    ListCloudResources: ({ params, store, pageCap }): AliyunActionReply => {
      const paging = readPaging(params, DEFAULT_CAS_RESOURCE_PAGE_SIZE, pageCap);
      if (!paging.ok) return paging.reply;
      const ids = readCertIds(params.CertIds);
      if (ids === undefined) {
        return failed(
          aliyunError('InvalidParameter', 'CertIds', 'a JSON array of certificate ids, e.g. [123,456]'),
        );
      }
      // Only Alibaba's own resources are emulated; another CloudName lists none.
      const cloudName = params.CloudName?.trim().toLowerCase();
      const product = params.CloudProduct?.trim().toLowerCase();
      const keyword = params.Keyword?.trim().toLowerCase();
      const certificates =
        ids === null
          ? store.casCertificates()
          : ids.flatMap((id) => store.casCertificate(id) ?? []).filter(unique);
      const matching =
        cloudName && cloudName !== 'aliyun'
          ? []
          : certificates.flatMap((certificate) =>
              (certificate.Deployments ?? [])
                .filter((deployment) => !product || deployment.CloudProduct.toLowerCase() === product)
                .filter(
                  (deployment) =>
                    !keyword ||
                    (deployment.Domain ?? '').toLowerCase().includes(keyword) ||
                    (deployment.InstanceId ?? '').toLowerCase().includes(keyword),
                )
                .map((deployment) => resourceItem(certificate, deployment)),
            );
      const start = (paging.page - 1) * paging.size;
      const page = matching.slice(start, start + paging.size);
      return {
        ok: true,
        body: { CurrentPage: paging.page, ShowSize: paging.size, Total: matching.length, Data: page },
      };
    },
  };

  function unique<T>(item: T, index: number, all: T[]): boolean {
    return all.indexOf(item) === index;
  }
}

/** The certificate's status: the fleet's, else from the clock (EXPIRED past its end, WILLEXPIRED within 30 days). */
function statusOf(certificate: AliyunCasCertificate, now: number): string {
  if (certificate.Status) return certificate.Status.toUpperCase();
  const end = endOf(certificate);
  if (end === undefined) return 'ISSUED';
  if (end <= now) return 'EXPIRED';
  return end - now <= 30 * DAY_MS ? 'WILLEXPIRED' : 'ISSUED';
}

function expiredOf(certificate: AliyunCasCertificate, now: number): boolean {
  if (certificate.Expired !== undefined) return certificate.Expired;
  const end = endOf(certificate);
  return end !== undefined && end <= now;
}

function endOf(certificate: AliyunCasCertificate): number | undefined {
  if (certificate.CertEndTime !== undefined) return certificate.CertEndTime;
  if (certificate.NotAfter !== undefined) return certificate.NotAfter;
  return certificate.EndDate ? Date.parse(`${certificate.EndDate}T00:00:00+08:00`) || undefined : undefined;
}

/** A ListUserCertificateOrder item for OrderType CERT/UPLOAD. */
function orderItem(certificate: AliyunCasCertificate, now: number): Record<string, unknown> {
  return definedFields({
    CertificateId: certificate.CertificateId,
    InstanceId: certificate.InstanceId,
    Name: certificate.Name,
    CommonName: certificate.CommonName,
    Sans: certificate.Sans,
    Issuer: certificate.Issuer,
    OrgName: certificate.OrgName,
    Status: statusOf(certificate, now),
    StartDate: certificate.StartDate,
    EndDate: certificate.EndDate,
    CertStartTime: certificate.CertStartTime,
    CertEndTime: certificate.CertEndTime,
    Expired: expiredOf(certificate, now),
    Upload: certificate.Upload,
    Fingerprint: certificate.Fingerprint,
    Sha2: certificate.Sha2,
    SerialNo: certificate.SerialNo,
    ResourceGroupId: certificate.ResourceGroupId,
  });
}

/** A GetUserCertificateDetail reply with CertFilter=true: no Cert, no Key. */
function detail(certificate: AliyunCasCertificate, now: number): Record<string, unknown> {
  return definedFields({
    Id: certificate.CertificateId,
    Name: certificate.Name,
    CertIdentifier: certificate.CertIdentifier ?? `${certificate.CertificateId}-cn-hangzhou`,
    InstanceId: certificate.InstanceId,
    Common: certificate.CommonName,
    Sans: certificate.Sans,
    Issuer: certificate.Issuer,
    OrgName: certificate.OrgName,
    StartDate: certificate.StartDate,
    EndDate: certificate.EndDate,
    NotBefore: certificate.NotBefore,
    NotAfter: certificate.NotAfter,
    Expired: expiredOf(certificate, now),
    BuyInAliyun: !certificate.Upload,
    Algorithm: certificate.Algorithm,
    Fingerprint: certificate.Fingerprint,
    Sha2: certificate.Sha2,
    SerialNo: certificate.SerialNo,
    ResourceGroupId: certificate.ResourceGroupId,
    CertChain: certificate.CertChain,
  });
}

/** A ListCloudResources Data item: times are strings of epoch milliseconds, as the API sends them. */
function resourceItem(
  certificate: AliyunCasCertificate,
  deployment: NonNullable<AliyunCasCertificate['Deployments']>[number],
): Record<string, unknown> {
  const ms = (value: number | undefined) => (value === undefined ? undefined : String(value));
  return definedFields({
    Id: deployment.Id,
    CertId: certificate.CertificateId,
    CertName: certificate.Name,
    CertStartTime: ms(certificate.CertStartTime ?? certificate.NotBefore),
    CertEndTime: ms(certificate.CertEndTime ?? certificate.NotAfter),
    CloudName: 'aliyun',
    CloudProduct: deployment.CloudProduct,
    RegionId: deployment.RegionId,
    InstanceId: deployment.InstanceId,
    ListenerId: deployment.ListenerId,
    ListenerPort: deployment.ListenerPort,
    DefaultResource: deployment.DefaultResource,
    Domain: deployment.Domain,
    EnableHttps: 1,
    UserId: USER_ID,
  });
}

/**
 * CertIds as the API takes it: ONE parameter holding a JSON array (`[123,456]`), ids as numbers or numeric
 * strings. Absent or empty: null (every certificate). Undefined when it is not such an array.
 */
function readCertIds(value: string | undefined): string[] | null | undefined {
  if (value === undefined || value.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const ids: string[] = [];
  for (const id of parsed) {
    const text =
      typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : typeof id === 'string' ? id : '';
    if (!/^\d{1,19}$/.test(text)) return undefined;
    ids.push(String(Number(text)));
  }
  return ids;
}

/** CurrentPage and ShowSize; the size served is at most MAX_CAS_PAGE_SIZE, and `pageCap` when a test sets one. */
function readPaging(
  params: Readonly<Record<string, string>>,
  defaultSize: number,
  pageCap = MAX_CAS_PAGE_SIZE,
): { ok: true; page: number; size: number } | { ok: false; reply: AliyunActionReply } {
  const page = readInteger(params.CurrentPage, 1);
  if (page === undefined || page < 1) {
    return {
      ok: false,
      reply: failed(aliyunError('InvalidParameter', 'CurrentPage', 'a whole number from 1')),
    };
  }
  const size = readInteger(params.ShowSize, defaultSize);
  if (size === undefined || size < 1) {
    return { ok: false, reply: failed(aliyunError('InvalidParameter', 'ShowSize', 'a whole number from 1')) };
  }
  return { ok: true, page, size: Math.min(size, MAX_CAS_PAGE_SIZE, pageCap) };
}

function definedFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** A whole-number parameter; absent or empty -> the default; anything else -> undefined (invalid). */
function readInteger(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}
