/**
 * A simulated month of daily scheduled runs, as deployed: the Lambda handler against the emulator, alert history in
 * DynamoDB and alerts through SNS to SQS subscribers (one of them filtering on severity), all on moto_server.
 * Each certificate must alert exactly once per rung it crosses; a renewal clears its history; concurrent and
 * retried runs send nothing twice; a failing region is a "could not check" alert. Certificates with no known
 * expiry are told once; one whose expiry becomes known then climbs its ladder; a few unreadable days of a known
 * one tell nothing again.
 */
import { CreateTableCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import type { UcloudForcedFailure } from '../../emulator/ucloud/handler';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { createHandler, type ScanResult } from '../../functions/scan';
import { parseLadder, rungOf } from '../../lib/alerts/ladder';
import { createSnsSink } from '../../lib/channels/snsSink';
import type { ScanReport } from '../../lib/model';
import { createTableInput, DynamoStateStore, NO_KNOWN_EXPIRY } from '../../lib/state/dynamodb';
import { certificateKey, type UnusableHistory } from '../../lib/state/store';
import { createJsonLogger } from '../../lib/telemetry/log';
import { auditEnv, auditFleet, NOW, unknownExpiryCertificate, withKnownExpiry } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, motoDynamoClient, startMoto } from '../helpers/moto';
import { fromReportJson } from '../helpers/reports';
import { filteredQueue, type Notification, receive, topicWithQueue } from '../helpers/snsQueue';
import { quietTelemetry } from '../helpers/telemetry';

const DAY = 86_400_000;
let moto: MotoServer;
let sns: SNSClient;
let sqs: SQSClient;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto();
  sns = new SNSClient(motoClientConfig(moto.endpoint));
  sqs = new SQSClient(motoClientConfig(moto.endpoint));
  dynamo = motoDynamoClient(moto.endpoint);
  await dynamo.send(new CreateTableCommand(createTableInput('certwatch-month')));
}, 60_000);

afterAll(async () => {
  for (const client of [sns, sqs, dynamo]) client?.destroy();
  await moto?.stop();
});

interface Structured {
  kind: string;
  severity: string;
  rung: string;
  certificate: { provider: string; service: string; region: string; project: string | null; id: string };
}

/** Hand-made certificates whose ladders are easy to follow (test/helpers/fleet.ts). */
const FOLLOWED = [
  'ssl-seconds',
  'ssl-millis',
  'ssl-intermediate',
  'ssl-expired',
  'ssl-unbound',
  'ssl-pem-only',
  // Beside auditFleet: unknown all month, bound and bound nowhere; unknown until day 5; unreadable days 8 to 10.
  'ssl-unknown',
  'ssl-unknown-unbound',
  'ssl-later',
  'ssl-flicker',
];

/**
 * What a once-per-rung monitor must send, by a deliberately simple model: the rung a certificate enters, once;
 * an expired one still in use once a day; nothing for one bound nowhere; a renewed one starts over. No known
 * expiry is a rung of its own (`unknown`), told once; once the expiry is known, its rung is told; but a certificate
 * already told a rung is not told `unknown` for a passing failure to read it, nor that rung again afterwards.
 */
function expectedAlerts(days: { now: number; report: ScanReport }[]): Map<string, string[]> {
  const ladder = parseLadder(undefined);
  const last = new Map<string, string>();
  const lastNotAfter = new Map<string, number | null>();
  const alerts = new Map<string, string[]>();
  for (const { now, report } of days) {
    for (const record of report.certificates) {
      if (!FOLLOWED.includes(record.id) || record.inUse === false) continue;
      const rung = record.status === 'unknown' ? 'unknown' : rungOf(record, ladder, null, now);
      if (rung === null) {
        last.delete(record.id);
        continue;
      }
      const previous = last.get(record.id);
      // Unreadable after a dated rung: silent while the date last read would still be in that rung.
      const known = lastNotAfter.get(record.id);
      if (rung === 'unknown' && previous !== undefined && previous !== 'unknown' && known) {
        const left = known - now;
        const wouldBe =
          left > 0
            ? rungOf(
                { ...record, status: 'warning', notAfterMs: known, daysLeft: Math.floor(left / DAY) },
                ladder,
                null,
                now,
              )
            : null;
        if (wouldBe === previous) continue;
      }
      const id =
        rung === 'expired' && previous?.startsWith('expired')
          ? `expired@${new Date(now).toISOString().slice(0, 10)}`
          : rung;
      if (id === previous) continue;
      last.set(record.id, id);
      lastNotAfter.set(record.id, record.notAfterMs);
      alerts.set(record.id, [...(alerts.get(record.id) ?? []), id]);
    }
  }
  return alerts;
}

