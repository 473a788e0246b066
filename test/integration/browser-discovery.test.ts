/**
 * How the tests and scripts find a browser (test/helpers/browser.ts): CERTWATCH_CHROMIUM, then a browser on PATH,
 * then the npm package's build — and that the npm build really renders, even on a machine that has a system browser,
 * so the fresh-machine path is exercised everywhere the suite runs.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ENV, findChromium, launchChromium } from '../helpers/browser';

let dir: string;
/** PATH directories: `first` and `second` each hold a stand-in browser, `plain` a chromium that cannot be run. */
let first: string;
let second: string;
let plain: string;

async function standIn(path: string, mode = 0o755): Promise<string> {
  await writeFile(path, '#!/bin/sh\nexit 0\n');
  await chmod(path, mode);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certwatch-browser-'));
  [first, second, plain] = [join(dir, 'first'), join(dir, 'second'), join(dir, 'plain')];
  for (const d of [first, second, plain]) await mkdir(d);
  await standIn(join(first, 'google-chrome'));
  await standIn(join(second, 'chromium'));
  await standIn(join(plain, 'chromium'), 0o644);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('finding a browser', () => {
  it('takes the executable CERTWATCH_CHROMIUM names over any on PATH', async () => {
    const named = await standIn(join(dir, 'my-chrome'));
    const found = await findChromium({ env: { [CHROMIUM_ENV]: named, PATH: second }, isRoot: false });
    expect(found).toMatchObject({ executablePath: named, source: 'env', args: [] });
  });

  it('refuses a CERTWATCH_CHROMIUM that is not an executable file, naming the variable', async () => {
    for (const bad of [join(dir, 'missing'), join(plain, 'chromium'), dir]) {
      await expect(findChromium({ env: { [CHROMIUM_ENV]: bad, PATH: second } })).rejects.toThrow(
        `${CHROMIUM_ENV}=${bad} is not an executable file`,
      );
    }
  });

  it('looks on PATH by name in order (chromium before google-chrome), passing over what cannot run', async () => {
    const path = [plain, first, second].join(':');
    const found = await findChromium({ env: { PATH: path }, platform: 'linux', isRoot: true });
    expect(found).toMatchObject({ executablePath: join(second, 'chromium'), source: 'system' });
    // Chromium refuses its sandbox as root.
    expect(found.args).toEqual(['--no-sandbox']);
    const onlyChrome = await findChromium({ env: { PATH: [plain, first].join(':') }, isRoot: false });
    expect(onlyChrome).toMatchObject({
      executablePath: join(first, 'google-chrome'),
      source: 'system',
      args: [],
    });
  });

  it('says what to do where there is no browser and the npm build does not run', async () => {
    await expect(findChromium({ env: { PATH: plain }, platform: 'win32', arch: 'x64' })).rejects.toThrow(
      `no Chrome or Chromium found, and @sparticuz/chromium carries one for Linux x64 only (this is win32 x64): ` +
        `install Chrome or Chromium, or set ${CHROMIUM_ENV} to one`,
    );
    await expect(
      findChromium({ env: { [CHROMIUM_ENV]: 'npm' }, platform: 'linux', arch: 'arm64' }),
    ).rejects.toThrow('carries one for Linux x64 only (this is linux arm64)');
  });
});

describe('the npm build (CERTWATCH_CHROMIUM=npm, as on a machine without a browser)', () => {
  it('is decompressed once into a cache and reused, whatever is on PATH', async () => {
    const cacheDir = join(dir, 'cache');
    const env = { [CHROMIUM_ENV]: 'npm', PATH: second };
    const made = await findChromium({ env, cacheDir, platform: 'linux', arch: 'x64' });
    expect(made).toMatchObject({
      executablePath: join(cacheDir, 'chromium'),
      source: 'npm',
      args: ['--no-sandbox'],
    });
    expect(made.description).toMatch(
      /^@sparticuz\/chromium \d+\.\d+\.\d+, .* \(decompressed in \d+\.\d s\)$/,
    );
    const again = await findChromium({ env, cacheDir, platform: 'linux', arch: 'x64' });
    expect(again.executablePath).toBe(made.executablePath);
    expect(again.description).toMatch(/\(decompressed earlier\)$/);
  });

  it('renders a page headless: text in the system fonts, an SVG chart, a screenshot', async () => {
    // This machine's own platform: the build is for Linux x64, and anywhere else findChromium must say so.
    const found = findChromium({ env: { [CHROMIUM_ENV]: 'npm' } });
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      await expect(found).rejects.toThrow('carries one for Linux x64 only');
      return;
    }
    const browser = await launchChromium(await found);
    try {
      expect(browser.version()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const page = await browser.newPage({ viewport: { width: 400, height: 200 } });
      await page.setContent(
        `<p style="font: 20px sans-serif"><span id="t">certwatch — 14 expired</span></p>
         <svg width="100" height="50"><rect id="r" width="40" height="30" fill="#c00"/></svg>`,
      );
      expect(await page.locator('#t').textContent()).toBe('certwatch — 14 expired');
      // Inline, so its box is the text's: with no font to draw it in, it would be 0 × 0 (seen with no fontconfig).
      const text = await page.locator('#t').boundingBox();
      expect(text?.width).toBeGreaterThan(100);
      expect(text?.height).toBeGreaterThan(10);
      expect(await page.locator('#r').boundingBox()).toMatchObject({ width: 40, height: 30 });
      const png = await page.screenshot();
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(400);
    } finally {
      await browser.close();
    }
  });
});
