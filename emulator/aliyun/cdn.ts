/**
 * Alibaba Cloud CDN, API version 2018-05-10 (alibabacloud-go/cdn-20180510; CDN API docs
 * DescribeCdnSSLCertificateList, DescribeCertificateInfoByID, DescribeCdnHttpsDomainList): the actions a scan
 * needs. Lists in JSON come
 * wrapped in an object named for the item (`CertList: {Cert: [...]}`), as Alibaba's XML-derived JSON does.
 */
import type { AliyunCdnCertificate } from '../fleet/model';
import { type AliyunAction, type AliyunActionReply, failed } from './action';
import { aliyunError } from './errors';
import { cdnHttpsDomainList } from './httpsDomains';

export const CDN_API_VERSION = '2018-05-10';
export const DEFAULT_CDN_PAGE_SIZE = 20;
export const MAX_CDN_PAGE_SIZE = 1000;

export interface CdnActionOptions {
  /**
   * Whether CertificateListModel.Count is the number of matching certificates (true) or the number on this page
   * (false). Which one CDN sends is UNVERIFIED; a client must stop on a short page and work with either.
   */
  countIsTotal: boolean;
  /** Largest page returned: a larger PageSize is clamped, and the reply's PageSize is the clamped one. */
  maxPageSize: number;
}

/** The CDN actions, by name. */
export function createCdnActions(options: CdnActionOptions): Record<string, AliyunAction> {
  return {
    DescribeCdnSSLCertificateList: ({ params, store }) => {
      const pageNumber = readInteger(params.PageNumber, 1);
      if (pageNumber === undefined || pageNumber < 1) {
        return failed(aliyunError('InvalidParameter', 'PageNumber', 'a whole number from 1'));
      }
      const pageSize = readInteger(params.PageSize, DEFAULT_CDN_PAGE_SIZE);
      if (pageSize === undefined || pageSize < 1 || pageSize > MAX_CDN_PAGE_SIZE) {
        return failed(
          aliyunError('InvalidParameter', 'PageSize', `a whole number from 1 to ${MAX_CDN_PAGE_SIZE}`),
        );
      }
      const served = Math.min(pageSize, options.maxPageSize);
      let matching = store.cdnCertificates();
      // Emulator choice: DomainName matches one entry of DomainList exactly (ignoring case); SearchKeyword is a
      // case-insensitive substring of CertName or Common. The real matching rules are undocumented.
      const domain = params.DomainName?.toLowerCase();
      if (domain) {
        matching = matching.filter((certificate) =>
          (certificate.DomainList ?? '').split(',').some((entry) => entry.trim().toLowerCase() === domain),
        );
      }
      const keyword = params.SearchKeyword?.toLowerCase();
      if (keyword) {
        matching = matching.filter(
          (certificate) =>
            certificate.CertName.toLowerCase().includes(keyword) ||
            (certificate.Common ?? '').toLowerCase().includes(keyword),
        );
      }
      const start = (pageNumber - 1) * served;
      const page = matching.slice(start, start + served).map(listItem);
      return {
        ok: true,
        body: {
          CertificateListModel: {
            Count: options.countIsTotal ? matching.length : page.length,
            PageNumber: pageNumber,
            PageSize: served,
            CertList: { Cert: page },
          },
        },
        certificatesReturned: page.length,
      };
    },

    /**
     * An unknown CertId (or one that is not a number) answers an empty CertInfo list, not an error: emulator
     * choice, since what CDN sends is unverified and "deleted between list and lookup" is a race a scan must
     * survive either way. A client must treat an empty list as "gone".
     */
    DescribeCdnHttpsDomainList: cdnHttpsDomainList,

    DescribeCertificateInfoByID: ({ params, store }): AliyunActionReply => {
      const certId = params.CertId;
      if (!certId) return failed(aliyunError('MissingParameter', 'CertId'));
      const certificate = store.cdnCertificate(certId);
      const infos = certificate ? [infoItem(certificate)] : [];
      return { ok: true, body: { CertInfos: { CertInfo: infos } }, certificatesReturned: infos.length };
    },
  };
}

/** A DescribeCdnSSLCertificateList item: CertId stays an integer here (it is a string in CertInfo). */
function listItem(certificate: AliyunCdnCertificate): Record<string, unknown> {
  return definedFields({
    CertId: certificate.CertId,
    CertName: certificate.CertName,
    Common: certificate.Common,
    Fingerprint: certificate.Fingerprint,
    Issuer: certificate.Issuer,
    CertRegion: certificate.CertRegion,
    LastTime: certificate.LastTime,
  });
}

/** A DescribeCertificateInfoByID item; fields the fleet does not hold are left out, not sent empty. */
function infoItem(certificate: AliyunCdnCertificate): Record<string, unknown> {
  return definedFields({
    CertId: String(certificate.CertId),
    CertName: certificate.CertName,
    CertType: certificate.CertType,
    CreateTime: certificate.CreateTime,
    CertExpireTime: certificate.CertExpireTime,
    DomainList: certificate.DomainList,
    HttpsCrt: certificate.HttpsCrt,
  });
}

function definedFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** A whole-number parameter; absent or empty -> the default; anything else -> undefined (invalid). */
function readInteger(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}
