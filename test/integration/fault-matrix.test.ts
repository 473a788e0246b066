/**
 * The fault matrix: each named case runs `certwatch audit --format json` (the real CLI, in-process) against the
 * emulator on 127.0.0.1 with one kind of fault, then checks the report against what the emulator holds: every
 * certificate that exists for the whole scan is reported exactly once, or its part of the fleet is a named
 * failure; `complete` is false and the exit code 3 whenever anything was missed; and the digest the scan would
 * send for that report names every failure and never reads as a clean run. Faults are seeded; the table is printed
 * after the run and written to test-output/fault-matrix.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateAliyunCdnFleet,
  generateAliyunSlbFleet,
  generateUcloudFleet,
} from '../../emulator/fleet/generate';
import type { Fleet, UcloudFleetCertificate } from '../../emulator/fleet/model';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import type { DescribeSslV2Call } from '../../emulator/ucloud/describeSslV2';
import type { UcloudFleetEditor } from '../../emulator/ucloud/handler';
import { alertOn } from '../../lib/alerts/alerting';
import { loadConfig } from '../../lib/config';
import type { ScanReport } from '../../lib/model';
import { MemoryStateStore } from '../../lib/state/memory';
import { runCertwatch } from '../helpers/cli';
import { ACCOUNT, ALIYUN_ACCOUNT, NOW } from '../helpers/fleet';

const UCLOUD_REGIONS = ['cn-bj2', 'hk'];
const PROJECTS = ['org-a', 'org-b'];
const SLB_REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const TIMEOUT_MS = 400;

const ucloudCertificates = generateUcloudFleet({
  count: 44,
  seed: 71,
  now: NOW,
  regions: UCLOUD_REGIONS,
  projects: PROJECTS,
});
const cdnCertificates = generateAliyunCdnFleet({ count: 8, seed: 72, now: NOW });
const slbCertificates = generateAliyunSlbFleet({ count: 8, seed: 73, now: NOW, regions: SLB_REGIONS });

const FLEET: Fleet = {
  ucloud: { accounts: [{ ...ACCOUNT, Projects: PROJECTS }], certificates: ucloudCertificates },
  aliyun: {
    accounts: [ALIYUN_ACCOUNT],
    cdn: { certificates: cdnCertificates },
    slb: { certificates: slbCertificates },
  },
};
const EMPTY_FLEET: Fleet = {
  ucloud: { accounts: [{ ...ACCOUNT, Projects: PROJECTS }], certificates: [] },
  aliyun: { accounts: [ALIYUN_ACCOUNT], cdn: { certificates: [] }, slb: { certificates: [] } },
};

/** How the scan names a certificate (provider/service and the provider's id), and the part of the fleet it is in. */
const ucloudKey = (c: { SSLId: string }) => `ucloud/ulb ${c.SSLId}`;
function everyCertificate(fleet: Fleet): Map<string, string> {
  return new Map([
    ...(fleet.ucloud?.certificates ?? []).map(
      (c) => [ucloudKey(c), `ucloud/ulb ${c.Region}/${c.ProjectId}`] as const,
    ),
    ...(fleet.aliyun?.cdn?.certificates ?? []).map(
      (c) => [`aliyun/cdn ${c.CertId}`, 'aliyun/cdn (all regions)/-'] as const,
    ),
    ...(fleet.aliyun?.slb?.certificates ?? []).map(
      (c) => [`aliyun/slb ${c.ServerCertificateId}`, `aliyun/slb ${c.RegionId}/-`] as const,
    ),
  ]);
}

function inTarget(region: string, project: string): UcloudFleetCertificate[] {
  return ucloudCertificates.filter((c) => c.Region === region && c.ProjectId === project);
}

interface MatrixCase {
  name: string;
  emulator: Omit<EmulatorOptions, 'fleet'>;
  fleet?: Fleet;
  env?: Record<string, string>;
  /** Certificates that do not exist for the whole scan (removed mid-scan): not expected in the report. */
  transient?: Set<string>;
  /** Failures the case must produce, as `provider/service region/project`. */
  mustFail?: string[];
  /** Whether the scan must be complete; undefined: either, as long as the rules hold (random faults). */
  complete?: boolean;
  /** More to check once the scan is done. */
  check?: (emulator: RunningEmulator, report: ScanReport) => void;
}

