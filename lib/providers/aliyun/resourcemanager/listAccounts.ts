/**
 * Resource Manager ListAccounts (2020-03-31): the member accounts of the Resource Directory whose management
 * account (or delegated administrator) calls it (reference §6). PageNumber from 1, PageSize 1..100 (default 10),
 * `{TotalCount, Accounts: {Account: [{AccountId, DisplayName, Type, Status, ...}]}}`.
 */
import { PagingError } from '../../../errors';
import type { Listing } from '../../listing';
import { isWireObject, wireText } from '../../wire';
import type { AliyunRpcClient } from '../client';

/** The largest page the API serves. */
export const LIST_ACCOUNTS_PAGE_SIZE = 100;

/** A member account as certwatch needs it. */
export interface DirectoryMember {
  accountId: string;
  displayName: string;
  /** CreateSuccess, InviteSuccess, PromoteSuccess, ...: only members that joined are scanned. */
  status: string;
}

/** Statuses of a member that has joined the directory (its access role exists). */
const JOINED = /Success$/;

export function isJoined(member: DirectoryMember): boolean {
  return member.status === '' || JOINED.test(member.status);
}

/** The listing of every member under the one listing discipline (../../listing.ts). */
export function directoryListing(client: AliyunRpcClient): Listing<DirectoryMember> {
  return {
    label: 'Alibaba ResourceManager ListAccounts',
    paging: {
      style: 'page-number',
      pageSize: LIST_ACCOUNTS_PAGE_SIZE,
      async fetch(pageNumber, pageSize, signal) {
        const reply = await client.call(
          'ListAccounts',
          { PageNumber: String(pageNumber), PageSize: String(pageSize) },
          { where: `(page ${pageNumber})`, signal },
        );
        const wrapper = reply.Accounts;
        let entries: unknown;
        if (wrapper === undefined || wrapper === null || wrapper === '') entries = [];
        else if (isWireObject(wrapper)) entries = wrapper.Account ?? [];
        if (!Array.isArray(entries)) {
          throw new PagingError(
            `Alibaba ResourceManager ListAccounts (page ${pageNumber}): the reply has no Accounts.Account list; ` +
              'check ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT',
          );
        }
        const total = typeof reply.TotalCount === 'number' ? reply.TotalCount : Number(reply.TotalCount);
        return { entries, total: Number.isFinite(total) ? total : null };
      },
    },
    totalName: 'TotalCount',
    entryName: 'Accounts.Account entries',
    itemName: 'accounts with an AccountId',
    item(entry) {
      if (!isWireObject(entry)) return null;
      const accountId = wireText(entry.AccountId);
      if (!/^\d{1,32}$/.test(accountId)) return null;
      return {
        accountId,
        displayName: wireText(entry.DisplayName) || accountId,
        status: wireText(entry.Status),
      };
    },
    identity: (member) => `id:${member.accountId}`,
  };
}
