/**
 * SLB UploadServerCertificate: one certificate (with its chain) and its private key, both or neither.
 * https://www.alibabacloud.com/help/en/slb/classic-load-balancer/developer-reference/api-slb-2014-05-15-uploadservercertificate
 * Sent as a POST form and never retried once it may have reached the service (it is not idempotent).
 */
import { ProviderError } from '../../../errors';
import { wireSha1 } from '../../wire';
import type { AliyunRpcClient } from '../client';
import { readEpoch } from '../timestamps';

export interface UploadRequest {
  regionId: string;
  /** PEM: the certificate, then its intermediates. */
  certificatePem: string;
  /** PEM, unencrypted. Sent to the API and nowhere else. */
  privateKeyPem: string;
  name: string;
  resourceGroupId?: string | undefined;
}

export interface UploadedCertificate {
  id: string;
  name: string;
  regionId: string;
  /** Lowercase hex, no separators; null when the reply had none. */
  fingerprintSha1: string | null;
  expireTimeMs: number | null;
}

/** What SLB's refusals mean, in words a person can act on. */
const UPLOAD_ERRORS: Record<string, string> = {
  CertificateNotMatchPrivateKey: 'SLB says the private key does not belong to the certificate',
  PrivateKeyEncryption:
    'SLB refuses encrypted private keys: decrypt it first (openssl pkey -in KEY -out KEY.plain)',
  KeyFormatError: 'SLB could not read the private key: give an unencrypted PEM key (PKCS#1 or PKCS#8)',
  CertificateAndPrivateKeyIsRefered: 'SLB says this certificate and key are already in use',
  InvalidParameter: 'SLB refused a parameter (see its message)',
};

export async function uploadServerCertificate(
  client: AliyunRpcClient,
  request: UploadRequest,
): Promise<UploadedCertificate> {
  const params: Record<string, string> = {
    RegionId: request.regionId,
    ServerCertificate: request.certificatePem,
    PrivateKey: request.privateKeyPem,
    ServerCertificateName: request.name,
  };
  if (request.resourceGroupId) params.ResourceGroupId = request.resourceGroupId;
  let reply: Record<string, unknown>;
  try {
    reply = await client.call('UploadServerCertificate', params, {
      method: 'POST',
      where: `in ${request.regionId}`,
      idempotent: false,
    });
  } catch (error) {
    if (error instanceof ProviderError && UPLOAD_ERRORS[error.code]) {
      throw new ProviderError(`${UPLOAD_ERRORS[error.code]}. ${error.message}`, error, { cause: error });
    }
    throw error;
  }
  const id = typeof reply.ServerCertificateId === 'string' ? reply.ServerCertificateId : '';
  if (!id) {
    throw new ProviderError(
      `Alibaba SLB UploadServerCertificate in ${request.regionId}: the reply names no ServerCertificateId; check the ` +
        'SLB console before uploading again',
      { provider: 'aliyun', code: 'malformed-response', retryable: false },
    );
  }
  return {
    id,
    name: typeof reply.ServerCertificateName === 'string' ? reply.ServerCertificateName : request.name,
    regionId: typeof reply.RegionId === 'string' ? reply.RegionId : request.regionId,
    fingerprintSha1: wireSha1(reply.Fingerprint),
    expireTimeMs: readEpoch(reply.ExpireTimeStamp),
  };
}
