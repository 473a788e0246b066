/**
 * `certwatch demo` (what `npm start` runs): the emulator in-process with a demo fleet, then an audit and a scan
 * against it with the console sink — certwatch seen working without a cloud account.
 */

import { demoFleet } from '../emulator/fleet/demo';
import { startEmulator } from '../emulator/server';
import { ConsoleSink } from '../lib/alerts/console';
import { loadConfig } from '../lib/config';
import { renderTable } from '../lib/report/table';
import { alertOn } from '../lib/scan';
import { type CliIo, write } from './io';
import { scanWithProgress } from './run';

export async function runDemo(io: CliIo): Promise<number> {
  const nowMs = io.clock();
  const fleet = demoFleet(nowMs);
  const emulator = await startEmulator({ fleet, ucloud: { latencyMs: { min: 5, max: 25 } } });
  try {
    const certificates = fleet.ucloud?.certificates ?? [];
    const account = fleet.ucloud?.accounts?.[0];
    const regions = [...new Set(certificates.map((c) => c.Region))].sort();
    const projects = [...new Set(certificates.map((c) => c.ProjectId))].sort();
    const config = loadConfig({
      UCLOUD_PUBLIC_KEY: account?.PublicKey ?? 'demo-public-key',
      UCLOUD_PRIVATE_KEY: account?.PrivateKey ?? 'demo-private-key',
      UCLOUD_REGIONS: regions.join(','),
      UCLOUD_PROJECT_IDS: projects.join(','),
      UCLOUD_API_URL: emulator.ucloudUrl,
    });
    await write(
      io.stdout,
      `certwatch demo: an emulated UCloud account at ${emulator.ucloudUrl} holding ${certificates.length} ` +
        `certificates in ${regions.length} regions × ${projects.length} projects.\n\n` +
        '== certwatch audit ==\n\n',
    );
    const report = await scanWithProgress(io, config, nowMs);
    await write(io.stdout, renderTable(report));
    await write(
      io.stdout,
      '\n== certwatch scan (alerts go to the console; set CERTWATCH_SNS_TOPIC_ARN for SNS) ==\n\n',
    );
    const outcome = await alertOn(report, new ConsoleSink(io.stdout));
    if (outcome.sent === null) await write(io.stdout, 'Nothing needs action: no alert sent.\n');
    await write(
      io.stdout,
      `\n${emulator.stats.ucloud.requests} API requests served by the emulator. ` +
        'Next: `certwatch audit --format json`, or `certwatch emulator` to point your own runs at it (README.md).\n',
    );
    return 0;
  } finally {
    await emulator.close();
  }
}
