/**
 * What the Lambda tells CloudWatch besides its alerts, from real runs of the handler against the emulator (with
 * throttling) and SNS on moto_server: JSON log lines carrying one scan id per run, and EMF documents whose counts
 * match what the emulator actually served. No secret appears in either.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler, type HandlerDeps } from '../../functions/scan';
import { createSnsSink } from '../../lib/channels/snsSink';
import { MemoryStateStore } from '../../lib/state/memory';
import { createJsonLogger } from '../../lib/telemetry/log';
import { type EmfDocument, HEARTBEAT_METRIC } from '../../lib/telemetry/metrics';
import { ACCOUNT, auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { fromReportJson } from '../helpers/reports';
import { receive, topicWithQueue } from '../helpers/snsQueue';

const { fleet } = auditFleet(60);
let moto: MotoServer;
let emulator: RunningEmulator;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  [moto, emulator] = await Promise.all([startMoto(), startEmulator({ fleet, throttleRate: 0.3, seed: 7 })]);
  sns = new SNSClient(motoClientConfig(moto.endpoint));
  sqs = new SQSClient(motoClientConfig(moto.endpoint));
}, 60_000);

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await Promise.all([moto?.stop(), emulator?.close()]);
});

interface Captured {
  lines: Record<string, unknown>[];
  raw: string[];
  metrics: EmfDocument[];
}

function harness(topicArn: string) {
  const captured: Captured = { lines: [], raw: [], metrics: [] };
  const deps: HandlerDeps = {
    sink: createSnsSink(topicArn, motoClientConfig(moto.endpoint)),
    store: new MemoryStateStore(),
    clock: () => NOW,
    sleep: async () => {},
    log: createJsonLogger({
      write: (line) => {
        captured.raw.push(line);
        captured.lines.push(JSON.parse(line));
      },
    }),
    emitMetric: (document) => {
      captured.metrics.push(document);
      captured.raw.push(JSON.stringify(document));
    },
  };
  const handler = createHandler(
    { ...auditEnv(emulator.ucloudUrl), CERTWATCH_METRICS_NAMESPACE: 'certwatch/it' },
    deps,
  );
  return { handler, captured };
}

const context = (id: string) => ({ getRemainingTimeInMillis: () => 300_000, awsRequestId: id });
const runDocument = (metrics: EmfDocument[]) => metrics.find((d) => 'CertificatesScanned' in d)!;

describe('the handler’s logs and metrics', () => {
  it('a scheduled run: one scan id on every line, counts that match the emulator, and a heartbeat', async () => {
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'telemetry');
    const { handler, captured } = harness(topicArn);
    const before = structuredClone(emulator.stats.ucloud);
    const result = await handler({ source: 'aws.events' }, context('req-1'));
    const served = emulator.stats.ucloud;

    const scanIds = new Set(captured.lines.map((line) => line.scanId));
    expect(scanIds.size).toBe(1);
    const [scanId] = scanIds;
    expect(scanId).toMatch(/^[0-9a-f-]{36}$/);
    expect(captured.lines.every((l) => l.requestId === 'req-1' && l.mode === 'scheduled')).toBe(true);
    expect(captured.lines.map((l) => l.message)).toEqual(
      expect.arrayContaining(['scan started', 'scan finished', 'alerts delivered']),
    );

    const run = runDocument(captured.metrics);
    expect(run._aws.CloudWatchMetrics[0]!.Namespace).toBe('certwatch/it');
    expect(served.throttled - before.throttled).toBeGreaterThan(0);
    expect(run).toMatchObject({
      scanId,
      Mode: 'scheduled',
      ApiCalls: served.requests - before.requests,
      ThrottledCalls: served.throttled - before.throttled,
      CertificatesScanned: 'certificates' in result ? result.certificates : -1,
      SourcesFailed: 0,
      [HEARTBEAT_METRIC]: 1,
    });
    expect(run.AlertsSent).toBeGreaterThan(0);
    expect(run.AlertsSent).toBe('alertsSent' in result ? result.alertsSent : -1);
    expect(await receive(sqs, queueUrl, 1)).not.toHaveLength(0);

    const days = captured.metrics.filter((d) => 'DaysToExpiry' in d);
    const values = days.flatMap((d) => d.DaysToExpiry as number[]);
    expect(values.length).toBe(run.CertificatesScanned as number);
    expect(new Set(days.map((d) => d.Region))).toEqual(new Set(['cn-bj2', 'cn-sh2', 'hk']));
    expect(Math.min(...values)).toBeLessThan(0);

    for (const canary of Object.values(ACCOUNT)) expect(captured.raw.join('\n')).not.toContain(canary);
    expect(captured.raw.join('\n')).not.toContain('-----BEGIN');
  });

  it('an audit: its own scan id and only its own calls, and no heartbeat (a manual run is not the schedule)', async () => {
    const { topicArn } = await topicWithQueue(sns, sqs, 'telemetry-audit');
    const { handler, captured } = harness(topicArn);
    await handler({ source: 'aws.events' }, context('req-a'));
    const before = emulator.stats.ucloud.requests;
    const firstRun = runDocument(captured.metrics);
    captured.metrics.length = 0;
    const report = fromReportJson(await handler({ mode: 'audit' }, context('req-b')));
    const audit = runDocument(captured.metrics);
    expect(audit.Mode).toBe('audit');
    expect(audit.scanId).not.toBe(firstRun.scanId);
    expect(audit.ApiCalls).toBe(emulator.stats.ucloud.requests - before);
    expect(audit.CertificatesScanned).toBe(report.certificates.length);
    expect(audit).not.toHaveProperty(HEARTBEAT_METRIC);
  });

  it('a run whose alerts cannot be delivered logs the error and gives no heartbeat, so the dead-man alarm can fire', async () => {
    const { handler, captured } = harness('arn:aws:sns:us-east-1:123456789012:no-such-topic');
    await expect(handler({ source: 'aws.events' }, context('req-x'))).rejects.toThrow();
    const errors = captured.lines.filter((l) => l.level === 'ERROR');
    // First the channel that failed, by name, then the run.
    expect(errors.map((l) => l.message)).toEqual(['channel failed', 'run failed']);
    expect(errors[0]).toMatchObject({ channel: 'sns', problem: expect.stringContaining('no-such-topic') });
    const run = runDocument(captured.metrics);
    expect(run).not.toHaveProperty(HEARTBEAT_METRIC);
    expect(run.AlertsSent).toBe(0);
  });
});
