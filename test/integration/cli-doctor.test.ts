/**
 * `certwatch doctor` over real sockets: the cloud emulator (signature checks included) for the providers, and
 * moto_server for SSM, SNS and DynamoDB. The UCloud keys live in SSM SecureStrings, as on Lambda.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { type CliRun, runCertwatch } from '../helpers/cli';
import { ACCOUNT, ALIYUN_ACCOUNT, aliyunAuditFleet, allCloudsEnv } from '../helpers/fleet';
import { MOTO_ACCOUNT_ID, type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { topicWithQueue } from '../helpers/snsQueue';

const { fleet } = aliyunAuditFleet(0);
const TABLE = 'certwatch-doctor-state';
const PARAMETERS = {
  UCLOUD_PUBLIC_KEY_PARAMETER: '/certwatch/ucloud/public-key',
  UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/ucloud/private-key',
};
/** Every secret value a run may hold: none may ever be printed. */
const WRONG_UCLOUD_KEY = 'canary-wrong-ucloud-key-3d81';
const SECURITY_TOKEN = 'canary-sts-token-a41f';
const CANARIES = [
  ACCOUNT.PublicKey,
  ACCOUNT.PrivateKey,
  ALIYUN_ACCOUNT.AccessKeyId,
  ALIYUN_ACCOUNT.AccessKeySecret,
  WRONG_UCLOUD_KEY,
  SECURITY_TOKEN,
];

let moto: MotoServer;
let emulator: RunningEmulator;
let topicArn: string;
let lonelyTopicArn: string;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'certwatch-doctor-'));
  [moto, emulator] = await Promise.all([startMoto(), startEmulator({ fleet })]);
  const aws = motoClientConfig(moto.endpoint);
  const [sns, sqs, ssm, dynamodb] = [
    new SNSClient(aws),
    new SQSClient(aws),
    new SSMClient(aws),
    new DynamoDBClient(aws),
  ];
  try {
    ({ topicArn } = await topicWithQueue(sns, sqs, 'certwatch-doctor'));
    lonelyTopicArn = (await sns.send(new CreateTopicCommand({ Name: 'certwatch-doctor-lonely' }))).TopicArn!;
    for (const [Name, Value] of [
      [PARAMETERS.UCLOUD_PUBLIC_KEY_PARAMETER, ACCOUNT.PublicKey],
      [PARAMETERS.UCLOUD_PRIVATE_KEY_PARAMETER, ACCOUNT.PrivateKey],
    ] as const) {
      await ssm.send(new PutParameterCommand({ Name, Value, Type: 'SecureString' }));
    }
    await dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } finally {
    for (const client of [sns, sqs, ssm, dynamodb]) client.destroy();
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([moto?.stop(), emulator?.close()]);
});

/**
 * The environment of a deployed setup run locally: UCloud keys as SSM parameter names, Alibaba keys directly,
 * AWS pointed at moto. `extra` values of undefined remove a variable.
 */
function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const { UCLOUD_PUBLIC_KEY: _public, UCLOUD_PRIVATE_KEY: _private, ...clouds } = allCloudsEnv(emulator);
  return {
    ...clouds,
    ...PARAMETERS,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    CERTWATCH_SNS_TOPIC_ARN: topicArn,
    CERTWATCH_STATE_TABLE: TABLE,
    CERTWATCH_STATE_FILE: join(stateDir, 'alert-state.json'),
    ...extra,
  };
}

/** Runs doctor and checks, for every run, that no secret reached either stream. */
async function doctor(environment: Record<string, string | undefined>): Promise<CliRun> {
  const run = await runCertwatch(['doctor'], environment);
  for (const canary of CANARIES) {
    expect(run.stdout).not.toContain(canary);
    expect(run.stderr).not.toContain(canary);
  }
  return run;
}

const lines = (run: CliRun) => run.stdout.trimEnd().split('\n');
const ucloudTargets = ['cn-bj2', 'cn-sh2', 'hk'].flatMap((region) =>
  ['org-a', 'org-b'].map((project) => `UCloud DescribeSSLV2 in ${region} (project ${project})`),
);

