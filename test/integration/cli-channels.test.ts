/**
 * `certwatch scan --channel NAME --dry-run`: what each channel would receive, exactly, with its secrets as
 * placeholders, and nothing sent; then the real scan sends those very bytes. Against the emulator and local
 * receivers of the chat platforms, over real sockets.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { runCertwatch } from '../helpers/cli';
import { auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { type DingtalkReceiver, startDingtalkReceiver } from '../helpers/receivers/dingtalk';
import { type SlackReceiver, startSlackReceiver } from '../helpers/receivers/slack';

const DINGTALK_TOKEN = 'cli-dingtalk-token-0b7e';
const DINGTALK_SECRET = 'SECcli-dingtalk-secret-5a11';
const NOW_ISO = new Date(NOW).toISOString();

let emulator: RunningEmulator;
let slack: SlackReceiver;
let dingtalk: DingtalkReceiver;
let dir: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  [emulator, slack, dingtalk] = await Promise.all([
    startEmulator({ fleet: auditFleet(30).fleet }),
    startSlackReceiver(),
    startDingtalkReceiver({ token: DINGTALK_TOKEN, secret: DINGTALK_SECRET }),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'certwatch-channels-'));
  env = {
    ...auditEnv(emulator.ucloudUrl),
    CERTWATCH_STATE_FILE: join(dir, 'state.json'),
    CERTWATCH_SLACK_URL: slack.url,
    CERTWATCH_DINGTALK_URL: `${dingtalk.origin}/robot/send?access_token=${DINGTALK_TOKEN}`,
    CERTWATCH_DINGTALK_SECRET: DINGTALK_SECRET,
  };
}, 60_000);

afterAll(async () => {
  await Promise.all([emulator?.close(), slack?.close(), dingtalk?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** The dry run's requests, per channel: `to` line and body. */
function requestsIn(stdout: string): Map<string, { to: string; body: string }[]> {
  const channels = new Map<string, { to: string; body: string }[]>();
  for (const section of stdout.split(/^=== channel /m).slice(1)) {
    const [name] = section.split(' ===\n', 1);
    const requests = section
      .split(/^--- \d+ of \d+: /m)
      .slice(1)
      .map((request) => {
        const newline = request.indexOf('\n');
        return { to: request.slice(0, newline), body: request.slice(newline + 1).replace(/\n$/, '') };
      });
    channels.set(name!, requests);
  }
  return channels;
}

it('--dry-run prints what every configured channel would receive, secrets withheld, and sends and keeps nothing', async () => {
  const run = await runCertwatch(['scan', '--dry-run', '--now', NOW_ISO], env);
  expect(run.code).toBe(0);
  const requests = requestsIn(run.stdout);
  expect([...requests.keys()]).toEqual(['dingtalk', 'slack']);
  expect(requests.get('slack')!.length).toBeGreaterThan(0);
  expect(requests.get('slack')![0]!.to).toBe(`POST ${slack.origin}/services/<secret>`);
  expect(requests.get('dingtalk')![0]!.to).toMatch(
    /^POST http:\/\/127\.0\.0\.1:\d+\/robot\/send\?access_token=<secret>&timestamp=<timestamp>&sign=<signature>$/,
  );
  for (const secret of [DINGTALK_TOKEN, DINGTALK_SECRET, slack.url.split('/').pop()!]) {
    expect(run.stdout + run.stderr).not.toContain(secret);
  }
  expect(slack.requests).toHaveLength(0);
  expect(dingtalk.requests).toHaveLength(0);
  expect(existsSync(join(dir, 'state.json'))).toBe(false);

  const console = await runCertwatch(['scan', '--channel', 'console', '--dry-run', '--now', NOW_ISO], env);
  const printed = requestsIn(console.stdout).get('console')!;
  expect(printed.map((request) => request.to)).toEqual(['this console']);
  expect(printed[0]!.body).toMatch(/^Subject: certwatch: \d+ new alerts/);
});

it('--channel picks channels; the real scan then sends exactly the bytes the dry run showed', async () => {
  const dry = await runCertwatch(['scan', '--channel', 'slack', '--dry-run', '--now', NOW_ISO], env);
  const shown = requestsIn(dry.stdout);
  expect([...shown.keys()]).toEqual(['slack']);

  const real = await runCertwatch(['scan', '--channel', 'slack', '--now', NOW_ISO], env);
  expect(real.code).toBe(0);
  expect(real.stderr).toMatch(/certwatch: alert sent to slack: certwatch: \d+ new alerts/);
  expect(slack.problems).toEqual([]);
  expect(slack.requests.map((request) => request.body)).toEqual(shown.get('slack')!.map((r) => r.body));
  expect(dingtalk.requests).toHaveLength(0);

  // Slack's history is its own: DingTalk, asked next, still has every alert to tell.
  const again = await runCertwatch(['scan', '--channel', 'slack', '--dry-run', '--now', NOW_ISO], env);
  expect(requestsIn(again.stdout).get('slack')).toEqual([]);
  const dingtalkDry = await runCertwatch(
    ['scan', '--channel', 'dingtalk', '--dry-run', '--now', NOW_ISO],
    env,
  );
  expect(requestsIn(dingtalkDry.stdout).get('dingtalk')!.length).toBeGreaterThan(0);
}, 60_000);
