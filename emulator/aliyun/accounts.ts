/**
 * The Alibaba Cloud accounts one emulator serves: the main account (the fleet's top-level keys and resources) and
 * its `members`, each with its own store, AccessKey pairs and RAM roles. A request is served from the account its
 * credentials belong to (./handler.ts); STS (./sts.ts) hands out credentials of the account a role lives in, and
 * Resource Directory (./resourceManager.ts) lists the members.
 */
import type { AliyunMemberAccount, AliyunRole, Fleet } from '../fleet/model';
import { type AliyunStore, createAliyunStore, DEFAULT_ALIYUN_ACCOUNT } from './store';

export const DEFAULT_ALIYUN_ACCOUNT_ID = '1000000000000001';
export const DEFAULT_ALIYUN_DISPLAY_NAME = 'main';
/** The role Resource Directory creates in every member, trusted by the management account (reference §6). */
export const RESOURCE_DIRECTORY_ROLE = 'ResourceDirectoryAccountAccessRole';
/** A role's MaxSessionDuration when the fleet gives none: RAM's default, one hour. */
export const DEFAULT_MAX_SESSION_SECONDS = 3600;

/** One emulated account. */
export interface EmulatedAliyunAccount {
  accountId: string;
  displayName: string;
  store: AliyunStore;
  roles: readonly AliyunRole[];
  /** How ListAccounts describes a member; absent for the main account. */
  membership?: {
    type: NonNullable<AliyunMemberAccount['type']>;
    joinMethod: NonNullable<AliyunMemberAccount['joinMethod']>;
    status: string;
  };
}

export interface AliyunAccounts {
  main: EmulatedAliyunAccount;
  /** Whether the main account manages a Resource Directory whose members are `members`. */
  resourceDirectory: boolean;
  /** The other accounts, in fleet order. */
  members: readonly EmulatedAliyunAccount[];
  byId(accountId: string): EmulatedAliyunAccount | undefined;
  /** The account owning this long-term AccessKeyId, with its secret; undefined for a key no account holds. */
  key(accessKeyId: string): { account: EmulatedAliyunAccount; secret: string } | undefined;
  /** The account's role of this name, matched case-insensitively as RAM does. */
  role(account: EmulatedAliyunAccount, roleName: string): AliyunRole | undefined;
}

/** Indexes the accounts of a fleet. An AccessKeyId listed by two accounts belongs to the first. */
export function createAliyunAccounts(fleet: Fleet | undefined): AliyunAccounts {
  const aliyun = fleet?.aliyun;
  const resourceDirectory = aliyun?.resourceDirectory ?? false;
  const main: EmulatedAliyunAccount = {
    accountId: aliyun?.accountId ?? DEFAULT_ALIYUN_ACCOUNT_ID,
    displayName: aliyun?.displayName ?? DEFAULT_ALIYUN_DISPLAY_NAME,
    store: createAliyunStore(aliyun),
    roles: [...(aliyun?.roles ?? [])],
  };
  const members = (aliyun?.members ?? []).map((member): EmulatedAliyunAccount => {
    const roles = [...(member.roles ?? [])];
    const hasDirectoryRole = roles.some((role) => sameRoleName(role.roleName, RESOURCE_DIRECTORY_ROLE));
    if (resourceDirectory && !hasDirectoryRole) {
      roles.push({ roleName: RESOURCE_DIRECTORY_ROLE, trusts: [main.accountId] });
    }
    return {
      accountId: member.accountId,
      displayName: member.displayName,
      store: createAliyunStore(member),
      roles,
      membership: {
        type: member.type ?? 'ResourceAccount',
        joinMethod: member.joinMethod ?? 'created',
        status: member.status ?? 'CreateSuccess',
      },
    };
  });
  const byId = new Map<string, EmulatedAliyunAccount>();
  for (const account of [main, ...members]) {
    if (!byId.has(account.accountId)) byId.set(account.accountId, account);
  }
  const keys = new Map<string, { account: EmulatedAliyunAccount; secret: string }>();
  const mainKeys = aliyun?.accounts?.length ? aliyun.accounts : [DEFAULT_ALIYUN_ACCOUNT];
  const keyLists = [
    { account: main, pairs: mainKeys },
    ...(aliyun?.members ?? []).map((member, index) => ({
      account: members[index]!,
      pairs: member.accounts ?? [],
    })),
  ];
  for (const { account, pairs } of keyLists) {
    for (const pair of pairs) {
      if (!keys.has(pair.AccessKeyId)) keys.set(pair.AccessKeyId, { account, secret: pair.AccessKeySecret });
    }
  }
  return {
    main,
    resourceDirectory,
    members,
    byId: (accountId) => byId.get(accountId),
    key: (accessKeyId) => keys.get(accessKeyId),
    role: (account, roleName) => account.roles.find((role) => sameRoleName(role.roleName, roleName)),
  };
}

function sameRoleName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
