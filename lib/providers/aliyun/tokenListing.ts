/**
 * An Alibaba RPC listing paged with NextToken and MaxResults (ALB 2020-06-16, NLB 2022-04-30): the list is a plain
 * array (not wrapped), the end is a NextToken that is absent or `""`, `TotalCount` counts the whole list
 * (provider-apis-more.md §0, §3, §4). Put under the one listing discipline (../listing.ts, token style).
 */
import { PagingError } from '../../errors';
import type { Listing } from '../listing';
import { isWireObject, wireText } from '../wire';
import type { AliyunRpcClient } from './client';

export type WireObject = Record<string, unknown>;

export interface TokenListingSpec {
  client: AliyunRpcClient;
  /** `ALB`, `NLB`: names the listing in messages. */
  product: string;
  action: string;
  region: string;
  /** The action's own parameters (RegionId, MaxResults and NextToken are added). */
  params: Record<string, string>;
  /** Largest MaxResults the action takes. */
  pageSize: number;
  /** The reply's list: `LoadBalancers`, `Listeners`, `Certificates`. */
  listField: string;
  /** What identifies an entry: `ListenerId`, `CertificateId`. An entry without one is not an item. */
  idField: string;
  /** The setting to check when the reply is not the API's. */
  endpointSetting: string;
  /** POST form: NLB ListListenerCertificates takes its parameters in the form body (provider-apis-more.md §0). */
  method?: 'GET' | 'POST';
  /** Names what is listed in messages beyond the action: `of listener lsr-1`. */
  about?: string;
}

export function tokenListing(spec: TokenListingSpec): Listing<WireObject> {
  const { client, product, action, region, listField, idField } = spec;
  const label = `Alibaba ${product} ${action} in ${region}${spec.about ? ` ${spec.about}` : ''}`;
  return {
    label,
    paging: {
      style: 'token',
      pageSize: spec.pageSize,
      fetch: async (token, pageSize, signal) => {
        const reply = await client.call(
          action,
          {
            ...spec.params,
            RegionId: region,
            MaxResults: String(pageSize),
            ...(token === null ? {} : { NextToken: token }),
          },
          { where: `in ${region}${spec.about ? ` ${spec.about}` : ''}`, signal, method: spec.method },
        );
        // A list may be absent instead of empty (provider-apis-more.md §0): null, missing and "" read as none.
        const list = reply[listField] ?? [];
        if (!Array.isArray(list) && list !== '') {
          throw new PagingError(
            `${label}: the reply's ${listField} is not a list; check ${spec.endpointSetting}`,
          );
        }
        return {
          entries: Array.isArray(list) ? list : [],
          total: readCount(reply.TotalCount),
          nextToken: typeof reply.NextToken === 'string' ? reply.NextToken : null,
        };
      },
    },
    totalName: 'TotalCount',
    entryName: `${listField} entries`,
    itemName: `objects with a ${idField}`,
    item: (entry) => (isWireObject(entry) && wireText(entry[idField]) !== '' ? entry : null),
    identity: (item) => `id:${wireText(item[idField])}`,
  };
}

/** A whole number as the JSON sends it (a number, or digits in a string); null otherwise. */
function readCount(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : null;
}
