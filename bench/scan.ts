/**
 * `npm run bench`: certwatch against generated fleets on the emulator, 20 ms per request:
 * 10,000 UCloud certificates (10 regions × 2 projects), 10,000 Alibaba CDN certificates (one
 * DescribeCertificateInfoByID call each), and both in one scan.
 *
 * The emulator runs in a child process, so the figures (CPU, peak RSS) are certwatch's own. Prints one table.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describeFleet, emulatorEnv } from '../cli/emulatorEnv';
import { demoFleet } from '../emulator/fleet/demo';
import { startEmulator } from '../emulator/server';
import { alertOn } from '../lib/alerts/alerting';
import type { AlertSink } from '../lib/alerts/sink';
import { loadConfig } from '../lib/config';
import { evaluate } from '../lib/expiry/evaluate';
import { buildSources } from '../lib/providers';
import { CDN_INFO_CONCURRENCY } from '../lib/providers/aliyun/source';
import { newRequestCounters, type RequestCounters } from '../lib/providers/source';
import { UcloudClient } from '../lib/providers/ucloud/client';
import { listSslV2, type SslInfoWire } from '../lib/providers/ucloud/describeSslV2';
import { mapSslInfo } from '../lib/providers/ucloud/mapper';
import { scanFleet } from '../lib/scan';
import { MemoryStateStore } from '../lib/state/memory';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const REGIONS = ['cn-bj2', 'cn-sh2', 'cn-gd', 'hk', 'tw-tp', 'sg', 'jpn-tky', 'us-ca', 'ge-fra', 'uk-london'];
const PROJECTS = ['org-bench1', 'org-bench2'];

interface Emulator {
  env: Record<string, string>;
  stop(): void;
}

/** Starts `certwatch emulator` (the built CLI beside this bundle) and reads the settings it prints. */
async function startEmulatorProcess(): Promise<Emulator> {
  const cli = new URL('./certwatch.mjs', import.meta.url).pathname;
  const args = [
    'emulator',
    '--seed',
    '42',
    '--latency-ms',
    String(LATENCY_MS),
    '--count',
    String(COUNT),
    '--regions',
    REGIONS.join(','),
    '--projects',
    PROJECTS.join(','),
    '--cdn-count',
    String(COUNT),
  ];
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const env: Record<string, string> = {};
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^ {2}export (\w+)=(\S*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
    if (line.startsWith('Press Ctrl-C')) return { env, stop: () => child.kill('SIGTERM') };
  }
  throw new Error('the emulator exited before it was ready');
}

interface Row {
  scenario: string;
  certificates: number;
  requests: number;
  retries: number;
  wallS: number;
  peakRssMb: number;
  cpuUsPerCert: number;
}

async function measure(scenario: string, env: Record<string, string>, expected: number): Promise<Row> {
  const config = loadConfig(env);
  const counters: RequestCounters = newRequestCounters();
  const cpuBefore = process.cpuUsage();
  const wallStart = performance.now();
  const report = await scanFleet(buildSources(config, { counters }), {
    thresholds: config.thresholds,
    nowMs: Date.now(),
  });
  const wallS = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (!report.complete || report.certificates.length !== expected) {
    throw new Error(
      `${scenario}: ${report.certificates.length} of ${expected}; ${JSON.stringify(report.failures)}`,
    );
  }
  return {
    scenario,
    certificates: report.certificates.length,
    requests: counters.requests,
    retries: counters.retries,
    wallS,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuUsPerCert: (cpu.user + cpu.system) / report.certificates.length,
  };
}

/** Parse + evaluate alone, over UCloud's wire items (fetched again, then timed without I/O). */
async function parseAndEvaluateUs(env: Record<string, string>): Promise<number> {
  const config = loadConfig(env);
  const client = new UcloudClient({ ...config.ucloud!, timeoutMs: 10_000 });
  const items: { info: SslInfoWire; region: string; project: string }[] = [];
  for (const region of REGIONS) {
    for (const project of PROJECTS) {
      for await (const info of listSslV2(client, { region, projectId: project }))
        items.push({ info, region, project });
    }
  }
  const nowMs = Date.now();
  const before = process.cpuUsage();
  for (const { info, region, project } of items)
    evaluate(mapSslInfo(info, region, project), nowMs, config.thresholds);
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / items.length;
}

/**
 * Alert volume over a simulated month: the demo fleet scanned once a day for 30 days, alerting once per rung
 * (plus daily reminders for expired certificates in use), against what a daily-alert monitor sends: one alert
 * per certificate needing action, every day.
 */
async function alertVolume(): Promise<string> {
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
      const report = await scanFleet(sources, { thresholds: config.thresholds, nowMs });
      daily += report.certificates.filter((c) => c.status !== 'ok').length;
      await alertOn(report, {
        sink,
        store,
        ladder: config.alerting.ladder,
        nowMs,
        criticalDays: config.thresholds.criticalDays,
        reminderIntervalMs: config.alerting.reminderIntervalMs,
      });
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

async function main() {
  process.stderr.write(
    `starting the emulator with ${COUNT} UCloud and ${COUNT} CDN certificates (cached in .cache/fleets)...\n`,
  );
  const ready = performance.now();
  const emulator = await startEmulatorProcess();
  const readyS = (performance.now() - ready) / 1000;
  const { env } = emulator;
  const ucloudOnly = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('UCLOUD_')));
  const aliyunOnly = Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('ALIBABA_')));
  try {
    const rows = [
      await measure('UCloud ULB', ucloudOnly, COUNT),
      await measure('Alibaba CDN', aliyunOnly, COUNT),
      await measure('both, one scan', env, 2 * COUNT),
    ];
    const parseUs = await parseAndEvaluateUs(ucloudOnly);
    const header = [
      'scenario',
      'certificates',
      'requests',
      'retried',
      'wall s',
      'certs/s',
      'peak RSS MB',
      'CPU µs/cert',
    ];
    const table = [
      header,
      ...rows.map((r) => [
        r.scenario,
        String(r.certificates),
        String(r.requests),
        String(r.retries),
        r.wallS.toFixed(2),
        (r.certificates / r.wallS).toFixed(0),
        r.peakRssMb.toFixed(0),
        r.cpuUsPerCert.toFixed(0),
      ]),
    ];
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    const out = table.map((row) =>
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    );
    process.stdout.write(
      `\ncertwatch benchmark (node ${process.version}; emulator in a child process, ${LATENCY_MS} ms per request)\n` +
        `${out.join('\n')}\n\n` +
        `UCloud: ${REGIONS.length} regions × ${PROJECTS.length} projects, pages of 100, 8 listings in flight.\n` +
        `CDN: one DescribeCertificateInfoByID per certificate, ${CDN_INFO_CONCURRENCY} in flight.\n` +
        `CPU per certificate for parse + evaluate alone (UCloud PEMs): ${parseUs.toFixed(0)} µs.\n` +
        `Peak RSS is the process's high-water mark so far (it only grows from row to row).\n` +
        `Emulator ready (fleets generated or loaded from cache): ${readyS.toFixed(1)} s.\n`,
    );
    process.stdout.write(`\n${await alertVolume()}`);
  } finally {
    emulator.stop();
  }
}

await main();
