/**
 * Alibaba Cloud RPC request signatures (signature version 1.0, HMAC-SHA1), as the server checks them. Written
 * independently of lib/providers so that a mistake in the client's signer cannot be mirrored here.
 *
 * Algorithm (Alibaba "Request signature" doc for RPC APIs; @alicloud/pop-core lib/rpc.js; @alicloud/openapi-util
 * getRPCSignature):
 *   1. every parameter except Signature (query string and form body alike), sorted by key;
 *   2. `Canonical = join('&', enc(key) + '=' + enc(value))`;
 *   3. `StringToSign = METHOD + '&' + enc('/') + '&' + enc(Canonical)`;
 *   4. `Signature = base64(HMAC-SHA1(AccessKeySecret + '&', StringToSign))`.
 * `enc` is RFC 3986 percent-encoding over UTF-8: only `A-Za-z0-9-_.~` stay literal, so a space is `%20` (never
 * `+`) and `*` is `%2A`. Alibaba also recommends signature V3 (ACS3-HMAC-SHA256); only V1 is verified here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * RFC 3986 percent-encoding of one key or value, over its UTF-8 bytes. `encodeURIComponent` already leaves only
 * the unreserved set plus `!'()*` literal; those five are encoded too.
 */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonicalised query string: Signature left out, keys sorted. The default sort compares UTF-16 code units,
 * which is byte order for the ASCII keys RPC APIs use (and what Java's TreeMap in Alibaba's own SDK does).
 */
export function aliyunCanonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${aliyunPercentEncode(key)}=${aliyunPercentEncode(params[key] ?? '')}`)
    .join('&');
}

/** `METHOD & %2F & enc(Canonical)`: the HTTP method in upper case, the path always `/`. */
export function aliyunStringToSign(method: string, params: Readonly<Record<string, string>>): string {
  return `${method.toUpperCase()}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(aliyunCanonicalQuery(params))}`;
}

/** The Signature value for these parameters: base64 HMAC-SHA1 keyed with `secret + '&'`. */
export function aliyunRpcSignature(
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
): string {
  return createHmac('sha1', `${accessKeySecret}&`)
    .update(aliyunStringToSign(method, params), 'utf8')
    .digest('base64');
}

/**
 * Whether `params.Signature` is right for this method and secret. The comparison is on the decoded bytes, in
 * constant time; a Signature that is not base64 of 20 bytes is simply wrong.
 */
export function verifyAliyunSignature(
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
): boolean {
  const given = params.Signature;
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(aliyunRpcSignature(method, params, accessKeySecret), 'base64');
  const received = Buffer.from(given, 'base64');
  // Buffer.from(base64) skips characters it cannot read; re-encoding catches a Signature with junk in it.
  if (received.toString('base64') !== given) return false;
  return received.length === expected.length && timingSafeEqual(received, expected);
}
