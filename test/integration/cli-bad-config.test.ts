/**
 * Every configuration mistake a user can make, run through the built `certwatch` command in its own process: one
 * clear message naming the input and the fix, exit code 2, no stack trace — unless --debug, which adds one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { buildCli, runNode } from '../helpers/builtCli';
import { makePfx } from '../helpers/pfx';

let dir: string;
let cli: string;
const CANARY = 'CANARYbadconfig0secret';

/** The built command, run in the test's folder. */
const run = (args: string[], env: Record<string, string>) => runNode(args, { env, cwd: dir });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certwatch-bad-config-'));
  cli = await buildCli(join(dir, 'dist'));
  const now = Date.now();
  const cert = makeTestCertificate({ keyType: 'rsa', notAfter: now + 200 * 86_400_000 });
  const files: Record<string, string | Buffer> = {
    'rules-typo.yaml':
      'rules:\n  - match:\n      domian: "*.example.com"\n    ignore: true\n    reason: test\n',
    'rules-alias.yaml':
      'rules:\n  - match:\n      domain: *.example.com\n    ignore: true\n    reason: test\n',
    'rules-top.json': '{"rule": []}',
    'config-typo.json': JSON.stringify({ UCLOUD_REGION: 'cn-bj2' }),
    'config-list.json': JSON.stringify(['UCLOUD_REGIONS', 'cn-bj2']),
    'config-broken.json': `{"UCLOUD_PRIVATE_KEY": "${CANARY}",`,
    'not-a.pfx': Buffer.from('this is not a PKCS#12 file at all'),
    'site.pfx': makePfx({
      certificatePems: [cert.leafPem, ...cert.chainPems],
      keyPem: cert.leafPrivateKeyPem,
      passphrase: 'right',
    }),
    'cert.pem': cert.leafPem,
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Enough for a configuration that would scan (unreachable endpoints: no case gets as far as a request). */
const aliyun = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak-id',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: CANARY,
  ALIBABA_CLOUD_SCAN_CDN: 'false',
  ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
  ALIBABA_CLOUD_SLB_ENDPOINT: 'http://127.0.0.1:9',
};
const ucloud = { UCLOUD_PUBLIC_KEY: 'pub', UCLOUD_PRIVATE_KEY: CANARY, UCLOUD_REGIONS: 'cn-bj2' };

interface BadInput {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** What the message must name: the key, option or file, and the fix. */
  names: (string | RegExp)[];
}

