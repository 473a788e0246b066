/**
 * NextToken / MaxResults paging as ALB and NLB answer it (provider-apis-more.md §0, §3, §4): MaxResults within the
 * action's range (default 20; outside it InvalidParameter), a NextToken that is opaque to the client and only good
 * for the listing it came from (anything else: InvalidParameter), `NextToken: ""` on the last page, `TotalCount`
 * the whole list's length.
 */
import { createHash } from 'node:crypto';
import { type AliyunError, aliyunError } from './errors';
import type { AliyunParams } from './params';

export const DEFAULT_MAX_RESULTS = 20;

export type TokenPage<T> =
  | { ok: true; items: T[]; paging: { MaxResults: number; NextToken: string; TotalCount: number } }
  | { ok: false; error: AliyunError };

/**
 * The page of `items` the request asks for. `listing` names what is listed with its filters (a token from another
 * listing, or from the same one with other filters, is refused).
 */
export function tokenPage<T>(
  items: readonly T[],
  params: AliyunParams,
  options: { maxResults: number; listing: string; pageCap?: number },
): TokenPage<T> {
  const asked = params.MaxResults;
  let size = DEFAULT_MAX_RESULTS;
  if (asked !== undefined) {
    size = /^\d+$/.test(asked) ? Number(asked) : Number.NaN;
    if (!(Number.isSafeInteger(size) && size >= 1 && size <= options.maxResults)) {
      return {
        ok: false,
        error: aliyunError('InvalidParameter', 'MaxResults', `1 to ${options.maxResults}`),
      };
    }
  }
  // A test's cap serves fewer than asked; MaxResults in the reply says how many.
  size = Math.min(size, options.pageCap ?? size);
  let offset = 0;
  if (params.NextToken) {
    const read = readToken(params.NextToken, options.listing);
    if (read === undefined) {
      return {
        ok: false,
        error: aliyunError('InvalidParameter', 'NextToken', 'it was not issued for this listing'),
      };
    }
    offset = read;
  }
  const end = offset + size;
  return {
    ok: true,
    items: items.slice(offset, end),
    paging: {
      MaxResults: size,
      NextToken: end < items.length ? issueToken(end, options.listing) : '',
      TotalCount: items.length,
    },
  };
}

/** An opaque token: the offset and a digest of the listing it belongs to, base64url. */
function issueToken(offset: number, listing: string): string {
  return Buffer.from(`${offset}.${digest(listing)}`, 'utf8').toString('base64url');
}

function readToken(token: string, listing: string): number | undefined {
  const match = /^(\d+)\.([0-9a-f]{16})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match || match[2] !== digest(listing)) return undefined;
  const offset = Number(match[1]);
  return Number.isSafeInteger(offset) ? offset : undefined;
}

function digest(listing: string): string {
  return createHash('sha256').update(listing).digest('hex').slice(0, 16);
}

/** The values of a repeated parameter, `Name.1`, `Name.2`, ... (1-based, as the SDKs flatten arrays). */
export function repeatedParam(params: AliyunParams, name: string): string[] {
  const values: string[] = [];
  for (let i = 1; params[`${name}.${i}`] !== undefined; i++) values.push(params[`${name}.${i}`]!);
  return values;
}
