/**
 * `certwatch audit --format ... [--out FILE]` through the built command in its own process, against the emulator:
 * the formats parse back to the same facts as the JSON report, --out replaces the file whole and says where, and
 * the exit codes keep their meaning (0 complete, 3 incomplete, 2 bad usage).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { CSV_COLUMNS } from '../../lib/report/csv';
import type { ReportJson } from '../../lib/report/json';
import { buildCli, type Ran, runNode } from '../helpers/builtCli';
import { ACCOUNT, auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { parseIcs, prop } from '../helpers/icalendar';
import { parseCsv } from '../helpers/rfc4180';

const { fleet } = auditFleet(20);
const NOW_ISO = new Date(NOW).toISOString();
let dir: string;
let cli: string;
let emulator: RunningEmulator;
let failing: RunningEmulator;
const outputs: string[] = [];

/** The built command, run in the test's folder; every output is kept for the secret check below. */
async function run(args: string[], env: Record<string, string>): Promise<Ran> {
  const ran = await runNode(args, { env, cwd: dir });
  outputs.push(ran.stdout, ran.stderr);
  return ran;
}

const audit = (args: string[], target = emulator) =>
  run([cli, 'audit', '--now', NOW_ISO, ...args], auditEnv(target.ucloudUrl));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certwatch-audit-formats-'));
  const [built] = await Promise.all([
    buildCli(join(dir, 'dist')),
    startEmulator({ fleet }).then((e) => {
      emulator = e;
    }),
    startEmulator({ fleet, ucloud: { failures: [{ region: 'hk', project: 'org-b', retCode: 292 }] } }).then(
      (e) => {
        failing = e;
      },
    ),
  ]);
  cli = built;
}, 60_000);

afterAll(async () => {
  await Promise.all([emulator?.close(), failing?.close()]);
});

describe('certwatch audit --format and --out (built command)', () => {
  it('writes CSV to --out atomically with the JSON report’s facts, and says where in one line', async () => {
    const json = await audit(['--format', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as ReportJson;

    const out = join(dir, 'audit.csv');
    writeFileSync(out, 'an older audit that must be replaced whole\n');
    const csv = await audit(['--format', 'csv', '--out', out]);
    expect(csv.code).toBe(0);
    expect(csv.stderr).toBe('');
    expect(csv.stdout).toBe(`certwatch: wrote the csv report (26 certificates, scan complete) to ${out}\n`);
    const rows = parseCsv(readFileSync(out, 'utf8'));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const at = (row: string[], column: string) => row[CSV_COLUMNS.indexOf(column)];
    expect(
      rows
        .slice(1)
        .map((row) => [at(row, 'id'), at(row, 'notAfter'), at(row, 'daysLeft'), at(row, 'status')]),
    ).toEqual(report.certificates.map((c) => [c.id, c.notAfter ?? '', String(c.daysLeft ?? ''), c.status]));
    // The temporary file was renamed, not left behind.
    expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  it('prints ICS and Markdown to stdout with the ladder’s first rung as the reminder', async () => {
    const ics = await audit(['--format', 'ics']);
    expect(ics.code).toBe(0);
    const events = parseIcs(ics.stdout).components;
    expect(events).toHaveLength(26);
    const pemOnly = events.find((e) => prop(e, 'SUMMARY').value.includes('ssl-pem-only'))!;
    expect(prop(pemOnly.components[0]!, 'TRIGGER').value).toBe('-P30D');
    expect(prop(pemOnly, 'DTSTART').value).toBe('20270303');

    const markdown = await audit(['--format', 'markdown']);
    expect(markdown.code).toBe(0);
    const lines = markdown.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^26 certificates at 2026-11-23T12:00:00Z: 2 expired, 2 critical, 4 warning, 0 unknown, 18 ok\. Scan complete\.$/,
    );
    const rows = lines.filter((line) => line.startsWith('| '));
    expect(rows).toHaveLength(28);
    // Most urgent first: the longest-expired certificate of the generated fleet, then ssl-expired (2 days).
    expect(rows[2]).toMatch(/^\| expired \| -97 \| /);
    expect(rows[3]).toMatch(
      /^\| expired \| -2 \| 2026-11-21 12:00 \| ucloud\/ulb hk org-a \| ssl-expired \|/,
    );
  });

  it('writes the HTML page with --out', async () => {
    const out = join(dir, 'audit.html');
    const html = await audit(['--format', 'html', '--out', out]);
    expect(html.code).toBe(0);
    expect(html.stdout).toBe(`certwatch: wrote the html report (26 certificates, scan complete) to ${out}\n`);
    const page = readFileSync(out, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('ssl-expired');
  });

  it('exits 3 on an incomplete scan, and warns when the format cannot list the failed sources', async () => {
    const out = join(dir, 'incomplete.ics');
    const ics = await audit(['--format', 'ics', '--out', out], failing);
    expect(ics.code).toBe(3);
    expect(ics.stdout).toMatch(/^certwatch: wrote the ics report \(\d+ certificates, scan INCOMPLETE\) to /);
    expect(ics.stderr).toContain('certwatch: scan INCOMPLETE: 1 source(s) could not be read');
    expect(parseIcs(readFileSync(out, 'utf8')).type).toBe('VCALENDAR');

    const markdown = await audit(['--format', 'markdown'], failing);
    expect(markdown.code).toBe(3);
    expect(markdown.stderr).toBe('');
    expect(markdown.stdout).toContain(
      '- ucloud/ulb hk org-b: UCloud DescribeSSLV2 in hk (project org-b): RetCode 292',
    );
  });

  it('exits 2 on an unknown format or a missing --out directory, naming the fix, writing nothing', async () => {
    const unknown = await audit(['--format', 'xlsx', '--out', join(dir, 'x.xlsx')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain(
      'certwatch: --format "xlsx" is not known: use table, json, csv, markdown, ics, html',
    );
    expect(existsSync(join(dir, 'x.xlsx'))).toBe(false);

    const missing = await audit(['--format', 'csv', '--out', join(dir, 'no-such-dir', 'a.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the directory ${join(dir, 'no-such-dir')} does not exist`);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists every format in the help', async () => {
    const help = await run([cli, 'help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('certwatch audit [--format table|json|csv|markdown|ics|html] [--out FILE]');
    for (const format of ['csv', 'markdown', 'ics', 'html'])
      expect(help.stdout).toMatch(new RegExp(`^ {8}${format} +\\S`, 'm'));
  });

  it('never prints a provider key', () => {
    expect(outputs.length).toBeGreaterThan(10);
    const all = outputs.join('\n');
    expect(all).not.toContain(ACCOUNT.PrivateKey);
    expect(all).not.toContain(ACCOUNT.PublicKey);
  });
});
