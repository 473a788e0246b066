/**
 * Secret canaries: a run in which every secret is a unique string (UCloud public and private key, Alibaba
 * AccessKey id and secret, a real private key inside UCloud's SSLContent, a PFX passphrase, the SSM values
 * behind the Lambda's parameter names), and in which everything the run writes is kept: stdout, stderr, JSON
 * logs, EMF metrics, SNS messages as a subscriber receives them (moto, through SQS), reports in every format,
 * alert files, the alert state store (file and DynamoDB), errors and stack traces (`--debug`, a wrong signature,
 * an unreachable endpoint, a missing SSM parameter, a wrong passphrase). No canary may show anywhere, nor a PEM
 * private key header.
 *
 * Key ids count as canaries too. An access key id is not a secret (it travels in every signed request), but
 * certwatch has no reason to print one: accounts are numbered in labels (`account 1`), and keeping ids out of
 * reports and alerts means a report can be shared without telling which keys the monitor holds. The serverless
 * template and the function's environment are checked as text: they may name SSM parameters, never hold a key.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { createHandler } from '../../functions/scan';
import { SECRET_SETTINGS } from '../../lib/secrets/ssm';
import { createTableInput, DynamoStateStore } from '../../lib/state/dynamodb';
import { createJsonLogger } from '../../lib/telemetry/log';
import { canary, findLeaks, type Output, privateKeyCanary } from '../helpers/canaries';
import { runCertwatch } from '../helpers/cli';
import { aliyunAuditFleet, allCloudsEnv, NOW } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { makePfx } from '../helpers/pfx';
import { type DingtalkReceiver, startDingtalkReceiver } from '../helpers/receivers/dingtalk';
import { type FeishuReceiver, startFeishuReceiver } from '../helpers/receivers/feishu';
import { type SlackReceiver, startSlackReceiver } from '../helpers/receivers/slack';
import { startWecomReceiver, type WecomReceiver } from '../helpers/receivers/wecom';
import { receive, topicWithQueue } from '../helpers/snsQueue';
import { DEV_PARAMETER_NAMES } from '../helpers/ssmParameters';

const DAY = 86_400_000;
const key = privateKeyCanary();
const CANARIES = {
  'UCloud public key': canary('ucloud-public'),
  'UCloud private key': canary('ucloud-private'),
  'Alibaba AccessKey id': canary('aliyun-akid'),
  'Alibaba AccessKey secret': canary('aliyun-secret'),
  'wrong UCloud private key': canary('ucloud-wrong'),
  'wrong Alibaba AccessKey secret': canary('aliyun-wrong'),
  'PFX passphrase': canary('pfx-pass'),
  'wrong PFX passphrase': canary('pfx-wrong'),
  'private key marker in SSLContent': key.marker,
  'DingTalk webhook token': canary('dingtalk-token'),
  'DingTalk signing secret': canary('dingtalk-secret'),
  'Feishu webhook token': canary('feishu-token'),
  'Feishu signing secret': canary('feishu-secret'),
  'WeCom webhook key': canary('wecom-key'),
  // Slack's webhook path is letters and digits only.
  'Slack webhook token': canary('slack').replaceAll('-', ''),
  'wrong DingTalk signing secret': canary('dingtalk-wrong'),
  'another account AccessKey secret': canary('aliyun-member'),
  'a malformed account key entry': canary('aliyun-entry'),
};
const PARAMETERS = DEV_PARAMETER_NAMES;

const outputs: Output[] = [];
let emulator: RunningEmulator;
let moto: MotoServer;
let workDir: string;
/** The chat platforms, whose webhook URLs and signing secrets are canaries too. */
let dingtalk: DingtalkReceiver;
let feishu: FeishuReceiver;
let wecom: WecomReceiver;
let slack: SlackReceiver;

