/**
 * Unbound, superseded and chain cases on a fleet from the emulator's generator (the demo fleet): the plan must
 * never page for a certificate bound nowhere, must name the renewal that exists, and must name an intermediate
 * that expires first.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emulatorEnv } from '../../cli/emulatorEnv';
import { demoFleet } from '../../emulator/fleet/demo';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { parseLadder, rungOf } from '../../lib/alerts/ladder';
import { planAlerts } from '../../lib/alerts/plan';
import { loadConfig } from '../../lib/config';
import { severityOf } from '../../lib/expiry/status';
import type { ScanReport } from '../../lib/model';
import { buildSources } from '../../lib/providers';
import { scanFleet } from '../../lib/scan';

const NOW = Date.parse('2026-11-23T00:00:00Z');
let emulator: RunningEmulator;
let report: ScanReport;

beforeAll(async () => {
  const fleet = demoFleet(NOW);
  emulator = await startEmulator({ fleet });
  const config = loadConfig(emulatorEnv(fleet, emulator));
  report = await scanFleet(buildSources(config), { statusDays: config.statusDays, nowMs: NOW });
}, 60_000);
afterAll(() => emulator.close());

it('pages for no unbound certificate, names renewals and intermediates', () => {
  const ladder = parseLadder(undefined);
  const plan = planAlerts(report, {
    nowMs: NOW,
    history: new Map(),
    assess: (record) => {
      if (record.status === 'unknown') return { rung: 'unknown', severity: 'warning' };
      const rung = rungOf(record, ladder, null, NOW);
      return rung ? { rung, severity: severityOf(rung, 7, record.daysLeft) } : null;
    },
  });
  expect(report.complete).toBe(true);

  // Unbound: never an alert, always a clean-up note.
  const unbound = report.certificates.filter((c) => c.inUse === false && c.status !== 'ok');
  expect(unbound.length).toBeGreaterThan(0);
  const alerted = new Set(plan.toSend.map((a) => a.record));
  expect(unbound.filter((c) => alerted.has(c))).toEqual([]);
  expect(unbound.every((c) => plan.cleanup.some((note) => note.record === c))).toBe(true);

  // Superseded and still bound: "rebind", naming a real renewal that covers its names and outlives it.
  const rebinds = plan.toSend.filter((a) => a.kind === 'rebind');
  expect(rebinds.length).toBeGreaterThan(0);
  for (const alert of rebinds) {
    const renewal = report.certificates.find(
      (c) => c.id === alert.renewedBy?.id && c.service === alert.record.service,
    )!;
    expect(renewal.notAfterMs! > alert.record.notAfterMs!).toBe(true);
    expect(
      alert.record.domains.every((d) =>
        renewal.domains.map((n) => n.toLowerCase()).includes(d.toLowerCase()),
      ),
    ).toBe(true);
    expect(alert.action).toContain(`renewed certificate ${renewal.name} (${renewal.id}`);
  }

  // An intermediate expiring first: an alert as strong as the leaf's would be, naming the intermediate.
  const chains = plan.toSend.filter((a) => a.kind === 'chain');
  expect(chains.length).toBeGreaterThan(0);
  for (const alert of chains) {
    expect(alert.record.expirySource).toBe('pem:intermediate');
    expect(alert.action).toMatch(
      /^intermediate ".+" expires .*: upload this certificate again with the renewed/,
    );
    expect(alert.severity).toBe(
      severityOf(rungOf(alert.record, ladder, null, NOW)!, 7, alert.record.daysLeft),
    );
  }
});
