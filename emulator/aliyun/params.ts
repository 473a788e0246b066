/**
 * Turning an Alibaba Cloud RPC request into its flat parameter map. RPC APIs take their parameters as a GET query
 * string, or as a POST `application/x-www-form-urlencoded` body (with or without query parameters beside it); the
 * signature covers both (Alibaba "Request signature" doc; @alicloud/pop-core lib/rpc.js sends everything in the
 * query, the Darabonba SDKs put the action's own parameters in the form body).
 */

/** Flat request parameters. A null-prototype object, so a key such as `__proto__` is just a key. */
export type AliyunParams = Record<string, string>;

export interface AliyunParseResult {
  params: AliyunParams;
  /** Why the request is unusable (the only case: a POST body that is not a form). */
  problem?: string;
}

/**
 * Reads the parameters of one request: the query string, then for POST the form body, which wins on a clash. A
 * missing Content-Type on a non-empty POST body is read as a form. Decoding is standard form decoding, so a raw `+`
 * is a space: a client must send `%2B`, as RFC 3986 encoding does.
 */
export function parseAliyunParams(
  method: string,
  contentType: string | undefined,
  query: URLSearchParams,
  body: Buffer,
): AliyunParseResult {
  const params: AliyunParams = Object.create(null);
  for (const [key, value] of query) params[key] = value;
  if (method !== 'POST' || body.length === 0) return { params };
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== '' && mediaType !== 'application/x-www-form-urlencoded') {
    // Emulator choice: RPC APIs document form bodies only; JSON bodies belong to ROA APIs.
    return { params, problem: `Content-Type ${mediaType} (send application/x-www-form-urlencoded)` };
  }
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = value;
  return { params };
}
