import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import type { UcloudForcedFailure } from '../../emulator/ucloud/handler';
import type { ReportJson } from '../../lib/report/json';
import { runCertwatch } from '../helpers/cli';
import { ACCOUNT, auditEnv, auditFleet, NOW } from '../helpers/fleet';

const { fleet, expected } = auditFleet();
const NOW_ISO = new Date(NOW).toISOString();
let emulator: RunningEmulator | undefined;
const outputs: string[] = [];

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function audit(failures: UcloudForcedFailure[] = [], extraArgs: string[] = [], env = {}) {
  emulator = await startEmulator({ fleet, ucloud: { failures, latencyMs: 2 } });
  const run = await runCertwatch(['audit', '--now', NOW_ISO, ...extraArgs], {
    ...auditEnv(emulator.ucloudUrl),
    ...env,
  });
  outputs.push(run.stdout, run.stderr);
  return run;
}

describe('certwatch audit against the emulator', () => {
  it('lists every certificate exactly once, with the right status for every case', async () => {
    const run = await audit([], ['--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.complete).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.now).toBe('2026-11-23T12:00:00Z');
    expect(report.generatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);

    const ids = report.certificates.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(fleet.ucloud!.certificates.map((c) => c.SSLId).sort());

    for (const [id, expectation] of expected) {
      const record = report.certificates.find((c) => c.id === id);
      expect({ id, ...record }).toMatchObject({ id, ...expectation });
    }
    const seconds = report.certificates.find((c) => c.id === 'ssl-seconds')!;
    expect(seconds).toMatchObject({
      provider: 'ucloud',
      service: 'ulb',
      region: 'cn-bj2',
      project: 'org-a',
      name: 'ssl-seconds',
      notAfter: '2026-12-13T12:00:00Z',
      leafNotAfter: '2026-12-13T12:00:00Z',
      daysLeft: 20,
      boundTo: ['ulb-web (web) / vserver-443 (https) (default)'],
      domains: ['seconds.example'],
    });
    expect(seconds.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.certificates.find((c) => c.id === 'ssl-intermediate')).toMatchObject({
      daysLeft: 5,
      leafNotAfter: '2027-09-19T12:00:00Z',
    });
    // Report contract: exactly these keys, in every record.
    for (const record of report.certificates) {
      expect(Object.keys(record).sort()).toEqual(
        [
          'provider',
          'service',
          'region',
          'project',
          'account',
          'id',
          'name',
          'domains',
          'notAfter',
          'leafNotAfter',
          'notBefore',
          'daysLeft',
          'status',
          'inUse',
          'boundTo',
          'fingerprintSha256',
          'expirySource',
          'notes',
          'identity',
        ].sort(),
      );
    }
  });

  it('names a failing region, completes the others, and exits 3', async () => {
    const run = await audit(
      [{ region: 'cn-sh2', retCode: 294, message: 'IP not in whitelist' }],
      ['--format', 'json'],
    );
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.complete).toBe(false);
    expect(report.failures).toEqual([
      expect.objectContaining({ provider: 'ucloud', service: 'ulb', region: 'cn-sh2', project: 'org-a' }),
      expect.objectContaining({ provider: 'ucloud', service: 'ulb', region: 'cn-sh2', project: 'org-b' }),
    ]);
    expect(report.failures[0]!.message).toBe(
      'UCloud DescribeSSLV2 in cn-sh2 (project org-a): RetCode 294 "IP not in whitelist" — ' +
        "UCloud refused this machine's IP address: check the key's IP allow-list",
    );
    const ids = report.certificates.map((c) => c.id);
    expect(ids).toContain('ssl-expired');
    expect(ids).not.toContain('ssl-pem-only');
    expect(ids).toHaveLength(fleet.ucloud!.certificates.filter((c) => c.Region !== 'cn-sh2').length);
  });

  it('prints a table, most urgent first, and says when the scan is incomplete', async () => {
    const run = await audit([{ region: 'hk', project: 'org-b', retCode: 292 }]);
    expect(run.code).toBe(3);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^STATUS\s+DAYS\s+EXPIRES \(UTC\)\s+SOURCE\s+NAME\s+ID\s+DOMAINS\s+BOUND TO$/);
    expect(lines.find((line) => line.includes(' ssl-expired '))).toMatch(
      /^expired\s+-2\s+2026-11-21 12:00\s+ucloud\/ulb hk org-a\s+ssl-expired\s+ssl-expired\s+expired.example\s+ulb-web/,
    );
    const order = ['expired', 'critical', 'warning', 'unknown', 'ok'];
    const statuses = lines
      .slice(1)
      .map((line) => order.indexOf(line.split(' ')[0]!))
      .filter((rank) => rank >= 0);
    expect(statuses.length).toBeGreaterThan(200);
    expect(statuses).toEqual([...statuses].sort((a, b) => a - b));
    expect(run.stdout).toMatch(/\d+ certificates at 2026-11-23T12:00:00Z: \d+ expired, \d+ critical/);
    expect(run.stdout).toContain('Scan INCOMPLETE.');
    expect(run.stdout).toContain('Could not check 1 source(s)');
    expect(run.stdout).toContain(
      'ucloud/ulb hk org-b: UCloud DescribeSSLV2 in hk (project org-b): RetCode 292',
    );
  });

  it('reports a wrong private key as a named failure per target, with what to check', async () => {
    const run = await audit([], ['--format', 'json'], { UCLOUD_PRIVATE_KEY: 'canary-wrong-key-99' });
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.certificates).toEqual([]);
    expect(report.failures).toHaveLength(6);
    expect(report.failures[0]!.message).toMatch(
      /RetCode 171 "Signature VerifyAC Error" — check UCLOUD_PRIVATE_KEY/,
    );
  });

  it('sends the digest to the console with `scan`', async () => {
    emulator = await startEmulator({ fleet });
    const stateFile = join(mkdtempSync(join(tmpdir(), 'certwatch-state-')), 'state.json');
    const env = { ...auditEnv(emulator.ucloudUrl), CERTWATCH_STATE_FILE: stateFile };
    const run = await runCertwatch(['scan', '--now', NOW_ISO], env);
    outputs.push(run.stdout, run.stderr);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Subject: certwatch: \d+ new alerts \(\d+ expired, \d+ critical/);
    expect(run.stdout).toContain('* ssl-expired (ssl-expired)');
    expect(run.stdout).toMatch(/\d+ structured alert\(s\):\n\{"schema":"certwatch\.alert\/1"/);
    expect(run.stderr).toMatch(/^certwatch: alert sent to console: certwatch: \d+ new alerts/);
  });

  it('never prints a provider key or a private key block', () => {
    expect(outputs.length).toBeGreaterThan(8);
    const all = outputs.join('\n');
    expect(all).not.toContain(ACCOUNT.PrivateKey);
    expect(all).not.toContain(ACCOUNT.PublicKey);
    expect(all).not.toContain('canary-wrong-key-99');
    expect(all).not.toContain('PRIVATE KEY');
  });
});