beforeAll(async () => {
  const { fleet } = aliyunAuditFleet();
  // A certificate uploaded with its private key, as UCloud allows: the key must never leave the scan.
  const withKey = makeTestCertificate({
    keyType: 'ec',
    notAfter: NOW + 5 * DAY,
    dnsNames: ['keyed.example'],
  });
  const ucloud = fleet.ucloud!;
  ucloud.accounts = (ucloud.accounts ?? []).map((account) => ({
    ...account,
    PublicKey: CANARIES['UCloud public key'],
    PrivateKey: CANARIES['UCloud private key'],
  }));
  ucloud.certificates.push({
    ...ucloud.certificates[0]!,
    SSLId: 'ssl-keyed',
    SSLName: 'keyed',
    SSLContent: `${withKey.pem}\n${key.pem}`,
  });
  fleet.aliyun!.accounts = [
    { AccessKeyId: CANARIES['Alibaba AccessKey id'], AccessKeySecret: CANARIES['Alibaba AccessKey secret'] },
  ];
  emulator = await startEmulator({ fleet });
  moto = await startMoto();
  workDir = await mkdtemp(join(tmpdir(), 'certwatch-canaries-'));
  [dingtalk, feishu, wecom, slack] = await Promise.all([
    startDingtalkReceiver({
      token: CANARIES['DingTalk webhook token'],
      secret: CANARIES['DingTalk signing secret'],
    }),
    startFeishuReceiver({
      token: CANARIES['Feishu webhook token'],
      secret: CANARIES['Feishu signing secret'],
    }),
    startWecomReceiver({ key: CANARIES['WeCom webhook key'] }),
    startSlackReceiver({ path: `/services/T0CANARY/B0CANARY/${CANARIES['Slack webhook token']}` }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([dingtalk?.close(), feishu?.close(), wecom?.close(), slack?.close()]);
  await emulator?.close();
  await moto?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...allCloudsEnv(emulator),
    UCLOUD_PUBLIC_KEY: CANARIES['UCloud public key'],
    UCLOUD_PRIVATE_KEY: CANARIES['UCloud private key'],
    ALIBABA_CLOUD_ACCESS_KEY_ID: CANARIES['Alibaba AccessKey id'],
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: CANARIES['Alibaba AccessKey secret'],
    UCLOUD_PROJECT_IDS: 'org-a,org-b',
    ...channelSecrets(),
    ...extra,
  };
}

/** The chat channels' settings: every one a secret. */
function channelSecrets(): Record<string, string> {
  return {
    CERTWATCH_DINGTALK_URL: dingtalk.url,
    CERTWATCH_DINGTALK_SECRET: CANARIES['DingTalk signing secret'],
    CERTWATCH_FEISHU_URL: feishu.url,
    CERTWATCH_FEISHU_SECRET: CANARIES['Feishu signing secret'],
    CERTWATCH_WECOM_URL: wecom.url,
    CERTWATCH_SLACK_URL: slack.url,
  };
}

/** What the platforms were sent: bodies only (a webhook's token is in its URL, where it belongs). */
function keepWebhookBodies(label: string): void {
  for (const [platform, requests] of Object.entries({
    dingtalk: dingtalk.requests,
    feishu: feishu.requests,
    wecom: wecom.requests,
    slack: slack.requests,
  })) {
    outputs.push({
      where: `${label}: ${platform} request bodies`,
      text: requests.map((r) => r.body).join('\n'),
    });
  }
}

async function cli(label: string, argv: string[], env: Record<string, string>, files = {}) {
  const run = await runCertwatch(argv, env, files);
  outputs.push(
    { where: `${label}: stdout`, text: run.stdout },
    { where: `${label}: stderr`, text: run.stderr },
  );
  return run;
}

async function keepFile(label: string, path: string): Promise<string> {
  const text = await readFile(path, 'utf8');
  outputs.push({ where: label, text });
  return text;
}

it('the CLI audit, in every report format, with and without --debug', async () => {
  const at = ['--now', new Date(NOW).toISOString()];
  const json = await cli('audit --format json', ['audit', '--format', 'json', ...at], cliEnv());
  expect(json.code).toBe(0);
  const report = JSON.parse(json.stdout) as { certificates: { id: string; notes: string[] }[] };
  // The keyed certificate was read, so its SSLContent (and the key in it) went through the scan.
  expect(report.certificates.some((c) => c.id === 'ssl-keyed')).toBe(true);
  const table = await cli('audit --format table --debug', ['audit', '--debug', ...at], cliEnv());
  expect(table.code).toBe(0);
  expect(table.stdout).toContain('ssl-keyed');
});

it('the CLI scan: console, --out file, --dry-run and the state file', async () => {
  const at = ['--now', new Date(NOW).toISOString()];
  const stateFile = join(workDir, 'state.json');
  const outFile = join(workDir, 'alerts.txt');
  const env = cliEnv({ CERTWATCH_STATE_FILE: stateFile });
  expect((await cli('scan --dry-run', ['scan', '--dry-run', ...at], env)).code).toBe(0);
  expect((await cli('scan --out', ['scan', '--out', outFile, ...at], env)).code).toBe(0);
  expect(await keepFile('scan --out file', outFile)).toContain('keyed.example');
  await keepFile('alert state file', stateFile);
  const console = await cli(
    'scan to the console',
    ['scan', '--channel', 'console', ...at],
    cliEnv({ CERTWATCH_STATE_FILE: join(workDir, 'state-2.json') }),
  );
  expect(console.code).toBe(0);
  expect(console.stdout).toContain('certwatch.alert/1');
});

it('errors and stack traces: wrong signatures and an unreachable endpoint, with --debug', async () => {
  const at = ['--now', new Date(NOW).toISOString()];
  const wrong = cliEnv({
    UCLOUD_PRIVATE_KEY: CANARIES['wrong UCloud private key'],
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: CANARIES['wrong Alibaba AccessKey secret'],
  });
  const signature = await cli(
    'audit with wrong keys --debug',
    ['audit', '--debug', '--format', 'json', ...at],
    wrong,
  );
  expect(signature.code).toBe(3);
  expect(signature.stdout).toMatch(/[Ss]ignature/);
  const scan = await cli('scan with wrong keys --debug', ['scan', '--debug', ...at], {
    ...wrong,
    CERTWATCH_STATE_FILE: join(workDir, 'state-wrong.json'),
  });
  expect(scan.code).toBe(3);
  // A webhook that refuses the signature: the error names the platform and its code, never the URL or secret.
  const refused = await cli(
    'scan to a DingTalk robot that refuses the signature --debug',
    ['scan', '--channel', 'dingtalk', '--debug', ...at],
    cliEnv({
      CERTWATCH_DINGTALK_SECRET: CANARIES['wrong DingTalk signing secret'],
      CERTWATCH_STATE_FILE: join(workDir, 'state-dingtalk.json'),
    }),
  );
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/DingTalk webhook \(127\.0\.0\.1:\d+\) did not take .*310000/);

  const closed = 'http://127.0.0.1:9';
  const unreachable = cliEnv({
    UCLOUD_API_URL: closed,
    ALIBABA_CLOUD_CDN_ENDPOINT: closed,
    ALIBABA_CLOUD_SLB_ENDPOINT: closed,
  });
  const down = await cli('audit against a closed port --debug', ['audit', '--debug', ...at], unreachable);
  expect(down.code).toBe(3);
  // A configuration error, stack trace and all.
  const bad = await cli(
    'audit with a bad threshold --debug',
    ['audit', '--debug'],
    cliEnv({ CERTWATCH_WARNING_DAYS: 'x' }),
  );
  expect(bad.code).toBe(2);
  // Another account's key pair, which Alibaba does not know, and an entry without its account: the failure and
  // the configuration error name the account or the entry's place, never the key.
  const member = await cli(
    'audit with another account whose key pair is refused --debug',
    ['audit', '--debug', '--format', 'json', ...at],
    cliEnv({
      ALIBABA_CLOUD_ACCOUNT_KEYS: `shop=1000000000000002:LTAI5tCanaryMember:${CANARIES['another account AccessKey secret']}`,
    }),
  );
  expect(member.code).toBe(3);
  expect(member.stdout).toMatch(/check shop's AccessKey id in ALIBABA_CLOUD_ACCOUNT_KEYS/);
  const malformed = await cli(
    'audit with a malformed account key entry --debug',
    ['audit', '--debug'],
    cliEnv({ ALIBABA_CLOUD_ACCOUNT_KEYS: `LTAI5tNoAccount:${CANARIES['a malformed account key entry']}` }),
  );
  expect(malformed.code).toBe(2);
  expect(malformed.stderr).toMatch(/ALIBABA_CLOUD_ACCOUNT_KEYS entry 1 is malformed/);
  // A --config file that is broken right after a key, and one with a misspelt secret setting: the errors name
  // the place and the key, never the value.
  const secret = CANARIES['UCloud private key'];
  const files = {
    'broken.json': `{"UCLOUD_PRIVATE_KEY": "${secret}" "UCLOUD_REGIONS": "cn-bj2"}`,
    'typo.json': JSON.stringify({ UCLOUD_PRIVATE_KY: secret, UCLOUD_REGIONS: ['cn-bj2', secret] }),
  };
  for (const file of Object.keys(files)) {
    const run = await cli(
      `audit --config ${file} --debug`,
      ['audit', '--debug', '--config', file],
      {},
      files,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
  }
  const doctor = await cli('doctor', ['doctor'], cliEnv());
  expect([0, 3]).toContain(doctor.code);
});

it('certwatch upload with a PFX: the passphrase, right and wrong, never shows', async () => {
  const renewed = makeTestCertificate({
    keyType: 'rsa',
    notAfter: NOW + 400 * DAY,
    notBefore: NOW - DAY,
    dnsNames: ['upload.example'],
    includeRoot: true,
  });
  const certificatePems = renewed.pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
  const pfx = makePfx({
    certificatePems,
    keyPem: renewed.leafPrivateKeyPem,
    passphrase: CANARIES['PFX passphrase'],
  });
  const files = { 'renewed.pfx': pfx };
  const args = ['upload', '--region', 'cn-hangzhou', '--pfx', 'renewed.pfx'];
  const env = cliEnv({ CERTWATCH_PFX_PASSPHRASE: CANARIES['PFX passphrase'] });
  const dry = await cli(
    'upload --dry-run',
    [...args, '--passphrase-env', 'CERTWATCH_PFX_PASSPHRASE', '--dry-run', '--debug'],
    env,
    files,
  );
  expect(dry.code).toBe(0);
  const real = await cli(
    'upload',
    [...args, '--passphrase-env', 'CERTWATCH_PFX_PASSPHRASE', '--debug'],
    env,
    files,
  );
  expect(real.code).toBe(0);
  const wrong = await cli(
    'upload with a wrong passphrase --debug',
    [...args, '--passphrase-env', 'WRONG', '--debug'],
    cliEnv({ WRONG: CANARIES['wrong PFX passphrase'] }),
    files,
  );
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/passphrase/i);
});

it('the Lambda handler with keys from SSM: logs, metrics, SNS messages, DynamoDB, errors', async () => {
  const aws = motoClientConfig(moto.endpoint);
  const ssm = new SSMClient(aws);
  const sns = new SNSClient(aws);
  const sqs = new SQSClient(aws);
  const dynamo = new DynamoDBClient(aws);
  try {
    const values: Partial<Record<(typeof SECRET_SETTINGS)[number], string>> = {
      UCLOUD_PUBLIC_KEY: CANARIES['UCloud public key'],
      UCLOUD_PRIVATE_KEY: CANARIES['UCloud private key'],
      ALIBABA_CLOUD_ACCESS_KEY_ID: CANARIES['Alibaba AccessKey id'],
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: CANARIES['Alibaba AccessKey secret'],
      ...channelSecrets(),
    };
    const given = SECRET_SETTINGS.filter((setting) => values[setting] !== undefined);
    for (const setting of given) {
      await ssm.send(
        new PutParameterCommand({ Name: PARAMETERS[setting], Value: values[setting], Type: 'SecureString' }),
      );
    }
    await ssm.send(
      new PutParameterCommand({
        Name: '/certwatch/wrong/private-key',
        Value: CANARIES['wrong UCloud private key'],
        Type: 'SecureString',
      }),
    );
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'canaries');
    await dynamo.send(new CreateTableCommand(createTableInput('canaries')));
    const store = new DynamoStateStore({ client: dynamo, tableName: 'canaries' });

    // As deployed: the environment holds parameter names, never a key.
    const env: Record<string, string> = {
      ...cliEnv(),
      CERTWATCH_SNS_TOPIC_ARN: topicArn,
    };
    for (const setting of given) {
      delete env[setting];
      env[`${setting}_PARAMETER`] = PARAMETERS[setting]!;
    }
    outputs.push({ where: 'the function environment', text: JSON.stringify(env) });

    let sent = 0;
    const run = async (label: string, runEnv: Record<string, string>, event: unknown, now: number) => {
      const lines: string[] = [];
      const handler = createHandler(runEnv, {
        ssm,
        store,
        // Every channel as configured: SNS on moto, the four webhooks on their receivers (pacing not waited).
        awsClientConfig: aws,
        webhookOptions: { sleep: async () => {} },
        clock: () => now,
        log: createJsonLogger({ write: (line) => lines.push(line), fields: { service: 'certwatch' } }),
        emitMetric: (document) => lines.push(JSON.stringify(document)),
      });
      try {
        const result = await handler(event, { getRemainingTimeInMillis: () => 600_000, awsRequestId: label });
        outputs.push({ where: `${label}: result`, text: JSON.stringify(result) });
        if (result && typeof result === 'object' && 'alertsSent' in result) sent += result.alertsSent + 1;
        return result;
      } catch (error) {
        const text =
          error instanceof Error ? `${error.message}\n${error.stack}\n${String(error.cause)}` : String(error);
        outputs.push({ where: `${label}: thrown`, text });
        return error;
      } finally {
        outputs.push({ where: `${label}: logs and metrics`, text: lines.join('') });
      }
    };

    const audit = await run('handler audit', env, { mode: 'audit' }, NOW);
    expect(JSON.stringify(audit)).toContain('ssl-keyed');
    await run('handler scheduled run', env, {}, NOW);
    // A wrong key behind the parameter: signature errors, named in the report, the alert and the logs.
    await run(
      'handler with a wrong key',
      { ...env, UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/wrong/private-key' },
      {},
      NOW + DAY,
    );
    // A parameter that does not exist: the run fails before scanning.
    const missing = await run(
      'handler with a missing parameter',
      { ...env, UCLOUD_PUBLIC_KEY_PARAMETER: '/certwatch/nope' },
      {},
      NOW,
    );
    expect(missing).toBeInstanceOf(Error);

    const received = await receive(sqs, queueUrl, sent, 15_000);
    expect(received.length).toBeGreaterThan(2);
    for (const [index, notification] of received.entries()) {
      outputs.push({
        where: `SNS message ${index} (${notification.Subject ?? 'structured'})`,
        text: JSON.stringify(notification),
      });
    }
    expect(slack.accepted.length).toBeGreaterThan(0);
    expect(dingtalk.delivered.length).toBeGreaterThan(0);
    keepWebhookBodies('chat platforms');
    const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: 'canaries' }));
    expect(Items.length).toBeGreaterThan(0);
    outputs.push({ where: 'DynamoDB alert state', text: JSON.stringify(Items) });
  } finally {
    for (const client of [ssm, sns, sqs, dynamo]) client.destroy();
  }
}, 90_000);

