import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Mode {
  scanOnSchedule: boolean;
  functions: Record<string, { role?: string; events?: unknown[] }>;
  resources: { Resources?: Record<string, { Type: string; Properties: Record<string, unknown> }> };
}
const { shardedMode } = createRequire(import.meta.url)('../../../deploy/shardedMode.cjs') as {
  shardedMode: (params: Record<string, unknown>) => Mode;
};

const params = {
  mode: 'sharded',
  schedule: 'rate(1 day)',
  shardRegions: '4',
  shardDeadlineMinutes: '240',
  shardConcurrency: '5',
  ssmPath: '/certwatch/prod',
  secretParameters: {
    UCLOUD_PUBLIC_KEY_PARAMETER: '/certwatch/prod/ucloud/public-key',
    UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/prod/ucloud/private-key',
    ALIBABA_CLOUD_ACCESS_KEY_ID_PARAMETER: '',
    CERTWATCH_SLACK_URL_PARAMETER: '/certwatch/prod/slack/url',
  },
  ssmKmsKeyArn: 'aws-managed',
  service: 'certwatch',
  stage: 'prod',
};

describe('shardedMode', () => {
  it('adds nothing in the default mode, and the scan keeps its schedule', () => {
    expect(shardedMode({ mode: 'single' })).toEqual({ scanOnSchedule: true, functions: {}, resources: {} });
  });

  it('in sharded mode moves the schedule to the planner and adds the worker, finisher, queues, table and roles', () => {
    const mode = shardedMode(params);
    expect(mode.scanOnSchedule).toBe(false);
    expect(Object.keys(mode.functions)).toEqual(['shardPlan', 'shardWork', 'shardFinish']);
    expect(mode.functions.shardPlan!.events).toEqual([
      { schedule: { rate: 'rate(1 day)', description: 'certwatch sharded scan: plan a run' } },
    ]);
    expect(Object.values(mode.functions).map((fn) => fn.role)).toEqual([
      'ShardPlanRole',
      'ShardWorkRole',
      'ShardFinishRole',
    ]);
    const resources = mode.resources.Resources!;
    expect(resources.ShardWorkEventSource!.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
    // The logs of each function under the stage's own name.
    expect(JSON.stringify(resources.ShardWorkRole)).toContain(
      ':log-group:/aws/lambda/certwatch-prod-shardWork:*',
    );
  });

  it('gives the secrets to the worker and the finisher, and the planner only which providers have keys', () => {
    const mode = shardedMode(params) as Mode & {
      functions: Record<string, { environment: Record<string, unknown> }>;
    };
    const { shardPlan, shardWork, shardFinish } = mode.functions;
    for (const fn of [shardWork!, shardFinish!]) {
      expect(fn.environment).toMatchObject({
        UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/prod/ucloud/private-key',
        CERTWATCH_SLACK_URL_PARAMETER: '/certwatch/prod/slack/url',
      });
    }
    expect(Object.keys(shardPlan!.environment).filter((key) => key.endsWith('_PARAMETER'))).toEqual([]);
    expect(shardPlan!.environment.CERTWATCH_SHARD_PROVIDERS).toBe('ucloud');
    // A parameter outside the stage's path is refused when packaging, not at the first run.
    expect(() =>
      shardedMode({
        ...params,
        secretParameters: { UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/ucloud/private-key' },
      }),
    ).toThrow(/UCLOUD_PRIVATE_KEY_PARAMETER names \/certwatch\/ucloud\/private-key, outside ssmPath/);
  });

  it('names the parameter it cannot use', () => {
    expect(() => shardedMode({ ...params, mode: 'shard' })).toThrow(
      /mode "shard" must be one of single, sharded/,
    );
    expect(() => shardedMode({ ...params, shardRegions: '0' })).toThrow(
      /shardRegions "0" must be a whole number from 1/,
    );
    expect(() => shardedMode({ ...params, shardDeadlineMinutes: '5' })).toThrow(/shardDeadlineMinutes "5"/);
    expect(() => shardedMode({ ...params, shardConcurrency: '1' })).toThrow(
      /shardConcurrency "1" must be a whole number from 2 to 1000/,
    );
  });
});
