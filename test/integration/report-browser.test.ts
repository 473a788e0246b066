/**
 * The HTML report in a real browser: the demo fleet plus one certificate with a hostile name, scanned through the
 * emulator, rendered, opened from a file:// URL in headless Chromium (the one test/helpers/browser.ts finds). Checks
 * what a person sees — counts, chart, sorting, filtering, the hostile name as plain text — and that the page asks for
 * nothing but itself.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorEnv } from '../../cli/emulatorEnv';
import { demoFleet } from '../../emulator/fleet/demo';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { loadConfig } from '../../lib/config';
import { type CertificateRecord, type ScanReport, STATUS_ORDER } from '../../lib/model';
import { buildSources } from '../../lib/providers';
import { renderHtml } from '../../lib/report/html';
import { scanFleet } from '../../lib/scan';
import { findChromium, launchChromium } from '../helpers/browser';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const HOSTILE = `<img src=x onerror=alert(1)><script>alert(2)</script>"'&amp;`;
const HOSTILE_ID = 'ssl-hostile';
const OUT_DIR = join('test-output', 'report-browser');

let emulator: RunningEmulator;
let browser: Browser;
let page: Page;
let report: ScanReport;
const dialogs: string[] = [];
const requests: string[] = [];
const consoleErrors: string[] = [];
let pageUrl: string;

beforeAll(async () => {
  const fleet = demoFleet(NOW);
  const hostile = makeTestCertificate({ notAfter: NOW + 5 * DAY, dnsNames: ['hostile.example'] });
  fleet.ucloud!.certificates.push({
    Region: 'cn-bj2',
    ProjectId: 'org-web',
    SSLId: HOSTILE_ID,
    SSLName: HOSTILE,
    SSLType: 'Pem',
    SSLContent: hostile.pem,
    Relations: [
      {
        LoadBalancerId: 'ulb-hostile',
        LoadBalancerName: `lb ${HOSTILE}`,
        ListenerId: 'vserver-443',
        ListenerName: `"><svg onload=alert(3)>`,
        IsDefault: true,
      },
    ],
  });
  emulator = await startEmulator({ fleet });
  const config = loadConfig(emulatorEnv(fleet, emulator));
  report = await scanFleet(buildSources(config), { statusDays: config.statusDays, nowMs: NOW });

  await mkdir(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, 'report.html');
  await writeFile(file, renderHtml(report, { nowMs: NOW }));
  pageUrl = pathToFileURL(file).href;

  const found = await findChromium();
  console.log(`report-browser: ${found.description}`);
  browser = await launchChromium(found);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(pageUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.close();
});

/** What the visible table rows hold in one column (data-sort where the cell has it, else the text). */
function visibleColumn(column: number): Promise<string[]> {
  return page.$$eval(
    '#certs tbody tr:not([hidden])',
    (rows, col) =>
      rows.map((row) => {
        const cell = row.querySelectorAll('td')[col]!;
        return cell.getAttribute('data-sort') ?? cell.textContent ?? '';
      }),
    column,
  );
}

function visibleCount(): Promise<number> {
  return page.locator('#certs tbody tr:not([hidden])').count();
}

async function setStatuses(checked: readonly string[]): Promise<void> {
  for (const status of STATUS_ORDER) {
    await page.locator(`#filters input[name=status][value=${status}]`).setChecked(checked.includes(status));
  }
}

