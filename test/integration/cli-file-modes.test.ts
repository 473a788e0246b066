/**
 * Every file the certwatch command writes (`scan --out`, the alert state file, `audit --out`) against the emulator,
 * on real files: created owner-only, a rewrite keeping the mode its owner chose, and a symbolic link refused as a
 * usage error before any scan, the file it points to untouched.
 */
import { chmodSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { runCertwatch } from '../helpers/cli';
import { auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { modeOf, tempDirPerTest } from '../helpers/tempDir';

const dir = tempDirPerTest('certwatch-file-modes-');

const NOW_ISO = new Date(NOW).toISOString();
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ fleet: auditFleet(10).fleet });
}, 60_000);
afterAll(() => emulator?.close());

const env = () => ({
  ...auditEnv(emulator.ucloudUrl),
  CERTWATCH_STATE_FILE: join(dir.path, 'history', 'state.json'),
});
const requests = () => emulator.stats.ucloud.requests;

it('scan --out and the alert state file are created readable by their owner only', async () => {
  const out = join(dir.path, 'alerts.log');
  const run = await runCertwatch(['scan', '--now', NOW_ISO, '--out', out], env());
  expect(run.code).toBe(0);
  expect(readFileSync(out, 'utf8')).toContain('certwatch digest');
  expect(modeOf(out)).toBe('600');
  expect(modeOf(join(dir.path, 'history', 'state.json'))).toBe('600');
  expect(modeOf(join(dir.path, 'history'))).toBe('700');
});

it('audit --out creates its report 0600 and keeps the mode of one it replaces', async () => {
  const fresh = join(dir.path, 'audit.csv');
  expect(
    (await runCertwatch(['audit', '--now', NOW_ISO, '--format', 'csv', '--out', fresh], env())).code,
  ).toBe(0);
  expect(modeOf(fresh)).toBe('600');
  expect(
    (await runCertwatch(['audit', '--now', NOW_ISO, '--format', 'csv', '--out', fresh], env())).code,
  ).toBe(0);
  expect(modeOf(fresh)).toBe('600');

  // Published for a web server's group: a later audit must neither widen nor narrow that.
  const shared = join(dir.path, 'audit.html');
  writeFileSync(shared, 'last week');
  chmodSync(shared, 0o640);
  expect(
    (await runCertwatch(['audit', '--now', NOW_ISO, '--format', 'html', '--out', shared], env())).code,
  ).toBe(0);
  expect(readFileSync(shared, 'utf8')).toMatch(/^<!doctype html>/i);
  expect(modeOf(shared)).toBe('640');
});

it.each([
  ['scan', ['scan', '--now', NOW_ISO]],
  ['audit', ['audit', '--now', NOW_ISO, '--format', 'csv']],
])(
  '%s --out through a symbolic link is a usage error before the scan; the linked file is untouched',
  async (_, args) => {
    const target = join(dir.path, 'crontab');
    writeFileSync(target, '0 3 * * * backup\n');
    chmodSync(target, 0o600);
    const link = join(dir.path, 'alerts.log');
    symlinkSync(target, link);
    const before = requests();

    const run = await runCertwatch([...args, '--out', link], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--out ${link} is a symbolic link (to ${target})`);
    expect(run.stderr).toContain('Name the file itself, or remove the link.');
    expect(requests(), 'no scan ran').toBe(before);
    expect(readFileSync(target, 'utf8')).toBe('0 3 * * * backup\n');
    expect(modeOf(target)).toBe('600');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir.path).sort()).toEqual(['alerts.log', 'crontab']);
  },
);

it('scan with a state file that is a symbolic link is a usage error before the scan; no alert is sent twice', async () => {
  const target = join(dir.path, 'kept-elsewhere.json');
  writeFileSync(target, '{"version":1,"certificates":{}}\n');
  const link = join(dir.path, 'state.json');
  symlinkSync(target, link);
  const out = join(dir.path, 'alerts.log');
  const before = requests();

  const run = await runCertwatch(['scan', '--now', NOW_ISO, '--out', out], {
    ...env(),
    CERTWATCH_STATE_FILE: link,
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`CERTWATCH_STATE_FILE ${link} is a symbolic link (to ${target})`);
  expect(requests(), 'no scan ran').toBe(before);
  // Nothing was told: the alerts were not sent without the history that stops them being sent again.
  expect(readdirSync(dir.path).sort()).toEqual(['kept-elsewhere.json', 'state.json']);
  expect(readFileSync(target, 'utf8')).toBe('{"version":1,"certificates":{}}\n');
});
