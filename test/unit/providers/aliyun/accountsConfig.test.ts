import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config';
import { ConfigError } from '../../../../lib/errors';

const KEYS = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...KEYS, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('Alibaba accounts configuration', () => {
  it('reads as one account, `default` and no id, when nothing about accounts is set', () => {
    expect(loadConfig(KEYS).aliyun).toMatchObject({
      account: { id: null, name: 'default' },
      assumeRoles: [],
      keyedAccounts: [],
      keyedAccountShards: 0,
      resourceDirectory: null,
      stsEndpoint: 'https://sts.aliyuncs.com',
      resourceManagerEndpoint: 'https://resourcemanager.aliyuncs.com',
    });
  });

  it('reads roles to assume, named or by their account id, and a Resource Directory', () => {
    const config = loadConfig({
      ...KEYS,
      ALIBABA_CLOUD_ACCOUNT_NAME: 'tooling',
      ALIBABA_CLOUD_ACCOUNT_ID: '1000000000000001',
      ALIBABA_CLOUD_ASSUME_ROLES:
        'shop-prod=acs:ram::1000000000000002:role/certwatch-reader, acs:ram::1000000000000003:role/Reader.2',
      ALIBABA_CLOUD_RESOURCE_DIRECTORY: 'true',
    }).aliyun!;
    expect(config.account).toEqual({ id: '1000000000000001', name: 'tooling' });
    expect(config.assumeRoles).toEqual([
      {
        account: { id: '1000000000000002', name: 'shop-prod' },
        roleArn: 'acs:ram::1000000000000002:role/certwatch-reader',
      },
      {
        account: { id: '1000000000000003', name: '1000000000000003' },
        roleArn: 'acs:ram::1000000000000003:role/Reader.2',
      },
    ]);
    expect(config.resourceDirectory).toEqual({ roleName: 'ResourceDirectoryAccountAccessRole', shards: 10 });
  });

  it('takes the list of roles from a config file as a JSON array', () => {
    const config = loadConfig(KEYS, {
      ALIBABA_CLOUD_ASSUME_ROLES: [
        'a=acs:ram::1000000000000002:role/r',
        'b=acs:ram::1000000000000003:role/r',
      ],
    }).aliyun!;
    expect(config.assumeRoles.map((role) => role.account.name)).toEqual(['a', 'b']);
  });

  it('names each mistake: a malformed ARN, a name given twice, a bad id, a bad role name', () => {
    expect(
      problems({
        ALIBABA_CLOUD_ACCOUNT_ID: '12ab',
        ALIBABA_CLOUD_ASSUME_ROLES:
          'x=acs:ram::1:role/r,x=acs:ram::2:role/r,arn:aws:iam::123:role/r,default=acs:ram::3:role/r',
        ALIBABA_CLOUD_RESOURCE_DIRECTORY_ROLE: 'no/slash',
      }),
    ).toEqual([
      'ALIBABA_CLOUD_ACCOUNT_ID "12ab" is not an Alibaba Cloud account id (digits only)',
      'ALIBABA_CLOUD_ASSUME_ROLES names the account "x" twice: give each account its own name (up to 64 characters, no comma or "=")',
      'ALIBABA_CLOUD_ASSUME_ROLES has a malformed entry "arn:aws:iam::123:role/r": give role ARNs such as shop-prod=acs:ram::1234567890123456:role/certwatch-reader, comma-separated',
      'ALIBABA_CLOUD_ASSUME_ROLES names the account "default" twice: give each account its own name (up to 64 characters, no comma or "=")',
      'ALIBABA_CLOUD_RESOURCE_DIRECTORY_ROLE "no/slash" is not a RAM role name (1-64 of letters, digits, . and -)',
    ]);
  });

  it('reads accounts with key pairs of their own, from the environment or a config file list', () => {
    const config = loadConfig({
      ...KEYS,
      ALIBABA_CLOUD_ACCOUNT_KEYS:
        'shop-prod=1000000000000002:LTAI5tShopProd0001:c2hvcC1zZWNyZXQ=,data = 1000000000000004:LTAI5tData0001:dataSecret01',
    }).aliyun!;
    expect(config.keyedAccounts).toEqual([
      {
        account: { id: '1000000000000002', name: 'shop-prod' },
        credentials: { accessKeyId: 'LTAI5tShopProd0001', accessKeySecret: 'c2hvcC1zZWNyZXQ=' },
      },
      {
        account: { id: '1000000000000004', name: 'data' },
        credentials: { accessKeyId: 'LTAI5tData0001', accessKeySecret: 'dataSecret01' },
      },
    ]);
    const fromFile = loadConfig(KEYS, {
      ALIBABA_CLOUD_ACCOUNT_KEYS: ['a=1000000000000005:LTAI5tA:sa', 'b=1000000000000006:LTAI5tB:sb'],
    }).aliyun!;
    expect(fromFile.keyedAccounts.map((keyed) => keyed.account)).toEqual([
      { id: '1000000000000005', name: 'a' },
      { id: '1000000000000006', name: 'b' },
    ]);
  });

  it('names a malformed key entry by its place only, never by its text, and an account configured twice', () => {
    const found = problems({
      ALIBABA_CLOUD_ACCOUNT_ID: '1000000000000001',
      ALIBABA_CLOUD_ASSUME_ROLES: 'shop=acs:ram::1000000000000002:role/r',
      ALIBABA_CLOUD_ACCOUNT_KEYS:
        'LTAI5tNoName:TopSecretValue1,shop=1000000000000009:LTAI5tX:TopSecretValue2,' +
        'again=1000000000000002:LTAI5tY:TopSecretValue3,bad=12ab:LTAI5tZ:TopSecretValue4',
    });
    expect(found).toEqual([
      'ALIBABA_CLOUD_ACCOUNT_KEYS entry 1 is malformed: give name=<account id>:<AccessKey id>:<AccessKey secret>, comma-separated (the account id is digits; the entry is not shown, it holds a secret)',
      'ALIBABA_CLOUD_ACCOUNT_KEYS entry 2 names the account "shop" twice: give each account its own name',
      'ALIBABA_CLOUD_ACCOUNT_KEYS entry 4 is malformed: give name=<account id>:<AccessKey id>:<AccessKey secret>, comma-separated (the account id is digits; the entry is not shown, it holds a secret)',
      'the account id 1000000000000002 is configured more than once (ALIBABA_CLOUD_ACCOUNT_ID, ALIBABA_CLOUD_ASSUME_ROLES, ALIBABA_CLOUD_ACCOUNT_KEYS): give each account one way in',
    ]);
    expect(found.join('\n')).not.toMatch(/TopSecret|LTAI5t/);
    // Numbered as written, blank entries left out; a key pair pasted among the roles is not quoted either.
    expect(problems({ ALIBABA_CLOUD_ACCOUNT_KEYS: 'a=1:LTAI5tA:sa,,\nb=x:LTAI5tB:TopSecretValue5' })).toEqual(
      [
        'ALIBABA_CLOUD_ACCOUNT_KEYS entry 2 is malformed: give name=<account id>:<AccessKey id>:<AccessKey secret>, comma-separated (the account id is digits; the entry is not shown, it holds a secret)',
      ],
    );
    const roles = problems({ ALIBABA_CLOUD_ASSUME_ROLES: 'shop=1000000000000002:LTAI5tS:TopSecretValue6' });
    expect(roles).toEqual([
      'ALIBABA_CLOUD_ASSUME_ROLES has a malformed entry 1 (not shown: it may hold a key): give role ARNs such as shop-prod=acs:ram::1234567890123456:role/certwatch-reader, comma-separated',
    ]);
  });

  it('reads how many shards the keyed accounts are spread over: none unless told', () => {
    expect(loadConfig(KEYS).aliyun!.keyedAccountShards).toBe(0);
    expect(loadConfig({ ...KEYS, ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS: '0' }).aliyun!.keyedAccountShards).toBe(
      0,
    );
    expect(loadConfig({ ...KEYS, ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS: '4' }).aliyun!.keyedAccountShards).toBe(
      4,
    );
    expect(problems({ ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS: 'all' })).toEqual([
      'ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS "all" must be a whole number from 0 to 100',
    ]);
  });
});
