/**
 * Alibaba Cloud SLB, API version 2014-05-15 (alibabacloud-go/slb-20140515; SLB API docs
 * DescribeServerCertificates, UploadServerCertificate): listing a region's server certificates and uploading one.
 * Neither ever answers with certificate or key content.
 */
import { randomInt } from 'node:crypto';
import type { AliyunSlbCertificate } from '../fleet/model';
import { type AliyunAction, type AliyunActionReply, failed } from './action';
import { aliyunError } from './errors';
import { readUpload } from './uploadedCertificate';

export const SLB_API_VERSION = '2014-05-15';

/** The emulated account's UID: the first part of every server certificate id it issues. */
export const ALIYUN_ACCOUNT_UID = '1231579085529123';

const MAX_NAME_LENGTH = 80;

/** The SLB actions, by name. */
export function createSlbActions(): Record<string, AliyunAction> {
  return {
    /**
     * RegionId is required (MissingParameter). Any RegionId is accepted: one the fleet does not use simply holds
     * nothing (emulator choice; the real API may answer InvalidRegionId). No paging, as on the real API.
     */
    DescribeServerCertificates: ({ params, store }): AliyunActionReply => {
      const region = params.RegionId;
      if (!region) return failed(aliyunError('MissingParameter', 'RegionId'));
      let matching = store.slbCertificates(region);
      if (params.ServerCertificateId) {
        matching = matching.filter((entry) => entry.ServerCertificateId === params.ServerCertificateId);
      }
      if (params.ResourceGroupId) {
        matching = matching.filter((entry) => entry.ResourceGroupId === params.ResourceGroupId);
      }
      const items = matching.map(wireItem);
      return {
        ok: true,
        body: { ServerCertificates: { ServerCertificate: items } },
        certificatesReturned: items.length,
      };
    },

    /**
     * Checks everything before storing anything (the API is transactional: both or neither). Errors, first wins:
     * MissingParameter for RegionId, ServerCertificate, PrivateKey; InvalidParameter for a ServerCertificateName
     * outside 1–80 characters; then the certificate and key checks of ./uploadedCertificate.ts. Without a
     * ServerCertificateName the leaf's common name is used (emulator choice; the id when there is none).
     * AliCloudCertificateId uploads (from the SSL certificate service) are not emulated: they need
     * ServerCertificate and PrivateKey like any other. GET works as for every RPC action, though a PEM chain in a
     * URL soon meets the server's header size limit: clients should POST.
     */
    UploadServerCertificate: ({ params, store, now }): AliyunActionReply => {
      const region = params.RegionId;
      if (!region) return failed(aliyunError('MissingParameter', 'RegionId'));
      if (!params.ServerCertificate) return failed(aliyunError('MissingParameter', 'ServerCertificate'));
      if (!params.PrivateKey) return failed(aliyunError('MissingParameter', 'PrivateKey'));
      const givenName = params.ServerCertificateName;
      if (
        givenName !== undefined &&
        !([...givenName].length >= 1 && [...givenName].length <= MAX_NAME_LENGTH)
      ) {
        return failed(
          aliyunError('InvalidParameter', 'ServerCertificateName', `1 to ${MAX_NAME_LENGTH} characters`),
        );
      }
      const upload = readUpload(params.ServerCertificate, params.PrivateKey);
      if (!upload.ok) return failed(upload.error);

      const { certificate } = upload;
      const id = serverCertificateId(now);
      const created = Math.floor(now / 1000) * 1000;
      const entry: AliyunSlbCertificate = {
        RegionId: region,
        ServerCertificateId: id,
        ServerCertificateName: givenName ?? certificate.commonName ?? id,
        Fingerprint: certificate.fingerprint,
        ...(params.ResourceGroupId ? { ResourceGroupId: params.ResourceGroupId } : {}),
        ...(certificate.commonName === undefined ? {} : { CommonName: certificate.commonName }),
        SubjectAlternativeNames: certificate.subjectAlternativeNames,
        CreateTime: isoSeconds(created),
        CreateTimeStamp: created,
        ExpireTime: isoSeconds(certificate.notAfterMs),
        ExpireTimeStamp: certificate.notAfterMs,
        IsAliCloudCertificate: 0,
        ServerCertificate: certificate.pem,
      };
      store.addSlbCertificate(entry);
      return { ok: true, body: wireItem(entry), uploaded: true };
    },
  };
}

/** A ServerCertificate item: the fleet entry minus its PEM, SubjectAlternativeNames wrapped as the JSON sends it. */
function wireItem(entry: AliyunSlbCertificate): Record<string, unknown> {
  const { ServerCertificate: _pem, SubjectAlternativeNames, ...fields } = entry;
  if (SubjectAlternativeNames === undefined) return { ...fields };
  return { ...fields, SubjectAlternativeNames: { SubjectAlternativeName: [...SubjectAlternativeNames] } };
}

/** Alibaba's shape (`1231579085529123_166f8204689_1714763408_709782`): account UID, hex ms, two random numbers. */
function serverCertificateId(now: number): string {
  return `${ALIYUN_ACCOUNT_UID}_${Math.max(0, Math.floor(now)).toString(16)}_${randomInt(1e9, 2 ** 31 - 1)}_${randomInt(1e5, 1e6)}`;
}

/** ISO 8601 UTC without milliseconds, as SLB writes CreateTime and ExpireTime. */
export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