/**
 * The list moving under the pages of cn-bj2 and hk/org-a, each time after the second page was asked for (the
 * order of the real list is unverified; newest first would put every addition in front):
 * - cn-bj2/org-a: one added in front (every offset shifts right), then one already read removed (shifts left);
 * - cn-bj2/org-b: one already read removed and one added last (TotalCount unchanged, offsets shift left);
 * - hk/org-a: one added in front and one not yet read removed from the end (TotalCount unchanged, shift right).
 * Removed certificates do not exist for the whole scan, nor do added ones: neither is expected.
 */
const shifting = { transient: new Set<string>(), made: 0, restarted: new Set<string>() };

function shiftBetweenPages(call: DescribeSslV2Call, fleet: UcloudFleetEditor): undefined {
  const target = `${call.region}/${call.project}`;
  if (call.offset === 0 && call.call > 1) shifting.restarted.add(target);
  const moves: Record<string, Record<number, ('front' | 'last' | 'read' | 'unread')[]>> = {
    'cn-bj2/org-a': { 2: ['front'], 4: ['read'] },
    'cn-bj2/org-b': { 2: ['read', 'last'] },
    'hk/org-a': { 2: ['front', 'unread'] },
  };
  const held = inTarget(call.region, call.project).filter((c) => !shifting.transient.has(ucloudKey(c)));
  for (const move of moves[target]?.[call.call] ?? []) {
    if (move === 'front' || move === 'last') {
      const added = { ...held[0]!, SSLId: `ssl-added-${shifting.made}`, SSLName: 'added mid-scan' };
      shifting.transient.add(ucloudKey(added));
      fleet.add(added, move === 'front' ? 'first' : 'last');
    } else {
      const victim = move === 'read' ? held[0]! : held[held.length - 1]!;
      shifting.transient.add(ucloudKey(victim));
      fleet.remove(victim.SSLId);
    }
    shifting.made++;
  }
  return undefined;
}

