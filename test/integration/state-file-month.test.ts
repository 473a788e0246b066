/**
 * The scenario of issue 15: a month of daily `certwatch scan` runs with CERTWATCH_STATE_FILE, the alerts appended
 * to `--out FILE`, against a fleet holding an SLB certificate whose expiry nobody can read (status `unknown`). The
 * history written for it must read back, so that nothing is sent twice: not across days, not by a rerun at the
 * same `--now`, and a complete scan exits 0.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { parseStateFile } from '../../lib/state/file';
import { runCertwatch } from '../helpers/cli';
import { aliyunAuditFleet, allCloudsEnv, NOW } from '../helpers/fleet';

const DAY = 86_400_000;
let directory: string;
let emulator: RunningEmulator;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'certwatch-state-month-'));
  emulator = await startEmulator({ fleet: aliyunAuditFleet(0).fleet });
});

afterAll(async () => {
  await emulator?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

interface Structured {
  schema: string;
  rung: string;
  certificate: { provider: string; service: string; id: string; status: string };
}

it('sends each rung once over a month of daily scans with an unknown SLB certificate in the fleet', async () => {
  const stateFile = join(directory, 'alert-state.json');
  const out = join(directory, 'alerts.txt');
  const env = { ...allCloudsEnv(emulator), CERTWATCH_STATE_FILE: stateFile };
  let read = 0;
  /** The structured alerts appended to --out since the last call. */
  const appended = async (): Promise<Structured[]> => {
    const size = (await stat(out).catch(() => null))?.size ?? 0;
    const text = (await readFile(out).catch(() => Buffer.alloc(0))).subarray(read, size).toString('utf8');
    read = size;
    return text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Structured)
      .filter((message) => message.schema === 'certwatch.alert/1');
  };
  const scanAt = (now: number) =>
    runCertwatch(['scan', '--now', new Date(now).toISOString(), '--out', out], env);

  const sent: Structured[] = [];
  for (let day = 0; day < 30; day++) {
    const now = NOW + day * DAY;
    const run = await scanAt(now);
    expect({ day, code: run.code, stderr: run.stderr }).toMatchObject({ day, code: 0 });
    expect(run.stderr).not.toMatch(/certwatch: warning|alert history|corrupt/i);
    sent.push(...(await appended()));
    // The file certwatch wrote is one it reads back whole: every entry usable.
    const parsed = parseStateFile(await readFile(stateFile, 'utf8'), stateFile);
    expect({ day, unusable: parsed.unusable }).toEqual({ day, unusable: [] });

    // A rerun at the same instant (a cron job started twice, a person checking) sends nothing at all.
    const rerun = await scanAt(now);
    expect({ day, code: rerun.code }).toEqual({ day, code: 0 });
    expect({ day, rerun: await appended() }).toEqual({ day, rerun: [] });
    expect(rerun.stderr).toMatch(/nothing new needs action/);
  }

  const pairs = sent.map(
    (a) => `${a.certificate.provider}/${a.certificate.service}/${a.certificate.id} ${a.rung}`,
  );
  expect(pairs.filter((pair, i) => pairs.indexOf(pair) !== i)).toEqual([]);
  // The unknown certificate was told once, as unknown, and is remembered as having no known expiry.
  expect(sent.filter((a) => a.certificate.id === 'slb-orphan').map((a) => a.rung)).toEqual(['unknown']);
  const state = JSON.parse(await readFile(stateFile, 'utf8'));
  expect(state.certificates['aliyun/slb/cn-shanghai/-/slb-orphan']).toMatchObject({
    rung: 'unknown',
    notAfter: null,
    state: 'sent',
  });
  // The known certificates climbed their ladders meanwhile: the month was not silent.
  // ssl-seconds: 20 days left on day 0, expired on day 20 (2026-12-13), then reminded daily. slb-twin is the same
  // certificate stored on SLB (its SHA-1): one certificate, so one alert per rung for both, under the first key.
  const twins = sent.filter((a) => ['ssl-seconds', 'slb-twin'].includes(a.certificate.id));
  expect(new Set(twins.map((a) => a.certificate.id))).toEqual(new Set(['slb-twin']));
  expect(twins.map((a) => a.rung)).toEqual([
    'd30',
    'd14',
    'd7',
    'd3',
    'd1',
    'expired',
    ...Array.from({ length: 9 }, (_, i) => `expired@2026-12-${i + 14}`),
  ]);
}, 30_000);

it('costs a damaged entry one repeat of its own certificate, said on stderr, and keeps the rest', async () => {
  const stateFile = join(directory, 'damaged-state.json');
  const out = join(directory, 'damaged-alerts.txt');
  const env = { ...allCloudsEnv(emulator), CERTWATCH_STATE_FILE: stateFile };
  const scan = () => runCertwatch(['scan', '--now', new Date(NOW).toISOString(), '--out', out], env);
  const structured = async () =>
    (await readFile(out, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{"schema":"certwatch.alert/1"'))
      .map((line) => JSON.parse(line) as Structured);

  expect((await scan()).code).toBe(0);
  const first = (await structured()).length;
  expect(first).toBeGreaterThan(1);
  // ssl-seconds and slb-twin are one certificate, remembered under the first key of the two.
  const key = 'aliyun/slb/cn-hangzhou/-/slb-twin';
  const document = JSON.parse(await readFile(stateFile, 'utf8'));
  document.certificates[key].leaseUntil = 'SECRET-whenever';
  await writeFile(stateFile, JSON.stringify(document));

  const damaged = await scan();
  expect(damaged.code).toBe(0);
  expect(damaged.stderr).toContain(
    `certwatch: warning: file: 1 entry of the alert history cannot be used and is skipped, so its certificate ` +
      `may be alerted once more ("${key}" has leaseUntil that is not an ISO 8601 instant): mend or delete it in ` +
      stateFile,
  );
  expect(damaged.stderr).not.toContain('SECRET');
  const repeated = (await structured()).slice(first);
  expect(repeated.map((a) => `${a.certificate.id} ${a.rung}`)).toEqual(['slb-twin d30']);

  // The repeat's claim replaced the entry: the next run reads it, says nothing and sends nothing.
  const healed = await scan();
  expect(healed.code).toBe(0);
  expect(healed.stderr).not.toMatch(/warning/);
  expect((await structured()).length).toBe(first + 1);
});
