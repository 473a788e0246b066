/**
 * The configuration, fuzzed: loadConfig over any environment and any --config file, the alert ladder, and the
 * rules file. The outcome is a configuration that works, or a ConfigError whose every problem names its key (or
 * file) — never another exception, never a secret in the message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLadder } from '../../lib/alerts/ladder';
import { parseRules } from '../../lib/alerts/rules';
import { CONFIG_KEYS, type Config, isRegionName, loadConfig } from '../../lib/config';
import { ConfigError } from '../../lib/errors';
import { fuzz, fuzzAsync } from './fuzz';

const SECRET_KEYS = ['UCLOUD_PRIVATE_KEY', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN'];
/** setTimeout's limit: a longer delay fires at once, so a timeout above it would time out every request. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const number = fc.oneof(
  fc.integer({ min: -5, max: 400 }).map(String),
  fc.constantFrom(
    '0',
    '007',
    ' 30 ',
    '1e3',
    '7.5',
    '-1',
    'thirty',
    '99999999999999999999',
    '2147483648',
    '36500',
  ),
  fc.nat().map(String),
);
const region = fc.oneof(
  fc.constantFrom(
    'cn-bj2',
    'cn-sh2',
    'hk',
    'cn-hangzhou',
    'ap-southeast-1',
    'CN-BJ2',
    'cn_bj2',
    '',
    ' ',
    'cn-',
    '-x',
  ),
  fc.string({ maxLength: 8 }),
);
const list = fc
  .tuple(fc.array(region, { maxLength: 4 }), fc.constantFrom(',', ', ', ';'))
  .map(([items, separator]) => items.join(separator));
const url = fc.constantFrom(
  'https://api.ucloud.cn',
  'http://127.0.0.1:9000/',
  'http://[::1]:9000',
  'http://localhost',
  'http://api.ucloud.cn',
  'http://10.0.0.5:8080',
  'ftp://x',
  'api.ucloud.cn',
  'https://',
  'http://a b',
);
const secret = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/).map((s) => `CANARY${s}`);
const anyText = fc.string({ maxLength: 16 });

/** A value for each key: usually of its kind (valid or nearly), sometimes anything. */
const valueFor: Record<string, fc.Arbitrary<string>> = {
  UCLOUD_PUBLIC_KEY: fc.oneof(fc.constant('pub-key'), anyText),
  UCLOUD_PRIVATE_KEY: secret,
  UCLOUD_REGIONS: list,
  UCLOUD_PROJECT_IDS: fc.oneof(fc.constantFrom('org-abc', 'org-a,org-b', 'org a', ''), anyText),
  UCLOUD_API_URL: url,
  CERTWATCH_WARNING_DAYS: number,
  CERTWATCH_CRITICAL_DAYS: number,
  CERTWATCH_SNS_TOPIC_ARN: fc.constantFrom(
    'arn:aws:sns:us-east-1:123456789012:certwatch',
    'arn:aws:sns:x',
    'topic',
  ),
  CERTWATCH_REQUEST_TIMEOUT_MS: number,
  CERTWATCH_THRESHOLDS: fc.oneof(
    fc.constantFrom('30,14,7', '60,30,20%', '30,,7', '0', '150%', 'x', '7,7'),
    anyText,
  ),
  CERTWATCH_RULES_FILE: anyText,
  CERTWATCH_STATE_TABLE: fc.constantFrom('certwatch-state', 'x', 'bad table'),
  CERTWATCH_STATE_FILE: anyText,
  CERTWATCH_REMINDER_HOURS: number,
  CERTWATCH_METRICS_NAMESPACE: fc.constantFrom('Certwatch', 'AWS/Certwatch', 'certwatch/prod', ''),
  ALIBABA_CLOUD_ACCESS_KEY_ID: fc.oneof(fc.constant('ak-id'), anyText),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret,
  ALIBABA_CLOUD_SECURITY_TOKEN: secret,
  ALIBABA_CLOUD_SLB_REGIONS: list,
  ALIBABA_CLOUD_SCAN_CDN: fc.constantFrom('true', 'false', 'TRUE', 'no', '1', 'maybe', ''),
  ALIBABA_CLOUD_CDN_ENDPOINT: url,
  ALIBABA_CLOUD_SCAN_CDN_DOMAINS: fc.constantFrom('true', 'false', 'TRUE', 'no', '1', 'maybe', ''),
  ALIBABA_CLOUD_SCAN_DCDN: fc.constantFrom('true', 'false', 'TRUE', 'no', '1', 'maybe', ''),
  ALIBABA_CLOUD_DCDN_ENDPOINT: url,
  ALIBABA_CLOUD_SLB_ENDPOINT: url,
  ALIBABA_CLOUD_SCAN_CAS: fc.constantFrom('true', 'false', 'TRUE', 'no', '1', 'maybe', ''),
  ALIBABA_CLOUD_CAS_ENDPOINT: url,
  ALIBABA_CLOUD_ALB_REGIONS: list,
  ALIBABA_CLOUD_ALB_ENDPOINT: url,
  ALIBABA_CLOUD_NLB_REGIONS: list,
  ALIBABA_CLOUD_NLB_ENDPOINT: url,
  ALIBABA_CLOUD_ACCOUNT_NAME: fc.oneof(fc.constant('shop-prod'), anyText),
  ALIBABA_CLOUD_ACCOUNT_ID: fc.oneof(fc.constant('1000000000000001'), anyText),
  ALIBABA_CLOUD_ASSUME_ROLES: fc.oneof(
    fc.constant('a=acs:ram::1000000000000002:role/r,acs:ram::1000000000000003:role/r'),
    list,
    anyText,
  ),
  // Starting with a canary, the whole value is watched for in every message (a malformed first entry).
  ALIBABA_CLOUD_ACCOUNT_KEYS: fc.oneof(
    secret,
    secret.map((s) => `${s},shop=1000000000000002:LTAIkey:${s}`),
    secret.map((s) => `shop=1000000000000002:LTAIkey:${s}`),
  ),
  ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS: fc.oneof(
    fc.constantFrom('0', '2', '100', '101', '-1', 'x', ''),
    anyText,
  ),
  ALIBABA_CLOUD_RESOURCE_DIRECTORY: fc.constantFrom('true', 'false', 'TRUE', 'no', '1', 'maybe', ''),
  ALIBABA_CLOUD_RESOURCE_DIRECTORY_SHARDS: number,
  ALIBABA_CLOUD_RESOURCE_DIRECTORY_ROLE: fc.oneof(fc.constant('ResourceDirectoryAccountAccessRole'), anyText),
  ALIBABA_CLOUD_STS_ENDPOINT: url,
  ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT: url,
  CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: fc.oneof(
    fc.constantFrom('true', 'false', '1', '0', 'yes', 'NO', 'maybe', ''),
    anyText,
  ),
  CERTWATCH_EMAIL_FROM: fc.oneof(
    fc.constantFrom('certwatch@example.com', 'certwatch <certwatch@example.com>', 'certwatch', ''),
    anyText,
  ),
  CERTWATCH_EMAIL_TO: fc.oneof(
    fc.constantFrom('ops@example.com', 'a@b.co,,c@d', 'ops@example.com,x'),
    anyText,
  ),
  CERTWATCH_DINGTALK_URL: fc.oneof(
    fc.constantFrom(
      'https://oapi.dingtalk.com/robot/send?access_token=t',
      'http://oapi.dingtalk.com/robot/send',
    ),
    url,
  ),
  CERTWATCH_DINGTALK_SECRET: secret,
  CERTWATCH_FEISHU_URL: fc.oneof(fc.constant('https://open.feishu.cn/open-apis/bot/v2/hook/t'), url),
  CERTWATCH_FEISHU_SECRET: secret,
  CERTWATCH_WECOM_URL: fc.oneof(fc.constant('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k'), url),
  CERTWATCH_SLACK_URL: fc.oneof(fc.constant('https://hooks.slack.com/services/T/B/x'), url),
};