describe('the HTML report in headless chromium', () => {
  it('loads from file:// with nothing but itself, no script error, no dialog', async () => {
    expect(report.complete).toBe(true);
    expect(requests).toEqual([pageUrl]);
    expect(consoleErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('shows the summary counts of the report', async () => {
    const total = await page.locator('#summary .card[data-status=total] .count').textContent();
    expect(Number(total)).toBe(report.certificates.length);
    for (const status of STATUS_ORDER) {
      const shown = await page.locator(`#summary .card[data-status=${status}] .count`).textContent();
      expect(Number(shown), status).toBe(report.certificates.filter((c) => c.status === status).length);
    }
    for (const provider of new Set(report.certificates.map((c) => `${c.provider}/${c.service}`))) {
      const cell = page.locator(`#summary tr[data-source="${provider}"] td.total`);
      expect(Number(await cell.textContent()), provider).toBe(
        report.certificates.filter((c) => `${c.provider}/${c.service}` === provider).length,
      );
    }
    expect(await page.locator('#completeness').getAttribute('data-complete')).toBe('true');
  });

  it('draws one mark per month × status over the next 12 months, plus the expired bar, all visible', async () => {
    const expected = new Map<string, number>();
    const startMonth = new Date(NOW).getUTCFullYear() * 12 + new Date(NOW).getUTCMonth();
    for (const record of report.certificates) {
      if (record.notAfterMs === null) continue;
      const at = new Date(record.notAfterMs);
      const monthOffset = at.getUTCFullYear() * 12 + at.getUTCMonth() - startMonth;
      let bucket: string;
      if (at.getTime() < NOW) bucket = 'expired';
      else if (monthOffset < 12) bucket = at.toISOString().slice(0, 7);
      else continue;
      const key = `${bucket} ${record.status}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const marks = await page.$$eval('svg.chart rect.mark', (rects) =>
      rects.map((r) => {
        const box = r.getBoundingClientRect();
        return {
          key: `${r.getAttribute('data-bucket')} ${r.getAttribute('data-status')}`,
          count: Number(r.getAttribute('data-count')),
          height: box.height,
          width: box.width,
        };
      }),
    );
    expect(marks.length).toBe(expected.size);
    expect(new Map(marks.map((m) => [m.key, m.count]))).toEqual(expected);
    expect(marks.every((m) => m.height > 0 && m.width > 0)).toBe(true);
    // The demo fleet always has expired certificates: their bar is hatched, apart from the monthly colours.
    const expiredFill = await page
      .locator('svg.chart rect.mark[data-bucket=expired]')
      .first()
      .getAttribute('fill');
    expect(expiredFill).toBe('url(#hatch-expired)');
  });

  it('sorts by a column, both ways', async () => {
    const days = page.locator('#certs thead th', { hasText: 'Days left' });
    await days.locator('button').click();
    expect(await days.getAttribute('aria-sort')).toBe('ascending');
    const ascending = await visibleColumn(1);
    expect(ascending).toHaveLength(report.certificates.length);
    const known = ascending.filter((v) => v !== '').map(Number);
    expect(known).toEqual([...known].sort((a, b) => a - b));
    // Unknown days sort last.
    expect(ascending.slice(known.length).every((v) => v === '')).toBe(true);
    expect(known[0]).toBe(
      Math.min(...report.certificates.map((c) => c.daysLeft ?? Number.POSITIVE_INFINITY)),
    );

    await days.locator('button').click();
    expect(await days.getAttribute('aria-sort')).toBe('descending');
    const descending = (await visibleColumn(1)).filter((v) => v !== '').map(Number);
    expect(descending).toEqual([...known].reverse());

    const name = page.locator('#certs thead th', { hasText: 'Name' });
    await name.locator('button').click();
    const names = (await visibleColumn(6)).map((n) => n.toLowerCase());
    expect(names).toEqual([...names].sort());
    expect(new Set(names)).toEqual(new Set(report.certificates.map((c) => c.name.toLowerCase())));
  });

  it('filters by text and by status', async () => {
    const inPlace = (c: CertificateRecord) => c.region === 'cn-sh2' && c.project === 'org-pay';
    await page.locator('#filter-text').fill('cn-sh2 / org-pay');
    const wanted = report.certificates.filter(inPlace);
    expect(wanted.length).toBeGreaterThan(0);
    expect(await visibleCount()).toBe(wanted.length);
    expect(await page.locator('#shown').textContent()).toBe(
      `${wanted.length} of ${report.certificates.length} shown`,
    );

    await page.locator('#filter-text').fill('');
    await setStatuses(['critical', 'expired']);
    const urgent = report.certificates.filter((c) => c.status === 'critical' || c.status === 'expired');
    expect(await visibleCount()).toBe(urgent.length);
    const statuses = await page.$$eval('#certs tbody tr:not([hidden])', (rows) =>
      rows.map((r) => r.getAttribute('data-status')),
    );
    expect(new Set(statuses)).toEqual(new Set(['critical', 'expired']));

    await page.locator('#filter-text').fill('cn-sh2 / org-pay');
    expect(await visibleCount()).toBe(urgent.filter(inPlace).length);

    await page.locator('#filter-text').fill('');
    await setStatuses(STATUS_ORDER);
    expect(await visibleCount()).toBe(report.certificates.length);
  });

  it('prints the whole table without the controls, even while filtered', async () => {
    await setStatuses(['critical']);
    expect(await visibleCount()).toBeLessThan(report.certificates.length);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await page.locator('#certs tbody tr:visible').count()).toBe(report.certificates.length);
    await page.emulateMedia({ media: 'screen' });
    await setStatuses(STATUS_ORDER);
  });

  it('shows the hostile name as text and runs none of it', async () => {
    const row = page.locator('#certs tbody tr', { hasText: HOSTILE_ID });
    expect(await row.count()).toBe(1);
    expect(await row.locator('.name').textContent()).toBe(HOSTILE);
    expect(await row.locator('td').nth(8).textContent()).toContain('"><svg onload=alert(3)>');
    await page.locator('#filter-text').fill('<script>');
    expect(await visibleCount()).toBe(1);
    await page.locator('#filter-text').fill('');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('[onload], [onerror]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(OUT_DIR, 'report.png') });
  });
});
