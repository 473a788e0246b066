/** A scan that runs out of time reports what it could not read, in time to alert about it. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { ALERT_RESERVE_MS, createHandler, type ScanResult } from '../../functions/scan';
import type { Digest } from '../../lib/alerts/sink';
import { loadConfig } from '../../lib/config';
import { buildSources } from '../../lib/providers';
import { scanFleet } from '../../lib/scan';
import { auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { quietTelemetry } from '../helpers/telemetry';

let emulator: RunningEmulator;
const { fleet } = auditFleet(0);

beforeAll(async () => {
  // cn-bj2 answers at once; the other regions take far longer than the scan may.
  emulator = await startEmulator({
    fleet,
    ucloud: {
      failures: [
        { region: 'cn-sh2', hang: true },
        { region: 'hk', hang: true },
      ],
    },
  });
});
afterAll(() => emulator.close());

it('turns every part not read within the time limit into a named failure', async () => {
  const config = loadConfig(auditEnv(emulator.ucloudUrl));
  const started = Date.now();
  const report = await scanFleet(buildSources(config), {
    statusDays: config.statusDays,
    nowMs: NOW,
    timeLimitMs: 300,
  });
  expect(Date.now() - started).toBeLessThan(2000);
  expect(report.complete).toBe(false);
  expect(report.certificates.map((c) => c.region).sort()).toEqual(['cn-bj2', 'cn-bj2']);
  expect(report.failures.map((f) => `${f.region}/${f.project}: ${f.message}`)).toEqual([
    "cn-sh2/org-a: the scan's time limit (0.3 s) ran out before this part was read",
    "cn-sh2/org-b: the scan's time limit (0.3 s) ran out before this part was read",
    "hk/org-a: the scan's time limit (0.3 s) ran out before this part was read",
    "hk/org-b: the scan's time limit (0.3 s) ran out before this part was read",
  ]);
});

it('keeps time back in Lambda to send the alert', async () => {
  const sent: Digest[] = [];
  const handler = createHandler(auditEnv(emulator.ucloudUrl), {
    ...quietTelemetry,
    sink: {
      name: 'test',
      publishDigest: async (digest) => void sent.push(digest),
      publishAlerts: async (alerts) => ({ sent: alerts.length, failed: [] }),
    },
    clock: () => NOW,
  });
  const result = (await handler(
    {},
    { getRemainingTimeInMillis: () => ALERT_RESERVE_MS + 1500 },
  )) as ScanResult;
  expect(result.complete).toBe(false);
  expect(result.failures).toHaveLength(4);
  expect(sent).toHaveLength(1);
  expect(sent[0]?.body).toContain("the scan's time limit (1.5 s) ran out");
});
