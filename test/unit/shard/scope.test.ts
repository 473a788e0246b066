import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors';
import { loadShardScope } from '../../../lib/shard/scope';
import { planShards } from '../../../lib/shard/shards';

/** The planner's environment as serverless.yml gives it: regions and services, no key and no parameter name. */
const PLANNER_ENV = {
  CERTWATCH_SHARD_PROVIDERS: 'ucloud,aliyun',
  UCLOUD_REGIONS: 'cn-bj2,cn-sh2,hk',
  UCLOUD_PROJECT_IDS: 'org-a',
  ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
  ALIBABA_CLOUD_SCAN_CDN: '',
};

describe('loadShardScope', () => {
  it('plans the providers CERTWATCH_SHARD_PROVIDERS names, with their regions and services, holding no key', () => {
    const scope = loadShardScope(PLANNER_ENV);
    expect(scope).toEqual({
      ucloud: { regions: ['cn-bj2', 'cn-sh2', 'hk'] },
      aliyun: { scanCdn: true, scanCas: true, slbRegions: ['cn-hangzhou'] },
    });
    expect(planShards(scope, 2).map((shard) => shard.id)).toEqual([
      'ucloud-ulb-1',
      'ucloud-ulb-2',
      'aliyun-cdn',
      'aliyun-slb-1',
      'aliyun-cas',
    ]);
    // Keys given anyway (a test, invoke local) do not reach the scope.
    const withKeys = loadShardScope({ ...PLANNER_ENV, UCLOUD_PRIVATE_KEY: 'real-private-key-4e1' });
    expect(JSON.stringify(withKeys)).not.toMatch(/key|not-read/i);
  });

  it('leaves out a provider it does not name, even when its settings are there', () => {
    const scope = loadShardScope({
      ...PLANNER_ENV,
      CERTWATCH_SHARD_PROVIDERS: 'aliyun',
      UCLOUD_REGIONS: undefined,
      UCLOUD_PROJECT_IDS: undefined,
      ALIBABA_CLOUD_SCAN_CDN: 'false',
    });
    expect(scope).toEqual({
      ucloud: null,
      aliyun: { scanCdn: false, scanCas: true, slbRegions: ['cn-hangzhou'] },
    });
  });

  it('names what is missing or unknown, and reports a bad region setting as the workers would', () => {
    expect(() => loadShardScope({ ...PLANNER_ENV, CERTWATCH_SHARD_PROVIDERS: ' ' })).toThrow(
      /CERTWATCH_SHARD_PROVIDERS is missing: .*deploy with UCLOUD_\*_PARAMETER/,
    );
    expect(() => loadShardScope({ ...PLANNER_ENV, CERTWATCH_SHARD_PROVIDERS: 'ucloud,aws' })).toThrow(
      /CERTWATCH_SHARD_PROVIDERS "ucloud,aws" names aws: use ucloud, aliyun/,
    );
    let error: unknown;
    try {
      loadShardScope({ ...PLANNER_ENV, UCLOUD_REGIONS: undefined });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^UCLOUD_REGIONS is missing/)]);
  });

  it("names each provider's key parameters by the prefix its settings share", () => {
    expect(() => loadShardScope({})).toThrow(
      'CERTWATCH_SHARD_PROVIDERS is missing: the planner plans shards for the providers it names (ucloud, aliyun). ' +
        'serverless.yml sets it from the key parameters: deploy with UCLOUD_*_PARAMETER and/or ' +
        'ALIBABA_CLOUD_*_PARAMETER set',
    );
  });
});
