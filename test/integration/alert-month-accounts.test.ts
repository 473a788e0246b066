/**
 * Issue 18's "done when": a month of daily runs over the two-account demo fleet (the main Alibaba account, its
 * Resource Directory member shop-prod reached through STS, and UCloud), as deployed: one warm Lambda handler against
 * the emulator, alert history in DynamoDB and alerts through SNS to SQS, all on moto_server. Each certificate is
 * alerted once per rung it crosses however many places hold it (CAS and the ALB listener that names it, CDN and SLB
 * copies), never once per copy; a member account's alerts name the account; no run is incomplete and nothing is
 * sent twice.
 *
 * Time moves by the day for everything that reads the clock: the handler's clock, and `Date` itself (faked, still
 * ticking), which the Alibaba client signs its Timestamp with and the emulator checks it and issues and expires STS
 * credentials by: a run that went on with yesterday's credentials would fail for the member account.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { emulatorEnv } from '../../cli/emulatorEnv';
import { DEMO_ALIYUN_MEMBER, demoFleet } from '../../emulator/fleet/demo';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler, type ScanResult } from '../../functions/scan';
import { parseLadder, rungOf } from '../../lib/alerts/ladder';
import { createSnsSink } from '../../lib/channels/snsSink';
import { type CertificateRecord, identityOf, type ScanReport } from '../../lib/model';
import { createTableInput, DynamoStateStore } from '../../lib/state/dynamodb';
import { certificateKey } from '../../lib/state/store';
import { NOW } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, motoDynamoClient, startMoto } from '../helpers/moto';
import { fromReportJson } from '../helpers/reports';
import { type Notification, topicWithQueue } from '../helpers/snsQueue';
import { quietTelemetry } from '../helpers/telemetry';

const DAY = 86_400_000;
const DAYS = 35;
/**
 * Expired certificates still in use remind weekly here, not daily: the demo fleet holds dozens of them, and daily
 * reminders (alert-month.test.ts follows them) would be most of the month's messages and of its run time.
 */
const REMINDER_DAYS = 7;
let moto: MotoServer;
let sns: SNSClient;
let sqs: SQSClient;
let dynamo: DynamoDBClient;
let emulator: RunningEmulator | undefined;

beforeAll(async () => {
  moto = await startMoto();
  sns = new SNSClient(motoClientConfig(moto.endpoint));
  sqs = new SQSClient(motoClientConfig(moto.endpoint));
  dynamo = motoDynamoClient(moto.endpoint);
  await dynamo.send(new CreateTableCommand(createTableInput('certwatch-month-accounts')));
}, 60_000);

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await emulator?.close();
  for (const client of [sns, sqs, dynamo]) client?.destroy();
  await moto?.stop();
});

/**
 * Reads until `count` notifications arrived or `waitMs` passed, deleting each batch in one call (../helpers/snsQueue
 * `receive` deletes one by one, too slow for a month of a whole fleet's alerts).
 */