const cases: BadInput[] = [
  {
    name: 'an alert channel that does not exist',
    args: ['scan', '--channel', 'telegram'],
    env: ucloud,
    names: ['--channel telegram is not a channel', 'sns, email, dingtalk, feishu, wecom, slack'],
  },
  {
    name: 'an alert channel that is not configured',
    args: ['scan', '--channel', 'slack'],
    env: ucloud,
    names: ['--channel slack is not configured', 'CERTWATCH_SLACK_URL'],
  },
  {
    name: 'a webhook URL that is not https (its token would cross in clear)',
    args: ['scan', '--dry-run'],
    env: { ...ucloud, CERTWATCH_WECOM_URL: `http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${CANARY}` },
    names: ['CERTWATCH_WECOM_URL must be an https:// URL', 'qyapi.weixin.qq.com/cgi-bin/webhook/send?key='],
  },
  {
    name: 'email recipients without a sender',
    args: ['scan', '--dry-run'],
    env: { ...ucloud, CERTWATCH_EMAIL_TO: 'ops@example.com' },
    names: ['CERTWATCH_EMAIL_FROM is not', 'verified in SES'],
  },
  {
    name: 'no provider at all',
    args: ['audit'],
    env: {},
    names: ['UCLOUD_PUBLIC_KEY', 'ALIBABA_CLOUD_ACCESS_KEY_ID'],
  },
  {
    name: 'a missing key (UCloud private key)',
    args: ['audit'],
    env: { UCLOUD_PUBLIC_KEY: 'pub', UCLOUD_REGIONS: 'cn-bj2' },
    names: ['UCLOUD_PRIVATE_KEY is missing', 'set both'],
  },
  {
    name: 'regions missing',
    args: ['audit'],
    env: { UCLOUD_PUBLIC_KEY: 'pub', UCLOUD_PRIVATE_KEY: CANARY },
    names: ['UCLOUD_REGIONS is missing', 'e.g. cn-bj2'],
  },
  {
    name: 'a malformed region list',
    args: ['audit'],
    env: { ...ucloud, UCLOUD_REGIONS: 'cn bj2,,cn-sh2' },
    names: ['UCLOUD_REGIONS', '"cn bj2"', 'comma-separated list'],
  },
  {
    name: 'a malformed SLB region list',
    args: ['audit'],
    env: { ...aliyun, ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou;cn-shanghai' },
    names: ['ALIBABA_CLOUD_SLB_REGIONS', 'comma-separated list'],
  },
  {
    name: 'a threshold that is not a number',
    args: ['audit'],
    env: { ...ucloud, CERTWATCH_WARNING_DAYS: 'thirty' },
    names: ['CERTWATCH_WARNING_DAYS "thirty"', 'whole number'],
  },
  {
    name: 'critical above warning',
    args: ['audit'],
    env: { ...ucloud, CERTWATCH_WARNING_DAYS: '7', CERTWATCH_CRITICAL_DAYS: '30' },
    names: ['CERTWATCH_CRITICAL_DAYS (30)', 'smaller number'],
  },
  {
    name: 'a ladder rung that is not a number',
    args: ['audit'],
    env: { ...ucloud, CERTWATCH_THRESHOLDS: '30,fourteen,7' },
    names: ['CERTWATCH_THRESHOLDS', '"fourteen"'],
  },
  {
    name: 'a request timeout beyond any sense',
    args: ['audit'],
    env: { ...ucloud, CERTWATCH_REQUEST_TIMEOUT_MS: '99999999999' },
    names: ['CERTWATCH_REQUEST_TIMEOUT_MS', 'check the units'],
  },
  {
    name: 'SCAN_CDN neither true nor false',
    args: ['audit'],
    env: { ...aliyun, ALIBABA_CLOUD_SCAN_CDN: 'maybe' },
    names: ['ALIBABA_CLOUD_SCAN_CDN', 'true or false'],
  },
  {
    name: 'an endpoint that is not a URL',
    args: ['audit'],
    env: { ...ucloud, UCLOUD_API_URL: 'api.ucloud.cn' },
    names: ['UCLOUD_API_URL', 'http(s) URL'],
  },
  {
    name: 'an SNS topic that is not an ARN',
    args: ['scan'],
    env: { ...ucloud, CERTWATCH_SNS_TOPIC_ARN: 'certwatch-alerts' },
    names: ['CERTWATCH_SNS_TOPIC_ARN', 'arn:aws:sns:REGION:ACCOUNT_ID:TOPIC_NAME'],
  },
  {
    name: 'a DynamoDB table name that cannot be one',
    args: ['audit'],
    env: { ...ucloud, CERTWATCH_STATE_TABLE: 'my table' },
    names: ['CERTWATCH_STATE_TABLE', 'DynamoDB table name'],
  },
  {
    name: 'a metrics namespace AWS keeps for itself',
    args: ['audit'],
    env: { ...ucloud, CERTWATCH_METRICS_NAMESPACE: 'AWS/Certwatch' },
    names: ['CERTWATCH_METRICS_NAMESPACE "AWS/Certwatch"', 'not starting with AWS/'],
  },
  {
    name: 'a malformed project list',
    args: ['audit'],
    env: { ...ucloud, UCLOUD_PROJECT_IDS: 'org a,org-b' },
    names: ['UCLOUD_PROJECT_IDS', '"org a"', 'org-abc123'],
  },
  {
    name: 'SLB regions without Alibaba keys',
    args: ['audit'],
    env: { ...ucloud, ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou' },
    names: ['ALIBABA_CLOUD_SLB_REGIONS is set', 'ALIBABA_CLOUD_ACCESS_KEY_ID'],
  },
  {
    name: 'an unknown key in the rules file',
    args: ['scan'],
    env: { ...aliyun, CERTWATCH_RULES_FILE: 'rules-typo.yaml' },
    names: ['rules-typo.yaml', 'rules[0].match.domian', 'did you mean domain?'],
  },
  {
    name: 'an unknown top-level key in the rules file',
    args: ['scan'],
    env: { ...aliyun, CERTWATCH_RULES_FILE: 'rules-top.json' },
    names: ['rules-top.json', 'rule: unknown key', 'rules'],
  },
  {
    name: 'a YAML alias in the rules file (an unquoted *)',
    args: ['scan'],
    env: { ...aliyun, CERTWATCH_RULES_FILE: 'rules-alias.yaml' },
    names: ['rules-alias.yaml', 'quote a value that starts with *'],
  },
  {
    name: 'a rules file that is not there',
    args: ['scan'],
    env: { ...aliyun, CERTWATCH_RULES_FILE: 'missing-rules.yaml' },
    names: ['CERTWATCH_RULES_FILE missing-rules.yaml', 'ENOENT', 'check the path'],
  },
  {
    name: 'a --config file that is not there',
    args: ['audit', '--config', 'nowhere.json'],
    env: {},
    names: ['--config nowhere.json', 'check the path'],
  },
  {
    name: 'a --config file that is not JSON (it holds a secret: none of it is quoted)',
    args: ['audit', '--config', 'config-broken.json'],
    env: {},
    names: ['config-broken.json', 'not valid JSON', /line 1, column \d+/],
  },
  {
    name: 'an unknown key in the --config file',
    args: ['audit', '--config', 'config-typo.json'],
    env: {},
    names: ['config-typo.json', 'unknown key "UCLOUD_REGION"', 'did you mean UCLOUD_REGIONS?'],
  },
  {
    name: 'a --config file that holds a list, not an object',
    args: ['audit', '--config', 'config-list.json'],
    env: {},
    names: ['config-list.json must hold a JSON object'],
  },
  {
    name: '--now that is not an instant',
    args: ['audit', '--now', 'tomorrow'],
    env: ucloud,
    names: ['--now "tomorrow"', '2026-12-01T00:00:00Z'],
  },
  {
    name: 'upload without Alibaba credentials',
    args: ['upload', '--region', 'cn-hangzhou', '--pfx', 'site.pfx', '--dry-run'],
    env: ucloud,
    names: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
  },
  {
    name: 'an unreadable PFX (no such file)',
    args: ['upload', '--region', 'cn-hangzhou', '--pfx', 'gone.pfx', '--dry-run'],
    env: aliyun,
    names: ['--pfx gone.pfx', 'ENOENT', 'check the path'],
  },
  {
    name: 'a PFX that is not PKCS#12',
    args: ['upload', '--region', 'cn-hangzhou', '--pfx', 'not-a.pfx', '--dry-run'],
    env: aliyun,
    names: ['not-a.pfx is not a PKCS#12'],
  },
  {
    name: 'a PEM given as the PFX',
    args: ['upload', '--region', 'cn-hangzhou', '--pfx', 'cert.pem', '--dry-run'],
    env: aliyun,
    names: ['cert.pem is a PEM file', '--cert'],
  },
  {
    name: 'the wrong PFX passphrase',
    args: [
      'upload',
      '--region',
      'cn-hangzhou',
      '--pfx',
      'site.pfx',
      '--passphrase-env',
      'PFX_PASS',
      '--dry-run',
    ],
    env: { ...aliyun, PFX_PASS: CANARY },
    names: ['wrong passphrase for site.pfx', 'PFX_PASS'],
  },
  {
    name: 'no passphrase for a PFX that has one',
    args: ['upload', '--region', 'cn-hangzhou', '--pfx', 'site.pfx', '--dry-run'],
    env: aliyun,
    names: ['wrong passphrase for site.pfx', '--passphrase-env'],
  },
  {
    name: 'a passphrase variable that is not set',
    args: [
      'upload',
      '--region',
      'cn-hangzhou',
      '--pfx',
      'site.pfx',
      '--passphrase-env',
      'NOT_SET',
      '--dry-run',
    ],
    env: aliyun,
    names: ['--passphrase-env NOT_SET', 'is not set'],
  },
  {
    name: 'a region that is not a region name',
    args: ['upload', '--region', 'cn hangzhou', '--pfx', 'site.pfx'],
    env: aliyun,
    names: ['--region "cn hangzhou"', 'cn-hangzhou'],
  },
];

const STACK_LINE = /^ {4}at /m;

describe('bad configuration and bad input at the built CLI', () => {
  it.each(cases)(
    '$name: exit 2, one message naming it, a stack only with --debug',
    async ({ args, env, names }) => {
      const [plain, debug] = await Promise.all([
        run([cli, ...args], env),
        run([cli, ...args, '--debug'], env),
      ]);
      expect(plain.code, plain.stderr).toBe(2);
      expect(plain.stderr.startsWith('certwatch: '), plain.stderr).toBe(true);
      expect(plain.stderr).not.toContain('unexpected error');
      for (const name of names) {
        if (typeof name === 'string') expect(plain.stderr).toContain(name);
        else expect(plain.stderr).toMatch(name);
      }
      expect(plain.stderr).not.toMatch(STACK_LINE);
      // One message: the error (its problems as a list), and at most the pointer to `certwatch help`.
      expect(plain.stderr.split('\n').filter((line) => line.startsWith('certwatch: '))).toHaveLength(1);

      expect(debug.code, debug.stderr).toBe(2);
      expect(debug.stderr).toMatch(STACK_LINE);
      for (const output of [plain.stdout, plain.stderr, debug.stdout, debug.stderr])
        expect(output).not.toContain(CANARY);
    },
  );
});
