/**
 * Alert volume over a simulated month: the demo fleet scanned once a day for 30 days, alerting once per rung
 * (plus daily reminders for expired certificates in use), against what a daily-alert monitor sends: one alert
 * per certificate needing action, every day. The emulator runs in this process, without rate limits.
 */
import { describeFleet, emulatorEnv } from '../../cli/emulatorEnv';
import { demoFleet } from '../../emulator/fleet/demo';
import { startEmulator } from '../../emulator/server';
import { alertOn } from '../../lib/alerts/alerting';
import type { AlertSink } from '../../lib/alerts/sink';
import { loadConfig } from '../../lib/config';
import { buildSources } from '../../lib/providers';
import { alertingOptions } from '../../lib/run';
import { scanFleet } from '../../lib/scan';
import { MemoryStateStore } from '../../lib/state/memory';

export async function alertVolumeSection(): Promise<string> {
  const start = Date.now() - (Date.now() % 86_400_000);
  const fleet = demoFleet(start);
  const emulator = await startEmulator({ fleet });
  const store = new MemoryStateStore();
  let alerts = 0;
  let reminders = 0;
  let digests = 0;
  let daily = 0;
  const sink: AlertSink = {
    name: 'count',
    publishDigest: async () => void digests++,
    publishAlerts: async (sent) => {
      alerts += sent.length;
      reminders += sent.filter((alert) => JSON.parse(alert.message).kind === 'reminder').length;
      return { sent: sent.length, failed: [] };
    },
  };
  try {
    const config = loadConfig(emulatorEnv(fleet, emulator));
    const sources = buildSources(config);
    for (let day = 0; day < 30; day++) {
      const nowMs = start + day * 86_400_000;
      const report = await scanFleet(sources, { statusDays: config.statusDays, nowMs });
      daily += report.certificates.filter((c) => c.status !== 'ok').length;
      await alertOn(report, alertingOptions(config, { sink, store, nowMs }));
    }
  } finally {
    await emulator.close();
  }
  return (
    `Alert volume, demo fleet (${describeFleet(fleet)}), 30 daily runs: ${alerts} structured alerts ` +
    `(${alerts - reminders} rungs crossed, ${reminders} daily reminders for expired certificates still in use) ` +
    `and ${digests} digests, against ${daily} alerts from a monitor that alerts daily for every certificate ` +
    `needing action (${(daily / Math.max(alerts, 1)).toFixed(1)}× as many; ` +
    `${(daily / Math.max(alerts - reminders, 1)).toFixed(1)}× without the reminders).\n`
  );
}
