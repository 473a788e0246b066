/**
 * `npm run invoke:local`: the deployed function's code path on this machine, no AWS account needed. Starts the
 * emulator (demo fleet) and moto_server, stores the emulator's keys in moto's SSM as SecureStrings, creates the
 * alert topic and the state table there, then runs `osls invoke local -f scan` for each `--data` with only the
 * parameter names in the environment, as in Lambda. Prints what each run logged (JSON lines), the EMF metric
 * documents it wrote and its result. `--check` fails unless every run logged, wrote metrics, scanned completely
 * and echoed no secret (CI runs it so).
 *
 *   npm run invoke:local                                   # an audit, then a scheduled run
 *   npm run invoke:local -- --data '{"mode":"audit"}' --raw
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { emulatorEnv } from '../cli/emulatorEnv';
import { demoFleet } from '../emulator/fleet/demo';
import { startEmulator } from '../emulator/server';
import { SECRET_SETTINGS } from '../lib/secrets/ssm';
import { motoClientConfig, startMoto } from '../test/helpers/moto';
import { DEV_PARAMETER_NAMES } from '../test/helpers/ssmParameters';

const PARAMETER_NAMES = DEV_PARAMETER_NAMES;

interface Invocation {
  data: string;
  code: number | null;
  logs: Record<string, unknown>[];
  metrics: Record<string, unknown>[];
  result: unknown;
  stdout: string;
  stderr: string;
}

const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    check: { type: 'boolean' },
    raw: { type: 'boolean' },
  },
});
const inputs = values.data ?? ['{"mode":"audit"}', '{}'];

const fleet = demoFleet(Date.now());
const [emulator, moto] = await Promise.all([startEmulator({ fleet }), startMoto()]);
let failed = false;
try {
  const clients = motoClientConfig(moto.endpoint);
  const plain = emulatorEnv(fleet, emulator);
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...plain,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: clients.region,
    AWS_ACCESS_KEY_ID: clients.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: clients.credentials.secretAccessKey,
  };
  const ssm = new SSMClient(clients);
  const secrets: string[] = [];
  for (const setting of SECRET_SETTINGS) {
    const value = plain[setting];
    if (value === undefined) continue;
    await ssm.send(
      new PutParameterCommand({ Name: PARAMETER_NAMES[setting], Value: value, Type: 'SecureString' }),
    );
    secrets.push(value);
    // As in Lambda: the environment names the parameter and never holds the key.
    delete env[setting];
    env[`${setting}_PARAMETER`] = PARAMETER_NAMES[setting];
  }
  const topic = await new SNSClient(clients).send(new CreateTopicCommand({ Name: 'certwatch-local' }));
  await new DynamoDBClient(clients).send(
    new CreateTableCommand({
      TableName: 'certwatch-local-state',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  env.LOCAL_TOPIC_ARN = topic.TopicArn;
  env.LOCAL_STATE_TABLE = 'certwatch-local-state';
  console.log(
    `emulator ${emulator.url} (demo fleet), moto_server ${moto.endpoint}: keys in SSM under /certwatch, ` +
      `topic ${topic.TopicArn}, table certwatch-local-state`,
  );

  for (const data of inputs) {
    const run = await invoke(data, env);
    const problems = check(run, secrets);
    console.log(`\n== osls invoke local -f scan --data '${data}' (exit ${run.code})`);
    if (values.raw) console.log(run.stdout);
    else for (const line of run.logs) console.log(`  log  ${JSON.stringify(line)}`);
    console.log(`  ${run.logs.length} log lines, ${run.metrics.length} EMF documents, e.g.`);
    console.log(`  emf  ${JSON.stringify(run.metrics[0] ?? null)}`);
    console.log(`  result: ${summarise(run.result)}`);
    for (const problem of problems) console.log(`  PROBLEM: ${problem}`);
    if (problems.length > 0) {
      failed = true;
      if (!values.raw) console.log(`--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
    }
  }
} finally {
  await Promise.all([emulator.close(), moto.stop()]);
}
if (failed && values.check) process.exit(1);

function invoke(data: string, env: Record<string, string | undefined>): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['osls', 'invoke', 'local', '-f', 'scan', '--data', data], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ data, code, stdout, stderr, ...classify(stdout) }));
  });
}

/**
 * invoke local prints what the function wrote (our JSON lines: logs and EMF documents) and then the result,
 * pretty-printed over many lines.
 */
function classify(stdout: string): Pick<Invocation, 'logs' | 'metrics' | 'result'> {
  const logs: Record<string, unknown>[] = [];
  const metrics: Record<string, unknown>[] = [];
  const lines = stdout.split('\n');
  let resultStart = lines.length;
  for (const [index, line] of lines.entries()) {
    if (line === '{') {
      resultStart = index;
      break;
    }
    if (!line.startsWith('{"')) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    (parsed._aws ? metrics : logs).push(parsed);
  }
  let result: unknown = null;
  try {
    result = JSON.parse(lines.slice(resultStart).join('\n'));
  } catch {
    // Reported by check(): no result.
  }
  return { logs, metrics, result };
}

function check(run: Invocation, secrets: string[]): string[] {
  const problems: string[] = [];
  if (run.code !== 0) problems.push(`osls exited with ${run.code}`);
  if (run.logs.length === 0 || !run.logs.every((line) => typeof line.scanId === 'string'))
    problems.push('no JSON log lines carrying a scan id');
  if (run.metrics.length === 0) problems.push('no EMF metric documents');
  const result = run.result as { complete?: unknown } | null;
  if (result?.complete !== true) problems.push('the scan was not complete');
  for (const secret of secrets) {
    if (run.stdout.includes(secret) || run.stderr.includes(secret))
      problems.push('a provider key was printed');
  }
  return problems;
}

function summarise(result: unknown): string {
  if (typeof result !== 'object' || result === null) return 'none';
  const r = result as { complete?: boolean; certificates?: unknown; alertsSent?: number; digest?: string };
  const count = Array.isArray(r.certificates) ? r.certificates.length : r.certificates;
  const alerts = r.alertsSent === undefined ? '' : `, ${r.alertsSent} alerts sent, digest "${r.digest}"`;
  return `${count} certificates, ${r.complete ? 'complete' : 'INCOMPLETE'}${alerts}`;
}
