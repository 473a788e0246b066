/**
 * The README's picture of the HTML report: opens a rendered report in Debian's headless chromium at 1280×900 and
 * saves what a laptop screen shows.
 *
 *   npm start && node scripts/report-screenshot.mjs certwatch-report.html docs/report.png
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [input = 'certwatch-report.html', output = 'docs/report.png'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  // Chromium refuses its sandbox as root.
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(resolve(input)).href);
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
}
