import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertOn } from '../../../lib/alerts/alerting';
import { parseLadder } from '../../../lib/alerts/ladder';
import { parseRules } from '../../../lib/alerts/rules';
import type { AlertSink, Digest, OutgoingAlert } from '../../../lib/alerts/sink';
import { AlertDeliveryError } from '../../../lib/errors';
import type { CertificateRecord } from '../../../lib/model';
import { FileStateStore } from '../../../lib/state/file';
import { MemoryStateStore } from '../../../lib/state/memory';
import { type AlertStateStore, certificateKey } from '../../../lib/state/store';
import { cert, report } from '../../helpers/reports';

const NOW = Date.parse('2026-11-23T05:00:00Z');

/** A sink that keeps what it was given, and can refuse. */
class RecordingSink implements AlertSink {
  readonly name = 'recording';
  readonly digests: Digest[] = [];
  readonly alerts: OutgoingAlert[] = [];
  constructor(private readonly refuse: { digest?: boolean; alerts?: boolean } = {}) {}
  async publishDigest(digest: Digest) {
    if (this.refuse.digest) throw new AlertDeliveryError('digest refused');
    this.digests.push(digest);
  }
  async publishAlerts(alerts: readonly OutgoingAlert[]) {
    if (this.refuse.alerts)
      return { sent: 0, failed: alerts.map((a) => ({ id: a.id, code: 'Down', message: 'no' })) };
    this.alerts.push(...alerts);
    return { sent: alerts.length, failed: [] };
  }
}

const critical = cert({
  id: 'ssl-crit',
  name: 'api',
  status: 'critical',
  daysLeft: 5,
  notAfter: '2026-11-28T06:00:00Z',
  domains: ['api.example'],
});
const expired = cert({
  id: 'ssl-exp',
  name: 'old',
  status: 'expired',
  daysLeft: -2,
  notAfter: '2026-11-21T00:00:00Z',
  domains: ['old.example'],
});

function run(records: CertificateRecord[], sink: AlertSink, store: AlertStateStore, extra = {}) {
  return alertOn(report(records), {
    sink,
    store,
    ladder: parseLadder(undefined),
    nowMs: NOW,
    criticalDays: 7,
    reminderIntervalMs: 86_400_000,
    ...extra,
  });
}

