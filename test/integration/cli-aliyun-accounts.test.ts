/**
 * certwatch audit over many Alibaba accounts against the emulator (real sockets, STS and Resource Directory
 * emulated): every account's certificates once, each row carrying its account; one account whose role cannot be
 * assumed is one named failure and the others complete; roles named in the settings and directory members alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateAliyunAccountsFleet, generatedAliyunAccountId } from '../../emulator/fleet/generate';
import type { Fleet } from '../../emulator/fleet/model';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import type { ReportJson } from '../../lib/report/json';
import { runCertwatch } from '../helpers/cli';
import { ALIYUN_ACCOUNT, NOW } from '../helpers/fleet';

const ACCOUNTS = 4;
const perAccount = { cas: 6, dcdnDomains: 3, slb: 2, alb: 2 };
const directory: Fleet = {
  aliyun: generateAliyunAccountsFleet({
    accounts: ACCOUNTS,
    seed: 31,
    now: NOW,
    perAccount,
    resourceDirectory: true,
    mainAccount: ALIYUN_ACCOUNT,
  }),
};
const withRoles: Fleet = {
  aliyun: generateAliyunAccountsFleet({
    accounts: 3,
    seed: 32,
    now: NOW,
    perAccount,
    resourceDirectory: false,
    mainAccount: ALIYUN_ACCOUNT,
  }),
};

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function audit(
  fleet: Fleet,
  env: Record<string, string>,
  options: Omit<EmulatorOptions, 'fleet'> = {},
) {
  emulator = await startEmulator({ fleet, ...options });
  const run = await runCertwatch(['audit', '--format', 'json', '--now', new Date(NOW).toISOString()], {
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_ACCOUNT_NAME: 'main',
    ALIBABA_CLOUD_SCAN_CDN: 'false',
    ALIBABA_CLOUD_SCAN_DCDN: 'true',
    ALIBABA_CLOUD_SCAN_CAS: 'true',
    ALIBABA_CLOUD_CDN_ENDPOINT: emulator.cdnUrl,
    ALIBABA_CLOUD_DCDN_ENDPOINT: emulator.dcdnUrl,
    ALIBABA_CLOUD_CAS_ENDPOINT: emulator.casUrl,
    ALIBABA_CLOUD_SLB_ENDPOINT: emulator.slbUrl,
    ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou,cn-shanghai',
    ALIBABA_CLOUD_ALB_ENDPOINT: emulator.albUrl,
    ALIBABA_CLOUD_ALB_REGIONS: 'cn-hangzhou,cn-shanghai',
    ALIBABA_CLOUD_STS_ENDPOINT: emulator.stsUrl,
    ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT: emulator.resourceManagerUrl,
    ...env,
  });
  return { run, report: JSON.parse(run.stdout) as ReportJson };
}

/** What each account holds, as `<account id> <service>` → count of certificates (listener certificates for ALB). */
function expectedCounts(fleet: Fleet): Map<string, number> {
  const aliyun = fleet.aliyun!;
  const counts = new Map<string, number>();
  const accounts = [
    { ...aliyun, accountId: aliyun.accountId ?? generatedAliyunAccountId(0) },
    ...(aliyun.members ?? []),
  ];
  for (const account of accounts) {
    const id = account.accountId!;
    counts.set(`${id} cas`, account.cas?.certificates.length ?? 0);
    counts.set(`${id} dcdn-domain`, account.dcdnDomains?.domains.length ?? 0);
    counts.set(`${id} slb`, account.slb?.certificates.length ?? 0);
    counts.set(
      `${id} alb`,
      (account.alb?.loadBalancers ?? []).reduce(
        (sum, lb) =>
          sum +
          lb.listeners
            .filter((listener) => ['HTTPS', 'QUIC'].includes(listener.protocol))
            .reduce((n, listener) => n + listener.certificates.length, 0),
        0,
      ),
    );
  }
  return counts;
}

/** ALIBABA_CLOUD_ACCOUNT_KEYS for the members, `keyed-<i>` each, with `secretOf`'s secret (its own by default). */
function accountKeys(
  members: readonly {
    accountId?: string;
    accounts?: readonly { AccessKeyId: string; AccessKeySecret: string }[];
  }[],
  secretOf: (i: number, own: string) => string = (_, own) => own,
): string {
  return members
    .map((member, i) => {
      const pair = member.accounts![0]!;
      return `keyed-${i}=${member.accountId}:${pair.AccessKeyId}:${secretOf(i, pair.AccessKeySecret)}`;
    })
    .join(',');
}

/** Every account a report names, `<id or -> <name>`, sorted. */
const accountsNamed = (report: ReportJson) =>
  [...new Set(report.certificates.map((row) => `${row.account?.id ?? '-'} ${row.account?.name}`))].sort();

