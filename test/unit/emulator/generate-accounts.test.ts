import { describe, expect, it } from 'vitest';
import { createAliyunAccounts, RESOURCE_DIRECTORY_ROLE } from '../../../emulator/aliyun/accounts';
import { demoFleet } from '../../../emulator/fleet/demo';
import { validateFleet } from '../../../emulator/fleet/file';
import { generateAliyunAccountsFleet } from '../../../emulator/fleet/generate';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const perAccount = { cdn: 2, cdnDomains: 2, dcdnDomains: 2, slb: 2, cas: 3, alb: 2, nlb: 1 };

describe('generateAliyunAccountsFleet', () => {
  it('builds a main account and n-1 members, each with its own resources, reachable through the directory role', () => {
    const aliyun = generateAliyunAccountsFleet({
      accounts: 3,
      seed: 7,
      now: NOW,
      perAccount,
      resourceDirectory: true,
    });
    expect(validateFleet({ aliyun }).aliyun).toBe(aliyun);
    expect(aliyun).toMatchObject({
      accountId: '1000000000000001',
      displayName: 'main',
      resourceDirectory: true,
    });
    expect(aliyun.members?.map((member) => [member.accountId, member.displayName])).toEqual([
      ['1000000000000002', 'member-02'],
      ['1000000000000003', 'member-03'],
    ]);
    for (const member of aliyun.members ?? []) {
      expect(member.accounts).toBeUndefined();
      expect(member.roles).toEqual([{ roleName: RESOURCE_DIRECTORY_ROLE, trusts: ['1000000000000001'] }]);
      expect(member.cas?.certificates).toHaveLength(3);
      expect(member.alb?.loadBalancers).toHaveLength(2);
    }
    // Distinct seeds: no two accounts hold the same CAS certificates.
    const casIds = [aliyun, ...(aliyun.members ?? [])].map((account) =>
      account.cas?.certificates.map((certificate) => certificate.CertificateId).join(','),
    );
    expect(new Set(casIds).size).toBe(3);
    // The listeners name the account's own CAS certificates.
    const member = aliyun.members![0]!;
    const own = new Set(
      member.cas!.certificates.map((certificate) => `${certificate.CertificateId}-cn-hangzhou`),
    );
    const named = member.alb!.loadBalancers.flatMap((lb) =>
      lb.listeners.flatMap((listener) => listener.certificates.map((c) => c.CertificateId)),
    );
    expect(named.filter((id) => id.endsWith('-cn-hangzhou')).every((id) => own.has(id))).toBe(true);
  });

  it('without a directory gives each member its own key pair and a role trusting the main account', () => {
    const aliyun = generateAliyunAccountsFleet({
      accounts: 2,
      seed: 7,
      now: NOW,
      perAccount: {},
      resourceDirectory: false,
    });
    expect(aliyun.resourceDirectory).toBe(false);
    expect(aliyun.members?.[0]).toEqual({
      accountId: '1000000000000002',
      displayName: 'member-02',
      accounts: [{ AccessKeyId: 'member-02-access-key-id', AccessKeySecret: 'member-02-access-key-secret' }],
      roles: [{ roleName: 'CertwatchReader', trusts: ['1000000000000001'] }],
    });
    expect(() =>
      generateAliyunAccountsFleet({
        accounts: 0,
        seed: 1,
        now: NOW,
        perAccount: {},
        resourceDirectory: false,
      }),
    ).toThrow(RangeError);
  });
});

describe('the demo fleet’s accounts', () => {
  it('has the member shop-prod, reachable from the main account through ResourceDirectoryAccountAccessRole', () => {
    const accounts = createAliyunAccounts(demoFleet(NOW));
    expect(accounts.resourceDirectory).toBe(true);
    expect(accounts.main.accountId).toBe('1000000000000001');
    expect(accounts.members.map((member) => [member.accountId, member.displayName])).toEqual([
      ['1000000000000002', 'shop-prod'],
    ]);
    const shop = accounts.members[0]!;
    expect(accounts.role(shop, 'resourcedirectoryaccountaccessrole')?.trusts).toEqual(['1000000000000001']);
    expect(shop.store.casCertificates().map((certificate) => certificate.CertificateId)).toEqual([
      40_000_001, 40_000_002, 40_000_003,
    ]);
    expect(shop.store.listener('alb', 'lsr-shop6t2w9b4m1k')?.listener.certificates).toEqual([
      { CertificateId: '40000001-cn-hangzhou', IsDefault: true },
    ]);
    expect(shop.store.dcdnDomains()).toHaveLength(2);
    expect(accounts.key('demo-access-key-id')?.account).toBe(accounts.main);
  });
});