const environment = fc.record(
  Object.fromEntries(CONFIG_KEYS.map((key) => [key, fc.option(valueFor[key]!, { nil: undefined, freq: 2 })])),
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, string | undefined>>;

/** A --config file: an object of known keys, typos and strangers, with values of any JSON type; or not an object. */
const file = fc.oneof(
  { weight: 4, arbitrary: environment.chain((env) => fc.constant(env as unknown)) },
  {
    weight: 2,
    arbitrary: fc.dictionary(
      fc.oneof(
        fc.constantFrom(...CONFIG_KEYS),
        fc.constantFrom('UCLOUD_REGION', 'ucloud_regions', 'WARNING_DAYS'),
        anyText,
      ),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(region, { maxLength: 3 })),
      { maxKeys: 5 },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Every way a loaded configuration is fit to run with. */
function expectUsable(config: Config): void {
  const { statusDays, alerting, requestTimeoutMs } = config;
  expect(
    Number.isSafeInteger(requestTimeoutMs) && requestTimeoutMs >= 1 && requestTimeoutMs <= MAX_TIMER_MS,
  ).toBe(true);
  expect(Number.isSafeInteger(statusDays.warningDays) && statusDays.criticalDays >= 1).toBe(true);
  expect(
    Number.isSafeInteger(statusDays.criticalDays) && statusDays.criticalDays <= statusDays.warningDays,
  ).toBe(true);
  expect(Number.isSafeInteger(alerting.reminderIntervalMs) && alerting.reminderIntervalMs > 0).toBe(true);
  expect(alerting.ladder.days.length).toBeGreaterThan(0);
  expect(config.ucloud !== null || config.aliyun !== null).toBe(true);
  for (const name of [...(config.ucloud?.regions ?? []), ...(config.aliyun?.slbRegions ?? [])]) {
    expect(isRegionName(name)).toBe(true);
  }
  if (config.ucloud) expect(config.ucloud.regions.length).toBeGreaterThan(0);
  for (const endpoint of [config.ucloud?.apiUrl, config.aliyun?.cdnEndpoint, config.aliyun?.slbEndpoint]) {
    if (endpoint) expect(endpoint).toMatch(/^https?:\/\/[^\s/]+/);
  }
}

function expectNamedProblems(error: unknown, names: string[], secrets: string[]): void {
  expect(error).toBeInstanceOf(ConfigError);
  const { problems, message } = error as ConfigError;
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(
      names.some((name) => problem.includes(name)),
      problem,
    ).toBe(true);
  }
  for (const value of secrets) expect(message).not.toContain(value);
}

describe('fuzz: loadConfig', () => {
  it('gives a usable configuration or a ConfigError naming each bad key, for any environment', () => {
    fuzz(
      'config',
      'loadConfig env',
      fc.property(environment, (env) => {
        const secrets = SECRET_KEYS.map((key) => env[key]).filter((v): v is string => v !== undefined);
        let config: Config;
        try {
          config = loadConfig(env);
        } catch (error) {
          expectNamedProblems(error, [...CONFIG_KEYS], secrets);
          return;
        }
        expectUsable(config);
      }),
      10_000,
    );
  });

  it('the same with any --config file under the environment: problems name the key or the file', () => {
    fuzz(
      'config',
      'loadConfig env + file',
      fc.property(environment, file, (env, parsed) => {
        const secrets = [env, parsed]
          .flatMap((source) => SECRET_KEYS.map((key) => (source as Record<string, unknown> | null)?.[key]))
          .filter((v): v is string => typeof v === 'string' && v.startsWith('CANARY'));
        let config: Config;
        try {
          config = loadConfig(env, parsed, 'certwatch.json');
        } catch (error) {
          expectNamedProblems(error, [...CONFIG_KEYS, 'certwatch.json'], secrets);
          return;
        }
        expectUsable(config);
      }),
      6_000,
    );
  });

  it('a provider endpoint is https, or plain http to this machine, or plain http elsewhere only when allowed', () => {
    // Hosts tagged with whether they are this machine: the oracle the check is held to.
    const host = fc
      .oneof(
        fc.constantFrom(
          '127.0.0.1',
          '127.8.9.10',
          '127.1',
          'localhost',
          'LOCALHOST',
          '[::1]',
          '[0:0:0:0:0:0:0:1]',
        ),
        fc
          .constantFrom(
            'api.ucloud.cn',
            '10.0.0.5',
            '128.0.0.1',
            '127.evil.example',
            'localhost.evil.example',
            '[::2]',
          )
          .map((name) => ({ name, local: false })),
        fc.domain().map((name) => ({ name, local: false })),
      )
      .map((value) => (typeof value === 'string' ? { name: value, local: true } : value));
    const endpoint = fc.record({
      scheme: fc.constantFrom('http', 'https', 'HTTP'),
      host,
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      path: fc.constantFrom('', '/', '/ucloud', '/aliyun/cdn/'),
    });
    const allowed = fc.option(fc.constantFrom('true', 'TRUE', '1', 'yes', 'false', '0', 'no', 'maybe', ''), {
      nil: undefined,
    });
    const base = {
      UCLOUD_PUBLIC_KEY: 'pub',
      UCLOUD_PRIVATE_KEY: 'CANARYucloud',
      UCLOUD_REGIONS: 'cn-bj2',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'CANARYaliyun',
      ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
    };
    fuzz(
      'config',
      'loadConfig endpoints',
      fc.property(
        fc.constantFrom(
          'UCLOUD_API_URL',
          'ALIBABA_CLOUD_CDN_ENDPOINT',
          'ALIBABA_CLOUD_SLB_ENDPOINT',
          'ALIBABA_CLOUD_DCDN_ENDPOINT',
          'ALIBABA_CLOUD_CAS_ENDPOINT',
          'ALIBABA_CLOUD_ALB_ENDPOINT',
          'ALIBABA_CLOUD_NLB_ENDPOINT',
          'ALIBABA_CLOUD_STS_ENDPOINT',
          'ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT',
        ),
        endpoint,
        allowed,
        (key, { scheme, host: { name, local }, port, path }, allow) => {
          const url = `${scheme}://${name}${port === undefined ? '' : `:${port}`}${path}`;
          const env: Record<string, string | undefined> = {
            ...base,
            [key]: url,
            CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: allow,
          };
          const allowSays =
            allow === undefined || allow === '' ? false : ['true', '1', 'yes'].includes(allow.toLowerCase());
          const allowValid =
            allow === undefined || ['', 'true', 'false', '1', '0', 'yes', 'no'].includes(allow.toLowerCase());
          // The scheme is read as written: `HTTP://` is not taken (as before), whatever the host.
          const schemeValid = scheme === 'http' || scheme === 'https';
          const plainElsewhere = scheme === 'http' && !local;
          let config: Config | null = null;
          let error: unknown = null;
          try {
            config = loadConfig(env);
          } catch (caught) {
            error = caught;
          }
          if (schemeValid && allowValid && !(plainElsewhere && !allowSays)) {
            expect(error).toBeNull();
            const taken = {
              UCLOUD_API_URL: config!.ucloud?.apiUrl,
              ALIBABA_CLOUD_CDN_ENDPOINT: config!.aliyun?.cdnEndpoint,
              ALIBABA_CLOUD_SLB_ENDPOINT: config!.aliyun?.slbEndpoint,
              ALIBABA_CLOUD_DCDN_ENDPOINT: config!.aliyun?.dcdnEndpoint,
              ALIBABA_CLOUD_CAS_ENDPOINT: config!.aliyun?.casEndpoint,
              ALIBABA_CLOUD_ALB_ENDPOINT: config!.aliyun?.albEndpoint,
              ALIBABA_CLOUD_NLB_ENDPOINT: config!.aliyun?.nlbEndpoint,
              ALIBABA_CLOUD_STS_ENDPOINT: config!.aliyun?.stsEndpoint,
              ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT: config!.aliyun?.resourceManagerEndpoint,
            }[key];
            expect(taken).toBe(url.replace(/\/+$/, ''));
            return;
          }
          expectNamedProblems(error, [...CONFIG_KEYS], ['CANARYucloud', 'CANARYaliyun']);
          const problems = (error as ConfigError).problems;
          if (!schemeValid) {
            expect(problems).toContainEqual(expect.stringContaining(`${key} "${url}" is not an http(s) URL`));
          } else if (plainElsewhere && !allowSays) {
            expect(problems).toContainEqual(
              expect.stringContaining(`${key} "${url}" is plain http to a host other than this machine`),
            );
          }
          if (!allowValid) {
            expect(problems).toContainEqual(
              `CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS "${allow!.toLowerCase()}" must be true or false`,
            );
          }
        },
      ),
      3_000,
    );
  });

  it('a setting in the environment wins over the file; a blank one does not hide it', () => {
    fuzz(
      'config',
      'loadConfig precedence',
      fc.property(
        fc.integer({ min: 1, max: 365 }),
        fc.integer({ min: 1, max: 365 }),
        fc.constantFrom('', '  ', undefined),
        (fromFile, fromEnv, blank) => {
          const base = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'CANARYsecret' };
          const fileValues = { CERTWATCH_WARNING_DAYS: fromFile + 400, CERTWATCH_CRITICAL_DAYS: fromFile };
          expect(
            loadConfig({ ...base, CERTWATCH_CRITICAL_DAYS: String(fromEnv) }, fileValues).statusDays
              .criticalDays,
          ).toBe(fromEnv);
          expect(
            loadConfig({ ...base, CERTWATCH_CRITICAL_DAYS: blank }, fileValues).statusDays.criticalDays,
          ).toBe(fromFile);
        },
      ),
      2_000,
    );
  });
});

describe('fuzz: the alert ladder and the rules file', () => {
  it('parseLadder gives a ladder or a ConfigError naming the key, for any text', () => {
    fuzz(
      'config',
      'parseLadder',
      fc.property(
        fc.oneof(
          fc
            .array(fc.oneof(number, fc.constantFrom('20%', '0%', '100%', '1e2%', ' ', '')), { maxLength: 6 })
            .map((items) => items.join(',')),
          fc.string({ maxLength: 30 }),
        ),
        (text) => {
          try {
            const ladder = parseLadder(text);
            expect(ladder.days.length).toBeGreaterThan(0);
            expect(ladder.days.every((d) => Number.isSafeInteger(d) && d >= 1)).toBe(true);
          } catch (error) {
            expectNamedProblems(error, ['CERTWATCH_THRESHOLDS'], []);
          }
        },
      ),
      8_000,
    );
  });

  const ruleValue = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('60,30,14', '2026-12-31', 'yesterday', '*.example.com', true, 7, null),
  );
  const rule = fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'match',
        'thresholds',
        'muteUntil',
        'ignore',
        'muteExpiredInUse',
        'reason',
        'mute_until',
        'domian',
      ),
      fc.string({ maxLength: 6 }),
    ),
    fc.oneof(
      ruleValue,
      fc.dictionary(fc.constantFrom('provider', 'domain', 'id', 'name', 'regoin'), ruleValue, { maxKeys: 3 }),
    ),
    { maxKeys: 5 },
  );
  const rulesDocument = fc.oneof(
    fc.record({ rules: fc.array(rule, { maxLength: 3 }) }),
    fc.dictionary(fc.constantFrom('rules', 'rule', 'x'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const rulesText = fc.oneof(
    rulesDocument.map((doc) => ({ name: 'rules.json', text: JSON.stringify(doc) ?? '' })),
    fc.tuple(rulesDocument, fc.nat()).map(([doc, cut]) => {
      const text = JSON.stringify(doc) ?? '';
      return { name: 'rules.json', text: text.slice(0, cut % (text.length + 1)) };
    }),
    fc.string({ maxLength: 80 }).map((text) => ({ name: 'rules.yaml', text })),
    fc
      .array(
        fc.constantFrom(
          'rules:\n',
          '  - match:\n',
          '      domain: "*.x"\n',
          '    ignore: true\n',
          '    reason: r\n',
          '\t',
          ': ',
          '[',
          '- ',
          'muteUntil: 2026-13-01\n',
        ),
        { maxLength: 8 },
      )
      .map((parts) => ({ name: 'rules.yml', text: parts.join('') })),
  );

  it('parseRules gives rules or a ConfigError whose every problem starts with the file name, for any text', async () => {
    await fuzzAsync(
      'config',
      'parseRules',
      fc.asyncProperty(rulesText, async ({ name, text }) => {
        try {
          const rules = await parseRules(text, name);
          expect(rules.fileName).toBe(name);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          for (const problem of (error as ConfigError).problems)
            expect(problem.startsWith(`${name}: `), problem).toBe(true);
        }
      }),
      6_000,
    );
  });
});