async function drain(queueUrl: string, count: number, waitMs: number): Promise<Notification[]> {
  const received: Notification[] = [];
  const deadline = Date.now() + waitMs;
  while (received.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (Messages.length === 0) continue;
    for (const message of Messages) received.push(JSON.parse(message.Body ?? '{}') as Notification);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return received;
}

interface Structured {
  schema: string;
  kind: string;
  rung: string;
  certificate: {
    provider: string;
    service: string;
    region: string;
    project: string | null;
    id: string;
    account?: { id: string | null; name: string };
    fingerprintSha256: string | null;
    boundTo: string[];
  };
}

/** What makes records one certificate to the plan: the same identity and the same effective expiry. */
function certificateOf(record: CertificateRecord): string {
  const identity = identityOf(record);
  return identity === null ? `key:${certificateKey(record)}` : `${identity} ${record.notAfterMs}`;
}

/** The report's certificates, each with its copies, as a person counts them. */
function certificatesOf(report: ScanReport): Map<string, CertificateRecord[]> {
  const certificates = new Map<string, CertificateRecord[]>();
  for (const record of report.certificates) {
    const id = certificateOf(record);
    certificates.set(id, [...(certificates.get(id) ?? []), record]);
  }
  return certificates;
}

/**
 * A renewal that already serves every place this copy serves (same provider, service, region and project, every
 * name covered, a later expiry, not expired itself): the old one is tidying, not an alert.
 */
function supersededInPlace(record: CertificateRecord, report: ScanReport): boolean {
  if (record.notAfterMs === null || record.boundTo.length === 0 || record.domains.length === 0) return false;
  const names = record.domains.map((name) => name.toLowerCase());
  return report.certificates.some(
    (other) =>
      other.id !== record.id &&
      other.provider === record.provider &&
      other.service === record.service &&
      other.region === record.region &&
      other.project === record.project &&
      other.status !== 'expired' &&
      other.notAfterMs !== null &&
      other.notAfterMs > record.notAfterMs! &&
      names.every((name) => other.domains.some((d) => d.toLowerCase() === name)) &&
      record.boundTo.every((where) => other.boundTo.includes(where)),
  );
}

/**
 * What a once-per-rung monitor must send per certificate (not per copy), by a simple model: the rung a certificate
 * enters, once; an expired one still in use once a day; nothing for one bound nowhere (no copy in use) or replaced
 * in place by its renewal; `unknown` (no known expiry) told once.
 */
function expectedAlerts(days: readonly ScanReport[]): Map<string, string[]> {
  const ladder = parseLadder(undefined);
  const last = new Map<string, { told: string; atMs: number }>();
  const alerts = new Map<string, string[]>();
  for (const report of days) {
    for (const [id, copies] of certificatesOf(report)) {
      if (copies.every((copy) => copy.inUse === false)) continue;
      // The copy with the first key stands for the certificate, bound wherever any copy is.
      const first = [...copies].sort((a, b) => (certificateKey(a) < certificateKey(b) ? -1 : 1))[0]!;
      const record = { ...first, boundTo: [...new Set(copies.flatMap((copy) => copy.boundTo))] };
      const rung = record.status === 'unknown' ? 'unknown' : rungOf(record, ladder, null, report.nowMs);
      if (rung === null) {
        last.delete(id);
        continue;
      }
      if (supersededInPlace(record, report)) continue;
      const previous = last.get(id);
      let told = rung;
      if (rung === 'expired' && previous?.told.startsWith('expired')) {
        if (report.nowMs < previous.atMs + REMINDER_DAYS * DAY - 3_600_000) continue;
        told = `expired@${new Date(report.nowMs).toISOString().slice(0, 10)}`;
      }
      if (told === previous?.told) continue;
      last.set(id, { told, atMs: report.nowMs });
      alerts.set(id, [...(alerts.get(id) ?? []), told]);
    }
  }
  return alerts;
}

it('alerts each certificate of both accounts once per rung over a month, however many places hold it', async () => {
  const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'certwatch-month-accounts');
  const fleet = demoFleet(NOW);
  // Date is faked from here on (still ticking): the emulator reads it at each request, as the client signs with it.
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: NOW });
  emulator = await startEmulator({ fleet, aliyun: { clock: () => Date.now() } });
  let today = NOW;
  // One warm container all month: configuration and clients built on the first run, reused by the others.
  const env = { ...emulatorEnv(fleet, emulator), CERTWATCH_REMINDER_HOURS: String(REMINDER_DAYS * 24) };
  const handler = createHandler(env, {
    sink: createSnsSink(topicArn, motoClientConfig(moto.endpoint)),
    store: new DynamoStateStore({ client: dynamo, tableName: 'certwatch-month-accounts' }),
    clock: () => today,
    ...quietTelemetry,
  });

  const days: ScanReport[] = [];
  const results: ScanResult[] = [];
  for (let day = 0; day < DAYS; day++) {
    today = NOW + day * DAY;
    vi.setSystemTime(today);
    days.push(fromReportJson(await handler({ mode: 'audit' })));
    results.push((await handler({})) as ScanResult);
  }
  const stsRequests = emulator.stats.aliyun.sts.requests;
  await emulator.close();
  emulator = undefined;
  vi.useRealTimers();

  // Every run read everything, both accounts included.
  expect(days.map((report) => report.complete)).toEqual(days.map(() => true));
  expect(results.map((result) => result.failures)).toEqual(results.map(() => []));
  expect(results.every((result) => result.complete && result.stateProblem === null)).toBe(true);
  const memberRecords = days[0]!.certificates.filter((c) => c.account?.id === DEMO_ALIYUN_MEMBER.accountId);
  expect(memberRecords.map((c) => c.service).sort()).toEqual([
    'alb',
    'cas',
    'cas',
    'cas',
    'dcdn-domain',
    'dcdn-domain',
  ]);
  // The member was reached through STS every day: never with credentials expired by the emulator's clock.
  expect(stsRequests).toBeGreaterThanOrEqual(DAYS);

  const sent = results.reduce((sum, r) => sum + r.alertsSent, 0);
  const digests = results.filter((r) => r.digest !== null).length;
  const received = await drain(queueUrl, sent + digests, 60_000);
  const bodies = received.filter((n) => n.Subject === undefined).map((n) => JSON.parse(n.Message));
  expect(bodies.filter((b) => b.schema === 'certwatch.scan-incomplete/1')).toEqual([]);
  const alerts = bodies.filter((b) => b.schema === 'certwatch.alert/1') as Structured[];
  expect(alerts).toHaveLength(sent);

  // Never twice: one key per certificate and rung, across days and copies.
  const pairs = alerts.map((a) => `${certificateKey(a.certificate)} ${a.rung}`);
  expect(pairs.filter((pair, i) => pairs.indexOf(pair) !== i)).toEqual([]);

  // Each alert is about one certificate of the reports (found by the key it was claimed under).
  const certificateByKey = new Map<string, string>();
  for (const report of days) {
    for (const record of report.certificates)
      certificateByKey.set(certificateKey(record), certificateOf(record));
  }
  const got = new Map<string, { rungs: string[]; keys: Set<string> }>();
  for (const alert of alerts) {
    const key = certificateKey(alert.certificate);
    const id = certificateByKey.get(key);
    expect(id, `alert about ${key}`).toBeDefined();
    const entry = got.get(id!) ?? { rungs: [], keys: new Set<string>() };
    entry.rungs.push(alert.rung);
    entry.keys.add(key);
    got.set(id!, entry);
  }

  // Exactly what the model says, certificate by certificate, and each one claimed under one key only.
  const want = expectedAlerts(days);
  expect(want.size).toBeGreaterThan(50);
  const ids = [...new Set([...want.keys(), ...got.keys()])].sort();
  const compare = (id: string) => ({ id, rungs: [...(got.get(id)?.rungs ?? [])].sort() });
  expect(ids.map(compare)).toEqual(ids.map((id) => ({ id, rungs: [...(want.get(id) ?? [])].sort() })));
  expect([...got].filter(([, { keys }]) => keys.size > 1).map(([id]) => id)).toEqual([]);

  // The certificates stored in CAS and bound on an ALB listener: one alert per rung, naming both places.
  const findCas = (id: string) => days[0]!.certificates.find((c) => c.service === 'cas' && c.id === id)!;
  const www = certificateOf(findCas('30000003'));
  const checkout = certificateOf(findCas('40000001'));
  // www-soon: 5 days left on day 0, expired from day 5 and still bound, so a reminder every week after.
  expect(want.get(www)?.slice(0, 4)).toEqual(['d7', 'd3', 'd1', 'expired']);
  expect(want.get(www)).toHaveLength(4 + Math.floor((DAYS - 6) / REMINDER_DAYS));
  // shop-checkout: 9 days left on day 0.
  expect(want.get(checkout)?.slice(0, 5)).toEqual(['d14', 'd7', 'd3', 'd1', 'expired']);
  // www-soon's CDN domain is not an HTTPS domain of the fleet; shop-checkout's DCDN domain is, and is the same
  // certificate (CAS says it is deployed there): its row alerts with the certificate, not on its own.
  const places = { [www]: ['alb', 'cas'], [checkout]: ['alb', 'cas', 'dcdn-domain'] };
  for (const id of [www, checkout]) {
    const copies = days[0]!.certificates.filter((c) => certificateOf(c) === id);
    expect(copies.map((c) => c.service).sort()).toEqual(places[id]);
    const about = alerts.filter((a) => certificateByKey.get(certificateKey(a.certificate)) === id);
    expect(about).toHaveLength(want.get(id)!.length);
    for (const alert of about) {
      expect(alert.certificate.boundTo).toEqual(
        expect.arrayContaining([...new Set(copies.flatMap((c) => c.boundTo))]),
      );
    }
  }

  // The CDN and SLB copies of one certificate: one alert per rung too (the model counts them as one).
  const shared = [...certificatesOf(days[0]!)].filter(
    ([id, copies]) => copies.some((c) => c.service === 'slb') && copies.length > 1 && want.has(id),
  );
  expect(shared.length).toBeGreaterThan(0);

  // Member-account alerts name the account, by id and by name.
  const member = alerts.filter((a) => a.certificate.account?.id === DEMO_ALIYUN_MEMBER.accountId);
  expect(member.length).toBeGreaterThanOrEqual(want.get(checkout)!.length);
  expect(member.every((a) => a.certificate.account?.name === DEMO_ALIYUN_MEMBER.displayName)).toBe(true);
  expect(
    alerts
      .filter((a) => a.certificate.provider === 'aliyun')
      .every((a) => a.certificate.account !== undefined),
  ).toBe(true);
}, 240_000);
