/**
 * The sharded mode end to end, on real sockets: the planner, worker and finisher handlers against the emulator
 * (UCloud, Alibaba CDN and SLB) and moto_server (the shard queue and its dead-letter queue on SQS, the run and
 * alert-state tables on DynamoDB, the alert topic on SNS read back through a subscribed SQS queue). The test plays
 * Lambda's SQS poller: it receives each message, invokes the worker with an SQS-shaped event, deletes the message
 * on success and leaves it on failure, so SQS delivers it again after the (short) visibility timeout.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAliyunAccountsFleet } from '../../emulator/fleet/generate';
import type { Fleet } from '../../emulator/fleet/model';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler, type ScanResult } from '../../functions/scan';
import { createFinishHandler } from '../../functions/shardFinish';
import { createPlanHandler } from '../../functions/shardPlan';
import { createWorkHandler, type SqsEvent } from '../../functions/shardWork';
import type { AlertSink } from '../../lib/alerts/sink';
import { createSnsSink } from '../../lib/channels/snsSink';
import { DEFAULT_STATUS_DAYS } from '../../lib/expiry/status';
import type { ScanReport } from '../../lib/model';
import { SECRET_SETTINGS } from '../../lib/secrets/ssm';
import { createRunTableInput, DynamoRunStore } from '../../lib/shard/dynamoRunStore';
import { SqsShardQueue } from '../../lib/shard/queue';
import { decodeShardResult, runReport } from '../../lib/shard/result';
import type { WorkOutcome } from '../../lib/shard/worker';
import { createTableInput, DynamoStateStore } from '../../lib/state/dynamodb';
import { MemoryStateStore } from '../../lib/state/memory';
import { certificateKey } from '../../lib/state/store';
import type { EmfDocument } from '../../lib/telemetry/metrics';
import { ALIYUN_ACCOUNT, aliyunAuditFleet, allCloudsEnv, NOW } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, motoDynamoClient, startMoto } from '../helpers/moto';
import { fromReportJson } from '../helpers/reports';
import { type Notification, receive, topicWithQueue } from '../helpers/snsQueue';
import { quietTelemetry } from '../helpers/telemetry';

const MINUTE = 60_000;
/** Every SQS delivery the worker fails is visible again after this long. */
const VISIBILITY_SECONDS = 1;
const { fleet } = aliyunAuditFleet(25);
/** UCloud 3 regions, Alibaba CDN, Alibaba SLB 2 regions: six shards of one region each. */
const SHARDS = ['ucloud-ulb-1', 'ucloud-ulb-2', 'ucloud-ulb-3', 'aliyun-cdn', 'aliyun-slb-1', 'aliyun-slb-2'];

let moto: MotoServer;
let emulator: RunningEmulator;
let sns: SNSClient;
let sqs: SQSClient;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  [moto, emulator] = await Promise.all([startMoto(), startEmulator({ fleet })]);
  sns = new SNSClient(motoClientConfig(moto.endpoint));
  sqs = new SQSClient(motoClientConfig(moto.endpoint));
  dynamo = motoDynamoClient(moto.endpoint);
}, 60_000);

afterAll(async () => {
  for (const client of [sns, sqs, dynamo]) client?.destroy();
  await Promise.all([moto?.stop(), emulator?.close()]);
});

