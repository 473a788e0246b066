/**
 * `certwatch demo` (what `npm start` runs): the emulator in-process with a demo fleet, then an audit and a scan
 * against it with the console sink — certwatch seen working without a cloud account. The audit is also written as
 * the HTML report, so the demo ends with a page to open (owner-only and never through a link, as every file
 * certwatch writes: lib/atomicFile.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { demoFleet } from '../emulator/fleet/demo';
import { startEmulator } from '../emulator/server';
import { alertOn } from '../lib/alerts/alerting';
import { writeFileAtomically } from '../lib/atomicFile';
import { ConsoleSink } from '../lib/channels/console';
import { renderDigestHtml } from '../lib/channels/emailHtml';
import { loadConfig } from '../lib/config';
import { renderHtml } from '../lib/report/html';
import { renderTable } from '../lib/report/table';
import { alertingOptions } from '../lib/run';
import { MemoryStateStore } from '../lib/state/memory';
import { describeFleet, emulatorEnv, requestsServed } from './emulatorEnv';
import { type CliIo, write } from './io';
import { scanWithProgress } from './run';

/** Where the demo writes its HTML report unless told otherwise: the current directory (gitignored). */
export const DEMO_REPORT_FILE = 'certwatch-report.html';
/** The digest as the HTML email SES would deliver, beside the report. */
export const DEMO_EMAIL_FILE = 'certwatch-email.html';

export interface DemoOptions {
  /** Path of the HTML report, relative to the current directory. Default {@link DEMO_REPORT_FILE}. */
  reportOut?: string;
}

export async function runDemo(io: CliIo, options: DemoOptions = {}): Promise<number> {
  const reportPath = resolve(options.reportOut ?? DEMO_REPORT_FILE);
  const nowMs = io.clock();
  const fleet = demoFleet(nowMs);
  const emulator = await startEmulator({ fleet, latencyMs: { min: 5, max: 25 } });
  try {
    const config = loadConfig(emulatorEnv(fleet, emulator));
    await write(
      io.stdout,
      `certwatch demo: the built-in emulator at ${emulator.url} plays UCloud and Alibaba Cloud accounts holding ` +
        `${describeFleet(fleet)}.\n\n== certwatch audit ==\n\n`,
    );
    const report = await scanWithProgress(io, config, nowMs);
    await write(io.stdout, renderTable(report));
    await writeFileAtomically(reportPath, renderHtml(report, { nowMs, title: 'certwatch demo audit' }));
    await write(
      io.stdout,
      `\nHTML report (summary, timeline, a table that sorts and filters): ${reportPath}\n` +
        `Open it in a browser: ${pathToFileURL(reportPath).href}\n`,
    );
    await write(
      io.stdout,
      '\n== certwatch scan (alerts go to the console; configure SNS, email or a chat webhook to send them: ' +
        'README "Alert channels") ==\n\n',
    );
    const outcome = await alertOn(
      report,
      alertingOptions(config, {
        sink: new ConsoleSink(io.stdout, { alertsAsJson: false }),
        store: new MemoryStateStore(),
        nowMs,
      }),
    );
    if (outcome.digest === null) await write(io.stdout, 'Nothing needs action: no alert sent.\n');
    else {
      const emailPath = join(dirname(reportPath), DEMO_EMAIL_FILE);
      await writeFileAtomically(emailPath, renderDigestHtml(outcome.digest.content, outcome.digest.subject));
      await write(
        io.stdout,
        `\nThe same digest as the email channel sends it (HTML part): ${pathToFileURL(emailPath).href}\n`,
      );
    }
    await write(
      io.stdout,
      `\n${requestsServed(emulator)} API requests served by the emulator. ` +
        'Next: `certwatch audit --format json`, or `certwatch emulator` to point your own runs at it (README.md).\n',
    );
    return 0;
  } finally {
    await emulator.close();
  }
}
