import { describe, expect, it } from 'vitest';
import { aliyun } from '../../../../lib/providers/aliyun/provider';
import { aliyunConfig } from '../../../helpers/aliyunConfig';

describe('the Alibaba provider module with ALB and NLB regions', () => {
  const config = aliyunConfig({
    albRegions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'],
    nlbRegions: ['cn-hangzhou'],
  });

  it('cuts ALB and NLB shards by region, each narrowing the config to its own service', () => {
    const scope = aliyun.shards.scope(config);
    const shards = aliyun.shards.plan(scope, 2);
    expect(shards).toEqual([
      { id: 'aliyun-alb-1', service: 'aliyun/alb', regions: ['cn-hangzhou', 'cn-shanghai'] },
      { id: 'aliyun-alb-2', service: 'aliyun/alb', regions: ['cn-beijing'] },
      { id: 'aliyun-nlb-1', service: 'aliyun/nlb', regions: ['cn-hangzhou'] },
    ]);
    expect(aliyun.shards.narrow(config, shards[1]!, shards)).toMatchObject({
      scanCdn: false,
      slbRegions: [],
      albRegions: ['cn-beijing'],
      nlbRegions: [],
    });
    expect(
      aliyun.sources(aliyun.shards.narrow(config, shards[2]!, shards)!, { requestTimeoutMs: 1000 }, {}),
    ).toEqual([expect.objectContaining({ provider: 'aliyun', service: 'nlb' })]);
  });

  it("cuts each assumed role's account into shards of its own, and the directory's members into slots", () => {
    const shop = { id: '1000000000000002', name: 'shop-prod' };
    const data = { id: '1000000000000003', name: 'data' };
    const withRoles = {
      ...config,
      albRegions: [],
      nlbRegions: [],
      scanCas: true,
      assumeRoles: [
        { account: shop, roleArn: 'acs:ram::1000000000000002:role/r' },
        { account: data, roleArn: 'acs:ram::1000000000000003:role/r' },
      ],
      resourceDirectory: { roleName: 'ResourceDirectoryAccountAccessRole', shards: 2 },
    };
    const shards = aliyun.shards.plan(aliyun.shards.scope(withRoles), 2);
    expect(shards).toEqual([
      { id: 'aliyun-cas', service: 'aliyun/cas', regions: [] },
      { id: 'aliyun-cas-a1', service: 'aliyun/cas', regions: [], account: shop },
      { id: 'aliyun-cas-a2', service: 'aliyun/cas', regions: [], account: data },
      { id: 'aliyun-directory-1', service: 'aliyun/directory', regions: [], slot: { index: 1, count: 2 } },
      { id: 'aliyun-directory-2', service: 'aliyun/directory', regions: [], slot: { index: 2, count: 2 } },
    ]);
    const own = aliyun.shards.narrow(withRoles, shards[0]!, shards)!;
    // Neither a role nor the directory is scanned here: the plan gave them shards of their own.
    expect(own).toMatchObject({ rolesElsewhere: ['shop-prod', 'data'], resourceDirectory: null });
    expect(aliyun.sources(own, { requestTimeoutMs: 1000 }, {}).map((source) => source.service)).toEqual([
      'cas',
    ]);
    // A directory shard: its slot of the members, every service of each, nobody else.
    const slot = aliyun.shards.narrow(withRoles, shards.at(-1)!, shards)!;
    expect(slot).toMatchObject({
      scanOwnAccount: false,
      rolesElsewhere: ['shop-prod', 'data'],
      scanKeyed: false,
      keyedAccountShards: 0,
      scanCas: true,
      slbRegions: withRoles.slbRegions,
      resourceDirectory: { slot: { index: 2, count: 2 } },
    });
    expect(aliyun.sources(slot, { requestTimeoutMs: 1000 }, {}).map((source) => source.service)).toEqual([
      'resourcemanager',
    ]);
    expect(
      aliyun.shards.narrow({ ...withRoles, resourceDirectory: null }, shards.at(-1)!, shards),
    ).toBeNull();
    const second = aliyun.shards.narrow(withRoles, shards[2]!, shards)!;
    expect(second).toMatchObject({
      scanOwnAccount: false,
      assumeRoles: [withRoles.assumeRoles[1]],
      keyedAccounts: [],
      keyedAccountShards: 0,
      resourceDirectory: null,
    });
    expect(aliyun.sources(second, { requestTimeoutMs: 1000 }, {}).map((source) => source.service)).toEqual([
      'sts',
    ]);
    // A role gone by the time the shard runs, or its name now another account's: nothing to narrow to.
    expect(aliyun.shards.narrow({ ...withRoles, assumeRoles: [] }, shards[1]!, shards)).toBeNull();
    const renamed = [{ ...withRoles.assumeRoles[0]!, account: { ...shop, id: '1000000000000009' } }];
    expect(aliyun.shards.narrow({ ...withRoles, assumeRoles: renamed }, shards[1]!, shards)).toBeNull();
    // A role configured after the plan was cut rides in the keys' own shards, this service of it.
    const added = {
      account: { id: '1000000000000004', name: 'late' },
      roleArn: 'acs:ram::1000000000000004:role/r',
    };
    const later = { ...withRoles, assumeRoles: [...withRoles.assumeRoles, added] };
    expect(
      aliyun
        .sources(aliyun.shards.narrow(later, shards[0]!, shards)!, { requestTimeoutMs: 1000 }, {})
        .map((source) => source.service),
    ).toEqual(['cas', 'sts']);
  });

  it('spreads the accounts with keys of their own over the shards it is told of, each by account id', () => {
    const keyed = ['1000000000000007', '1000000000000005', '1000000000000006'].map((id) => ({
      account: { id, name: `k${id.slice(-1)}` },
      credentials: { accessKeyId: `id-${id}`, accessKeySecret: `secret-${id}` },
    }));
    const withKeys = { ...config, albRegions: [], nlbRegions: [], scanCas: true, keyedAccounts: keyed };
    // The planner does not read the secret: only how many shards it is told to cut.
    const planned = aliyun.shards.plan(
      aliyun.shards.scope({ ...withKeys, keyedAccounts: [], keyedAccountShards: 2 }),
      2,
    );
    expect(planned.map((shard) => shard.id)).toEqual(['aliyun-cas', 'aliyun-keyed-1', 'aliyun-keyed-2']);
    const worker = { ...withKeys, keyedAccountShards: 2 };
    const names = (shard: (typeof planned)[number], config = worker) =>
      aliyun.shards.narrow(config, shard, planned)!.keyedAccounts.map((one) => one.account.name);
    // By account id modulo the count: every worker cuts alike, and an account added moves no other.
    expect(names(planned[1]!)).toEqual(['k6']);
    expect(names(planned[2]!)).toEqual(['k7', 'k5']);
    const k8 = { account: { id: '1000000000000008', name: 'k8' }, credentials: keyed[0]!.credentials };
    expect(names(planned[1]!, { ...worker, keyedAccounts: [...keyed, k8] })).toEqual(['k6', 'k8']);
    expect(names(planned[2]!, { ...worker, keyedAccounts: [...keyed, k8] })).toEqual(['k7', 'k5']);
    expect(aliyun.shards.narrow(worker, planned[1]!, planned)).toMatchObject({
      scanOwnAccount: false,
      resourceDirectory: null,
    });
    // The keys' own shard leaves them to those shards; when the plan has none (whatever the settings say now), it
    // carries them.
    expect(
      aliyun.sources(aliyun.shards.narrow(worker, planned[0]!, planned)!, { requestTimeoutMs: 1000 }, {}),
    ).toHaveLength(1);
    expect(
      aliyun.sources(
        aliyun.shards.narrow(worker, planned[0]!, [planned[0]!])!,
        { requestTimeoutMs: 1000 },
        {},
      ),
    ).toHaveLength(4);
  });

  it('has a doctor check per ALB and NLB region, and says what it covers', () => {
    const checks = aliyun.doctor.checks(config, {
      transport: {},
      requestTimeoutMs: 1000,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      deps: {},
    });
    expect(checks.map((check) => check.subject)).toEqual([
      'Alibaba ALB in cn-hangzhou',
      'Alibaba ALB in cn-shanghai',
      'Alibaba ALB in cn-beijing',
      'Alibaba NLB in cn-hangzhou',
    ]);
    expect(aliyun.doctor.covers(config)).toEqual([
      'Alibaba ALB listeners in 3 regions',
      'Alibaba NLB listeners in 1 region',
    ]);
  });
});
