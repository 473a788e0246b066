import { describe, expect, it } from 'vitest';
import { alertOn } from '../../../lib/alerts/alerting';
import { alertOnChannels, scopedStore, throwIfAnyChannelFailed } from '../../../lib/alerts/channels';
import { parseLadder } from '../../../lib/alerts/ladder';
import type { AlertSink, Digest, OutgoingAlert } from '../../../lib/alerts/sink';
import { AlertDeliveryError } from '../../../lib/errors';
import type { CertificateRecord } from '../../../lib/model';
import { MemoryStateStore } from '../../../lib/state/memory';
import { cert, report } from '../../helpers/reports';

const NOW = Date.parse('2026-11-23T05:00:00Z');
const HOUR = 3_600_000;

/** A channel that keeps what it was given; `down` makes it refuse every digest while true. */
class Channel implements AlertSink {
  readonly digests: Digest[] = [];
  readonly alerts: OutgoingAlert[] = [];
  down = false;
  constructor(
    readonly name: string,
    readonly historyScope?: string,
    structured = false,
  ) {
    if (structured) {
      this.publishAlerts = async (alerts: readonly OutgoingAlert[]) => {
        this.alerts.push(...alerts);
        return { sent: alerts.length, failed: [] };
      };
    }
  }
  publishAlerts?: AlertSink['publishAlerts'];
  async publishDigest(digest: Digest) {
    if (this.down) throw new AlertDeliveryError(`${this.name} is down`);
    this.digests.push(digest);
  }
  /** The ids of the certificates its digests told as new, per digest. */
  told(): string[][] {
    return this.digests.map((digest) =>
      (digest.content.sections.find((section) => section.kind === 'new')?.groups ?? [])
        .flatMap((group) => group.entries.map((entry) => entry.title))
        .sort(),
    );
  }
}

const records: CertificateRecord[] = [
  cert({
    id: 'ssl-1',
    name: 'api',
    status: 'critical',
    daysLeft: 5,
    notAfter: '2026-11-28T06:00:00Z',
    domains: ['api.example'],
  }),
  cert({
    id: 'ssl-2',
    name: 'old',
    status: 'expired',
    daysLeft: -2,
    notAfter: '2026-11-21T00:00:00Z',
    domains: ['old.example'],
  }),
];
const options = (store: MemoryStateStore, nowMs = NOW) => ({
  store,
  ladder: parseLadder(undefined),
  nowMs,
  criticalDays: 7,
  reminderIntervalMs: 86_400_000,
});

describe('alertOnChannels', () => {
  it('a failing channel is named, does not stop the others, and is later sent only what it missed', async () => {
    const store = new MemoryStateStore();
    const sns = new Channel('sns', undefined, true);
    const email = new Channel('email', 'email');
    const chat = new Channel('slack', 'slack');
    chat.down = true;

    const first = await alertOnChannels(report(records), [sns, email, chat], options(store));
    expect(() => throwIfAnyChannelFailed(first)).toThrow(
      /1 of 3 alert channels failed \(slack\); delivered to sns, email\..*slack: slack is down/,
    );
    expect(sns.told()).toEqual([['api (ssl-1)', 'old (ssl-2)']]);
    expect(email.told()).toEqual(sns.told());
    expect(sns.alerts).toHaveLength(2);
    // The same digest, word for word, on every channel that took it.
    expect(email.digests[0]?.body).toBe(sns.digests[0]?.body);

    chat.down = false;
    const second = await alertOnChannels(report(records), [sns, email, chat], options(store, NOW + HOUR));
    expect(() => throwIfAnyChannelFailed(second)).not.toThrow();
    expect(sns.digests).toHaveLength(1);
    expect(email.digests).toHaveLength(1);
    expect(sns.alerts).toHaveLength(2);
    expect(chat.told()).toEqual([['api (ssl-1)', 'old (ssl-2)']]);

    await alertOnChannels(report(records), [sns, email, chat], options(store, NOW + 2 * HOUR));
    expect([sns.digests.length, email.digests.length, chat.digests.length]).toEqual([1, 1, 1]);
  });

  it('a channel added later hears once of what is still open; the others are not told again', async () => {
    const store = new MemoryStateStore();
    const sns = new Channel('sns', undefined, true);
    await alertOnChannels(report(records), [sns], options(store));
    const email = new Channel('email', 'email');
    await alertOnChannels(report(records), [sns, email], options(store, NOW + HOUR));
    expect(sns.digests).toHaveLength(1);
    expect(email.told()).toEqual([['api (ssl-1)', 'old (ssl-2)']]);
  });

  it('the unscoped channel keeps the history a single-channel run wrote (an upgrade alerts nothing again)', async () => {
    const store = new MemoryStateStore();
    const before = new Channel('sns', undefined, true);
    await alertOn(report(records), { ...options(store), sink: before });
    const after = new Channel('sns', undefined, true);
    const outcome = await alertOnChannels(report(records), [after], options(store, NOW + HOUR));
    expect(outcome.channels[0]?.outcome?.digest).toBeNull();
    expect(after.digests).toHaveLength(0);
    const keys = store.histories().map((history) => history.certificateKey);
    expect(keys.every((key) => !key.includes('#'))).toBe(true);
  });

  it('keeps each scoped channel under its own keys, and reads them back unprefixed', async () => {
    const store = new MemoryStateStore();
    await alertOnChannels(report(records), [new Channel('email', 'email')], options(store));
    const keys = store.histories().map((history) => history.certificateKey);
    expect(keys.length).toBe(2);
    expect(keys.every((key) => key.startsWith('email#'))).toBe(true);
    const loaded = await scopedStore(store, 'email').load(keys.map((key) => key.slice('email#'.length)));
    expect([...loaded.keys()].every((key) => !key.startsWith('email#'))).toBe(true);
    expect([...loaded.values()].every((history) => !history.certificateKey.startsWith('email#'))).toBe(true);
  });

  it('a lone channel fails with its own error, untouched', async () => {
    const store = new MemoryStateStore();
    const chat = new Channel('slack', 'slack');
    chat.down = true;
    const outcome = await alertOnChannels(report(records), [chat], options(store));
    expect(() => throwIfAnyChannelFailed(outcome)).toThrow(/^slack is down$/);
  });

  it('refuses two channels that would keep one history', async () => {
    const store = new MemoryStateStore();
    await expect(
      alertOnChannels(report(records), [new Channel('a', 'x'), new Channel('b', 'x')], options(store)),
    ).rejects.toThrow(/same history/);
  });

  it('a channel without structured messages counts no alerts sent, and owes none', async () => {
    const store = new MemoryStateStore();
    const email = new Channel('email', 'email');
    const outcome = await alertOnChannels(report(records), [email], options(store));
    expect(outcome.channels[0]?.outcome?.alerts).toBe(0);
    expect(store.histories().every((history) => history.state === 'sent')).toBe(true);
  });
});