it('alerts once per rung over a month, through a renewal, a race, a retry and a failing region', async () => {
  const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'certwatch-month');
  const criticalQueue = await filteredQueue(sns, sqs, topicArn, 'certwatch-month-critical', {
    severity: ['critical'],
  });
  const unknown = {
    bound: unknownExpiryCertificate('ssl-unknown'),
    unbound: unknownExpiryCertificate('ssl-unknown-unbound', { Relations: [] }),
    later: unknownExpiryCertificate('ssl-later'),
    flicker: unknownExpiryCertificate('ssl-flicker'),
  };
  // ssl-later: 20 days left when it becomes readable on day 5; ssl-flicker: 20 days left on day 0.
  const laterKnown = withKnownExpiry(unknown.later, NOW + 25 * DAY);
  const flickerKnown = withKnownExpiry(unknown.flicker, NOW + 20 * DAY);
  const base = auditFleet(30).fleet;
  let fleet = {
    ucloud: {
      ...base.ucloud!,
      certificates: [
        ...base.ucloud!.certificates,
        unknown.bound,
        unknown.unbound,
        unknown.later,
        flickerKnown,
      ],
    },
  };
  /** The fleet with `certificate` in place of the one with its SSLId. */
  const replacing = (certificate: (typeof fleet.ucloud.certificates)[number]) => ({
    ucloud: {
      ...fleet.ucloud,
      certificates: fleet.ucloud.certificates.map((c) => (c.SSLId === certificate.SSLId ? certificate : c)),
    },
  });
  const logLines: string[] = [];
  const log = createJsonLogger({ write: (line) => logLines.push(line) });
  const store = new DynamoStateStore({ client: dynamo, tableName: 'certwatch-month' });
  const sink = createSnsSink(topicArn, motoClientConfig(moto.endpoint));
  let emulator: RunningEmulator = await startEmulator({ fleet });
  const restart = async (failures: UcloudForcedFailure[] = []) => {
    await emulator.close();
    emulator = await startEmulator({ fleet, ucloud: { failures } });
  };
  const handlerAt = (now: number, deps: Parameters<typeof createHandler>[1] = {}) =>
    createHandler(auditEnv(emulator.ucloudUrl), {
      sink,
      store,
      clock: () => now,
      ...quietTelemetry,
      log,
      ...deps,
    });

  const days: { now: number; report: ScanReport }[] = [];
  const results: ScanResult[] = [];
  for (let day = 0; day < 30; day++) {
    const now = NOW + day * DAY;
    const changes = { 5: laterKnown, 8: unknown.flicker, 11: flickerKnown } as const;
    const change = changes[day as keyof typeof changes];
    if (change) {
      fleet = replacing(change);
      await restart();
    }
    if (day === 12) {
      // ssl-millis (3 days left on day 0, expired since day 3) is renewed in place: same id, a year more.
      const renewed = makeTestCertificate({
        keyType: 'ec',
        notAfter: NOW + 400 * DAY,
        dnsNames: ['millis.example'],
      });
      const millis = fleet.ucloud.certificates.find((c) => c.SSLId === 'ssl-millis')!;
      fleet = replacing({ ...millis, SSLContent: renewed.pem, NotAfter: renewed.notAfterMs });
      await restart();
    }
    if (day === 25) await restart([{ region: 'hk', retCode: 294, message: 'IP not in whitelist' }]);
    if (day === 26) await restart();

    days.push({ now, report: fromReportJson(await handlerAt(now)({ mode: 'audit' })) });
    if (day === 10) {
      // Two overlapping invocations of the same schedule.
      const both = await Promise.all([handlerAt(now)({}), handlerAt(now)({})]);
      results.push(...(both as ScanResult[]));
    } else if (day === 15) {
      // SNS refuses the structured alerts: the run fails loudly after the digest went out; the Lambda retry sends
      // the structured messages, once, and no second digest.
      const refusing = {
        name: 'sns',
        publishDigest: (digest: Parameters<typeof sink.publishDigest>[0]) => sink.publishDigest(digest),
        publishAlerts: async (alerts: Parameters<typeof sink.publishAlerts>[0]) => ({
          sent: 0,
          failed: alerts.map((a) => ({ id: a.id, code: 'InternalError', message: 'SNS was down' })),
        }),
      };
      await expect(handlerAt(now, { sink: refusing })({})).rejects.toThrow(
        /could not be delivered through sns/,
      );
      const retry = (await handlerAt(now)({})) as ScanResult;
      // The digest already told people: the retry sends only the structured messages it owes.
      expect(retry.digest).toBeNull();
      expect(retry.alertsSent).toBeGreaterThan(0);
      results.push(retry);
    } else {
      results.push((await handlerAt(now)({})) as ScanResult);
    }
  }
  await emulator.close();

  const sent = results.reduce((sum, r) => sum + r.alertsSent, 0);
  const received = await receive(sqs, queueUrl, sent + 40, 15_000);
  const bodies = received.filter((n) => n.Subject === undefined).map((n) => JSON.parse(n.Message));
  const structured = bodies.filter((b) => b.schema === 'certwatch.alert/1') as Structured[];
  expect(structured).toHaveLength(sent);
  // The failing region's day also sent one scan-incomplete message (severity critical, for filtering subscribers).
  expect(bodies.filter((b) => b.schema === 'certwatch.scan-incomplete/1')).toHaveLength(1);

  // Never twice: not across days, not from the two overlapping runs, not from the retry.
  const pairs = structured.map((a) => `${certificateKey(a.certificate)} ${a.rung}`);
  expect(pairs.filter((pair, i) => pairs.indexOf(pair) !== i)).toEqual([]);

  // Exactly what the simple model says, for the certificates it follows.
  const got = new Map<string, string[]>();
  for (const alert of structured.filter((a) => FOLLOWED.includes(a.certificate.id))) {
    got.set(alert.certificate.id, [...(got.get(alert.certificate.id) ?? []), alert.rung]);
  }
  const want = expectedAlerts(days);
  for (const id of FOLLOWED) {
    expect({ id, rungs: [...(got.get(id) ?? [])].sort() }).toEqual({
      id,
      rungs: [...(want.get(id) ?? [])].sort(),
    });
  }
  expect(want.get('ssl-seconds')?.slice(0, 6)).toEqual(['d30', 'd14', 'd7', 'd3', 'd1', 'expired']);
  // Renewed on day 12: its reminders stopped the day before.
  expect(want.get('ssl-millis')?.at(-1)).toBe('expired@2026-12-04');
  expect(got.has('ssl-unbound')).toBe(false);
  // No known expiry: told once all month; bound nowhere: never. Known from day 5: unknown, then its own ladder.
  expect(want.get('ssl-unknown')).toEqual(['unknown']);
  expect(got.has('ssl-unknown-unbound')).toBe(false);
  expect(want.get('ssl-later')?.slice(0, 4)).toEqual(['unknown', 'd30', 'd14', 'd7']);
  // Unreadable on days 8 to 10 while in d14: neither `unknown` nor d14 again, then d7 on day 13.
  expect(want.get('ssl-flicker')?.slice(0, 3)).toEqual(['d30', 'd14', 'd7']);
  expect(want.get('ssl-flicker')).not.toContain('unknown');

  // What the table holds for the unknown certificate reads back: no known expiry, delivered, and nothing skipped.
  const unknownKey = certificateKey({
    provider: 'ucloud',
    service: 'ulb',
    region: 'cn-sh2',
    project: 'org-a',
    id: 'ssl-unknown',
  });
  const { Item } = await dynamo.send(
    new GetItemCommand({
      TableName: 'certwatch-month',
      Key: { pk: { S: unknownKey } },
      ConsistentRead: true,
    }),
  );
  expect(Item).toMatchObject({
    rung: { S: 'unknown' },
    notAfter: { S: NO_KNOWN_EXPIRY },
    state: { S: 'sent' },
  });
  const skipped: UnusableHistory[] = [];
  const keys = days.at(-1)!.report.certificates.map(certificateKey);
  expect(
    (await store.load(keys, { onUnusable: (entry) => skipped.push(entry) })).get(unknownKey),
  ).toMatchObject({
    rung: 'unknown',
    notAfterMs: null,
  });
  expect(skipped).toEqual([]);
  expect(logLines.filter((line) => /alert history/.test(line))).toEqual([]);

  // The failing region's day said so.
  const digests = received.filter((n): n is Notification & { Subject: string } => n.Subject !== undefined);
  expect(
    digests.some(
      (d) =>
        /^certwatch: scan INCOMPLETE \(2 sources failed\)/.test(d.Subject) &&
        d.Message.includes('IP not in whitelist'),
    ),
  ).toBe(true);

  // The critical-only subscriber got exactly the critical alerts.
  const criticalCount = structured.filter((a) => a.severity === 'critical').length;
  const critical = (await receive(sqs, criticalQueue, criticalCount + 5, 5000))
    .filter((n) => n.Subject === undefined)
    .map((n) => JSON.parse(n.Message))
    .filter((b) => b.schema === 'certwatch.alert/1') as Structured[];
  expect(critical.length).toBe(criticalCount);
  expect(critical.every((a) => a.severity === 'critical')).toBe(true);

  // A daily-alert monitor sends one alert per certificate needing action, every day.
  const daily = days.reduce(
    (sum, { report }) => sum + report.certificates.filter((c) => c.status !== 'ok').length,
    0,
  );
  expect(sent).toBeLessThan(daily);
}, 240_000);
