/**
 * SLB UploadServerCertificate: one certificate (with its chain) and its private key, both or neither.
 * https://www.alibabacloud.com/help/en/slb/classic-load-balancer/developer-reference/api-slb-2014-05-15-uploadservercertificate
 * Sent as a POST form and never retried once it may have reached the service (it is not idempotent).
 */
import { ProviderError } from '../../../errors';
import { inertText } from '../../../inert';
import { wireSha1, wireText } from '../../wire';
import type { AliyunRpcClient } from '../client';
import { readEpoch } from '../timestamps';
import { describeServerCertificates, type ServerCertificateWire } from './describeServerCertificates';

export interface UploadRequest {
  regionId: string;
  /** PEM: the certificate, then its intermediates. */
  certificatePem: string;
  /** PEM, unencrypted. Sent to the API and nowhere else. */
  privateKeyPem: string;
  name: string;
  resourceGroupId?: string | undefined;
  /** SHA-1 of the leaf (lowercase hex): after a failure that may have happened after arrival, SLB is asked. */
  fingerprintSha1: string;
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

/**
 * A failure after which the upload may have been stored all the same: no reply, a reply too large to read, a
 * server error, or SignatureNonceUsed (every attempt signs with a fresh nonce, so a used one means this request
 * reached Alibaba twice, by a proxy's or the network's resend, and the first copy may have been stored).
 */
function mayHaveArrived(error: ProviderError): boolean {
  return (
    error.code === 'SignatureNonceUsed' ||
    error.code === 'timeout' ||
    error.code === 'network' ||
    error.code === 'malformed-response' ||
    error.code === 'reply-too-large' ||
    /^HTTP 5\d\d$/.test(error.code) ||
    error.code === 'InternalError' ||
    error.code === 'ServiceUnavailable'
  );
}

/**
 * Asks SLB (a safe read) whether the certificate arrived after all, so a person is told whether running the upload
 * again would store it twice.
 */
async function findAfterUncertainUpload(
  client: AliyunRpcClient,
  request: UploadRequest,
  error: ProviderError,
): Promise<UploadedCertificate> {
  let stored: ServerCertificateWire | undefined;
  try {
    const items = await describeServerCertificates(client, request.regionId);
    stored = items.find((item) => wireSha1(item.Fingerprint) === request.fingerprintSha1);
  } catch (checkError) {
    throw new ProviderError(
      `${error.message}. The upload may or may not have been stored, and SLB could not be asked ` +
        `(${checkError instanceof Error ? checkError.message : String(checkError)}): look for SHA-1 ` +
        `${request.fingerprintSha1} in the SLB console before uploading again`,
      { ...error, retryable: false },
      { cause: error },
    );
  }
  if (!stored) {
    throw new ProviderError(
      `${error.message}. SLB does not hold the certificate (no SHA-1 ${request.fingerprintSha1} in ` +
        `${request.regionId}): it is safe to run the upload again`,
      { ...error, retryable: false },
      { cause: error },
    );
  }
  return {
    id: inertText(wireText(stored.ServerCertificateId)),
    name: inertText(wireText(stored.ServerCertificateName)) || request.name,
    regionId: request.regionId,
    fingerprintSha1: request.fingerprintSha1,
    expireTimeMs: readEpoch(stored.ExpireTimeStamp),
  };
}

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
    if (!(error instanceof ProviderError)) throw error;
    if (UPLOAD_ERRORS[error.code]) {
      throw new ProviderError(`${UPLOAD_ERRORS[error.code]}. ${error.message}`, error, { cause: error });
    }
    if (mayHaveArrived(error)) return findAfterUncertainUpload(client, request, error);
    throw error;
  }
  // The reply's text is printed to the person uploading: inert, like any provider text (lib/inert.ts).
  const id = typeof reply.ServerCertificateId === 'string' ? inertText(reply.ServerCertificateId) : '';
  if (!id) {
    throw new ProviderError(
      `Alibaba SLB UploadServerCertificate in ${request.regionId}: the reply names no ServerCertificateId; check the ` +
        'SLB console before uploading again',
      { provider: 'aliyun', code: 'malformed-response', retryable: false },
    );
  }
  return {
    id,
    name:
      typeof reply.ServerCertificateName === 'string' ? inertText(reply.ServerCertificateName) : request.name,
    regionId: typeof reply.RegionId === 'string' ? inertText(reply.RegionId) : request.regionId,
    fingerprintSha1: wireSha1(reply.Fingerprint),
    expireTimeMs: readEpoch(reply.ExpireTimeStamp),
  };
}
