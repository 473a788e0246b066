/**
 * The README's picture of the HTML email: the digest of the demo fleet, made as `certwatch demo` makes it (scan
 * the emulator's demo fleet, plan against an empty alert history), taken from the SES request the email channel
 * would send, opened in headless Chromium (the one test/helpers/browser.ts finds) 900 px wide; the top 1500 px are
 * saved (`--max-height 0`: the whole message). The clock is fixed so the picture changes only when the code does.
 *
 *   npm run screenshot:email
 *   npm run screenshot:email -- --out docs/email.png --html test-output/email.html --now 2026-11-23T09:00:00Z
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { emulatorEnv } from '../cli/emulatorEnv';
import { demoFleet } from '../emulator/fleet/demo';
import { startEmulator } from '../emulator/server';
import { alertOn } from '../lib/alerts/alerting';
import { SesEmailSink } from '../lib/channels/emailSink';
import { loadConfig } from '../lib/config';
import { buildSources } from '../lib/providers';
import { alertingOptions } from '../lib/run';
import { scanFleet } from '../lib/scan';
import { MemoryStateStore } from '../lib/state/memory';
import { findChromium, launchChromium } from '../test/helpers/browser';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/email.png' },
    html: { type: 'string' },
    now: { type: 'string', default: '2026-11-23T09:00:00Z' },
    width: { type: 'string', default: '900' },
    // The demo's first run tells 100 certificates in detail: the top shows the header, the counts and the first.
    'max-height': { type: 'string', default: '1500' },
  },
});
const nowMs = Date.parse(values.now);
if (Number.isNaN(nowMs)) throw new Error(`--now ${values.now} is not an ISO instant`);

const html = await demoDigestHtml(nowMs);
if (values.html) {
  await mkdir(dirname(values.html), { recursive: true });
  await writeFile(values.html, html);
  console.log(`wrote ${values.html}`);
}
await screenshot(html, values.out, Number(values.width), Number(values['max-height']));
console.log(`wrote ${values.out}`);

/** The HTML part of the email the demo's digest becomes, exactly as SesEmailSink hands it to SES. */
async function demoDigestHtml(now: number): Promise<string> {
  const fleet = demoFleet(now);
  const emulator = await startEmulator({ fleet });
  try {
    const config = loadConfig(emulatorEnv(fleet, emulator));
    const report = await scanFleet(buildSources(config), { statusDays: config.statusDays, nowMs: now });
    const sent: SendEmailCommand[] = [];
    const sink = new SesEmailSink({
      from: 'certwatch <certwatch@example.com>',
      to: ['ops@example.com'],
      client: {
        send: async (command) => {
          sent.push(command);
          return { $metadata: {}, MessageId: 'screenshot' };
        },
      },
    });
    const outcome = await alertOn(
      report,
      alertingOptions(config, { sink, store: new MemoryStateStore(), nowMs: now }),
    );
    const htmlPart = sent[0]?.input.Content?.Simple?.Body?.Html?.Data;
    if (outcome.digest === null || htmlPart === undefined) {
      throw new Error('the demo fleet gave no digest to send: nothing to picture');
    }
    return htmlPart;
  } finally {
    await emulator.close();
  }
}

async function screenshot(page: string, out: string, width: number, maxHeight: number): Promise<void> {
  const found = await findChromium();
  console.log(`browser: ${found.description}`);
  const browser = await launchChromium(found);
  try {
    const tab = await browser.newPage({ viewport: { width, height: 900 } });
    // The email asks for nothing outside itself; refuse anything it would fetch, so the picture proves it.
    await tab.route('**/*', (route) => route.abort());
    await tab.setContent(page, { waitUntil: 'load' });
    const height = await tab.evaluate<number>('document.documentElement.scrollHeight');
    await mkdir(dirname(out), { recursive: true });
    const clipped = maxHeight > 0 && height > maxHeight;
    // A clipped picture ends below the last whole entry that fits, not halfway through one.
    const clipHeight = clipped
      ? await tab.evaluate<number>(
          `Math.max(0, ...[...document.querySelectorAll('tr[data-tone]')]
            .map((row) => row.getBoundingClientRect().bottom).filter((bottom) => bottom <= ${maxHeight - 12}))`,
        )
      : 0;
    // fullPage with a clip: the clip may reach below the viewport.
    await tab.screenshot({
      path: out,
      fullPage: true,
      ...(clipped ? { clip: { x: 0, y: 0, width, height: (clipHeight || maxHeight - 12) + 12 } } : {}),
    });
  } finally {
    await browser.close();
  }
}