const CASES: MatrixCase[] = [
  { name: 'no faults (control)', emulator: {}, complete: true },
  {
    name: 'throttling on 30% of calls',
    emulator: { throttleRate: 0.3, seed: 3 },
    check: ({ stats }) => {
      expect(stats.ucloud.throttled).toBeGreaterThan(0);
      expect(stats.aliyun.cdn.throttled + stats.aliyun.slb.throttled).toBeGreaterThan(0);
    },
  },
  {
    name: '5xx on 5% of calls',
    emulator: { errorRate: 0.05, seed: 5 },
    check: ({ stats }) =>
      expect(stats.ucloud.errors + stats.aliyun.cdn.errors + stats.aliyun.slb.errors).toBeGreaterThan(0),
  },
  {
    name: 'a reply that never comes',
    emulator: {
      // Once in cn-bj2 (retried, recovered); always in hk/org-a (a named failure).
      ucloud: {
        failures: [
          { region: 'cn-bj2', project: 'org-a', hang: true, times: 1 },
          { region: 'hk', project: 'org-a', hang: true },
        ],
      },
      aliyun: { failures: [{ service: 'cdn', action: 'DescribeCertificateInfoByID', hang: true, times: 1 }] },
    },
    mustFail: ['ucloud/ulb hk/org-a'],
  },
  {
    name: 'a reply that stalls mid-body',
    emulator: {
      ucloud: { failures: [{ region: 'hk', project: 'org-b', broken: 'stall-body', times: 2 }] },
      aliyun: { failures: [{ service: 'slb', region: 'cn-shanghai', broken: 'stall-body' }] },
    },
    mustFail: ['aliyun/slb cn-shanghai/-'],
  },
  {
    name: 'malformed JSON',
    emulator: {
      ucloud: { failures: [{ region: 'cn-bj2', broken: 'malformed-json', times: 3 }] },
      aliyun: {
        failures: [
          { service: 'cdn', action: 'DescribeCdnSSLCertificateList', broken: 'malformed-json', times: 1 },
          { service: 'slb', region: 'cn-hangzhou', broken: 'malformed-json' },
        ],
      },
    },
    mustFail: ['aliyun/slb cn-hangzhou/-'],
  },
  {
    name: 'a 200 reply with a provider error inside',
    emulator: {
      ucloud: { failures: [{ region: 'hk', project: 'org-b', retCode: 299 }] },
      aliyun: {
        failures: [{ service: 'slb', region: 'cn-hangzhou', code: 'InternalError', httpStatus: 200 }],
      },
    },
    mustFail: ['ucloud/ulb hk/org-b', 'aliyun/slb cn-hangzhou/-'],
  },
  {
    name: 'a region that always fails',
    emulator: {
      ucloud: { failures: [{ region: 'hk', retCode: 150 }] },
      aliyun: { failures: [{ service: 'slb', region: 'cn-shanghai', code: 'ServiceUnavailable' }] },
    },
    mustFail: ['ucloud/ulb hk/org-a', 'ucloud/ulb hk/org-b', 'aliyun/slb cn-shanghai/-'],
    complete: false,
  },
  {
    name: 'a project that does not exist',
    emulator: {},
    env: { UCLOUD_PROJECT_IDS: 'org-a,org-b,org-gone' },
    mustFail: ['ucloud/ulb cn-bj2/org-gone', 'ucloud/ulb hk/org-gone'],
    complete: false,
  },
  {
    name: 'wrong credential for UCloud only',
    emulator: {},
    env: { UCLOUD_PRIVATE_KEY: 'not-the-private-key' },
    mustFail: [
      'ucloud/ulb cn-bj2/org-a',
      'ucloud/ulb cn-bj2/org-b',
      'ucloud/ulb hk/org-a',
      'ucloud/ulb hk/org-b',
    ],
    complete: false,
  },
  {
    name: 'wrong credential for Alibaba only',
    emulator: {},
    env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' },
    mustFail: ['aliyun/cdn (all regions)/-', 'aliyun/slb cn-hangzhou/-', 'aliyun/slb cn-shanghai/-'],
    complete: false,
  },
  {
    name: 'certificates added and removed between pages',
    emulator: { ucloud: { onDescribeSslV2: (call, fleet) => shiftBetweenPages(call, fleet) } },
    transient: shifting.transient,
    check: () => {
      // Every move was made, and every listing it moved noticed and started again.
      expect(shifting.made).toBe(6);
      expect([...shifting.restarted].sort()).toEqual(['cn-bj2/org-a', 'cn-bj2/org-b', 'hk/org-a']);
    },
  },
  {
    name: 'a page that repeats',
    emulator: {
      ucloud: {
        // The second page of cn-bj2/org-b is the first one again, once.
        onDescribeSslV2: (call) =>
          call.region === 'cn-bj2' && call.project === 'org-b' && call.call === 2 ? { offset: 0 } : undefined,
      },
    },
  },
  {
    name: 'TotalCount that lies',
    emulator: {
      ucloud: {
        // hk/org-a claims three more certificates than it holds, hk/org-b three fewer.
        onDescribeSslV2: (call) => {
          if (call.region !== 'hk') return undefined;
          const held = inTarget(call.region, call.project).length;
          return { totalCount: call.project === 'org-a' ? held + 3 : held - 3 };
        },
      },
    },
  },
  { name: 'an empty fleet', emulator: {}, fleet: EMPTY_FLEET, complete: true },
];

interface Row {
  name: string;
  expected: number;
  seen: number;
  lost: number;
  doubled: number;
  failures: number;
  named: number;
  complete: boolean;
  exit: number;
  ms: number;
}
const rows: Row[] = [];

/** `provider/service region/project` of a failure, `-` for no project. */
function failureLocation(failure: ScanReport['failures'][number]): string {
  return `${failure.provider}/${failure.service} ${failure.region ?? '(all regions)'}/${failure.project ?? '-'}`;
}

const squash = (text: string) => text.replace(/\s+/g, ' ');

function env(emulator: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    UCLOUD_PUBLIC_KEY: ACCOUNT.PublicKey,
    UCLOUD_PRIVATE_KEY: ACCOUNT.PrivateKey,
    UCLOUD_REGIONS: UCLOUD_REGIONS.join(','),
    UCLOUD_PROJECT_IDS: PROJECTS.join(','),
    UCLOUD_API_URL: emulator.ucloudUrl,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_CDN_ENDPOINT: emulator.cdnUrl,
    ALIBABA_CLOUD_SLB_ENDPOINT: emulator.slbUrl,
    ALIBABA_CLOUD_SLB_REGIONS: SLB_REGIONS.join(','),
    CERTWATCH_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
    ...extra,
  };
}

