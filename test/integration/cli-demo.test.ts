/**
 * `certwatch demo` (what `npm start` runs): the emulator in-process, an audit, a scan, and the audit as an HTML
 * page written where --report-out says, with the digest as an HTML email beside it.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCertwatch } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'certwatch-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs the demo end to end and writes the HTML report where --report-out says, naming its path', async () => {
  const reportOut = join(dir, 'nested-name.html');
  const run = await runCertwatch(['demo', '--report-out', reportOut], {});
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(
    `HTML report (summary, timeline, a table that sorts and filters): ${reportOut}`,
  );
  const page = readFileSync(reportOut, 'utf8');
  const total = /(\d+) certificates/.exec(run.stdout);
  expect(total, 'the demo says how many certificates it scanned').not.toBeNull();
  expect(page).toMatch(/^<!DOCTYPE html>/i);
  expect(page).toContain(`${total![1]} certificates`);
  expect(page).not.toMatch(/PRIVATE KEY/);
  // Beside it, the digest as the email channel's HTML part: the subject the console printed, as its title.
  const email = readFileSync(join(dir, 'certwatch-email.html'), 'utf8');
  const subject = /^Subject: (.+)$/m.exec(run.stdout)![1]!;
  expect(email).toContain(`<title>${subject}</title>`);
  expect(run.stdout).toContain(`file://${join(dir, 'certwatch-email.html')}`);
  // Both pages name the fleet: readable by their owner only, as every file certwatch writes.
  for (const page of [reportOut, join(dir, 'certwatch-email.html')])
    expect((statSync(page).mode & 0o777).toString(8), page).toBe('600');
});

it('refuses an option the demo does not have, as a usage error', async () => {
  const run = await runCertwatch(['demo', '--report-file', 'x.html'], {});
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/report-file/);
});
