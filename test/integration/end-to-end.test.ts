/**
 * The whole path, as it runs for real: the built `certwatch` command in its own process and the Lambda handler,
 * each against the emulator over real sockets and SNS on moto_server, read back from a subscribed SQS queue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler, type ScanResult } from '../../functions/scan';
import { createSnsSink } from '../../lib/channels/snsSink';
import type { ReportJson } from '../../lib/report/json';
import { buildCli, runNode } from '../helpers/builtCli';
import { ACCOUNT, auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { receive, topicWithQueue } from '../helpers/snsQueue';
import { quietTelemetry } from '../helpers/telemetry';

const { fleet } = auditFleet(40);
let moto: MotoServer;
let emulator: RunningEmulator;
let sns: SNSClient;
let sqs: SQSClient;
let buildDir: string;

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'certwatch-e2e-'));
  const [started, emu] = await Promise.all([
    startMoto(),
    startEmulator({ fleet, ucloud: { failures: [{ region: 'hk', project: 'org-b', retCode: 292 }] } }),
    buildCli(buildDir),
  ]);
  moto = started;
  emulator = emu;
  sns = new SNSClient(motoClientConfig(moto.endpoint));
  sqs = new SQSClient(motoClientConfig(moto.endpoint));
}, 120_000);

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await Promise.all([moto?.stop(), emulator?.close()]);
  rmSync(buildDir, { recursive: true, force: true });
});

const awsEnv = () => ({
  AWS_ENDPOINT_URL_SNS: moto.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
});

describe('the built certwatch command', () => {
  it('publishes the digest to SNS, which an SQS subscriber receives; exits 3 for the failed source', async () => {
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'certwatch-cli');
    const ran = await runNode(
      [join(buildDir, 'certwatch.mjs'), 'scan', '--now', new Date(NOW).toISOString()],
      {
        env: {
          ...auditEnv(emulator.ucloudUrl),
          ...awsEnv(),
          CERTWATCH_SNS_TOPIC_ARN: topicArn,
          CERTWATCH_STATE_FILE: join(buildDir, 'alert-state.json'),
        },
      },
    );
    expect(ran.stderr).toContain(`certwatch: alert sent to sns (${topicArn}): certwatch: scan INCOMPLETE`);
    expect(ran.code).toBe(3);
    // The digest (with a Subject) and one structured message per new alert (without).
    const received = await receive(sqs, queueUrl, 1);
    const expected = Number(
      /; (\d+) new alerts/.exec(received.find((n) => n.Subject)?.Subject ?? '')?.[1] ?? 0,
    );
    // The digest, the alerts, and one scan-incomplete message for the failed region.
    if (received.length < expected + 2)
      received.push(...(await receive(sqs, queueUrl, expected + 2 - received.length)));
    expect(received).toHaveLength(expected + 2);
    const digests = received.filter((n) => n.Subject !== undefined);
    expect(digests).toHaveLength(1);
    const notification = digests[0];
    expect(notification?.Subject).toMatch(/^certwatch: scan INCOMPLETE \(1 source failed\); \d+ new alerts/);
    const bodies = received.filter((n) => n.Subject === undefined).map((n) => JSON.parse(n.Message));
    expect(bodies.filter((body) => body.schema === 'certwatch.scan-incomplete/1')).toHaveLength(1);
    const structured = bodies.filter((body) => body.schema === 'certwatch.alert/1');
    expect(structured).toHaveLength(expected);
    expect(structured.map((body) => body.certificate.id)).toContain('ssl-expired');
    expect(notification?.Message).toContain('* ssl-expired (ssl-expired)');
    expect(notification?.Message).toContain('== Could not check (1 source) ==');
    expect(notification?.Message).toContain('RetCode 292');
    expect(notification?.Message).not.toContain(ACCOUNT.PrivateKey);
  });

  it('prints the JSON report for `audit --format json`', async () => {
    const ran = await runNode([join(buildDir, 'certwatch.mjs'), 'audit', '--format', 'json'], {
      env: auditEnv(emulator.ucloudUrl),
    });
    expect(ran.code).toBe(3);
    const report = JSON.parse(ran.stdout) as ReportJson;
    expect(report.certificates).toHaveLength(fleet.ucloud!.certificates.length - 1);
    expect(report.failures.map((f) => `${f.region}/${f.project}`)).toEqual(['hk/org-b']);
  });
});

describe('the Lambda handler', () => {
  it('scans and alerts on a scheduled event, and only reports on {"mode":"audit"}', async () => {
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'certwatch-lambda');
    const handler = createHandler(auditEnv(emulator.ucloudUrl), {
      ...quietTelemetry,
      sink: createSnsSink(topicArn, motoClientConfig(moto.endpoint)),
      clock: () => NOW,
    });

    const audit = (await handler({ mode: 'audit' })) as ReportJson;
    expect(audit.complete).toBe(false);
    expect(audit.now).toBe('2026-11-23T12:00:00Z');
    expect(audit.certificates.find((c) => c.id === 'ssl-intermediate')?.status).toBe('critical');

    const scheduled = (await handler({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
    })) as ScanResult;
    expect(scheduled).toMatchObject({ complete: false, certificates: audit.certificates.length });
    expect(scheduled.digest).toMatch(/^certwatch: scan INCOMPLETE/);
    expect(scheduled.alertsSent).toBeGreaterThan(0);

    // The audit sent nothing: the scheduled run's digest and its alerts were all the messages.
    const received = await receive(sqs, queueUrl, 2 + scheduled.alertsSent, 5000);
    expect(received.filter((n) => n.Subject !== undefined).map((n) => n.Subject)).toEqual([scheduled.digest]);
    // The digest, the alerts, and the scan-incomplete message.
    expect(received).toHaveLength(2 + scheduled.alertsSent);
    expect(await receive(sqs, queueUrl, 1, 1500)).toEqual([]);

    // The next run finds nothing new: once per rung, not once per run.
    const again = (await handler({ source: 'aws.events' })) as ScanResult;
    expect(again.alertsSent).toBe(0);
    expect(
      (await receive(sqs, queueUrl, 2, 5000)).map((n) => n.Subject ?? JSON.parse(n.Message).schema).sort(),
    ).toEqual(['certwatch.scan-incomplete/1', again.digest]);
    expect(again.digest).toMatch(/^certwatch: scan INCOMPLETE \(1 source failed\); no new alerts/);
  });
});
