import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../lib/config';
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
    expect(config.statusDays).toEqual({ warningDays: 30, criticalDays: 7 });
    expect(config.channels.sns).toBeNull();
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
    expect(config.statusDays.warningDays).toBe(21);
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

describe('provider endpoints: https, or plain http to this machine only', () => {
  const aliyun = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak-id',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'very-secret-ak',
    ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
  };
  const endpoints = [
    {
      key: 'UCLOUD_API_URL',
      env: ucloud,
      read: (config: Config) => config.ucloud?.apiUrl,
      why: "can replay a captured request at will: UCloud's signature has no timestamp",
    },
    {
      key: 'ALIBABA_CLOUD_CDN_ENDPOINT',
      env: aliyun,
      read: (config: Config) => config.aliyun?.cdnEndpoint,
      why: 'reads the AccessKey id, the STS token if one is set, and every certificate the API returns',
    },
    {
      key: 'ALIBABA_CLOUD_SLB_ENDPOINT',
      env: aliyun,
      read: (config: Config) => config.aliyun?.slbEndpoint,
      why: 'every certificate the API returns (with certwatch upload, the private key too)',
    },
  ] as const;

  describe.each(endpoints)('$key', ({ key, env, read, why }) => {
    it.each([
      'https://api.example.com',
      'https://10.0.0.5:8443/api',
      'http://127.0.0.1:8080/ucloud',
      'http://127.5.6.7',
      'http://localhost:9000',
      'http://[::1]:9000',
      'http://[::ffff:127.0.0.1]:9000',
    ])('takes %s', (url) => {
      expect(read(loadConfig({ ...env, [key]: url }))).toBe(url);
    });

    it.each([
      'http://api.example.com',
      'http://10.0.0.5:8080',
      'http://127.evil.example',
      'http://localhost.evil.example',
      'http://[::2]',
    ])('refuses plain http to %s, naming the key and why', (url) => {
      const [problem, ...others] = problemsOf({ ...env, [key]: url });
      expect(others).toEqual([]);
      expect(problem).toContain(
        `${key} "${url}" is plain http to a host other than this machine: anyone on the way`,
      );
      expect(problem).toContain(why);
      expect(problem).toContain(
        'Use https://, or set CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS=true if the network between is yours alone',
      );
    });

    it('takes plain http anywhere when CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS says so, and only then', () => {
      const url = 'http://proxy.internal:8080';
      for (const allow of ['true', 'TRUE', '1', 'yes']) {
        expect(read(loadConfig({ ...env, [key]: url, CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: allow }))).toBe(
          url,
        );
      }
      expect(read(loadConfig(env, { [key]: url, CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: 'true' }))).toBe(url);
      for (const allow of ['false', '0', 'no']) {
        expect(problemsOf({ ...env, [key]: url, CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: allow })[0]).toContain(
          `${key} "${url}" is plain http`,
        );
      }
    });
  });

  it('refuses a setting that is not true or false, naming it', () => {
    expect(problemsOf({ ...ucloud, CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: 'please' })).toEqual([
      'CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS "please" must be true or false',
    ]);
  });

  it('never lets a chat webhook through on plain http to another host: its URL is its credential', () => {
    const slack = 'http://hooks.example/services/T0/B0/tok-9f2c71';
    const problems = problemsOf({
      ...ucloud,
      CERTWATCH_SLACK_URL: slack,
      CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: 'true',
    });
    expect(problems).toEqual([expect.stringContaining('CERTWATCH_SLACK_URL must be an https:// URL')]);
    expect(problems[0]).not.toContain('tok-9f2c71');
    const local = loadConfig({ ...ucloud, CERTWATCH_SLACK_URL: 'http://127.0.0.2:9/services/T0/B0/tok' });
    expect(local.channels.slack?.url).toBe('http://127.0.0.2:9/services/T0/B0/tok');
  });
});
