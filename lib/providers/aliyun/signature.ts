/**
 * Alibaba Cloud RPC OpenAPI request signature, version 1.0 (HMAC-SHA1).
 * https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism#sectiondiv-y9b-x9s-wvp
 * (and @alicloud/openapi-util getRPCSignature): every parameter except Signature, sorted by key; RFC 3986
 * percent-encoding over UTF-8 (space is %20, never +; `*` is %2A; `~` stays); canonical query `k=v` joined by
 * `&`; StringToSign = METHOD & enc('/') & enc(canonical); base64 HMAC-SHA1 keyed by `secret + '&'`.
 *
 * Alibaba now recommends signature V3 (ACS3-HMAC-SHA256); V1 is still served. Requests are signed only through
 * `signRpcRequest`, so V3 can be added behind it.
 */
import { createHmac } from 'node:crypto';

export type HttpMethod = 'GET' | 'POST';

/** RFC 3986 percent-encoding as Alibaba's V1 signature wants it. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonical query string: sorted by key (code-unit order), each `enc(key)=enc(value)`, joined by `&`. */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key]!)}`)
    .join('&');
}

/** The V1 Signature of `params` (all of them: common, action and, for POST, the form-body ones). */
export function signRpcV1(
  params: Readonly<Record<string, string>>,
  method: HttpMethod,
  accessKeySecret: string,
): string {
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

export interface SigningCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
}

/**
 * Adds the common parameters and the Signature to an RPC request's parameters. The only place that knows how
 * Alibaba requests are signed.
 */
export function signRpcRequest(
  params: Readonly<Record<string, string>>,
  method: HttpMethod,
  credentials: SigningCredentials,
  { timestamp, nonce }: { timestamp: string; nonce: string },
): Record<string, string> {
  const signed: Record<string, string> = {
    ...params,
    Format: 'JSON',
    AccessKeyId: credentials.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce,
    Timestamp: timestamp,
  };
  if (credentials.securityToken) signed.SecurityToken = credentials.securityToken;
  signed.Signature = signRpcV1(signed, method, credentials.accessKeySecret);
  return signed;
}
