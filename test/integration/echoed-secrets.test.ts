/**
 * Secrets a far end echoes back (issue 16): a Slack or Feishu answer quoting the webhook path and its token, an
 * Alibaba error message quoting the STS SecurityToken or the AccessKeyId, and an alert state file that is not JSON
 * around text someone pasted into it. Each is a canary (test/helpers/canaries.ts); the CLI and the Lambda handler
 * run against the emulator and local webhook receivers that echo them, and nothing either writes may show one:
 * stdout (the digest on the console), stderr with --debug, the function's JSON log, what it throws.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler } from '../../functions/scan';
import { MemoryStateStore } from '../../lib/state/memory';
import { createJsonLogger } from '../../lib/telemetry/log';
import { canary, findLeaks, type Output } from '../helpers/canaries';
import { runCertwatch } from '../helpers/cli';
import { ALIYUN_ACCOUNT, aliyunAuditFleet, allCloudsEnv, NOW } from '../helpers/fleet';
import { type FeishuReceiver, startFeishuReceiver } from '../helpers/receivers/feishu';
import { type SlackReceiver, startSlackReceiver } from '../helpers/receivers/slack';

const CANARIES = {
  // Slack's webhook path is letters and digits only.
  'Slack webhook token': canary('slack').replaceAll('-', ''),
  'Feishu webhook token': canary('feishu-token'),
  'Alibaba STS SecurityToken': canary('sts-token'),
  // Not a secret, but never printed (secret-canaries.test.ts says why).
  'Alibaba AccessKey id': ALIYUN_ACCOUNT.AccessKeyId,
  'text in the alert state file': canary('state-text'),
};
const AT = ['--now', new Date(NOW).toISOString()];

const outputs: Output[] = [];
let emulator: RunningEmulator;
let slack: SlackReceiver;
let feishu: FeishuReceiver;
let workDir: string;

beforeAll(async () => {
  const { fleet } = aliyunAuditFleet();
  emulator = await startEmulator({
    fleet,
    aliyun: {
      failures: [
        {
          service: 'cdn',
          action: 'DescribeCdnSSLCertificateList',
          code: 'InvalidSecurityToken.Expired',
          message: `Specified SecurityToken ${CANARIES['Alibaba STS SecurityToken']} is expired.`,
        },
        {
          service: 'slb',
          region: 'cn-hangzhou',
          code: 'InvalidAccessKeyId.Inactive',
          message: `The AccessKeyId ${ALIYUN_ACCOUNT.AccessKeyId} is disabled.`,
        },
      ],
    },
  });
  slack = await startSlackReceiver({ path: `/services/T0ECHO/B0ECHO/${CANARIES['Slack webhook token']}` });
  feishu = await startFeishuReceiver({ token: CANARIES['Feishu webhook token'] });
  workDir = await mkdtemp(join(tmpdir(), 'certwatch-echoed-'));
}, 60_000);

afterAll(async () => {
  await Promise.all([slack?.close(), feishu?.close(), emulator?.close()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...allCloudsEnv(emulator),
    ALIBABA_CLOUD_SECURITY_TOKEN: CANARIES['Alibaba STS SecurityToken'],
    CERTWATCH_SLACK_URL: slack.url,
    CERTWATCH_FEISHU_URL: feishu.url,
    ...extra,
  };
}

async function cli(label: string, argv: string[], runEnv: Record<string, string>) {
  const run = await runCertwatch(argv, runEnv);
  outputs.push(
    { where: `${label}: stdout`, text: run.stdout },
    { where: `${label}: stderr`, text: run.stderr },
  );
  return run;
}

it('an Alibaba error quoting the SecurityToken or the AccessKeyId: the audit reports the failures without either', async () => {
  const run = await cli(
    'audit --format json --debug',
    ['audit', '--format', 'json', '--debug', ...AT],
    env(),
  );
  expect(run.code).toBe(3);
  const report = JSON.parse(run.stdout) as { failures: { message: string }[] };
  const messages = report.failures.map((failure) => failure.message).join('\n');
  expect(messages).toContain('InvalidSecurityToken.Expired "(message withheld: it quoted the request');
  expect(messages).toContain('InvalidAccessKeyId.Inactive "The AccessKeyId <AccessKeyId> is disabled."');
});

it('Slack and Feishu answers that echo the webhook path: the run fails naming both, never the tokens', async () => {
  slack.script({ kind: 'echoes-path' });
  feishu.script('echoes-path');
  const run = await cli(
    'scan --channel slack --channel feishu --debug',
    ['scan', '--channel', 'slack', '--channel', 'feishu', '--debug', ...AT],
    env({ CERTWATCH_STATE_FILE: join(workDir, 'state-webhooks.json') }),
  );
  expect(run.code).toBe(1);
  expect(slack.requests).toHaveLength(1);
  expect(feishu.requests).toHaveLength(1);
  // The answers did quote the paths: what shows of them is withheld.
  expect(run.stderr).toMatch(
    /Slack webhook \(127\.0\.0\.1:\d+\) did not take .*Cannot POST \/services\/<secret>/,
  );
  expect(run.stderr).toMatch(/Feishu\/Lark webhook \(127\.0\.0\.1:\d+\) did not take .*hook\/<secret>/);
});

it('an alert state file that is not JSON: the digest says so by place, never quoting it', async () => {
  const stateFile = join(workDir, 'state-broken.json');
  await writeFile(stateFile, `{"version":1, "certificates": ${CANARIES['text in the alert state file']} ...`);
  const run = await cli(
    'scan to the console with a broken state file',
    ['scan', '--channel', 'console', ...AT],
    env({
      CERTWATCH_STATE_FILE: stateFile,
    }),
  );
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    `NOTE: the alert history could not be used (The alert state file ${stateFile} is corrupt: it is not JSON (`,
  );
});

it('the Lambda handler with the same echoes: its log and what it throws', async () => {
  slack.script({ kind: 'echoes-path' });
  feishu.script('echoes-path');
  const lines: string[] = [];
  const handler = createHandler(env(), {
    store: new MemoryStateStore(),
    webhookOptions: { sleep: async () => {} },
    clock: () => NOW,
    log: createJsonLogger({ write: (line) => lines.push(line), fields: { service: 'certwatch' } }),
    emitMetric: () => {},
  });
  const thrown = await handler({}, { getRemainingTimeInMillis: () => 600_000, awsRequestId: 'echo' }).catch(
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(Error);
  const error = thrown as Error;
  outputs.push(
    { where: 'handler: log', text: lines.join('') },
    { where: 'handler: thrown', text: `${error.message}\n${error.stack}\n${String(error.cause)}` },
  );
  expect(slack.requests).toHaveLength(2);
  expect(feishu.requests).toHaveLength(2);
  expect(lines.join('')).toContain('<secret>');
});

it('no canary in anything captured', () => {
  expect(outputs.length).toBeGreaterThanOrEqual(8);
  expect(findLeaks(outputs, CANARIES)).toEqual([]);
});
