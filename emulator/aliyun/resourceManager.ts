/**
 * Alibaba Cloud Resource Directory, ResourceManager API version 2020-03-31 (provider-apis-more.md §6): ListAccounts,
 * the members of the directory the caller manages. PageNumber (default 1), PageSize 1..100 (default 10), anything
 * else InvalidParameter; the list is wrapped (`Accounts: {Account: [...]}`) beside TotalCount.
 */
import { createHash } from 'node:crypto';
import type { EmulatedAliyunAccount } from './accounts';
import { type AliyunAction, failed } from './action';
import { aliyunError } from './errors';
import { isoSeconds } from './slb';

export const RESOURCE_MANAGER_API_VERSION = '2020-03-31';
export const DEFAULT_ACCOUNT_PAGE_SIZE = 10;
export const MAX_ACCOUNT_PAGE_SIZE = 100;
/** When the emulated members joined: a fixed day, one day apart in fleet order, so replies are reproducible. */
const FIRST_JOIN_MS = Date.parse('2024-03-01T08:00:00Z');
const DAY_MS = 86_400_000;

/** The ResourceManager actions, by name. */
export function createResourceManagerActions(): Record<string, AliyunAction> {
  return { ListAccounts: listAccounts };
}

const listAccounts: AliyunAction = ({ params, caller, accounts }) => {
  // Only the management account (long-term or STS credentials of it) may list; a delegated admin is not emulated.
  if (!accounts.resourceDirectory) return failed(aliyunError('NotExists.ResourceDirectory'));
  if (caller.account !== accounts.main) {
    return failed(aliyunError('NoPermission.ResourceDirectory.MemberAccount'));
  }
  const pageNumber = readInteger(params.PageNumber, 1);
  if (pageNumber === undefined || pageNumber < 1) {
    return failed(aliyunError('InvalidParameter', 'PageNumber', 'a whole number from 1'));
  }
  const pageSize = readInteger(params.PageSize, DEFAULT_ACCOUNT_PAGE_SIZE);
  if (pageSize === undefined || pageSize < 1 || pageSize > MAX_ACCOUNT_PAGE_SIZE) {
    return failed(
      aliyunError('InvalidParameter', 'PageSize', `a whole number from 1 to ${MAX_ACCOUNT_PAGE_SIZE}`),
    );
  }
  const directoryId = `rd-${shortHash(accounts.main.accountId, 6)}`;
  const rootFolderId = `r-${shortHash(`${accounts.main.accountId}/root`, 6)}`;
  // Members only: whether ListAccounts also lists the management account itself is not documented (reference §6
  // is silent), so the emulator leaves it out and a client must not rely on either.
  const start = (pageNumber - 1) * pageSize;
  const page = accounts.members.slice(start, start + pageSize).map((member, offset) => {
    const joined = isoSeconds(FIRST_JOIN_MS + (start + offset) * DAY_MS);
    return {
      AccountId: member.accountId,
      DisplayName: member.displayName,
      Type: membership(member).type,
      Status: membership(member).status,
      JoinMethod: membership(member).joinMethod,
      JoinTime: joined,
      ModifyTime: joined,
      FolderId: rootFolderId,
      ResourceDirectoryId: directoryId,
      ResourceDirectoryPath: `${directoryId}/${rootFolderId}/${member.accountId}`,
    };
  });
  return {
    ok: true,
    body: {
      PageNumber: pageNumber,
      PageSize: pageSize,
      TotalCount: accounts.members.length,
      Accounts: { Account: page },
    },
  };
};

function membership(account: EmulatedAliyunAccount): NonNullable<EmulatedAliyunAccount['membership']> {
  return account.membership ?? { type: 'ResourceAccount', joinMethod: 'created', status: 'CreateSuccess' };
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** A whole-number parameter; absent or empty -> the default; anything else -> undefined (invalid). */
function readInteger(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}
