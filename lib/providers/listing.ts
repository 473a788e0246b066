/**
 * One discipline for every listing API a provider pages through (UCloud DescribeSSLV2, Alibaba CDN
 * DescribeCdnSSLCertificateList, SLB DescribeServerCertificates, and every source added later). A provider says how
 * to fetch a page and what identifies an item; this file decides when the listing is complete, and names it as a
 * failure when it cannot show that:
 *
 * - the same item seen twice, in one page or across pages and restarts, is yielded once;
 * - a total that moves between pages, a page that repeats the previous one, or (offset paging) a page that does
 *   not start where the last one ended means the list shifted: the listing starts again, skipping what it already
 *   yielded, and gives up with a PagingError after `maxRestarts`;
 * - page-number paging cannot see a shift that keeps the total (one removed from a read page, one added after):
 *   a listing that took more than one request is read a second time, and is complete only when two passes in a
 *   row list the same items;
 * - token paging (NextToken): the server keeps the place, so one pass is the listing; a token that comes back
 *   again would never end and is a PagingError; a total that moves starts the listing again like a shift;
 * - a total the pages did not match, entries that are not items and a page cap reached are PagingErrors.
 *
 * What was yielded before a PagingError is real: the caller reports it and names the failure beside it.
 */
import { createHash } from 'node:crypto';
import { PagingError } from '../errors';

/** One reply of a listing API, reduced to what the discipline needs. */
export interface ListedPage {
  /** The entries as sent, in order: positions count for paging even when an entry is not an item. */
  entries: readonly unknown[];
  /** The number of items the whole listing holds, as the reply claims it; null when it claims none. */
  total: number | null;
  /** The page size the server says it used (it may cap what was asked); null or absent when it does not say. */
  servedPageSize?: number | null;
  /** Token paging: the token of the next page; null, absent or `""` when this page was the last. */
  nextToken?: string | null;
}

/** Offset and limit (UCloud): each page after the first starts one entry early, to see the list shift. */
export interface OffsetPaging {
  style: 'offset';
  pageSize: number;
  fetch(offset: number, limit: number, signal?: AbortSignal): Promise<ListedPage>;
}

/** Page number from 1 and page size (Alibaba): windows cannot overlap, so a multi-page listing is read twice. */
export interface PageNumberPaging {
  style: 'page-number';
  pageSize: number;
  fetch(pageNumber: number, pageSize: number, signal?: AbortSignal): Promise<ListedPage>;
}

/** One reply holds the whole list (SLB DescribeServerCertificates): a snapshot, checked for repeats only. */
export interface SingleReply {
  style: 'single';
  fetch(signal?: AbortSignal): Promise<ListedPage>;
}

/**
 * A token the server hands back for the next page (Alibaba ALB/NLB NextToken and MaxResults): no token for the
 * first page; the listing ends at a page without one.
 */
export interface TokenPaging {
  style: 'token';
  pageSize: number;
  fetch(token: string | null, pageSize: number, signal?: AbortSignal): Promise<ListedPage>;
}

export interface Listing<T> {
  /** Names the listing in every error: `UCloud DescribeSSLV2 in cn-bj2 (project org-a)`. */
  label: string;
  paging: OffsetPaging | PageNumberPaging | SingleReply | TokenPaging;
  /** How the reply names its total, in messages: `TotalCount`, `Count`. */
  totalName: string;
  /** What an entry is called in messages: `DataSet entries`. */
  entryName: string;
  /** What an item is, in messages: `certificate objects`. */
  itemName: string;
  /** The item an entry holds, or null when the entry is not one (counted, and named once the listing ends). */
  item(entry: unknown): T | null;
  /** What makes an item the same one on another page: its id, else {@link contentIdentity}. */
  identity(item: T): string;
}

export interface ListingLimits {
  /** Requests in all, restarts included, before the listing is given up. */
  maxPages: number;
  /** Times the listing starts again because the list changed under it, before it is given up. */
  maxRestarts: number;
}

export const DEFAULT_LISTING_LIMITS: ListingLimits = { maxPages: 10_000, maxRestarts: 3 };

/** The identity of an item that carries no id: its whole content, hashed (never kept). */
export function contentIdentity(item: unknown): string {
  return `content:${createHash('sha1')
    .update(JSON.stringify(item) ?? String(item))
    .digest('hex')}`;
}

/** How one pass over the list ended. */
type PassEnd =
  | { kind: 'complete'; identities: Set<string>; requests: number }
  | { kind: 'shifted'; why: string };

