import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

const ucloud = {
  UCLOUD_PUBLIC_KEY: 'pub-key-value',
  UCLOUD_PRIVATE_KEY: 'very-secret-private-key',
  UCLOUD_REGIONS: 'cn-bj2, cn-sh2,hk',
};

function problemsOf(env: Record<string, string>, file?: unknown): string[] {
  try {
    loadConfig(env, file, 'certwatch.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads UCloud settings with defaults', () => {
    const config = loadConfig(ucloud);
    expect(config.ucloud).toEqual({
      publicKey: 'pub-key-value',
      privateKey: 'very-secret-private-key',
      regions: ['cn-bj2', 'cn-sh2', 'hk'],
      projectIds: [],
      apiUrl: 'https://api.ucloud.cn',
    });
    expect(config.thresholds).toEqual({ warningDays: 30, criticalDays: 7 });
    expect(config.snsTopicArn).toBeNull();
  });

  it('reports every problem at once, each naming its variable, never echoing a secret', () => {
    const problems = problemsOf({
      UCLOUD_PRIVATE_KEY: 'very-secret-private-key',
      UCLOUD_REGIONS: 'cn-bj2,,cn sh2',
      CERTWATCH_WARNING_DAYS: 'thirty',
      CERTWATCH_SNS_TOPIC_ARN: 'my-topic',
      UCLOUD_API_URL: 'api.ucloud.cn',
    });
    const text = problems.join('\n');
    expect(problems).toHaveLength(5);
    expect(text).toContain('UCLOUD_PUBLIC_KEY is missing');
    expect(text).toContain('UCLOUD_REGIONS has malformed entries (empty), "cn sh2"');
    expect(text).toContain('CERTWATCH_WARNING_DAYS "thirty" must be a whole number');
    expect(text).toContain('CERTWATCH_SNS_TOPIC_ARN "my-topic" is not an SNS topic ARN');
    expect(text).toContain('UCLOUD_API_URL "api.ucloud.cn" is not an http(s) URL');
    expect(text).not.toContain('very-secret-private-key');
  });

  it('refuses a critical threshold above the warning one', () => {
    expect(problemsOf({ ...ucloud, CERTWATCH_WARNING_DAYS: '5', CERTWATCH_CRITICAL_DAYS: '10' })[0]).toMatch(
      /CERTWATCH_CRITICAL_DAYS \(10\) is more than CERTWATCH_WARNING_DAYS \(5\)/,
    );
  });

  it('says how to start when no provider is configured', () => {
    expect(problemsOf({})[0]).toMatch(/no provider is configured.*certwatch demo/);
  });

  it('takes a file with the same keys, the environment winning, and rejects unknown keys with a hint', () => {
    const config = loadConfig(
      { ...ucloud, UCLOUD_REGIONS: '' },
      { UCLOUD_REGIONS: ['cn-gd'], CERTWATCH_WARNING_DAYS: 21, UCLOUD_PROJECT_IDS: 'org-a,org-b' },
    );
    expect(config.ucloud?.regions).toEqual(['cn-gd']);
    expect(config.ucloud?.projectIds).toEqual(['org-a', 'org-b']);
    expect(config.thresholds.warningDays).toBe(21);
    const overridden = loadConfig(ucloud, { CERTWATCH_WARNING_DAYS: 21 });
    expect(overridden.ucloud?.regions).toEqual(['cn-bj2', 'cn-sh2', 'hk']);

    const problems = problemsOf(ucloud, { UCLOUD_REGION: 'cn-bj2' });
    expect(problems[0]).toContain(
      'certwatch.json: unknown key "UCLOUD_REGION" (did you mean UCLOUD_REGIONS?)',
    );
  });

  it('rejects a file that is not an object', () => {
    expect(problemsOf(ucloud, ['x'])[0]).toContain('certwatch.json must hold a JSON object');
  });
});
