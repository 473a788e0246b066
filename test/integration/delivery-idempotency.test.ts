/**
 * Delivery under failure, as deployed: the Lambda handler against the emulator, alert history in DynamoDB and
 * alerts through SNS to an SQS subscriber, all on moto_server. A run that dies between two publishes and its
 * Lambda retry, two overlapping runs, and a PublishBatch that fails part of a batch must between them deliver
 * exactly what one clean run delivers: each structured alert once, and one digest.
 *
 * moto applies concurrent conditional writes without a lock; the DynamoDB client uses one connection so that moto
 * orders them, as DynamoDB does. The runs themselves still interleave freely.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler, type ScanResult } from '../../functions/scan';
import type { AlertSink } from '../../lib/alerts/sink';
import { createSnsSink } from '../../lib/channels/snsSink';
import { AlertDeliveryError } from '../../lib/errors';
import { createTableInput, DynamoStateStore } from '../../lib/state/dynamodb';
import { certificateKey } from '../../lib/state/store';
import { crashingSink, SimulatedCrash } from '../helpers/crashingSink';
import { auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, motoDynamoClient, startMoto } from '../helpers/moto';
import { startSnsFailingProxy } from '../helpers/snsFailingProxy';
import { type Notification, receive, topicWithQueue } from '../helpers/snsQueue';
import { quietTelemetry } from '../helpers/telemetry';

const MINUTE = 60_000;
/** Lambda retries a failed asynchronous invocation after a minute, with the same request id. */
const RETRY_DELAY_MS = MINUTE;

let moto: MotoServer;
let sns: SNSClient;
let sqs: SQSClient;
let dynamo: DynamoDBClient;
let emulator: RunningEmulator;
/** What one clean run delivers: `certificateKey rung` per structured alert, sorted. */
let baseline: string[];

beforeAll(async () => {
  moto = await startMoto();
  sns = new SNSClient(motoClientConfig(moto.endpoint));
  sqs = new SQSClient(motoClientConfig(moto.endpoint));
  dynamo = motoDynamoClient(moto.endpoint);
  emulator = await startEmulator({ fleet: auditFleet(80).fleet });

  const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'delivery-baseline');
  const result = await invoke(handlerAt(NOW, snsSink(topicArn), await freshStore()), 'baseline');
  const got = await delivered(queueUrl, result.alertsSent + 1);
  expect(got.digests).toHaveLength(1);
  baseline = got.alerts;
  // Enough alerts for a crash after a whole PublishBatch of ten to leave some unsent.
  expect(baseline.length).toBeGreaterThan(10);
  expect(new Set(baseline).size).toBe(baseline.length);
}, 90_000);

afterAll(async () => {
  for (const client of [sns, sqs, dynamo]) client?.destroy();
  await emulator?.close();
  await moto?.stop();
});

let tables = 0;
async function freshStore(): Promise<DynamoStateStore> {
  const tableName = `certwatch-delivery-${++tables}`;
  await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
  return new DynamoStateStore({ client: dynamo, tableName });
}

function snsSink(topicArn: string, endpoint = moto.endpoint): AlertSink {
  return createSnsSink(topicArn, motoClientConfig(endpoint));
}

/** A new container: handlers are built per container, so a retry after a crash starts from nothing in memory. */
function handlerAt(now: number, sink: AlertSink, store: DynamoStateStore) {
  return createHandler(auditEnv(emulator.ucloudUrl), { sink, store, clock: () => now, ...quietTelemetry });
}

async function invoke(handler: ReturnType<typeof handlerAt>, requestId: string): Promise<ScanResult> {
  const context = { getRemainingTimeInMillis: () => 600_000, awsRequestId: requestId };
  return (await handler({ source: 'aws.events' }, context)) as ScanResult;
}

interface Delivered {
  digests: Notification[];
  /** `certificateKey rung` of each structured alert received, sorted; a duplicate appears twice. */
  alerts: string[];
}

/**
 * Everything the subscriber received: waits for `expected` notifications, then a little longer, so that a
 * duplicate arriving late is counted too.
 */
async function delivered(queueUrl: string, expected: number): Promise<Delivered> {
  const received = [
    ...(await receive(sqs, queueUrl, expected, 20_000)),
    ...(await receive(sqs, queueUrl, 1, 2_000)),
  ];
  const digests = received.filter((n) => n.Subject !== undefined);
  const alerts = received
    .filter((n) => n.Subject === undefined)
    .map(
      (n) =>
        JSON.parse(n.Message) as {
          schema: string;
          rung: string;
          certificate: Parameters<typeof certificateKey>[0];
        },
    )
    .filter((body) => body.schema === 'certwatch.alert/1')
    .map((body) => `${certificateKey(body.certificate)} ${body.rung}`)
    .sort();
  return { digests, alerts };
}

/** `certwatch: 12 new alerts (...)` -> 12. */
function newAlertsIn(subject: string | undefined): number {
  return Number(/(\d+) new alerts?/.exec(subject ?? '')?.[1] ?? 0);
}