describe.concurrent('fault matrix', () => {
  for (const matrixCase of CASES) {
    it(matrixCase.name, async () => {
      const fleet = matrixCase.fleet ?? FLEET;
      const emulator = await startEmulator({
        fleet,
        latencyMs: { min: 0, max: 3 },
        ...matrixCase.emulator,
        // Pages of four, so a small fleet still spans several pages in every UCloud target.
        ucloud: { maxLimit: 4, ...matrixCase.emulator.ucloud },
      });
      const started = Date.now();
      try {
        const runEnv = env(emulator, matrixCase.env);
        const run = await runCertwatch(
          ['audit', '--format', 'json', '--now', new Date(NOW).toISOString()],
          runEnv,
        );
        const ms = Date.now() - started;
        expect(run.stderr).not.toMatch(/unexpected error|certwatch bug/);
        const report = JSON.parse(run.stdout) as ScanReport;

        const expected = everyCertificate(fleet);
        for (const key of matrixCase.transient ?? []) expected.delete(key);
        const counts = new Map<string, number>();
        for (const cert of report.certificates) {
          const key = `${cert.provider}/${cert.service} ${cert.id}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const seen = [...expected.keys()].filter((key) => counts.has(key)).length;
        const lost = expected.size - seen;
        const failedParts = new Set(report.failures.map(failureLocation));
        const lostUnnamed = [...expected]
          .filter(([key, part]) => !counts.has(key) && !failedParts.has(part))
          .map(([key, part]) => `${key} (${part})`);
        const doubled = [...counts.values()].filter((n) => n > 1).length;

        // What the scheduled scan would send for this report: the alertOn `certwatch scan` calls, its settings.
        const config = loadConfig(runEnv);
        const outcome = await alertOn(report, {
          sink: {
            name: 'none',
            publishDigest: async () => {},
            publishAlerts: async () => ({ sent: 0, failed: [] }),
          },
          store: new MemoryStateStore(),
          ladder: config.alerting.ladder,
          nowMs: NOW,
          criticalDays: config.thresholds.criticalDays,
          reminderIntervalMs: config.alerting.reminderIntervalMs,
          dryRun: true,
        });
        const digest = outcome.digest ? squash(`${outcome.digest.subject}\n${outcome.digest.body}`) : '';
        const named = report.failures.filter((failure) => digest.includes(squash(failure.message))).length;
        rows.push({
          name: matrixCase.name,
          expected: expected.size,
          seen,
          lost,
          doubled,
          failures: report.failures.length,
          named,
          complete: report.complete,
          exit: run.code,
          ms,
        });

        expect(doubled, 'certificates reported twice').toBe(0);
        expect(report.complete).toBe(report.failures.length === 0);
        expect(run.code).toBe(report.complete ? 0 : 3);
        expect(lostUnnamed, 'certificates lost from a part of the fleet no failure names').toEqual([]);
        if (matrixCase.complete !== undefined) expect(report.complete).toBe(matrixCase.complete);
        const locations = report.failures.map(failureLocation);
        for (const location of matrixCase.mustFail ?? []) expect(locations).toContain(location);
        if (report.complete) {
          expect(digest).not.toMatch(/INCOMPLETE|Could not check/);
        } else {
          expect(outcome.digest?.subject).toMatch(/^certwatch: scan INCOMPLETE \(\d+ sources? failed\)/);
          expect(digest).toContain('This report is INCOMPLETE');
          expect(named, 'failures named in the digest').toBe(report.failures.length);
        }
        matrixCase.check?.(emulator, report);
        const everything = `${run.stdout}${run.stderr}${digest}`;
        for (const secret of [ACCOUNT.PrivateKey, ALIYUN_ACCOUNT.AccessKeySecret, 'PRIVATE KEY-----']) {
          expect(everything).not.toContain(secret);
        }
      } finally {
        await emulator.close();
      }
    });
  }
});

afterAll(() => {
  const order = new Map(CASES.map((c, i) => [c.name, i]));
  rows.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  const header =
    '| case | certificates expected | seen | lost | doubled | failures named | complete | exit | ms |';
  const lines = [
    header,
    '|---|---:|---:|---:|---:|---:|---|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.expected} | ${r.seen} | ${r.lost} | ${r.doubled} | ${r.named}/${r.failures} | ` +
        `${r.complete ? 'yes' : 'no'} | ${r.exit} | ${r.ms} |`,
    ),
  ];
  const table = `${lines.join('\n')}\n`;
  process.stdout.write(`\nFault matrix (timeout ${TIMEOUT_MS} ms, UCloud pages of 4):\n${table}`);
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/fault-matrix.md', `# Fault matrix\n\n${table}`);
});