/**
 * Yields every item of the listing once, a page at a time (only items not yielded before, so a page may be
 * skipped), and returns the identities of the items the list held at the end (its last complete pass): an item
 * yielded before but not among them left the list during the scan. Throws the fetch's own errors
 * (ProviderError), and PagingError when the listing cannot be shown complete.
 */
export async function* listPages<T>(
  listing: Listing<T>,
  limits: ListingLimits = DEFAULT_LISTING_LIMITS,
  signal?: AbortSignal,
): AsyncGenerator<T[], ReadonlySet<string>> {
  const { label, paging } = listing;
  const yielded = new Set<string>();
  let requests = 0;
  const fetchPage = (fetch: () => Promise<ListedPage>): Promise<ListedPage> => {
    if (++requests > limits.maxPages) {
      throw new PagingError(`${label}: more than ${limits.maxPages} pages; stopped`);
    }
    return fetch();
  };

  /** The items of `entries` not yielded yet; every item's identity goes into `seen`. */
  const freshItems = (entries: readonly unknown[], seen: Set<string>, skipped: { count: number }): T[] => {
    const fresh: T[] = [];
    for (const entry of entries) {
      const item = listing.item(entry);
      if (item === null) {
        skipped.count++;
        continue;
      }
      const key = listing.identity(item);
      seen.add(key);
      if (yielded.has(key)) continue;
      yielded.add(key);
      fresh.push(item);
    }
    return fresh;
  };

  /**
   * The checks every finished pass owes: the total it claimed, and entries that were not items. A total may count
   * an item listed twice or not (`listed` entries, `distinct` items): either agrees.
   */
  const checkFinished = (listed: number, distinct: number, total: number | null, skipped: number) => {
    if (total === null || listed === total || distinct === total) total = null;
    if (total !== null && listed < total) {
      throw new PagingError(
        `${label}: ${listing.totalName} says ${total} certificates but the pages held ${listed}; some may be missing`,
      );
    }
    if (total !== null && listed > total) {
      throw new PagingError(
        `${label}: ${listing.totalName} says ${total} certificates but the pages held ${listed}; the listing ` +
          'cannot be trusted — run the scan again',
      );
    }
    if (skipped > 0) {
      throw new PagingError(
        `${label}: ${skipped} ${listing.entryName} were not ${listing.itemName} and were skipped`,
      );
    }
  };

  if (paging.style === 'single') {
    const page = await fetchPage(() => paging.fetch(signal));
    const skipped = { count: 0 };
    const identities = new Set<string>();
    const fresh = freshItems(page.entries, identities, skipped);
    if (fresh.length > 0) yield fresh;
    checkFinished(page.entries.length, identities.size, page.total, skipped.count);
    return identities;
  }
  if (paging.style === 'token') {
    for (let restart = 0; ; restart++) {
      const end = yield* tokenPass(paging);
      if (end.kind === 'complete') return end.identities;
      if (restart >= limits.maxRestarts) throw keptChanging(restart, end.why);
    }
  }
  const paged: OffsetPaging | PageNumberPaging = paging;

  /**
   * One pass of token paging, first page to the page without a token. The server keeps the place, so a pass that
   * ends is complete; a total that moves between pages is a shift (the pass starts again from the first page).
   */
  async function* tokenPass(tokens: TokenPaging): AsyncGenerator<T[], PassEnd> {
    const identities = new Set<string>();
    const skipped = { count: 0 };
    const sent = new Set<string>();
    const requestsBefore = requests;
    let token: string | null = null;
    let total: number | null | undefined;
    let listed = 0;
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await fetchPage(() => tokens.fetch(token, tokens.pageSize, signal));
      if (total === undefined) total = page.total;
      else if (page.total !== null && total !== null && page.total !== total) {
        return { kind: 'shifted', why: `${listing.totalName} moved from ${total} to ${page.total}` };
      }
      listed += page.entries.length;
      const items = freshItems(page.entries, identities, skipped);
      if (items.length > 0) yield items;
      const next = page.nextToken ?? '';
      if (next === '') break;
      // The token itself is the server's text: it is not quoted.
      if (sent.has(next) || next === token) {
        throw new PagingError(
          `${label}: page ${pageNumber} gave a NextToken the listing had already followed; it would never end — ` +
            'the pages read so far are reported',
        );
      }
      sent.add(next);
      token = next;
    }
    checkFinished(listed, identities.size, total ?? null, skipped.count);
    return { kind: 'complete', identities, requests: requests - requestsBefore };
  }

  function keptChanging(attempts: number, why: string): PagingError {
    return new PagingError(
      `${label}: the certificate list kept changing while it was read (${attempts + 1} attempts, last: ${why}); ` +
        'the listing cannot be trusted and some certificates may be missing — run the scan again',
    );
  }

  /**
   * One pass from the first page to the end. Yields as it goes; returns how it ended. The pass is over at an
   * empty page, or at a short page (shorter than the page size, and than an earlier page of the pass: a server
   * may cap the size) once the total is reached; without a total, a short first page may be a capped one, so one
   * more page tells.
   */
  async function* pass(): AsyncGenerator<T[], PassEnd> {
    const offsetStyle = paged.style === 'offset';
    const fetchAt = (offset: number, pageNumber: number) =>
      fetchPage(() =>
        paged.style === 'offset'
          ? paged.fetch(offset, paged.pageSize, signal)
          : paged.fetch(pageNumber, paged.pageSize, signal),
      );
    const identities = new Set<string>();
    const skipped = { count: 0 };
    const requestsBefore = requests;
    let page = await fetchAt(0, 1);
    const total = page.total;
    let offset = 0;
    let pageNumber = 1;
    let listed = 0;
    let largestPage = 0;
    /** Offset paging: whether this page starts on the previous page's last entry, read already. */
    let overlapped = false;
    for (;;) {
      const fresh = overlapped ? page.entries.slice(1) : page.entries;
      listed += fresh.length;
      const pageSize = Math.min(paged.pageSize, page.servedPageSize ?? paged.pageSize);
      const first = pageNumber === 1 && offset === 0;
      const short = page.entries.length < pageSize && (first || page.entries.length < largestPage);
      // Shorter than the page size the server says it used: the server ran out, whatever the total says.
      const lastBySize = page.servedPageSize != null && page.entries.length < page.servedPageSize;
      largestPage = Math.max(largestPage, page.entries.length);
      const items = freshItems(fresh, identities, skipped);
      if (items.length > 0) yield items;
      if (fresh.length === 0 || (short && (total !== null ? listed >= total : !first || lastBySize))) break;

      // A page of one entry cannot overlap the next (it would ask for itself again): that step goes without.
      const overlap = offsetStyle && page.entries.length > 1;
      const nextOffset = offset + page.entries.length - (overlap ? 1 : 0);
      const next = await fetchAt(nextOffset, pageNumber + 1);
      if (next.total !== null && total !== null && next.total !== total) {
        return { kind: 'shifted', why: `${listing.totalName} moved from ${total} to ${next.total}` };
      }
      // A page that repeats (a server that ignored the page asked for) is read again from the start, like a shift.
      if (next.entries.length > 0 && sameEntries(listing, next.entries, page.entries)) {
        return {
          kind: 'shifted',
          why: offsetStyle
            ? `the page at offset ${nextOffset} repeated the previous one`
            : `page ${pageNumber + 1} repeated the previous one`,
        };
      }
      if (overlap) {
        const repeated = next.entries[0];
        if (
          repeated === undefined ||
          entryKey(listing, repeated) !== entryKey(listing, page.entries.at(-1))
        ) {
          return { kind: 'shifted', why: 'the list shifted between pages' };
        }
      }
      page = next;
      offset = nextOffset;
      overlapped = overlap;
      pageNumber++;
    }
    checkFinished(listed, identities.size, total, skipped.count);
    return { kind: 'complete', identities, requests: requests - requestsBefore };
  }

  let confirmed: Set<string> | null = null;
  for (let restart = 0; ; ) {
    const end = yield* pass();
    let why: string;
    if (end.kind === 'complete') {
      // One reply is a snapshot; offset paging saw every shift through its overlaps. Page numbers need two
      // passes that agree.
      if (paged.style === 'offset' || end.requests === 1) return end.identities;
      if (confirmed !== null && sameSet(confirmed, end.identities)) return end.identities;
      const first = confirmed === null;
      confirmed = end.identities;
      if (first) continue;
      why = 'two passes over the list did not list the same certificates';
    } else {
      confirmed = null;
      why = end.why;
    }
    if (restart >= limits.maxRestarts) throw keptChanging(restart, why);
    restart++;
  }
}

/** Every item of a listing, one at a time (listPages flattened). */
export async function* listItems<T>(
  listing: Listing<T>,
  limits?: ListingLimits,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  for await (const page of listPages(listing, limits, signal)) yield* page;
}

/** Identity of any entry, item or not, for the overlap and repeat checks. */
function entryKey<T>(listing: Listing<T>, entry: unknown): string {
  const item = listing.item(entry);
  return item === null ? `entry:${JSON.stringify(entry) ?? String(entry)}` : listing.identity(item);
}

function sameEntries<T>(listing: Listing<T>, a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((entry, i) => entryKey(listing, entry) === entryKey(listing, b[i]));
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const key of a) if (!b.has(key)) return false;
  return true;
}
