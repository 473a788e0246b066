/**
 * The emulated Alibaba accounts over real sockets, signed with certwatch's own V1 signer: STS AssumeRole (success
 * and each error), every request served from its credentials' account, the SecurityToken checked on every STS call
 * (missing, wrong, expired as the clock moves), Resource Directory ListAccounts (paging and refusal), per-account
 * rate limits and per-account forced failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AliyunCasCertificate, AliyunMemberAccount, Fleet } from '../../emulator/fleet/model';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import { percentEncode, type SigningCredentials, signRpcRequest } from '../../lib/providers/aliyun/signature';

const MAIN_ID = '1000000000000001';
const SHOP_ID = '1000000000000002';
const DATA_ID = '1000000000000003';
const MAIN_KEY: SigningCredentials = { accessKeyId: 'main-key-id', accessKeySecret: 'main-key-secret' };
const DATA_KEY: SigningCredentials = { accessKeyId: 'data-key-id', accessKeySecret: 'data-key-secret' };
const RD_ROLE = 'ResourceDirectoryAccountAccessRole';
const START = Date.UTC(2026, 10, 23, 12, 0, 0);

const cas = (...ids: number[]): { certificates: AliyunCasCertificate[] } => ({
  certificates: ids.map((id) => ({ CertificateId: id, Name: `cert-${id}`, Upload: false, Status: 'ISSUED' })),
});

const filler = Array.from(
  { length: 10 },
  (_, i): AliyunMemberAccount => ({
    accountId: String(1_000_000_000_000_004n + BigInt(i)),
    displayName: `filler-${i}`,
  }),
);

const fleet: Fleet = {
  aliyun: {
    accounts: [{ AccessKeyId: MAIN_KEY.accessKeyId, AccessKeySecret: MAIN_KEY.accessKeySecret }],
    resourceDirectory: true,
    roles: [{ roleName: 'Auditor', trusts: [MAIN_ID] }],
    cas: cas(11, 12),
    members: [
      {
        accountId: SHOP_ID,
        displayName: 'shop-prod',
        roles: [{ roleName: 'CertwatchReader', trusts: [MAIN_ID], maxSessionDuration: 7200 }],
        cas: cas(21, 22, 23),
      },
      {
        accountId: DATA_ID,
        displayName: 'data',
        type: 'CloudAccount',
        joinMethod: 'invited',
        status: 'InviteSuccess',
        accounts: [{ AccessKeyId: DATA_KEY.accessKeyId, AccessKeySecret: DATA_KEY.accessKeySecret }],
        cas: cas(31),
      },
      ...filler,
    ],
  },
};

const VERSIONS = { sts: '2015-04-01', resourcemanager: '2020-03-31', cas: '2020-04-07' } as const;
type Service = keyof typeof VERSIONS;

let now = START;
let nonce = 0;

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON reply read field by field
  body: any;
}

/** One signed POST (parameters in the form body, as the Darabonba SDKs send them). */
async function call(
  emulator: RunningEmulator,
  service: Service,
  action: string,
  params: Record<string, string>,
  credentials: SigningCredentials,
  common: Record<string, string | undefined> = {},
): Promise<Reply> {
  const url = { sts: emulator.stsUrl, resourcemanager: emulator.resourceManagerUrl, cas: emulator.casUrl }[
    service
  ];
  const signed = signRpcRequest(
    { Action: action, Version: VERSIONS[service], ...params },
    'POST',
    credentials,
    {
      timestamp: `${new Date(now).toISOString().slice(0, 19)}Z`,
      nonce: `n-${++nonce}`,
    },
  );
  // A test may drop a signed parameter (undefined) or add one after signing.
  for (const [key, value] of Object.entries(common)) {
    if (value === undefined) delete signed[key];
    else signed[key] = value;
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: Object.entries(signed)
      .map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`)
      .join('&'),
  });
  return { status: response.status, body: await response.json() };
}

const roleArn = (accountId: string, role: string) => `acs:ram::${accountId}:role/${role}`;

async function assume(
  emulator: RunningEmulator,
  accountId: string,
  role = RD_ROLE,
  credentials: SigningCredentials = MAIN_KEY,
  extra: Record<string, string> = {},
): Promise<Reply> {
  return call(
    emulator,
    'sts',
    'AssumeRole',
    { RoleArn: roleArn(accountId, role), RoleSessionName: 'certmon', ...extra },
    credentials,
  );
}

function stsCredentials(reply: Reply): SigningCredentials {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return {
    accessKeyId: reply.body.Credentials.AccessKeyId,
    accessKeySecret: reply.body.Credentials.AccessKeySecret,
    securityToken: reply.body.Credentials.SecurityToken,
  };
}

async function casIds(emulator: RunningEmulator, credentials: SigningCredentials): Promise<number[]> {
  const reply = await call(emulator, 'cas', 'ListUserCertificateOrder', { OrderType: 'CERT' }, credentials);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.CertificateOrderList.map((item: { CertificateId: number }) => item.CertificateId);
}

function expectError(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.body.Code }).toEqual({ status, code });
}

async function withEmulator(options: EmulatorOptions, body: (emulator: RunningEmulator) => Promise<void>) {
  const emulator = await startEmulator({ fleet, aliyun: { clock: () => now }, ...options });
  try {
    await body(emulator);
  } finally {
    await emulator.close();
  }
}

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ fleet, aliyun: { clock: () => now } });
});
afterAll(() => emulator.close());

describe('STS AssumeRole', () => {
  it('issues credentials of the role’s account, valid for DurationSeconds by the emulator’s clock', async () => {
    now = START;
    // RAM matches role names case-insensitively; the assumed role's ARN names it in lower case.
    const reply = await assume(emulator, SHOP_ID, RD_ROLE.toLowerCase());
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      RequestId: expect.stringMatching(/^[0-9A-F-]{36}$/),
      AssumedRoleUser: {
        Arn: `acs:ram::${SHOP_ID}:role/resourcedirectoryaccountaccessrole/certmon`,
        AssumedRoleId: expect.stringMatching(/^\d{17}:certmon$/),
      },
      Credentials: {
        AccessKeyId: expect.stringMatching(/^STS\.[A-Za-z0-9]{24}$/),
        AccessKeySecret: expect.any(String),
        SecurityToken: expect.stringMatching(/^CAIS[A-Za-z0-9+/]+=*$/),
        Expiration: '2026-11-23T13:00:00Z',
      },
    });
    const longer = await assume(emulator, SHOP_ID, 'CertwatchReader', MAIN_KEY, { DurationSeconds: '7200' });
    expect(longer.body.Credentials.Expiration).toBe('2026-11-23T14:00:00Z');
    expect(emulator.stats.aliyun.sts.byAction.AssumeRole).toBeGreaterThanOrEqual(2);
  });

  it('serves each key from its own account: main, an assumed member, a member’s own key', async () => {
    now = START;
    expect(await casIds(emulator, MAIN_KEY)).toEqual([11, 12]);
    expect(await casIds(emulator, stsCredentials(await assume(emulator, SHOP_ID)))).toEqual([21, 22, 23]);
    expect(await casIds(emulator, DATA_KEY)).toEqual([31]);
    // The main account's own role hands out the main account's credentials.
    expect(await casIds(emulator, stsCredentials(await assume(emulator, MAIN_ID, 'auditor')))).toEqual([
      11, 12,
    ]);
  });

  it('refuses an unknown role or account, an untrusted caller, and bad parameters', async () => {
    now = START;
    expectError(await assume(emulator, SHOP_ID, 'NoSuchRole'), 404, 'EntityNotExist.Role');
    expectError(await assume(emulator, '1999999999999999'), 404, 'EntityNotExist.Role');
    // CertwatchReader trusts the main account only; data's own key is not admitted.
    const untrusted = await assume(emulator, SHOP_ID, 'CertwatchReader', DATA_KEY);
    expectError(untrusted, 403, 'NoPermission');
    expect(untrusted.body.Message).toBe('No permission perform sts:AssumeRole on this Role');
    for (const name of ['x', 'has space', 'a'.repeat(65), 'semi;colon']) {
      const reply = await call(
        emulator,
        'sts',
        'AssumeRole',
        { RoleArn: roleArn(SHOP_ID, RD_ROLE), RoleSessionName: name },
        MAIN_KEY,
      );
      expectError(reply, 400, 'InvalidParameter.RoleSessionName');
    }
    for (const duration of ['899', '3601', 'abc', '-1']) {
      const reply = await assume(emulator, SHOP_ID, RD_ROLE, MAIN_KEY, { DurationSeconds: duration });
      expectError(reply, 400, 'InvalidParameter.DurationSeconds');
    }
    expect((await assume(emulator, SHOP_ID, RD_ROLE, MAIN_KEY, { DurationSeconds: '900' })).status).toBe(200);
    const noArn = await call(emulator, 'sts', 'AssumeRole', { RoleSessionName: 'certmon' }, MAIN_KEY);
    expectError(noArn, 400, 'MissingParameter');
    const badArn = await call(
      emulator,
      'sts',
      'AssumeRole',
      { RoleArn: `arn:aws:iam::${SHOP_ID}:role/x`, RoleSessionName: 'certmon' },
      MAIN_KEY,
    );
    expectError(badArn, 400, 'InvalidParameter.RoleArn');
  });

  it('lets STS credentials chain to another role, for at most an hour', async () => {
    now = START;
    const first = stsCredentials(await assume(emulator, MAIN_ID, 'Auditor'));
    const chained = await assume(emulator, SHOP_ID, 'CertwatchReader', first, { DurationSeconds: '7200' });
    expectError(chained, 400, 'InvalidParameter.DurationSeconds');
    const hour = stsCredentials(await assume(emulator, SHOP_ID, 'CertwatchReader', first));
    expect(await casIds(emulator, hour)).toEqual([21, 22, 23]);
  });
});

describe('the SecurityToken of STS credentials', () => {
  it('is required, must be the key’s own and unexpired', async () => {
    now = START;
    const shop = stsCredentials(await assume(emulator, SHOP_ID));
    const other = stsCredentials(await assume(emulator, SHOP_ID));
    const list = (credentials: SigningCredentials) =>
      call(emulator, 'cas', 'ListUserCertificateOrder', { OrderType: 'CERT' }, credentials);
    expectError(await list({ ...shop, securityToken: undefined }), 400, 'InvalidSecurityToken.Malformed');
    expectError(await list({ ...shop, securityToken: 'tok/en+1=' }), 400, 'InvalidSecurityToken.Malformed');
    expectError(
      await list({ ...shop, securityToken: other.securityToken }),
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
    // A token added after signing breaks the signature first: it is signed like any parameter.
    const unsigned = await call(
      emulator,
      'cas',
      'ListUserCertificateOrder',
      { OrderType: 'CERT' },
      { ...shop, securityToken: undefined },
      { SecurityToken: shop.securityToken },
    );
    expectError(unsigned, 400, 'SignatureDoesNotMatch');
    expect((await list(shop)).status).toBe(200);

    now = START + 3600_000 - 1000;
    expect((await list(shop)).status).toBe(200);
    now = START + 3600_000;
    expectError(await list(shop), 400, 'InvalidSecurityToken.Expired');
    // An expired credential cannot assume roles either.
    expectError(await assume(emulator, SHOP_ID, RD_ROLE, shop), 400, 'InvalidSecurityToken.Expired');
    now = START;
  });

  it('belongs to a key the emulator issued', async () => {
    now = START;
    const forged = {
      accessKeyId: 'STS.NotIssuedByTheEmulator',
      accessKeySecret: 's',
      securityToken: 'CAISabc',
    };
    const reply = await call(emulator, 'cas', 'ListUserCertificateOrder', { OrderType: 'CERT' }, forged);
    expectError(reply, 404, 'InvalidAccessKeyId.NotFound');
  });
});

describe('Resource Directory ListAccounts', () => {
  it('pages the members in fleet order, 10 by default, up to 100 a page', async () => {
    now = START;
    const list = (params: Record<string, string>, credentials = MAIN_KEY) =>
      call(emulator, 'resourcemanager', 'ListAccounts', params, credentials);
    const first = await list({});
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ PageNumber: 1, PageSize: 10, TotalCount: 12 });
    expect(first.body.Accounts.Account).toHaveLength(10);
    expect(first.body.Accounts.Account[0]).toEqual({
      AccountId: SHOP_ID,
      DisplayName: 'shop-prod',
      Type: 'ResourceAccount',
      Status: 'CreateSuccess',
      JoinMethod: 'created',
      JoinTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      ModifyTime: expect.stringMatching(/Z$/),
      FolderId: expect.stringMatching(/^r-/),
      ResourceDirectoryId: expect.stringMatching(/^rd-/),
      ResourceDirectoryPath: expect.stringMatching(new RegExp(`^rd-[0-9a-f]+/r-[0-9a-f]+/${SHOP_ID}$`)),
    });
    expect(first.body.Accounts.Account[1]).toMatchObject({
      AccountId: DATA_ID,
      Type: 'CloudAccount',
      Status: 'InviteSuccess',
      JoinMethod: 'invited',
    });
    const ids: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const reply = await list({ PageNumber: String(page), PageSize: '5' });
      expect(reply.body).toMatchObject({ PageNumber: page, PageSize: 5, TotalCount: 12 });
      ids.push(...reply.body.Accounts.Account.map((account: { AccountId: string }) => account.AccountId));
    }
    // Members only, each once; the management account is not listed.
    expect(ids).toEqual([SHOP_ID, DATA_ID, ...filler.map((member) => member.accountId)]);
    expect((await list({ PageSize: '100' })).body.Accounts.Account).toHaveLength(12);
    for (const params of <Record<string, string>[]>[
      { PageSize: '101' },
      { PageSize: '0' },
      { PageNumber: '0' },
      { PageSize: 'x' },
    ]) {
      expectError(await list(params), 400, 'InvalidParameter');
    }
    // STS credentials of the management account may list too.
    const auditor = stsCredentials(await assume(emulator, MAIN_ID, 'Auditor'));
    expect((await list({}, auditor)).body.TotalCount).toBe(12);
    expect(emulator.stats.aliyun.resourcemanager.byAction.ListAccounts).toBeGreaterThanOrEqual(10);
  });

  it('is refused to a member (long-term or assumed) and where there is no directory', async () => {
    now = START;
    const member = await call(emulator, 'resourcemanager', 'ListAccounts', {}, DATA_KEY);
    expectError(member, 409, 'NoPermission.ResourceDirectory.MemberAccount');
    const shop = stsCredentials(await assume(emulator, SHOP_ID));
    expectError(
      await call(emulator, 'resourcemanager', 'ListAccounts', {}, shop),
      409,
      'NoPermission.ResourceDirectory.MemberAccount',
    );
    const plain: Fleet = { aliyun: { ...fleet.aliyun, resourceDirectory: false } };
    await withEmulator({ fleet: plain }, async (other) => {
      expectError(
        await call(other, 'resourcemanager', 'ListAccounts', {}, MAIN_KEY),
        404,
        'NotExists.ResourceDirectory',
      );
      // Without a directory, members get no ResourceDirectoryAccountAccessRole; their own roles still work.
      expectError(await assume(other, SHOP_ID), 404, 'EntityNotExist.Role');
      expect((await assume(other, SHOP_ID, 'CertwatchReader')).status).toBe(200);
    });
  });
});

describe('per-account rate limits and failures', () => {
  it('gives each account its own bucket, shared by all of its keys', async () => {
    now = START;
    await withEmulator(
      { rateLimits: { perSecond: { ListUserCertificateOrder: 2 }, clock: () => 0 } },
      async (limited) => {
        const list = (credentials: SigningCredentials) =>
          call(limited, 'cas', 'ListUserCertificateOrder', { OrderType: 'CERT' }, credentials);
        const shopA = stsCredentials(await assume(limited, SHOP_ID));
        const shopB = stsCredentials(await assume(limited, SHOP_ID, 'CertwatchReader'));
        // Two STS keys of shop-prod share its two tokens.
        expect((await list(shopA)).status).toBe(200);
        expect((await list(shopB)).status).toBe(200);
        expectError(await list(shopA), 400, 'Throttling.User');
        expectError(await list(shopB), 400, 'Throttling.User');
        // The main account and data have buckets of their own.
        for (const credentials of [MAIN_KEY, MAIN_KEY, DATA_KEY, DATA_KEY]) {
          expect((await list(credentials)).status).toBe(200);
        }
        expectError(await list(MAIN_KEY), 400, 'Throttling.User');
        expect(limited.stats.aliyun.cas.rateLimited).toBe(3);
      },
    );
  });

  it('fails one account’s AssumeRole or CAS while the others are served', async () => {
    now = START;
    const seen: string[] = [];
    await withEmulator(
      {
        aliyun: {
          clock: () => now,
          failures: [
            { service: 'sts', action: 'AssumeRole', accountId: DATA_ID, code: 'NoPermission' },
            { service: 'cas', accountId: SHOP_ID, code: 'Forbidden.RAM' },
          ],
          onAction: (call) => {
            seen.push(`${call.service} ${call.action} ${call.accountId}`);
            return undefined;
          },
        },
      },
      async (failing) => {
        expectError(await assume(failing, DATA_ID), 403, 'NoPermission');
        const shop = stsCredentials(await assume(failing, SHOP_ID));
        expectError(
          await call(failing, 'cas', 'ListUserCertificateOrder', { OrderType: 'CERT' }, shop),
          403,
          'Forbidden.RAM',
        );
        expect(await casIds(failing, MAIN_KEY)).toEqual([11, 12]);
        expect(await casIds(failing, DATA_KEY)).toEqual([31]);
      },
    );
    // The hook sees the account a request is served from (AssumeRole: the caller's).
    expect(seen).toEqual([
      `sts AssumeRole ${MAIN_ID}`,
      `cas ListUserCertificateOrder ${MAIN_ID}`,
      `cas ListUserCertificateOrder ${DATA_ID}`,
    ]);
  });
});