it('serverless.yml and the packaged template hold parameter names, never keys', async () => {
  const root = join(import.meta.dirname, '..', '..');
  const template = await readFile(join(root, 'serverless.yml'), 'utf8');
  const secretNames = [...SECRET_SETTINGS, 'ALIBABA_CLOUD_SECURITY_TOKEN'];
  for (const name of secretNames) {
    // `${env:UCLOUD_PRIVATE_KEY}` or `UCLOUD_PRIVATE_KEY: ...` would put the key in the template; the
    // `_PARAMETER` names are what belongs there.
    expect(template).not.toMatch(new RegExp(`\\b${name}\\b(?!_PARAMETER)\\s*:`));
    expect(template).not.toMatch(new RegExp(`env:${name}\\b(?!_PARAMETER)`));
  }
  outputs.push({ where: 'serverless.yml', text: template });

  // Packaged by a deployer whose shell holds the keys: neither the template nor the bundle may pick them up.
  // A copy of the service in a temporary folder, so its .esbuild folder is not the template test's.
  const service = join(workDir, 'service');
  await mkdir(service);
  for (const file of ['serverless.yml', 'package.json', 'tsconfig.json']) {
    await cp(join(root, file), join(service, file));
  }
  for (const folder of ['deploy', 'functions', 'lib', 'scripts']) {
    await cp(join(root, folder), join(service, folder), { recursive: true });
  }
  await symlink(join(root, 'node_modules'), join(service, 'node_modules'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    UCLOUD_PUBLIC_KEY: CANARIES['UCloud public key'],
    UCLOUD_PRIVATE_KEY: CANARIES['UCloud private key'],
    ALIBABA_CLOUD_ACCESS_KEY_ID: CANARIES['Alibaba AccessKey id'],
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: CANARIES['Alibaba AccessKey secret'],
    CERTWATCH_PFX_PASSPHRASE: CANARIES['PFX passphrase'],
  };
  for (const setting of SECRET_SETTINGS) env[`${setting}_PARAMETER`] = PARAMETERS[setting];
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    delete env[name];
  }
  const out = join(service, 'packaged');
  await promisify(execFile)('npx', ['osls', 'package', '--package', out], {
    cwd: service,
    env,
    timeout: 120_000,
  });
  const packaged = (await readdir(out)).filter((file) => file.endsWith('.json'));
  expect(packaged).toContain('cloudformation-template-update-stack.json');
  for (const name of packaged) {
    const text = await readFile(join(out, name), 'utf8');
    for (const setting of secretNames) expect(text).not.toMatch(new RegExp(`"${setting}"\\s*:`));
    outputs.push({ where: `packaged ${name}`, text });
  }
  // The parameter names did reach the function's environment: every secret's, as `<KEY>_PARAMETER` (which
  // serverless.yml no longer lists: deploy/secretParameters.cjs reads one per secret setting of the registries).
  const stack = await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
  expect(stack).toContain(PARAMETERS.UCLOUD_PRIVATE_KEY);
  for (const setting of SECRET_SETTINGS) {
    expect(stack).toContain(`"${setting}_PARAMETER": ${JSON.stringify(PARAMETERS[setting])}`);
  }
  const zips = (await readdir(out)).filter((file) => file.endsWith('.zip'));
  expect(zips.length).toBeGreaterThan(0);
  for (const zip of zips) {
    for (const [name, content] of zipEntries(await readFile(join(out, zip)))) {
      outputs.push({ where: `packaged ${zip}: ${name}`, text: content.toString('utf8') });
    }
  }
}, 180_000);

/** The files of a zip archive (stored or deflated), read from its central directory. */
function zipEntries(zip: Buffer): [string, Buffer][] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip archive');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: [string, Buffer][] = [];
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + size);
    entries.push([name, method === 8 ? inflateRawSync(data) : Buffer.from(data)]);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

it('no canary in anything captured', () => {
  expect(outputs.length).toBeGreaterThan(50);
  // The search itself finds what it looks for.
  expect(findLeaks([{ where: 'probe', text: key.pem.replace(/\n/g, '\\n') }], CANARIES)).toEqual([
    { where: 'probe', canary: 'private key marker in SSLContent' },
    { where: 'probe', canary: 'a PEM private key header' },
  ]);
  expect(findLeaks(outputs, CANARIES)).toEqual([]);
});