describe('alertOn', () => {
  it('sends each new alert once, as a digest and a structured message', async () => {
    const store = new MemoryStateStore();
    const sink = new RecordingSink();
    const first = await run([critical, expired], sink, store);
    expect(first.alerts).toBe(2);
    expect(sink.alerts.map((a) => JSON.parse(a.message).rung).sort()).toEqual(['d7', 'expired']);
    expect(sink.alerts[0]?.attributes.severity).toBeDefined();
    const second = await run([critical, expired], sink, store);
    expect(second.alerts).toBe(0);
    expect(second.digest).toBeNull();
    expect(sink.digests).toHaveLength(1);
  });

  it('remembers a certificate with no known expiry so that each later run reads it back and stays quiet', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'certwatch-alerting-'));
    try {
      const path = join(directory, 'state.json');
      const unknown = cert({ id: 'sc-unreadable', status: 'unknown', daysLeft: null, notAfter: null });
      const sink = new RecordingSink();
      // Each run builds its store anew, as `certwatch scan` does.
      const first = await run([unknown, critical], sink, new FileStateStore(path));
      expect(first.alerts).toBe(2);
      const stored = JSON.parse(await readFile(path, 'utf8')).certificates[certificateKey(unknown)];
      expect(stored).toMatchObject({ rung: 'unknown', notAfter: null, state: 'sent' });
      for (const day of [1, 2]) {
        const later = await run([unknown, critical], sink, new FileStateStore(path), {
          nowMs: NOW + day * 86_400_000,
        });
        expect({ day, alerts: later.alerts, stateProblem: later.stateProblem }).toEqual({
          day,
          alerts: 0,
          stateProblem: null,
        });
      }
      expect(sink.alerts.map((a) => JSON.parse(a.message).rung).sort()).toEqual(['d7', 'unknown']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('uses the history around an unusable entry: only that certificate is told again, and the outcome says so', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'certwatch-alerting-'));
    try {
      const path = join(directory, 'state.json');
      const sink = new RecordingSink();
      await run([critical, expired], sink, new FileStateStore(path));
      const document = JSON.parse(await readFile(path, 'utf8'));
      document.certificates[certificateKey(expired)].state = 'mislaid';
      await writeFile(path, JSON.stringify(document));

      const next = await run([critical, expired], sink, new FileStateStore(path), { nowMs: NOW + 60_000 });
      expect(next.stateProblem).toBeNull();
      expect(next.unusableHistory).toEqual([
        {
          certificateKey: certificateKey(expired),
          problem: 'has a state other than "sending", "digested" or "sent"',
        },
      ]);
      expect(next.plan.toSend.map((a) => a.record.id)).toEqual(['ssl-exp']);
      expect(sink.alerts.map((a) => JSON.parse(a.message).rung)).toEqual(['d7', 'expired', 'expired']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('alerts anyway when the history cannot be read, and says so', async () => {
    const broken = new MemoryStateStore();
    broken.load = async () => {
      throw new Error('table certwatch-state not found');
    };
    const sink = new RecordingSink();
    // Sent first, then the run fails loudly: without history every run would repeat them.
    await expect(run([critical], sink, broken)).rejects.toThrow(
      /alerts were sent, but the alert history could not be used \(table certwatch-state not found\)/,
    );
    expect(sink.alerts).toHaveLength(1);
    expect(sink.digests[0]?.body).toMatch(
      /^NOTE: the alert history could not be used \(table certwatch-state not found\)/,
    );
  });

  it('keeps a claim whose digest went out for its run while that run still sends the structured message', async () => {
    const store = new MemoryStateStore();
    const overlapping = new RecordingSink();
    // Run A's channel: between A's digest and A's structured message, run B (another invocation) scans the same
    // fleet and finds the alert `digested`, its structured message owed.
    const first = new RecordingSink();
    const sinkA: AlertSink = {
      name: 'a',
      publishDigest: (digest) => first.publishDigest(digest),
      publishAlerts: async (alerts) => {
        await run([critical], overlapping, store, { owner: 'invocation-b' });
        return first.publishAlerts(alerts);
      },
    };
    await run([critical], sinkA, store, { owner: 'invocation-a' });
    const rungs = (sink: RecordingSink) => sink.alerts.map((a) => JSON.parse(a.message).rung);
    expect(rungs(first)).toEqual(['d7']);
    expect(rungs(overlapping)).toEqual([]);
    expect([...first.digests, ...overlapping.digests]).toHaveLength(1);
    expect(store.histories()[0]?.state).toBe('sent');
  });

  it('undoes a claim whose digest failed, and owes only the structured message when just that failed', async () => {
    const store = new MemoryStateStore();
    const digestRefused = new RecordingSink({ digest: true });
    await expect(run([critical], digestRefused, store)).rejects.toThrow('digest refused');
    // The structured alert was still sent before the run failed; the claim was undone, so people hear it next run.
    expect(digestRefused.alerts).toHaveLength(1);
    expect(store.histories()).toEqual([]);

    const alertsRefused = new RecordingSink({ alerts: true });
    await expect(run([critical], alertsRefused, store)).rejects.toThrow(
      /1 of 1 alerts could not be delivered through recording: Down no/,
    );
    expect(alertsRefused.digests).toHaveLength(1);
    expect(store.histories()[0]?.state).toBe('digested');

    // The retry owes subscribers the structured message, and sends no second digest.
    const retry = new RecordingSink();
    const outcome = await run([critical], retry, store);
    expect(outcome.alerts).toBe(1);
    expect(outcome.digest).toBeNull();
    expect(retry.digests).toEqual([]);
    expect(retry.alerts.map((a) => JSON.parse(a.message).rung)).toEqual(['d7']);
    expect(store.histories()[0]?.state).toBe('sent');
    expect((await run([critical], new RecordingSink(), store)).alerts).toBe(0);
  });

  it('sends a message subscribers can filter on when the scan is incomplete', async () => {
    const sink = new RecordingSink();
    await alertOn(
      {
        ...report([critical]),
        complete: false,
        failures: [
          {
            provider: 'aliyun',
            service: 'slb',
            region: 'cn-shanghai',
            project: null,
            message: 'HTTP 403 Forbidden.RAM',
          },
        ],
      },
      {
        sink,
        store: new MemoryStateStore(),
        ladder: parseLadder(undefined),
        nowMs: NOW,
        criticalDays: 7,
        reminderIntervalMs: 86_400_000,
      },
    );
    const incomplete = sink.alerts.find((a) => a.id === 'incomplete')!;
    expect(incomplete.attributes).toMatchObject({
      severity: { StringValue: 'critical' },
      kind: { StringValue: 'scan-incomplete' },
      provider: { StringValue: 'aliyun' },
    });
    expect(JSON.parse(incomplete.message)).toMatchObject({
      schema: 'certwatch.scan-incomplete/1',
      failures: [{ service: 'slb', region: 'cn-shanghai', message: 'HTTP 403 Forbidden.RAM' }],
    });
  });

  it('sends an alert again when the run that claimed it died before confirming', async () => {
    const store = new MemoryStateStore();
    await store.claim({
      certificateKey: 'ucloud/ulb/cn-bj2/org-x/ssl-crit',
      rung: 'd7',
      notAfterMs: critical.notAfterMs,
      nowMs: NOW - 3_600_000,
      leaseMs: 900_000,
    });
    const sink = new RecordingSink();
    expect((await run([critical], sink, store)).alerts).toBe(1);
  });

  it('changes nothing on a dry run', async () => {
    const store = new MemoryStateStore();
    const sink = new RecordingSink();
    const dry = await run([critical], sink, store, { dryRun: true });
    expect(dry.digest?.subject).toBe('certwatch: 1 new alert (1 critical)');
    expect(sink.digests).toEqual([]);
    expect(store.histories()).toEqual([]);
  });

  it('applies rules: a mute holds back, an expired certificate in use is not silenced without saying so', async () => {
    const rules = await parseRules(
      [
        'rules:',
        '  - match: { domain: "api.example" }',
        '    muteUntil: 2026-12-31',
        '    reason: migrating',
        '  - match: { id: "ssl-exp" }',
        '    ignore: true',
        '    reason: decommissioning',
      ].join('\n'),
      'rules.yaml',
    );
    const sink = new RecordingSink();
    const outcome = await run([critical, expired], sink, new MemoryStateStore(), { rules });
    expect(outcome.plan.silenced.map((s) => s.record.id)).toEqual(['ssl-crit']);
    expect(sink.alerts.map((a) => JSON.parse(a.message).certificate.id)).toEqual(['ssl-exp']);
  });
});