describe('certwatch doctor', () => {
  it('says OK for every endpoint, parameter, topic and store, with what it saw, and exits 0', async () => {
    const before = emulator.stats.ucloud.requests;
    const run = await doctor(env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const host = new URL(emulator.url).host;
    expect(lines(run)).toEqual([
      'OK    configuration from the environment: scans UCloud ULB in 3 regions × 2 projects, Alibaba CDN, ' +
        'Alibaba CDN HTTPS domains, Alibaba SLB in 2 regions',
      'OK    SSM parameter /certwatch/ucloud/public-key (UCLOUD_PUBLIC_KEY_PARAMETER): read and decrypted',
      'OK    SSM parameter /certwatch/ucloud/private-key (UCLOUD_PRIVATE_KEY_PARAMETER): read and decrypted',
      ...ucloudTargets.map((target) => `OK    ${target}: ${host} answered; 1 certificate (TotalCount)`),
      `OK    Alibaba CDN DescribeCdnSSLCertificateList: ${host} answered; 7 certificates (Count)`,
      `OK    Alibaba CDN DescribeCdnHttpsDomainList: ${host} answered; 0 HTTPS domains (TotalCount)`,
      `OK    Alibaba SLB DescribeServerCertificates in cn-hangzhou: ${host} answered; 2 server certificates`,
      `OK    Alibaba SLB DescribeServerCertificates in cn-shanghai: ${host} answered; 2 server certificates`,
      `OK    SNS topic ${topicArn}: 1 confirmed subscription (sqs), 0 pending`,
      `OK    state table ${TABLE} (DynamoDB): ACTIVE, partition key pk (S)`,
      `OK    state file ${join(stateDir, 'alert-state.json')} (CERTWATCH_STATE_FILE): ${stateDir} is writable; ` +
        'no history yet (the file is written on the first alert)',
      '',
      '16 checks: 16 OK, 0 warnings, 0 failed; everything answered.',
    ]);
    // One cheap call per region × project, not a listing.
    expect(emulator.stats.ucloud.requests - before).toBe(6);
  });

  it('fails each UCloud line on a wrong private key, naming the key to check; the rest stay OK; exit 3', async () => {
    const run = await doctor(
      env({ UCLOUD_PRIVATE_KEY_PARAMETER: undefined, UCLOUD_PRIVATE_KEY: WRONG_UCLOUD_KEY }),
    );
    expect(run.code).toBe(3);
    const output = lines(run);
    for (const target of ucloudTargets) {
      expect(output).toContain(
        `FAIL  ${target}: RetCode 171 "Signature VerifyAC Error" — check UCLOUD_PRIVATE_KEY (it must be the ` +
          'private key of UCLOUD_PUBLIC_KEY)',
      );
    }
    expect(output.filter((line) => line.startsWith('FAIL'))).toHaveLength(6);
    expect(output.filter((line) => line.startsWith('OK'))).toHaveLength(9);
    expect(output).toContain(
      'OK    SSM parameter /certwatch/ucloud/public-key (UCLOUD_PUBLIC_KEY_PARAMETER): read and decrypted',
    );
    expect(output.at(-1)).toBe(
      '15 checks: 9 OK, 0 warnings, 6 failed; fix the FAIL lines: until then a scan would not see everything, or ' +
        'its alerts would not arrive.',
    );
  });

  it('fails the SNS line when the topic does not exist; exit 3', async () => {
    const missing = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT_ID}:no-such-topic`;
    const run = await doctor(env({ CERTWATCH_SNS_TOPIC_ARN: missing }));
    expect(run.code).toBe(3);
    const failed = lines(run).filter((line) => line.startsWith('FAIL'));
    expect(failed).toEqual([
      `FAIL  SNS topic ${missing}: does not exist (NotFoundException): check CERTWATCH_SNS_TOPIC_ARN (a deployed ` +
        'stack names its topic in the output AlertTopicArn)',
    ]);
  });

  it('names a region mismatch when the topic is in another region', async () => {
    const elsewhere = topicArn.replace(':us-east-1:', ':eu-west-1:');
    const run = await doctor(env({ CERTWATCH_SNS_TOPIC_ARN: elsewhere }));
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      `FAIL  SNS topic ${elsewhere}: does not exist (NotFoundException); the SNS client uses us-east-1 but the ` +
        'topic ARN is in eu-west-1: set AWS_REGION=eu-west-1, or fix CERTWATCH_SNS_TOPIC_ARN',
    );
  });

  it('warns, and still exits 0, when nobody is subscribed to the topic', async () => {
    const run = await doctor(env({ CERTWATCH_SNS_TOPIC_ARN: lonelyTopicArn }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `WARN  SNS topic ${lonelyTopicArn}: exists, but has no confirmed subscription (0 pending): nobody would ` +
        'receive the alerts; subscribe an address to it and confirm the link AWS mails',
    );
    expect(lines(run).at(-1)).toBe(
      '16 checks: 15 OK, 1 warning, 0 failed; everything answered; read the WARN lines.',
    );
  });

  it('fails a missing SSM parameter by name and does not call UCloud without its key; exit 3', async () => {
    const before = emulator.stats.ucloud.requests;
    const run = await doctor(env({ UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/ucloud/nope' }));
    expect(run.code).toBe(3);
    const output = lines(run);
    expect(output.slice(1, 4)).toEqual([
      'OK    SSM parameter /certwatch/ucloud/public-key (UCLOUD_PUBLIC_KEY_PARAMETER): read and decrypted',
      'FAIL  SSM parameter /certwatch/ucloud/nope (UCLOUD_PRIVATE_KEY_PARAMETER): does not exist in us-east-1: ' +
        'create it (SecureString), or fix the name',
      'SKIP  UCloud: not called, because UCLOUD_PRIVATE_KEY could not be read from SSM (above)',
    ]);
    expect(output.filter((line) => line.startsWith('OK    Alibaba'))).toHaveLength(4);
    expect(emulator.stats.ucloud.requests).toBe(before);
  });

  it('fails the state table line for a table that does not exist', async () => {
    const run = await doctor(env({ CERTWATCH_STATE_TABLE: 'no-such-table' }));
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      'FAIL  state table no-such-table (DynamoDB): does not exist (ResourceNotFoundException) in this region: ' +
        'check CERTWATCH_STATE_TABLE and AWS_REGION (the deployed stack creates it)',
    );
  });

  it('says alerts would go to the console without a topic', async () => {
    const run = await doctor(env({ CERTWATCH_SNS_TOPIC_ARN: undefined }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'INFO  alerts: CERTWATCH_SNS_TOPIC_ARN is not set, so alerts would be printed to the console',
    );
  });

  it('prints every configuration problem, naming its key, calls nothing, and exits 2', async () => {
    const before = emulator.stats.ucloud.requests + emulator.stats.aliyun.cdn.requests;
    const run = await doctor(env({ UCLOUD_REGIONS: 'cn bj2', CERTWATCH_REQUEST_TIMEOUT_MS: 'soon' }));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('certwatch: Configuration errors:');
    expect(run.stderr).toContain('  - UCLOUD_REGIONS has malformed entries "cn bj2"');
    expect(run.stderr).toContain(
      '  - CERTWATCH_REQUEST_TIMEOUT_MS "soon" must be a whole number of at least 1',
    );
    expect(emulator.stats.ucloud.requests + emulator.stats.aliyun.cdn.requests).toBe(before);
  });

  it('never prints a provider key, an SSM value or a token, whatever fails', async () => {
    const runs = await Promise.all([
      doctor(env({ UCLOUD_PUBLIC_KEY_PARAMETER: undefined, UCLOUD_PUBLIC_KEY: ACCOUNT.PublicKey })),
      doctor(env({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: `${ALIYUN_ACCOUNT.AccessKeySecret}-wrong` })),
      doctor(env({ ALIBABA_CLOUD_SECURITY_TOKEN: SECURITY_TOKEN })),
      doctor(env({ UCLOUD_PRIVATE_KEY: WRONG_UCLOUD_KEY })),
    ]);
    // The wrong Alibaba secret fails CDN's two lists and both SLB regions with the signature advice.
    const wrongSecret = lines(runs[1]!).filter((line) => line.startsWith('FAIL'));
    expect(wrongSecret).toHaveLength(4);
    for (const line of wrongSecret)
      expect(line).toMatch(/SignatureDoesNotMatch .*check ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    // A key set directly beside its parameter: the parameter's value is used, and the line says so.
    expect(runs[3]!.code).toBe(0);
    expect(runs[3]!.stdout).toContain(
      'OK    SSM parameter /certwatch/ucloud/private-key (UCLOUD_PRIVATE_KEY_PARAMETER): read and decrypted; used ' +
        'instead of UCLOUD_PRIVATE_KEY, which is set too',
    );
    const everything = runs.map((run) => run.stdout + run.stderr).join('\n');
    for (const canary of [...CANARIES, `${ALIYUN_ACCOUNT.AccessKeySecret}-wrong`]) {
      expect(everything).not.toContain(canary);
    }
  });
});
