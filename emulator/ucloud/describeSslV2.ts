/**
 * ULB DescribeSSLV2 (UCloud API docs ulb-api/describe_sslv2.md): the SSL certificates of one region and project,
 * paged by Limit/Offset.
 */
import type { UcloudAccount } from '../fleet/model';
import type { UcloudParams } from './params';
import { RetCode, type UcloudReplyBody, ucloudError } from './retCodes';
import type { UcloudStore } from './store';

export const DEFAULT_LIMIT = 20;

/**
 * Emulator choice: the real maximum Limit is UNVERIFIED (UCloud's own tools page with 100). A larger Limit is
 * clamped to this, silently, as many UCloud list APIs do; a client must rely on TotalCount and short pages, not on
 * getting Limit items.
 */
export const DEFAULT_MAX_LIMIT = 1000;

export interface DescribeSslV2Context {
  store: UcloudStore;
  account: UcloudAccount;
  maxLimit: number;
}

/** A DescribeSSLV2 call as a test hook sees it, after authentication. */
export interface DescribeSslV2Call {
  region: string;
  project: string;
  limit: number;
  offset: number;
  /** 1 for the first DescribeSSLV2 of this region and project, 2 for the next, and so on. */
  call: number;
}

/**
 * How a test hook bends one reply, to act out a misbehaving API: answer the page at `offset` instead of the one
 * asked for (a page that repeats), or send `totalCount` as TotalCount (a TotalCount that lies).
 */
export interface DescribeSslV2Twist {
  offset?: number;
  totalCount?: number;
}

/**
 * Answers one DescribeSSLV2 request whose signature has been checked. `project` is the ProjectId the request
 * resolves to (the account's default when it named none).
 *
 * - Region missing -> RetCode 220 `Missing params [Region]` (emulator-chosen: the code and wording UCloud is seen
 *   to use for missing parameters; unverified for this action). Any Region is accepted: one the fleet does not
 *   use simply holds no certificates.
 * - ProjectId unknown or not the account's -> 292.
 * - Limit/Offset not a non-negative integer -> RetCode 230 `Params [Limit] not available` (emulator-chosen).
 *   Limit 0 means the default (20), like an omitted one. Offset past the end -> an empty DataSet.
 * - SSLId narrows the list to that certificate (an empty DataSet when it is not in this region and project).
 */
export function describeSslV2(
  context: DescribeSslV2Context,
  params: UcloudParams,
  project: string | undefined,
  twist: (call: Omit<DescribeSslV2Call, 'call'>) => DescribeSslV2Twist | undefined = () => undefined,
): UcloudReplyBody {
  const region = params.Region;
  if (!region) return ucloudError(RetCode.missingParams, 'Missing params [Region]');
  if (project === undefined || !context.store.canRead(context.account, project)) {
    return ucloudError(RetCode.noSuchProject);
  }
  const limit = readCount(params.Limit);
  if (limit === undefined) return ucloudError(RetCode.badParams, 'Params [Limit] not available');
  const offset = readCount(params.Offset);
  if (offset === undefined) return ucloudError(RetCode.badParams, 'Params [Offset] not available');

  const pageSize = Math.min(limit || DEFAULT_LIMIT, context.maxLimit);
  // The hook runs before the list is read, so certificates it adds or removes are already in this page.
  const bent = twist({ region, project, limit: pageSize, offset }) ?? {};
  let matching = context.store.certificates(region, project);
  if (params.SSLId) matching = matching.filter((certificate) => certificate.SSLId === params.SSLId);
  const from = bent.offset ?? offset;
  return {
    RetCode: 0,
    TotalCount: bent.totalCount ?? matching.length,
    DataSet: matching.slice(from, from + pageSize),
  };
}

/** A non-negative integer parameter; absent or empty -> 0; anything else -> undefined (invalid). */
function readCount(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return 0;
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}