describe('certwatch usage and configuration errors', () => {
  it('exits 2 naming every bad variable, without a stack trace', async () => {
    const run = await runCertwatch(['audit'], {
      UCLOUD_PUBLIC_KEY: 'canary-public-7f3a9',
      UCLOUD_PRIVATE_KEY: 'canary-private-e41c0b',
      UCLOUD_REGIONS: 'cn-bj2;cn-sh2',
      CERTWATCH_CRITICAL_DAYS: '-1',
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('certwatch: Configuration errors:');
    expect(run.stderr).toContain('UCLOUD_REGIONS has malformed entries "cn-bj2;cn-sh2"');
    expect(run.stderr).toContain('CERTWATCH_CRITICAL_DAYS "-1" must be a whole number of at least 1');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('canary-private-e41c0b');
  });

  it('exits 2 on a bad option, a bad --now, a bad --format and an unreadable --config', async () => {
    const env = { UCLOUD_PUBLIC_KEY: 'p', UCLOUD_PRIVATE_KEY: 'k', UCLOUD_REGIONS: 'cn-bj2' };
    const cases: [string[], RegExp][] = [
      [['audit', '--verbose'], /Unknown option '--verbose'/],
      [['audit', '--now', 'tomorrow'], /--now "tomorrow" is not an ISO 8601 instant/],
      [
        ['audit', '--format', 'xml'],
        /--format "xml" is not known: use table, json, csv, markdown, ics, html$/m,
      ],
      [['audit', '--config', 'missing.json'], /cannot read --config missing.json \(ENOENT\)/],
      [['frobnicate'], /unknown command "frobnicate"/],
    ];
    for (const [argv, message] of cases) {
      const run = await runCertwatch(argv, env);
      expect({ argv, code: run.code }).toEqual({ argv, code: 2 });
      expect(run.stderr).toMatch(message);
    }
  });

  it('never quotes a broken --config file, which may hold a key', async () => {
    const files = { 'broken.json': '{"UCLOUD_PRIVATE_KEY": canary46f09bb9fab4}' };
    const run = await runCertwatch(['audit', '--config', 'broken.json'], {}, files);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--config broken.json is not valid JSON');
    expect(run.stderr).not.toContain('canary46f09');
  });

  it('reads --config JSON and rejects its unknown keys', async () => {
    const files = { 'ok.json': '{"CERTWATCH_WARNING_DAYS": "nope"}', 'typo.json': '{"UCLOUD_REGOINS": "x"}' };
    const env = { UCLOUD_PUBLIC_KEY: 'p', UCLOUD_PRIVATE_KEY: 'k', UCLOUD_REGIONS: 'cn-bj2' };
    const bad = await runCertwatch(['audit', '--config', 'ok.json'], env, files);
    expect(bad.stderr).toContain('CERTWATCH_WARNING_DAYS "nope" must be a whole number');
    const typo = await runCertwatch(['audit', '--config', 'typo.json'], env, files);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('typo.json: unknown key "UCLOUD_REGOINS" (did you mean UCLOUD_REGIONS?)');
  });
});
