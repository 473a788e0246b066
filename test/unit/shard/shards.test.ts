import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config';
import { narrowConfig, parseShard, planShards, shardFailures } from '../../../lib/shard/shards';

const config = loadConfig({
  UCLOUD_PUBLIC_KEY: 'pub',
  UCLOUD_PRIVATE_KEY: 'priv',
  UCLOUD_REGIONS: 'cn-bj2,cn-sh2,hk,jpn-tky,us-ca',
  UCLOUD_PROJECT_IDS: 'org-a,org-b',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'akid',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
  ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou,cn-shanghai,cn-beijing',
});

describe('planShards', () => {
  it('groups regions per provider service; CDN, being global, is one shard', () => {
    expect(planShards(config, 2)).toEqual([
      { id: 'ucloud-ulb-1', service: 'ucloud/ulb', regions: ['cn-bj2', 'cn-sh2'] },
      { id: 'ucloud-ulb-2', service: 'ucloud/ulb', regions: ['hk', 'jpn-tky'] },
      { id: 'ucloud-ulb-3', service: 'ucloud/ulb', regions: ['us-ca'] },
      { id: 'aliyun-cdn', service: 'aliyun/cdn', regions: [] },
      { id: 'aliyun-slb-1', service: 'aliyun/slb', regions: ['cn-hangzhou', 'cn-shanghai'] },
      { id: 'aliyun-slb-2', service: 'aliyun/slb', regions: ['cn-beijing'] },
      { id: 'aliyun-cas', service: 'aliyun/cas', regions: [] },
    ]);
    expect(planShards(config, 100).map((shard) => shard.id)).toEqual([
      'ucloud-ulb-1',
      'aliyun-cdn',
      'aliyun-slb-1',
      'aliyun-cas',
    ]);
  });

  it('plans only what is configured', () => {
    const cdnOnly = loadConfig({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b' });
    expect(planShards(cdnOnly, 4)).toEqual([
      { id: 'aliyun-cdn', service: 'aliyun/cdn', regions: [] },
      { id: 'aliyun-cas', service: 'aliyun/cas', regions: [] },
    ]);
  });
});

describe('narrowConfig', () => {
  it('keeps one provider, one service and the shard’s regions, every other setting as it was', () => {
    const [ulb, , , cdn, slb] = planShards(config, 2);
    const ucloud = narrowConfig(config, ulb!, [])!;
    expect(ucloud).toEqual({
      ...config,
      aliyun: null,
      ucloud: { ...config.ucloud, regions: ['cn-bj2', 'cn-sh2'] },
    });
    expect(ucloud.ucloud?.projectIds).toEqual(['org-a', 'org-b']);
    expect(narrowConfig(config, cdn!, [])).toMatchObject({
      ucloud: null,
      aliyun: { scanCdn: true, slbRegions: [] },
    });
    expect(narrowConfig(config, slb!, [])).toMatchObject({
      ucloud: null,
      aliyun: { scanCdn: false, slbRegions: ['cn-hangzhou', 'cn-shanghai'], accessKeyId: 'akid' },
    });
  });

  it('is null for a provider no longer configured', () => {
    const ucloudOnly = { ...config, aliyun: null };
    expect(narrowConfig(ucloudOnly, { id: 'aliyun-cdn', service: 'aliyun/cdn', regions: [] }, [])).toBeNull();
  });
});

describe('shardFailures', () => {
  it('names every region of the shard, or the global service once', () => {
    expect(
      shardFailures({ id: 'ucloud-ulb-1', service: 'ucloud/ulb', regions: ['cn-bj2', 'hk'] }, 'lost'),
    ).toEqual([
      { provider: 'ucloud', service: 'ulb', region: 'cn-bj2', project: null, message: 'lost' },
      { provider: 'ucloud', service: 'ulb', region: 'hk', project: null, message: 'lost' },
    ]);
    expect(shardFailures({ id: 'aliyun-cdn', service: 'aliyun/cdn', regions: [] }, 'lost')).toEqual([
      { provider: 'aliyun', service: 'cdn', region: null, project: null, message: 'lost' },
    ]);
  });
});

describe('parseShard', () => {
  it('reads back what planShards wrote and refuses anything else', () => {
    for (const shard of planShards(config, 2))
      expect(parseShard(JSON.parse(JSON.stringify(shard)))).toEqual(shard);
    for (const bad of [
      null,
      {},
      { id: 'x', service: 'aws/elb', regions: [] },
      { id: 'X Y', service: 'aliyun/cdn', regions: [] },
    ]) {
      expect(() => parseShard(bad)).toThrow(/not a shard/);
    }
  });
});