describe('a Lambda retry after a crash between two publishes', () => {
  const cases: [string, (alerts: number) => number][] = [
    ['before the digest', () => 0],
    ['between the digest and the structured alerts', () => 1],
    ['between two PublishBatch calls of structured alerts', () => 1 + 10],
    ['before the last structured alert', (alerts) => alerts],
  ];
  it.each(cases)(
    'crash %s: every alert delivered exactly once across both runs',
    async (name, point) => {
      const { topicArn, queueUrl } = await topicWithQueue(
        sns,
        sqs,
        `delivery-crash-${cases.findIndex(([n]) => n === name)}`,
      );
      const store = await freshStore();
      const afterMessages = point(baseline.length);
      const crashing = crashingSink(snsSink(topicArn), afterMessages);

      await expect(invoke(handlerAt(NOW, crashing, store), 'request-1')).rejects.toBeInstanceOf(
        SimulatedCrash,
      );
      expect(crashing.crashed()).toBe(true);
      expect(crashing.delivered()).toBe(afterMessages);

      // Lambda's retry: a new container, the same request id, a minute later, well inside the claims' lease.
      const retry = await invoke(handlerAt(NOW + RETRY_DELAY_MS, snsSink(topicArn), store), 'request-1');

      const got = await delivered(queueUrl, baseline.length + 1);
      expect(got.alerts).toEqual(baseline);
      expect(got.digests).toHaveLength(1);
      expect(newAlertsIn(got.digests[0]?.Subject)).toBe(baseline.length);
      // The retry sent only what the crashed run had not.
      expect(retry.alertsSent).toBe(baseline.length - Math.max(0, afterMessages - 1));

      // Nothing was left claimed and unconfirmed: a run after every lease ran out (still in the same rungs) has
      // nothing to send.
      const next = await invoke(handlerAt(NOW + 20 * MINUTE, snsSink(topicArn), store), 'request-2');
      expect(next.alertsSent).toBe(0);
      expect(next.digest).toBeNull();
    },
    90_000,
  );
});

it('two overlapping invocations against one table: each alert once', async () => {
  const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'delivery-overlap');
  const store = await freshStore();
  const sink = snsSink(topicArn);
  const results = await Promise.all([
    invoke(handlerAt(NOW, sink, store), 'request-a'),
    invoke(handlerAt(NOW + 1_000, sink, store), 'request-b'),
  ]);

  const got = await delivered(queueUrl, baseline.length + 1);
  expect(got.alerts).toEqual(baseline);
  expect(results[0].alertsSent + results[1].alertsSent).toBe(baseline.length);
  // Each alert is announced as new in one digest only, whichever run won it.
  expect(got.digests.reduce((sum, digest) => sum + newAlertsIn(digest.Subject), 0)).toBe(baseline.length);
}, 90_000);

describe('an SNS PublishBatch that fails part of a batch', () => {
  it('retries an entry SNS failed on its side, and delivers every alert once', async () => {
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'delivery-partial-transient');
    const target = baseline[3]!.split(' ')[0];
    let refusals = 0;
    const proxy = await startSnsFailingProxy(moto.endpoint, (entry) => {
      if (refusals > 0 || keyOf(entry.message) !== target) return null;
      refusals += 1;
      return { code: 'InternalFailure', message: 'try again', senderFault: false };
    });
    try {
      const result = await invoke(
        handlerAt(NOW, snsSink(topicArn, proxy.endpoint), await freshStore()),
        'r-1',
      );
      expect(proxy.refused).toHaveLength(1);
      expect(result.alertsSent).toBe(baseline.length);
      const got = await delivered(queueUrl, baseline.length + 1);
      expect(got.alerts).toEqual(baseline);
      expect(got.digests).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it.each([
    ['SNS keeps failing it', false],
    ['SNS blames the sender', true],
  ])(
    'reports an entry it could not deliver (%s), and the retry sends that one only',
    async (_name, senderFault) => {
      const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, `delivery-partial-${senderFault}`);
      const store = await freshStore();
      const target = baseline[5]!.split(' ')[0];
      const proxy = await startSnsFailingProxy(moto.endpoint, (entry) =>
        keyOf(entry.message) === target
          ? { code: senderFault ? 'InvalidParameter' : 'InternalFailure', message: 'refused', senderFault }
          : null,
      );
      try {
        const failing = invoke(handlerAt(NOW, snsSink(topicArn, proxy.endpoint), store), 'r-1');
        await expect(failing).rejects.toBeInstanceOf(AlertDeliveryError);
        await expect(failing).rejects.toThrow(/1 of \d+ alert messages failed/);
        expect(proxy.refused.length).toBe(senderFault ? 1 : 3);
      } finally {
        await proxy.close();
      }
      const retry = await invoke(handlerAt(NOW + RETRY_DELAY_MS, snsSink(topicArn), store), 'r-1');
      expect(retry.alertsSent).toBe(1);
      expect(retry.digest).toBeNull();

      const got = await delivered(queueUrl, baseline.length + 1);
      expect(got.alerts).toEqual(baseline);
      expect(got.digests).toHaveLength(1);
    },
    90_000,
  );
});

function keyOf(message: string): string | null {
  try {
    const body = JSON.parse(message) as { certificate?: Parameters<typeof certificateKey>[0] };
    return body.certificate ? certificateKey(body.certificate) : null;
  } catch {
    return null;
  }
}
