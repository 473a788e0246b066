import { describe, expect, it } from 'vitest';
import { alertOn } from '../../../lib/alerts/alerting';
import { parseLadder } from '../../../lib/alerts/ladder';
import { parseRules } from '../../../lib/alerts/rules';
import type { AlertSink, Digest, OutgoingAlert } from '../../../lib/alerts/sink';
import { AlertDeliveryError } from '../../../lib/errors';
import type { CertificateRecord } from '../../../lib/model';
import { MemoryStateStore } from '../../../lib/state/memory';
import type { AlertStateStore } from '../../../lib/state/store';
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

  it('alerts anyway when the history cannot be read, and says so', async () => {
    const broken = new MemoryStateStore();
    broken.load = async () => {
      throw new Error('table certwatch-state not found');
    };
    const sink = new RecordingSink();
    const outcome = await run([critical], sink, broken);
    expect(outcome.alerts).toBe(1);
    expect(outcome.stateProblem).toBe('table certwatch-state not found');
    expect(sink.digests[0]?.body).toMatch(
      /^NOTE: the alert history could not be used \(table certwatch-state not found\)/,
    );
  });

  it('keeps nothing claimed when delivery fails, so the next run sends it', async () => {
    const store = new MemoryStateStore();
    await expect(run([critical], new RecordingSink({ digest: true }), store)).rejects.toThrow(
      'digest refused',
    );
    await expect(run([critical], new RecordingSink({ alerts: true }), store)).rejects.toThrow(
      /1 of 1 alerts could not be delivered through recording: Down no/,
    );
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
    const rules = parseRules(
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