/** A fresh deployment of the sharded mode on moto: its queues, tables and topic, and the three handlers. */
async function deployment(
  name: string,
  options: {
    /** Which of the worker's item writes (by key) fail, as a network error would. */
    failing?: (key: string) => boolean;
    visibilitySeconds?: number;
    /** Awaited before the first digest is published: holds the claim while others try to close the run. */
    beforeFirstDigest?: () => Promise<void>;
    /** The providers' settings, instead of every cloud of the shared emulator. */
    providers?: Record<string, string>;
  } = {},
) {
  const { QueueUrl: deadLetterUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }),
  );
  const { QueueUrl: queueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-shards`,
      Attributes: {
        VisibilityTimeout: String(options.visibilitySeconds ?? VISIBILITY_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 }),
      },
    }),
  );
  await dynamo.send(new CreateTableCommand(createRunTableInput(`${name}-runs`)));
  await dynamo.send(new CreateTableCommand(createTableInput(`${name}-state`)));
  const topic = await topicWithQueue(sns, sqs, name);
  const env: Record<string, string> = {
    ...(options.providers ?? allCloudsEnv(emulator)),
    CERTWATCH_RUN_TABLE: `${name}-runs`,
    CERTWATCH_SHARD_QUEUE_URL: queueUrl!,
    // As deploy/secretParameters.cjs sets it: the planner plans shards for these without reading a key.
    CERTWATCH_SHARD_PROVIDERS:
      options.providers?.ALIBABA_CLOUD_ACCESS_KEY_ID && !options.providers.UCLOUD_PUBLIC_KEY
        ? 'aliyun'
        : 'ucloud,aliyun',
    CERTWATCH_SHARD_REGIONS: '1',
    CERTWATCH_SHARD_DEADLINE_MINUTES: '60',
  };
  const runs = new DynamoRunStore({ client: dynamo, tableName: env.CERTWATCH_RUN_TABLE! });
  // The worker's view of DynamoDB: the real table, except for the item writes a test makes fail. The failure
  // comes from a middleware before the SDK's retries, as a failed send did: each failing write fails once. It
  // shares dynamo's one connection (destroyed with it), which keeps moto's conditional writes in order.
  const flaky = new DynamoDBClient({
    ...motoClientConfig(moto.endpoint),
    requestHandler: dynamo.config.requestHandler,
  });
  flaky.middlewareStack.add(
    (next) => (args) => {
      const { input } = args as { input: { Item?: { pk?: { S?: string } } } };
      if (options.failing?.(input.Item?.pk?.S ?? '')) {
        return Promise.reject(Object.assign(new Error('connect ECONNRESET'), { name: 'TimeoutError' }));
      }
      return next(args);
    },
    { step: 'build', name: 'failingWrites' },
  );
  const workerRuns = new DynamoRunStore({ client: flaky, tableName: env.CERTWATCH_RUN_TABLE! });
  const metrics: EmfDocument[] = [];
  const clock = { now: NOW };
  const snsSink = createSnsSink(topic.topicArn, motoClientConfig(moto.endpoint));
  let digests = 0;
  const sink: AlertSink = {
    name: snsSink.name,
    publishDigest: async (digest) => {
      if (digests++ === 0) await options.beforeFirstDigest?.();
      await snsSink.publishDigest(digest);
    },
    publishAlerts: (alerts) => snsSink.publishAlerts(alerts),
  };
  const common = {
    sink,
    store: new DynamoStateStore({ client: dynamo, tableName: `${name}-state` }),
    clock: () => clock.now,
    log: quietTelemetry.log,
    emitMetric: (document: EmfDocument) => void metrics.push(document),
    sleep: async () => {},
  };
  return {
    env,
    queueUrl: queueUrl!,
    deadLetterUrl: deadLetterUrl!,
    topicQueue: topic.queueUrl,
    runs,
    metrics,
    clock,
    // As deployed: the planner's environment holds no key (serverless.yml gives it none), nor any alert channel.
    plan: createPlanHandler(withoutKeys(env), {
      clock: common.clock,
      log: common.log,
      runs,
      queue: new SqsShardQueue(sqs, queueUrl!),
    }),
    work: createWorkHandler(env, { ...common, runs: workerRuns }),
    finish: createFinishHandler(env, { ...common, runs }),
  };
}

type Deployment = Awaited<ReturnType<typeof deployment>>;

/** The environment less every secret: what the planner gets. */
function withoutKeys(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !SECRET_SETTINGS.includes(key)));
}

interface Delivery {
  event: SqsEvent;
  receiptHandle: string;
  shardId: string;
}

/** Up to `max` messages from the shard queue, as the Lambda poller would hand them to the worker. */
async function receiveShards(queueUrl: string, max = 10): Promise<Delivery[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return Messages.map((message) => ({
    event: {
      Records: [
        {
          messageId: message.MessageId!,
          body: message.Body!,
          attributes: { ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount },
        },
      ],
    },
    receiptHandle: message.ReceiptHandle!,
    shardId: (JSON.parse(message.Body!) as { shardId: string }).shardId,
  }));
}

/** One worker invocation: the message is deleted when it succeeds, left for redelivery when it throws. */
async function deliver(deployed: Deployment, delivery: Delivery): Promise<WorkOutcome | Error> {
  try {
    const [outcome] = await deployed.work(delivery.event, { getRemainingTimeInMillis: () => 600_000 });
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: deployed.queueUrl, ReceiptHandle: delivery.receiptHandle }),
    );
    return outcome!;
  } catch (error) {
    return error as Error;
  }
}

/** Plays the poller until the queue has stayed empty for a few seconds (failed messages come back meanwhile). */
async function drain(deployed: Deployment) {
  const log: { shardId: string; result: WorkOutcome | Error }[] = [];
  for (let idle = 0; idle < 3; ) {
    // One at a time, as the worker's batch size is 1 (and so no message's visibility runs out while it waits).
    const deliveries = await receiveShards(deployed.queueUrl, 1);
    idle = deliveries.length === 0 ? idle + 1 : 0;
    for (const delivery of deliveries)
      log.push({ shardId: delivery.shardId, result: await deliver(deployed, delivery) });
  }
  return log;
}

const digestsOf = (received: Notification[]) => received.filter((n) => n.Subject !== undefined);
const structuredOf = (received: Notification[]) =>
  received
    .filter((n) => n.Subject === undefined)
    .map(
      (n) =>
        JSON.parse(n.Message) as {
          schema: string;
          rung: string;
          certificate: Parameters<typeof certificateKey>[0];
        },
    )
    .filter((body) => body.schema === 'certwatch.alert/1');

/** The run's report as its closing built it, read back from the run table. */
async function reportOf(deployed: Deployment, runId: string): Promise<ScanReport> {
  const run = (await deployed.runs.getRun(runId))!;
  const results = [];
  for (const [shardId, summary] of run.results) {
    results.push(await decodeShardResult(await deployed.runs.readResult(runId, shardId, summary)));
  }
  return runReport({
    results,
    missing: [],
    nowMs: run.nowMs,
    generatedAtMs: NOW,
    statusDays: DEFAULT_STATUS_DAYS,
  });
}

describe('a sharded run', () => {
  it('plans six shards, survives a retried planner and a worker failing once, and sends the one digest a single scan would', async () => {
    // The first write of ucloud-ulb-2's result fails (a network error): that delivery fails and SQS redelivers it.
    let failures = 0;
    const deployed = await deployment('sharded-run', {
      failing: (key) => key.includes('#ucloud-ulb-2#') && failures++ === 0,
    });
    const event = {
      id: 'b2a3c4d5-0000-4000-8000-000000000001',
      time: '2026-11-23T12:00:00Z',
      source: 'aws.events',
    };
    const planned = await deployed.plan(event);
    expect(planned).toMatchObject({ runId: `20261123T120000Z-${event.id}`, shards: SHARDS, created: true });
    // Lambda retries the scheduled invocation: the same run, its messages sent again.
    expect(await deployed.plan(event)).toMatchObject({ runId: planned.runId, created: false });

    const log = await drain(deployed);
    const outcomes = log.map((entry) => entry.result);
    const errors = outcomes.filter((result): result is Error => result instanceof Error);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/ucloud-ulb-2.*ECONNRESET/);
    const worked = outcomes.filter((result): result is WorkOutcome => !(result instanceof Error));
    // Twelve messages (six twice) and one redelivery: each shard scanned once, the duplicates changed nothing.
    expect(log).toHaveLength(13);
    expect(worked.filter((o) => o.did === 'scanned')).toHaveLength(6);
    expect(worked.every((o) => ['scanned', 'already-recorded', 'run-closed'].includes(o.did))).toBe(true);
    const closed = worked.flatMap((o) => (o.closed ? [o.closed] : []));
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      runId: planned.runId,
      complete: true,
      missingShards: [],
      failures: [],
    });
    // ucloud-ulb-2's three deliveries: the one that failed, its twin from the retried planner, the redelivery.
    const ulb2 = log
      .filter((entry) => entry.shardId === 'ucloud-ulb-2')
      .map((e) => e.result instanceof Error);
    expect(ulb2.sort()).toEqual([false, false, true]);

    // The same fleet scanned by the single function, to another topic, with a history of its own.
    const single = await topicWithQueue(sns, sqs, 'single-run');
    const scan = createHandler(allCloudsEnv(emulator), {
      ...quietTelemetry,
      sink: createSnsSink(single.topicArn, motoClientConfig(moto.endpoint)),
      store: new MemoryStateStore(),
      clock: () => NOW,
    });
    const audit = fromReportJson(await scan({ mode: 'audit' }));
    const singleResult = (await scan({ source: 'aws.events' })) as ScanResult;

    // Every certificate of the fleet exactly once, judged as the single scan judges it (the SLB certificate known
    // only by fingerprint takes its expiry from its UCloud twin, which another shard read).
    const report = await reportOf(deployed, planned.runId);
    const keys = report.certificates.map(certificateKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(report.certificates).toEqual(audit.certificates);
    expect(report.certificates.find((c) => c.id === 'slb-twin')?.expirySource).toBe(
      'fingerprint:ucloud/ulb ssl-seconds',
    );
    expect(closed[0]!.certificates).toBe(audit.certificates.length);

    // One digest, word for word the single scan's, and the same structured alerts.
    const sharded = await receive(sqs, deployed.topicQueue, 1 + closed[0]!.alertsSent, 8000);
    const alone = await receive(sqs, single.queueUrl, 1 + singleResult.alertsSent, 8000);
    expect(digestsOf(sharded)).toHaveLength(1);
    expect(digestsOf(sharded)[0]).toMatchObject({
      Subject: singleResult.digest,
      Message: digestsOf(alone)[0]!.Message,
    });
    const pairs = (received: Notification[]) =>
      structuredOf(received)
        .map((alert) => `${certificateKey(alert.certificate)} ${alert.rung}`)
        .sort();
    expect(pairs(sharded)).toEqual(pairs(alone));
    expect(pairs(sharded)).toHaveLength(closed[0]!.alertsSent);

    // The run's metrics once, as a scheduled run's: the heartbeat, and the calls of all six shards.
    const runDocuments = deployed.metrics.filter((d) => 'CertificatesScanned' in d);
    expect(runDocuments).toHaveLength(1);
    expect(runDocuments[0]).toMatchObject({
      Mode: 'scheduled',
      scanId: planned.runId,
      CertificatesScanned: audit.certificates.length,
      SourcesFailed: 0,
      Heartbeat: 1,
    });
    expect(runDocuments[0]!.ApiCalls as number).toBeGreaterThanOrEqual(SHARDS.length);

    // Closed: nothing is open, and the finisher finds nothing to do.
    expect(await deployed.runs.openRuns()).toEqual([]);
    expect(await deployed.finish()).toEqual({ closed: [], waiting: [] });
    expect(await receive(sqs, deployed.topicQueue, 1, 1500)).toEqual([]);
  }, 120_000);

  it('sends one digest when the last two shards finish at once, and nobody else can close the run meanwhile', async () => {
    let releaseDigest = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseDigest = resolve;
    });
    let digestStarted = () => {};
    const started = new Promise<void>((resolve) => {
      digestStarted = resolve;
    });
    const deployed = await deployment('sharded-race', {
      visibilitySeconds: 120,
      beforeFirstDigest: () => {
        digestStarted();
        return gate;
      },
    });
    const planned = await deployed.plan({ id: 'race-1', time: '2026-11-23T12:00:00Z' });
    const deliveries: Delivery[] = [];
    while (deliveries.length < SHARDS.length) deliveries.push(...(await receiveShards(deployed.queueUrl)));
    const [first, second] = deliveries.slice(-2);
    for (const delivery of deliveries.slice(0, -2)) {
      expect(await deliver(deployed, delivery)).toMatchObject({ did: 'scanned' });
    }

    // The last two shards at once: the one whose write completes the run claims the digest and starts sending.
    const finishing = Promise.all([deliver(deployed, first!), deliver(deployed, second!)]);
    await started;
    // While it holds the claim: a duplicate delivery of a last shard (SQS delivers at least once) and two finisher
    // sweeps all find the run complete and not closed, try to close it, and lose the claim.
    const [duplicate, ...sweeps] = await Promise.all([
      deliver(deployed, second!),
      deployed.finish(),
      deployed.finish(),
    ]);
    expect(duplicate).toEqual({ did: 'already-recorded', closed: null });
    expect(sweeps).toEqual([
      { closed: [], waiting: [] },
      { closed: [], waiting: [] },
    ]);
    releaseDigest();
    const last = await finishing;
    expect(last.map((r) => (r instanceof Error ? r.message : r.did))).toEqual(['scanned', 'scanned']);
    const closedBy = last.flatMap((r) => (r instanceof Error || !r.closed ? [] : [r.closed]));
    expect(closedBy).toMatchObject([{ runId: planned.runId, complete: true }]);
    const received = await receive(sqs, deployed.topicQueue, 1 + closedBy[0]!.alertsSent, 8000);
    expect(digestsOf(received)).toHaveLength(1);
    expect(await receive(sqs, deployed.topicQueue, 1, 1500)).toEqual([]);
  }, 120_000);

  it('closes a run past its deadline without the shard that went to the dead-letter queue, naming it', async () => {
    // aliyun-slb-2 fails on every attempt: after two deliveries SQS moves its message to the dead-letter queue.
    const deployed = await deployment('sharded-deadline', {
      failing: (key) => key.includes('#aliyun-slb-2#'),
    });
    const planned = await deployed.plan({ id: 'deadline-1', time: '2026-11-23T12:00:00Z' });
    const log = await drain(deployed);
    expect(log.filter((e) => e.shardId === 'aliyun-slb-2').map((e) => e.result instanceof Error)).toEqual([
      true,
      true,
    ]);
    expect(log.filter((e) => !(e.result instanceof Error)).map((e) => (e.result as WorkOutcome).did)).toEqual(
      Array(5).fill('scanned'),
    );
    const dead = await receiveShards(deployed.deadLetterUrl);
    expect(dead.map((d) => d.shardId)).toEqual(['aliyun-slb-2']);

    // Inside the deadline the run waits, and nothing is sent.
    deployed.clock.now = NOW + 30 * MINUTE;
    expect(await deployed.finish()).toEqual({ closed: [], waiting: [planned.runId] });
    expect(await receive(sqs, deployed.topicQueue, 1, 1500)).toEqual([]);

    // Past it, the finisher closes the run: its digest names the missing shard's region as not checked.
    deployed.clock.now = NOW + 61 * MINUTE;
    const { closed } = await deployed.finish();
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      runId: planned.runId,
      complete: false,
      missingShards: ['aliyun-slb-2'],
    });
    expect(closed[0]!.failures).toEqual([
      {
        provider: 'aliyun',
        service: 'slb',
        region: 'cn-shanghai',
        project: null,
        message: expect.stringMatching(/^shard aliyun-slb-2 of run .* did not report within 60 minutes/),
      },
    ]);
    const received = await receive(sqs, deployed.topicQueue, closed[0]!.alertsSent + 2, 8000);
    const digests = digestsOf(received);
    expect(digests).toHaveLength(1);
    expect(digests[0]!.Subject).toMatch(/^certwatch: scan INCOMPLETE \(1 source failed\)/);
    expect(digests[0]!.Message).toContain('shard aliyun-slb-2');
    expect(digests[0]!.Message).toContain('cn-shanghai');
    expect(received.map((n) => (n.Subject ? 'digest' : JSON.parse(n.Message).schema))).toContain(
      'certwatch.scan-incomplete/1',
    );

    // The dead letter, redriven once whatever broke is fixed, finds its run closed and changes nothing.
    const late = createWorkHandler(deployed.env, {
      ...quietTelemetry,
      runs: deployed.runs,
      sink: createSnsSink('arn:aws:sns:us-east-1:123456789012:never-used', motoClientConfig(moto.endpoint)),
      store: new MemoryStateStore(),
      clock: () => deployed.clock.now,
    });
    expect(await late(dead[0]!.event)).toEqual([{ did: 'run-closed', closed: null }]);
    expect(await deployed.finish()).toEqual({ closed: [], waiting: [] });
    expect(await receive(sqs, deployed.topicQueue, 1, 1500)).toEqual([]);
    // The run's shards that did report count in the heartbeat's run: the finisher's run metrics.
    expect(deployed.metrics.filter((d) => d.Heartbeat === 1)).toHaveLength(1);
  }, 120_000);

  it("cuts each assumed role's account into shards of its own, and closes with the report one function makes", async () => {
    const { members, own, planned } = await accountsRun(
      'sharded-accounts',
      { directory: false, seed: 47 },
      (fleet) => ({
        ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou,cn-shanghai',
        ALIBABA_CLOUD_ASSUME_ROLES: fleet
          .aliyun!.members!.map((member, i) => `team-${i}=acs:ram::${member.accountId}:role/CertwatchReader`)
          .join(','),
      }),
    );
    const base = ['aliyun-slb-1', 'aliyun-slb-2', 'aliyun-cas'];
    expect(planned).toEqual([...base, ...base.map((id) => `${id}-a1`), ...base.map((id) => `${id}-a2`)]);
    // Each role's account asked STS once per shard of its own, and never in the keys' own shards.
    expect(own.AssumeRole).toBe(members.length * base.length);
  }, 120_000);

  it("spreads a Resource Directory's members over shards the workers fill, and closes with the one function's report", async () => {
    const { members, own, planned } = await accountsRun(
      'sharded-directory',
      { directory: true, seed: 48 },
      () => ({
        ALIBABA_CLOUD_RESOURCE_DIRECTORY: 'true',
        ALIBABA_CLOUD_RESOURCE_DIRECTORY_SHARDS: '2',
      }),
    );
    expect(planned).toEqual(['aliyun-slb-1', 'aliyun-cas', 'aliyun-directory-1', 'aliyun-directory-2']);
    // Each member once: one AssumeRole each, in whichever directory shard took it.
    expect(own.AssumeRole).toBe(members.length);
  }, 120_000);

  it('spreads the accounts with keys of their own over the shards the planner is told of, without their keys', async () => {
    const { own, planned } = await accountsRun('sharded-keyed', { directory: false, seed: 49 }, (fleet) => ({
      ALIBABA_CLOUD_ACCOUNT_KEYS: fleet
        .aliyun!.members!.map((member, i) => {
          const pair = member.accounts![0]!;
          return `team-${i}=${member.accountId}:${pair.AccessKeyId}:${pair.AccessKeySecret}`;
        })
        .join(','),
      ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS: '2',
    }));
    expect(planned).toEqual(['aliyun-slb-1', 'aliyun-cas', 'aliyun-keyed-1', 'aliyun-keyed-2']);
    expect(own.AssumeRole ?? 0).toBe(0);
  }, 120_000);
});

/**
 * A sharded run over a generated fleet of Alibaba accounts (its own emulator): planned, drained, closed complete,
 * and its report the one the single function makes of the same settings, every account in it by its name.
 */
async function accountsRun(
  name: string,
  shape: { directory: boolean; seed: number },
  settings: (fleet: Fleet) => Record<string, string>,
) {
  const accounts: Fleet = {
    aliyun: generateAliyunAccountsFleet({
      accounts: shape.directory ? 4 : 3,
      seed: shape.seed,
      now: NOW,
      perAccount: { cas: 3, slb: 2 },
      resourceDirectory: shape.directory,
      mainAccount: ALIYUN_ACCOUNT,
    }),
  };
  const own = await startEmulator({ fleet: accounts });
  try {
    const members = accounts.aliyun!.members!;
    const providers = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
      ALIBABA_CLOUD_ACCOUNT_NAME: 'main',
      ALIBABA_CLOUD_SCAN_CDN: 'false',
      ALIBABA_CLOUD_SCAN_CAS: 'true',
      ALIBABA_CLOUD_CAS_ENDPOINT: own.casUrl,
      ALIBABA_CLOUD_CDN_ENDPOINT: own.cdnUrl,
      ALIBABA_CLOUD_SLB_ENDPOINT: own.slbUrl,
      ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
      ALIBABA_CLOUD_STS_ENDPOINT: own.stsUrl,
      ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT: own.resourceManagerUrl,
      ...settings(accounts),
    };
    const deployed = await deployment(name, { providers });
    const planned = await deployed.plan({ id: `${name}-1`, time: '2026-11-23T12:00:00Z' });
    const log = await drain(deployed);
    const worked = log.map((entry) => entry.result).filter((r): r is WorkOutcome => !(r instanceof Error));
    expect(worked.filter((o) => o.did === 'scanned')).toHaveLength(planned.shards.length);
    expect(worked.flatMap((o) => (o.closed ? [o.closed] : []))).toMatchObject([
      { complete: true, failures: [] },
    ]);
    const assumed = { AssumeRole: own.stats.aliyun.sts.byAction.AssumeRole };

    const single = createHandler(providers, {
      ...quietTelemetry,
      sink: {
        name: 'none',
        publishDigest: async () => {},
        publishAlerts: async () => [],
      } as unknown as AlertSink,
      store: new MemoryStateStore(),
      clock: () => NOW,
    });
    const audit = fromReportJson(await single({ mode: 'audit' }));
    const report = await reportOf(deployed, planned.runId);
    expect(report.certificates).toEqual(audit.certificates);
    const names = new Set(report.certificates.map((c) => c.account?.name));
    expect(names.size).toBe(members.length + 1);
    expect(names.has('main')).toBe(true);
    return { members, own: assumed, planned: planned.shards };
  } finally {
    await own.close();
  }
}
