/**
 * The README's picture of the HTML report: opens a rendered report in headless Chromium (the one
 * test/helpers/browser.ts finds) at 1280×900 and saves what a laptop screen shows.
 *
 *   npm start && npm run screenshot:report -- certwatch-report.html docs/report.png
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findChromium, launchChromium } from '../test/helpers/browser';

const [input = 'certwatch-report.html', output = 'docs/report.png'] = process.argv.slice(2);
const found = await findChromium();
console.log(`browser: ${found.description}`);
const browser = await launchChromium(found);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(resolve(input)).href);
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
}