function countsOf(report: ReportJson, mainId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of report.certificates) {
    const key = `${row.account?.id ?? mainId} ${row.service}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('certwatch audit over many Alibaba accounts', () => {
  it('reads every member of a Resource Directory through its access role, each row in its account', async () => {
    const { run, report } = await audit(directory, { ALIBABA_CLOUD_RESOURCE_DIRECTORY: 'true' });
    expect(report.failures).toEqual([]);
    expect(run.code).toBe(0);
    const mainId = generatedAliyunAccountId(0);
    const expected = [...expectedCounts(directory)].filter(([, n]) => n > 0);
    expect(new Map([...countsOf(report, mainId)])).toEqual(new Map(expected));
    const members = directory.aliyun!.members!;
    for (const member of members) {
      const rows = report.certificates.filter((row) => row.account?.id === member.accountId);
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((row) => row.account?.name))).toEqual(new Set([member.displayName]));
    }
    expect(
      report.certificates
        .filter((row) => row.account?.id === null)
        .every((row) => row.account?.name === 'main'),
    ).toBe(true);
    // Each member's calls went through its own temporary credentials: one AssumeRole per member.
    expect(emulator!.stats.aliyun.sts.byAction.AssumeRole).toBe(members.length);
    expect(emulator!.stats.aliyun.resourcemanager.byAction.ListAccounts).toBeGreaterThanOrEqual(1);
  });

  it('names an account whose role cannot be assumed, once, and completes the others', async () => {
    const refused = directory.aliyun!.members![1]!;
    const { run, report } = await audit(
      directory,
      { ALIBABA_CLOUD_RESOURCE_DIRECTORY: 'true' },
      {
        aliyun: {
          failures: [
            { service: 'sts', action: 'AssumeRole', accountId: refused.accountId, code: 'NoPermission' },
          ],
        },
      },
    );
    expect(run.code).toBe(3);
    expect(report.complete).toBe(false);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({
      service: 'sts',
      account: { id: refused.accountId, name: refused.displayName },
    });
    expect(report.failures[0]!.message).toMatch(
      new RegExp(`^account ${refused.displayName}: Alibaba STS AssumeRole .*NoPermission.*trust`),
    );
    const mainId = generatedAliyunAccountId(0);
    const counts = countsOf(report, mainId);
    for (const [key, n] of expectedCounts(directory)) {
      if (key.startsWith(refused.accountId)) expect(counts.get(key) ?? 0).toBe(0);
      else expect(counts.get(key) ?? 0).toBe(n);
    }
  });

  it('reads the accounts named in ALIBABA_CLOUD_ASSUME_ROLES, by the names given there', async () => {
    const members = withRoles.aliyun!.members!;
    const roles = members.map((member, i) => `team-${i}=acs:ram::${member.accountId}:role/CertwatchReader`);
    const { run, report } = await audit(withRoles, { ALIBABA_CLOUD_ASSUME_ROLES: roles.join(',') });
    expect(report.failures).toEqual([]);
    expect(run.code).toBe(0);
    const expected = [...expectedCounts(withRoles)].filter(([, n]) => n > 0);
    expect(countsOf(report, generatedAliyunAccountId(0))).toEqual(new Map(expected));
    expect(accountsNamed(report)).toEqual(
      ['- main', ...members.map((member, i) => `${member.accountId} team-${i}`)].sort(),
    );
  });

  it('reads the accounts given key pairs of their own in ALIBABA_CLOUD_ACCOUNT_KEYS, without STS', async () => {
    const members = withRoles.aliyun!.members!;
    const { run, report } = await audit(withRoles, { ALIBABA_CLOUD_ACCOUNT_KEYS: accountKeys(members) });
    expect(report.failures).toEqual([]);
    expect(run.code).toBe(0);
    const expected = [...expectedCounts(withRoles)].filter(([, n]) => n > 0);
    expect(countsOf(report, generatedAliyunAccountId(0))).toEqual(new Map(expected));
    expect(accountsNamed(report)).toEqual(
      ['- main', ...members.map((member, i) => `${member.accountId} keyed-${i}`)].sort(),
    );
    expect(emulator!.stats.aliyun.sts.requests).toBe(0);
    // The secrets stay where they were put: not in the report, not on stderr.
    const secret = members[0]!.accounts![0]!.AccessKeySecret;
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
  });

  it('names a member whose own key pair is refused, once, and completes the others', async () => {
    const members = withRoles.aliyun!.members!;
    const keys = accountKeys(members, (i, own) => (i === 1 ? 'not-the-secret' : own));
    const { run, report } = await audit(withRoles, { ALIBABA_CLOUD_ACCOUNT_KEYS: keys });
    expect(run.code).toBe(3);
    const refusedId = members[1]!.accountId;
    expect(report.failures.length).toBeGreaterThan(0);
    for (const failure of report.failures) {
      expect(failure.account).toEqual({ id: refusedId, name: 'keyed-1' });
      expect(failure.message).toMatch(
        /SignatureDoesNotMatch.* check keyed-1's AccessKey secret in ALIBABA_CLOUD_ACCOUNT_KEYS/,
      );
    }
    const counts = countsOf(report, generatedAliyunAccountId(0));
    for (const [key, n] of expectedCounts(withRoles)) {
      expect(counts.get(key) ?? 0).toBe(key.startsWith(refusedId) ? 0 : n);
    }
  });
});

describe('certwatch doctor over many Alibaba accounts', () => {
  it('assumes each role and checks that account, skips the checks of a refused one, and lists the directory', async () => {
    const members = withRoles.aliyun!.members!;
    const refused = members[1]!;
    emulator = await startEmulator({
      fleet: { aliyun: { ...withRoles.aliyun!, resourceDirectory: true } },
      aliyun: {
        failures: [
          { service: 'sts', action: 'AssumeRole', accountId: refused.accountId, code: 'NoPermission' },
        ],
      },
    });
    const roles = members.map((member, i) => `team-${i}=acs:ram::${member.accountId}:role/CertwatchReader`);
    const { run, line } = await doctor(emulator, {
      ALIBABA_CLOUD_STS_ENDPOINT: emulator.stsUrl,
      ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT: emulator.resourceManagerUrl,
      ALIBABA_CLOUD_ASSUME_ROLES: roles.join(','),
      ALIBABA_CLOUD_RESOURCE_DIRECTORY: 'true',
    });
    expect(run.code).toBe(3);
    expect(line(/AssumeRole for account team-0/)).toMatch(
      /^OK +Alibaba STS AssumeRole for account team-0: acs:ram::/,
    );
    expect(line(/account team-0: Alibaba CAS/)).toMatch(
      /^OK +account team-0: Alibaba CAS ListUserCertificateOrder: /,
    );
    expect(line(/AssumeRole for account team-1/)).toMatch(/^FAIL +account team-1: .*NoPermission/);
    expect(line(/Alibaba CAS ListUserCertificateOrder \(account team-1\)/)).toMatch(
      /^SKIP +.*the role could not be assumed/,
    );
    // The directory's members: every one but the refused one took the access role.
    expect(line(/ListAccounts/)).toMatch(
      new RegExp(
        `^FAIL +Alibaba ResourceManager ListAccounts: ${members.length} member accounts, ${members.length} joined; ResourceDirectoryAccountAccessRole could not be assumed in 1 \\(${refused.displayName}\\)`,
      ),
    );
  });

  it("checks each account given its own key pair with that account's keys, naming a refused one", async () => {
    const members = withRoles.aliyun!.members!;
    emulator = await startEmulator({ fleet: withRoles });
    const keys = accountKeys(members, (i, own) => (i === 1 ? 'wrong-secret' : own));
    const { run, line } = await doctor(emulator, { ALIBABA_CLOUD_ACCOUNT_KEYS: keys });
    expect(run.code).toBe(3);
    expect(line(/account keyed-0: Alibaba CAS/)).toMatch(
      /^OK +account keyed-0: Alibaba CAS ListUserCertificateOrder: /,
    );
    expect(line(/account keyed-1: Alibaba CAS/)).toMatch(
      /^FAIL +account keyed-1: Alibaba CAS ListUserCertificateOrder .*SignatureDoesNotMatch.* check keyed-1's AccessKey secret in ALIBABA_CLOUD_ACCOUNT_KEYS \(it must be the secret of keyed-1's AccessKey id in ALIBABA_CLOUD_ACCOUNT_KEYS\)/,
    );
    expect(run.stdout).not.toContain(members[0]!.accounts![0]!.AccessKeySecret);
  });
});

/** `certwatch doctor` with the main account's keys and CAS on `emulator`, and `env`; `line` finds a line of it. */
async function doctor(running: RunningEmulator, env: Record<string, string>) {
  const run = await runCertwatch(['doctor'], {
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_SCAN_CDN: 'false',
    ALIBABA_CLOUD_SCAN_CAS: 'true',
    ALIBABA_CLOUD_CAS_ENDPOINT: running.casUrl,
    ALIBABA_CLOUD_CDN_ENDPOINT: running.cdnUrl,
    ...env,
  });
  const lines = run.stdout.split('\n');
  return { run, line: (pattern: RegExp) => lines.find((text) => pattern.test(text)) ?? '' };
}
