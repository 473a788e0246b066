/**
 * `npm run bench`: certwatch against a 10,000-certificate UCloud fleet on the emulator, 20 ms per request.
 *
 * The emulator runs in a child process, so the figures (CPU, peak RSS) are certwatch's own. Prints one table:
 * certificates/s, requests, wall time, peak RSS, CPU µs per certificate for the whole scan (HTTP, JSON, PEM,
 * evaluation), and CPU µs per certificate for parse + evaluate alone.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadConfig } from '../lib/config';
import { evaluate } from '../lib/expiry/evaluate';
import { buildSources } from '../lib/providers';
import type { RequestCounters } from '../lib/providers/source';
import { UcloudClient } from '../lib/providers/ucloud/client';
import { listSslV2, type SslInfoWire } from '../lib/providers/ucloud/describeSslV2';
import { mapSslInfo } from '../lib/providers/ucloud/mapper';
import { scanFleet } from '../lib/scan';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const REGIONS = ['cn-bj2', 'cn-sh2', 'cn-gd', 'hk', 'tw-tp', 'sg', 'jpn-tky', 'us-ca', 'ge-fra', 'uk-london'];
const PROJECTS = ['org-bench1', 'org-bench2'];

interface Emulator {
  url: string;
  stop(): void;
}

/** Starts `certwatch emulator` (the built CLI beside this bundle) and waits for its URL. */
async function startEmulatorProcess(): Promise<Emulator> {
  const cli = new URL('./certwatch.mjs', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      cli,
      'emulator',
      '--count',
      String(COUNT),
      '--seed',
      '42',
      '--latency-ms',
      String(LATENCY_MS),
      '--regions',
      REGIONS.join(','),
      '--projects',
      PROJECTS.join(','),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const match = /export UCLOUD_API_URL=(\S+)/.exec(line);
    if (match) return { url: match[1]!, stop: () => child.kill('SIGTERM') };
  }
  throw new Error('the emulator exited before printing its URL');
}

async function main() {
  process.stderr.write(`generating or loading a ${COUNT}-certificate fleet (cached in .cache/fleets)...\n`);
  const generateStart = performance.now();
  const emulator = await startEmulatorProcess();
  const emulatorReadyS = (performance.now() - generateStart) / 1000;
  try {
    const config = loadConfig({
      UCLOUD_PUBLIC_KEY: 'demo-public-key',
      UCLOUD_PRIVATE_KEY: 'demo-private-key',
      UCLOUD_REGIONS: REGIONS.join(','),
      UCLOUD_PROJECT_IDS: PROJECTS.join(','),
      UCLOUD_API_URL: emulator.url,
    });
    const counters: RequestCounters = { requests: 0, retries: 0 };
    const cpuBefore = process.cpuUsage();
    const wallStart = performance.now();
    const report = await scanFleet(buildSources(config, { counters }), {
      thresholds: config.thresholds,
      nowMs: Date.now(),
    });
    const wallS = (performance.now() - wallStart) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const certificates = report.certificates.length;
    if (!report.complete || certificates !== COUNT) {
      throw new Error(`scan incomplete: ${certificates} of ${COUNT}; ${JSON.stringify(report.failures)}`);
    }

    // Parse + evaluate alone, over the same wire items (fetched again, then timed without I/O).
    const client = new UcloudClient({ ...config.ucloud!, timeoutMs: 10_000 });
    const items: { info: SslInfoWire; region: string; project: string }[] = [];
    for (const region of REGIONS) {
      for (const project of PROJECTS) {
        for await (const info of listSslV2(client, { region, projectId: project }))
          items.push({ info, region, project });
      }
    }
    const nowMs = Date.now();
    const parseBefore = process.cpuUsage();
    for (const { info, region, project } of items)
      evaluate(mapSslInfo(info, region, project), nowMs, config.thresholds);
    const parseCpu = process.cpuUsage(parseBefore);

    const rows: [string, string][] = [
      ['fleet', `${COUNT} UCloud certificates, ${REGIONS.length} regions × ${PROJECTS.length} projects`],
      ['emulator latency', `${LATENCY_MS} ms per request`],
      ['certificates', String(certificates)],
      ['requests', `${counters.requests} (${counters.retries} retried)`],
      ['wall time', `${wallS.toFixed(2)} s`],
      ['certificates/s', (certificates / wallS).toFixed(0)],
      ['peak RSS', `${peakRssMb.toFixed(0)} MB`],
      ['CPU per certificate, whole scan', `${((cpu.user + cpu.system) / certificates).toFixed(0)} µs`],
      [
        'CPU per certificate, parse + evaluate',
        `${((parseCpu.user + parseCpu.system) / items.length).toFixed(0)} µs`,
      ],
      ['emulator ready (fleet generated or loaded)', `${emulatorReadyS.toFixed(1)} s`],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    process.stdout.write(`\ncertwatch benchmark (node ${process.version})\n`);
    for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}\n`);
  } finally {
    emulator.stop();
  }
}

await main();
