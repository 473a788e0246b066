/**
 * The fault matrix: each case runs `certwatch audit --format json` (the real CLI, in-process) against the emulator
 * on 127.0.0.1 with one fault, then checks the report against what the emulator holds: every certificate that
 * exists for the whole scan is reported exactly once, or its part of the fleet is a named failure; `complete` is
 * true only when nothing was skipped, and the exit code is 3 whenever anything was; and the digest the scan would
 * send names every failure and never reads as a clean run.
 *
 * Every fault class is applied to every API a scan pages through or calls per certificate (UCloud
 * DescribeSSLV2, CDN DescribeCdnSSLCertificateList, CDN DescribeCertificateInfoByID, SLB
 * DescribeServerCertificates), where it has a meaning for that API; then a few faults of the whole fleet. Faults
 * are seeded; the tables are printed after the run and written to test-output/fault-matrix.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AliyunFleetEditor, AliyunForcedFailure, AliyunTwist } from '../../emulator/aliyun/handler';
import type { BrokenReply } from '../../emulator/faults';
import {
  generateAliyunCdnFleet,
  generateAliyunSlbFleet,
  generateUcloudFleet,
} from '../../emulator/fleet/generate';
import type { Fleet, UcloudFleetCertificate } from '../../emulator/fleet/model';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import type { DescribeSslV2Call, DescribeSslV2Twist } from '../../emulator/ucloud/describeSslV2';
import type { UcloudFleetEditor, UcloudForcedFailure } from '../../emulator/ucloud/handler';
import { alertOn } from '../../lib/alerts/alerting';
import { loadConfig } from '../../lib/config';
import type { ScanReport } from '../../lib/model';
import { alertingOptions } from '../../lib/run';
import { MemoryStateStore } from '../../lib/state/memory';
import { runCertwatch } from '../helpers/cli';
import { ACCOUNT, ALIYUN_ACCOUNT, NOW } from '../helpers/fleet';
import { fromReportJson } from '../helpers/reports';

const UCLOUD_REGIONS = ['cn-bj2', 'hk'];
const PROJECTS = ['org-a', 'org-b'];
const SLB_REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const TIMEOUT_MS = 400;
/** Pages of four UCloud certificates and three CDN ones, so a small fleet still spans several pages. */
const UCLOUD_PAGE = 4;
const CDN_PAGE = 3;

const ucloudCertificates = generateUcloudFleet({
  count: 44,
  seed: 71,
  now: NOW,
  regions: UCLOUD_REGIONS,
  projects: PROJECTS,
});
const cdnCertificates = generateAliyunCdnFleet({ count: 10, seed: 72, now: NOW });
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
const cdnKey = (certId: string | number) => `aliyun/cdn ${certId}`;
function everyCertificate(fleet: Fleet): Map<string, string> {
  return new Map([
    ...(fleet.ucloud?.certificates ?? []).map(
      (c) => [ucloudKey(c), `ucloud/ulb ${c.Region}/${c.ProjectId}`] as const,
    ),
    ...(fleet.aliyun?.cdn?.certificates ?? []).map(
      (c) => [cdnKey(c.CertId), 'aliyun/cdn (all regions)/-'] as const,
    ),
    ...(fleet.aliyun?.slb?.certificates ?? []).map(
      (c) => [`aliyun/slb ${c.ServerCertificateId}`, `aliyun/slb ${c.RegionId}/-`] as const,
    ),
  ]);
}

/** The four APIs every fault class is tried on, and the part of the fleet a failure of each is named for. */
const APIS = {
  ucloudList: { title: 'UCloud DescribeSSLV2 (list)', part: 'ucloud/ulb cn-bj2/org-a' },
  cdnList: { title: 'CDN DescribeCdnSSLCertificateList (list)', part: 'aliyun/cdn (all regions)/-' },
  cdnDetails: {
    title: 'CDN DescribeCertificateInfoByID (per certificate)',
    part: 'aliyun/cdn (all regions)/-',
  },
  slbList: { title: 'SLB DescribeServerCertificates (one reply)', part: 'aliyun/slb cn-hangzhou/-' },
} as const;
type Api = keyof typeof APIS;
const API_NAMES = Object.keys(APIS) as Api[];

/** The UCloud target faults are aimed at, and its certificates in list order. */
const TARGET = { region: 'cn-bj2', project: 'org-a' };
const inTarget = (): UcloudFleetCertificate[] =>
  ucloudCertificates.filter((c) => c.Region === TARGET.region && c.ProjectId === TARGET.project);

/** What one case does to the emulator, and what it must then see. */
interface Injection {
  emulator: Omit<EmulatorOptions, 'fleet'>;
  /** Certificates that do not exist for the whole scan: not expected in the report. */
  transient?: Set<string>;
  /** 'complete': the fault is survived (retried, restarted, read once); 'named': the part is a named failure. */
  outcome: 'complete' | 'named';
  /** More to check once the scan is done. */
  check?: (emulator: RunningEmulator, report: ScanReport) => void;
}

/** A forced failure on one API, in each cloud's own form. */
function forced(
  api: Api,
  ucloud: Omit<UcloudForcedFailure, 'action'>,
  aliyun: Omit<AliyunForcedFailure, 'service'>,
) {
  if (api === 'ucloudList') {
    return { ucloud: { failures: [{ action: 'DescribeSSLV2', ...TARGET, ...ucloud }] } };
  }
  const action = {
    cdnList: { service: 'cdn', action: 'DescribeCdnSSLCertificateList' },
    cdnDetails: { service: 'cdn', action: 'DescribeCertificateInfoByID' },
    slbList: { service: 'slb', action: 'DescribeServerCertificates', region: 'cn-hangzhou' },
  }[api] as AliyunForcedFailure;
  return { aliyun: { failures: [{ ...action, ...aliyun }] } };
}

/** A UCloud hook aimed at the target's listing. */
function onTarget(
  hook: (call: DescribeSslV2Call, fleet: UcloudFleetEditor) => DescribeSslV2Twist | undefined,
) {
  return {
    ucloud: {
      onDescribeSslV2: (call: DescribeSslV2Call, fleet: UcloudFleetEditor) =>
        call.region === TARGET.region && call.project === TARGET.project ? hook(call, fleet) : undefined,
    },
  };
}

/** An Alibaba hook aimed at one action. */
function onAction(
  action: string,
  hook: (
    call: { call: number; params: Readonly<Record<string, string>> },
    fleet: AliyunFleetEditor,
  ) => AliyunTwist | undefined,
) {
  return {
    aliyun: {
      onAction: (
        call: { action: string; call: number; params: Readonly<Record<string, string>> },
        fleet: AliyunFleetEditor,
      ) => (call.action === action ? hook(call, fleet) : undefined),
    },
  };
}

const CDN_LIST = 'DescribeCdnSSLCertificateList';
const CDN_DETAILS = 'DescribeCertificateInfoByID';
const SLB_LIST = 'DescribeServerCertificates';

/** Rewrites the wrapped list of a CDN or SLB reply. */
function rewriteList(
  path: [string, string],
  change: (items: Record<string, unknown>[]) => Record<string, unknown>[],
): (body: Record<string, unknown>) => Record<string, unknown> {
  return (body) => {
    const [outer, inner] = path;
    const wrapper = body[outer] as Record<string, unknown>;
    return { ...body, [outer]: { ...wrapper, [inner]: change(wrapper[inner] as Record<string, unknown>[]) } };
  };
}
/** A fault class: how it is injected into each API, or undefined where it has no meaning for that API. */
interface FaultClass {
  name: string;
  /** Why some APIs have no such fault, for the table's footnote. */
  inject: Partial<Record<Api, () => Injection>>;
}

/** A retried fault: each API fails `times` times in its own form, then answers. */
function transient(
  name: string,
  times: number,
  ucloud: Omit<UcloudForcedFailure, 'action'> | null,
  aliyun: Omit<AliyunForcedFailure, 'service'>,
): FaultClass {
  const inject: FaultClass['inject'] = {};
  for (const api of API_NAMES) {
    if (api === 'ucloudList' && ucloud === null) continue;
    inject[api] = () => ({
      emulator: forced(api, { ...ucloud, times }, { ...aliyun, times }),
      outcome: 'complete',
    });
  }
  return { name, inject };
}

/** A list that shifts under its pages, after the first page was read: `moves` made to the list then. */
function shifting(name: string, moves: ('read' | 'front' | 'last')[]): FaultClass {
  const made = () => ({ transient: new Set<string>(), restarted: false });
  return {
    name,
    inject: {
      ucloudList: () => {
        const state = made();
        return {
          emulator: onTarget((call, fleet) => {
            if (call.offset === 0 && call.call > 1) state.restarted = true;
            if (call.call !== 2) return undefined;
            const held = inTarget();
            for (const move of moves) {
              if (move === 'read') {
                state.transient.add(ucloudKey(held[0]!));
                fleet.remove(held[0]!.SSLId);
              } else {
                const added = { ...held[1]!, SSLId: `ssl-added-${move}`, SSLName: 'added mid-scan' };
                state.transient.add(ucloudKey(added));
                fleet.add(added, move === 'front' ? 'first' : 'last');
              }
            }
            return undefined;
          }),
          transient: state.transient,
          outcome: 'complete',
          check: () => expect(state.restarted, 'the listing noticed the shift and started again').toBe(true),
        };
      },
      cdnList: () => {
        const state = made();
        return {
          emulator: onAction(CDN_LIST, ({ call, params }, fleet) => {
            if (params.PageNumber === '1' && call > 1) state.restarted = true;
            if (call !== 2) return undefined;
            for (const move of moves) {
              if (move === 'read') {
                state.transient.add(cdnKey(cdnCertificates[0]!.CertId));
                fleet.removeCdnCertificate(String(cdnCertificates[0]!.CertId));
              } else {
                const CertId = move === 'front' ? 990_001 : 990_002;
                state.transient.add(cdnKey(CertId));
                fleet.addCdnCertificate(
                  { ...cdnCertificates[1]!, CertId },
                  move === 'front' ? 'first' : 'last',
                );
              }
            }
            return undefined;
          }),
          transient: state.transient,
          outcome: 'complete',
          check: () => expect(state.restarted, 'the listing read the list again').toBe(true),
        };
      },
    },
  };
}

/** A total that is `by` off, on every page. */
function lyingTotal(name: string, by: number): FaultClass {
  return {
    name,
    inject: {
      ucloudList: () => ({
        emulator: onTarget(() => ({ totalCount: inTarget().length + by })),
        outcome: 'named',
      }),
      cdnList: () => ({
        emulator: onAction(CDN_LIST, () => ({
          reply: (body) => {
            const model = body.CertificateListModel as Record<string, unknown>;
            return { ...body, CertificateListModel: { ...model, Count: (model.Count as number) + by } };
          },
        })),
        outcome: 'named',
      }),
    },
  };
}

/** A broken reply on the way back, once: retried. */
const brokenOnce = (name: string, how: BrokenReply) => transient(name, 1, { broken: how }, { broken: how });

const FAULTS: FaultClass[] = [
  shifting('a read certificate deleted between pages', ['read']),
  shifting('a certificate added in front between pages', ['front']),
  shifting('one deleted and one added between pages (total unchanged)', ['read', 'last']),
  {
    name: 'a certificate deleted between its listing and its details',
    inject: {
      cdnDetails: () => {
        const gone = new Set<string>();
        return {
          emulator: onAction(CDN_DETAILS, ({ call, params }, fleet) => {
            if (call !== 1) return undefined;
            gone.add(cdnKey(params.CertId!));
            fleet.removeCdnCertificate(params.CertId!);
            return undefined;
          }),
          transient: gone,
          // The list, read again (it spans pages), no longer holds it: gone, not a failure.
          outcome: 'complete',
        };
      },
    },
  },
  lyingTotal('a total that claims 3 more than the pages hold', 3),
  lyingTotal('a total that claims 3 fewer than the pages hold', -3),
  {
    name: 'an id listed twice in one page',
    inject: {
      ucloudList: () => ({
        emulator: onTarget((call, fleet) => {
          if (call.call === 1) fleet.add({ ...inTarget()[0]!, SSLName: 'listed twice' }, 'first');
          return undefined;
        }),
        outcome: 'complete',
      }),
      cdnList: () => ({
        emulator: onAction(CDN_LIST, ({ call }, fleet) => {
          if (call === 1) fleet.addCdnCertificate({ ...cdnCertificates[0]! }, 'first');
          return undefined;
        }),
        outcome: 'complete',
      }),
      cdnDetails: () => ({
        emulator: onAction(CDN_DETAILS, () => ({
          reply: rewriteList(['CertInfos', 'CertInfo'], (infos) => [...infos, ...infos]),
        })),
        outcome: 'complete',
      }),
      slbList: () => ({
        emulator: onAction(SLB_LIST, () => ({
          reply: rewriteList(['ServerCertificates', 'ServerCertificate'], (items) => [items[0]!, ...items]),
        })),
        outcome: 'complete',
      }),
    },
  },
  {
    name: 'an id listed again on a later page',
    inject: {
      ucloudList: () => ({
        emulator: onTarget((call, fleet) => {
          if (call.call === 1) fleet.add({ ...inTarget()[0]!, SSLName: 'listed twice' }, 'last');
          return undefined;
        }),
        outcome: 'complete',
      }),
      cdnList: () => ({
        emulator: onAction(CDN_LIST, ({ call }, fleet) => {
          if (call === 1) fleet.addCdnCertificate({ ...cdnCertificates[0]! }, 'last');
          return undefined;
        }),
        outcome: 'complete',
      }),
      slbList: () => ({
        emulator: onAction(SLB_LIST, () => ({
          reply: rewriteList(['ServerCertificates', 'ServerCertificate'], (items) => [...items, items[0]!]),
        })),
        outcome: 'complete',
      }),
    },
  },
  {
    name: 'a page (or reply) that repeats the previous one, once',
    inject: {
      ucloudList: () => ({
        emulator: onTarget((call) => (call.call === 2 ? { offset: 0 } : undefined)),
        outcome: 'complete',
      }),
      cdnList: () => ({
        emulator: onAction(CDN_LIST, ({ call }) =>
          call === 2 ? { params: { PageNumber: '1' } } : undefined,
        ),
        outcome: 'complete',
      }),
      cdnDetails: () => {
        // The second certificate's details are answered with the first's (a cache serving the last reply).
        let first: string | undefined;
        return {
          emulator: onAction(CDN_DETAILS, ({ call, params }) => {
            if (call === 1) first = params.CertId;
            return call === 2 && first ? { params: { CertId: first } } : undefined;
          }),
          outcome: 'named',
        };
      },
    },
  },
  transient(
    'an error code inside an HTTP 200, twice',
    2,
    { retCode: 150 },
    { code: 'InternalError', httpStatus: 200 },
  ),
  transient('SignatureNonceUsed, twice', 2, null, { code: 'SignatureNonceUsed' }),
  transient('throttling, three times', 3, { retCode: 153 }, { code: 'Throttling.User' }),
  transient('a 502 with an HTML body, twice', 2, { httpStatus: 502 }, { gatewayStatus: 502 }),
  brokenOnce('a connection reset, once', 'reset'),
  brokenOnce('a truncated body, once', 'malformed-json'),
  brokenOnce('a reply that stalls mid-body, once', 'stall-body'),
  {
    name: 'a reply that never comes, always',
    inject: Object.fromEntries(
      API_NAMES.map((api) => [
        api,
        (): Injection => ({ emulator: forced(api, { hang: true }, { hang: true }), outcome: 'named' }),
      ]),
    ),
  },
];

/** Faults of the whole fleet, beside the per-API ones. */
interface FleetCase {
  name: string;
  emulator: Omit<EmulatorOptions, 'fleet'>;
  fleet?: Fleet;
  env?: Record<string, string>;
  mustFail?: string[];
  complete?: boolean;
  check?: (emulator: RunningEmulator, report: ScanReport) => void;
}

const FLEET_CASES: FleetCase[] = [
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
  { name: 'an empty fleet', emulator: {}, fleet: EMPTY_FLEET, complete: true },
];

interface Row {
  fault: string;
  api: string;
  expected: number;
  seen: number;
  /** Missing from the report, with their part of the fleet named as a failure. */
  named: number;
  /** Missing from the report with no failure naming their part: must be 0. */
  lost: number;
  doubled: number;
  failures: number;
  failuresInDigest: number;
  complete: boolean;
  exit: number;
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

interface Scenario {
  fault: string;
  api: string;
  emulator: Omit<EmulatorOptions, 'fleet'>;
  fleet?: Fleet;
  env?: Record<string, string>;
  transient?: Set<string>;
  mustFail?: string[];
  complete?: boolean;
  check?: (emulator: RunningEmulator, report: ScanReport) => void;
}

/** Runs one scenario and checks the rules every fault must keep. */
async function runScenario(scenario: Scenario): Promise<void> {
  const fleet = scenario.fleet ?? FLEET;
  const emulator = await startEmulator({
    fleet,
    latencyMs: { min: 0, max: 3 },
    ...scenario.emulator,
    ucloud: { maxLimit: UCLOUD_PAGE, ...scenario.emulator.ucloud },
    aliyun: { cdnMaxPageSize: CDN_PAGE, ...scenario.emulator.aliyun },
  });
  try {
    const runEnv = env(emulator, scenario.env);
    const run = await runCertwatch(
      ['audit', '--format', 'json', '--now', new Date(NOW).toISOString()],
      runEnv,
    );
    expect(run.stderr).not.toMatch(/unexpected error|certwatch bug/);
    // The command prints the report contract (ISO text); the program holds instants as ms.
    const report = fromReportJson(JSON.parse(run.stdout));

    const expected = everyCertificate(fleet);
    for (const key of scenario.transient ?? []) expected.delete(key);
    const counts = new Map<string, number>();
    for (const cert of report.certificates) {
      const key = `${cert.provider}/${cert.service} ${cert.id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const seen = [...expected.keys()].filter((key) => counts.has(key)).length;
    const failedParts = new Set(report.failures.map(failureLocation));
    const missing = [...expected].filter(([key]) => !counts.has(key));
    const lostUnnamed = missing
      .filter(([, part]) => !failedParts.has(part))
      .map(([key, part]) => `${key} (${part})`);
    const doubled = [...counts].filter(([, n]) => n > 1).map(([key]) => key);

    // What the scheduled scan would send for this report: the alertOn `certwatch scan` calls, its settings.
    const config = loadConfig(runEnv);
    const outcome = await alertOn(
      report,
      alertingOptions(config, {
        sink: {
          name: 'none',
          publishDigest: async () => {},
          publishAlerts: async () => ({ sent: 0, failed: [] }),
        },
        store: new MemoryStateStore(),
        nowMs: NOW,
        dryRun: true,
      }),
    );
    const digest = outcome.digest ? squash(`${outcome.digest.subject}\n${outcome.digest.body}`) : '';
    const inDigest = report.failures.filter((failure) => digest.includes(squash(failure.message))).length;
    rows.push({
      fault: scenario.fault,
      api: scenario.api,
      expected: expected.size,
      seen,
      named: missing.length - lostUnnamed.length,
      lost: lostUnnamed.length,
      doubled: doubled.length,
      failures: report.failures.length,
      failuresInDigest: inDigest,
      complete: report.complete,
      exit: run.code,
    });

    expect(doubled, 'certificates reported twice').toEqual([]);
    expect(lostUnnamed, 'certificates lost from a part of the fleet no failure names').toEqual([]);
    expect(report.complete).toBe(report.failures.length === 0);
    if (report.complete) expect(seen, 'a complete scan skipped nothing').toBe(expected.size);
    expect(run.code).toBe(report.complete ? 0 : 3);
    if (scenario.complete !== undefined) {
      expect(report.complete, report.failures.map((f) => f.message).join('\n')).toBe(scenario.complete);
    }
    const locations = report.failures.map(failureLocation);
    for (const location of scenario.mustFail ?? []) expect(locations).toContain(location);
    if (report.complete) {
      expect(digest).not.toMatch(/INCOMPLETE|Could not check/);
    } else {
      expect(outcome.digest?.subject).toMatch(/^certwatch: scan INCOMPLETE \(\d+ sources? failed\)/);
      expect(digest).toContain('This report is INCOMPLETE');
      expect(inDigest, 'failures named in the digest').toBe(report.failures.length);
    }
    scenario.check?.(emulator, report);
    const everything = `${run.stdout}${run.stderr}${digest}`;
    for (const secret of [ACCOUNT.PrivateKey, ALIYUN_ACCOUNT.AccessKeySecret, 'PRIVATE KEY-----']) {
      expect(everything).not.toContain(secret);
    }
  } finally {
    await emulator.close();
  }
}

describe.concurrent('fault matrix: every fault class on every API', () => {
  for (const fault of FAULTS) {
    for (const api of API_NAMES) {
      const inject = fault.inject[api];
      if (!inject) continue;
      it(`${fault.name} — ${APIS[api].title}`, async () => {
        const injection = inject();
        await runScenario({
          fault: fault.name,
          api,
          emulator: injection.emulator,
          transient: injection.transient,
          complete: injection.outcome === 'complete',
          mustFail: injection.outcome === 'named' ? [APIS[api].part] : [],
          check: injection.check,
        });
      });
    }
  }
});

describe.concurrent('fault matrix: the whole fleet', () => {
  for (const fleetCase of FLEET_CASES) {
    it(fleetCase.name, () =>
      runScenario({
        fault: fleetCase.name,
        api: 'all',
        emulator: fleetCase.emulator,
        fleet: fleetCase.fleet,
        env: fleetCase.env,
        mustFail: fleetCase.mustFail,
        complete: fleetCase.complete,
        check: fleetCase.check,
      }),
    );
  }
});

afterAll(() => {
  const cell = (row: Row | undefined) =>
    row === undefined
      ? 'n/a'
      : `${row.seen}/${row.expected} · ${row.named} · **${row.lost}** · **${row.doubled}** · ` +
        `${row.complete ? 'yes' : 'no'} (${row.failuresInDigest}/${row.failures})`;
  const perApi = [
    `| fault | ${API_NAMES.map((api) => APIS[api].title).join(' | ')} |`,
    `|---|${API_NAMES.map(() => '---').join('|')}|`,
    ...FAULTS.map(
      (fault) =>
        `| ${fault.name} | ${API_NAMES.map((api) => cell(rows.find((r) => r.fault === fault.name && r.api === api))).join(' | ')} |`,
    ),
  ];
  const whole = [
    '| case | seen/expected | missing, named | lost | doubled | complete | failures in digest | exit |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
    ...FLEET_CASES.map((c) => rows.find((r) => r.fault === c.name && r.api === 'all'))
      .filter((r): r is Row => r !== undefined)
      .map(
        (r) =>
          `| ${r.fault} | ${r.seen}/${r.expected} | ${r.named} | ${r.lost} | ${r.doubled} | ` +
          `${r.complete ? 'yes' : 'no'} | ${r.failuresInDigest}/${r.failures} | ${r.exit} |`,
      ),
  ];
  const legend =
    'Each cell: certificates seen/expected · missing but named as a failure · **lost unnamed** · **doubled** · ' +
    'complete (failures named in the digest/failures). n/a: the fault has no meaning for that API (one reply has ' +
    'no pages or total; a per-certificate call has no list to shift; UCloud signs without a nonce).';
  const text =
    `Per API (timeout ${TIMEOUT_MS} ms, UCloud pages of ${UCLOUD_PAGE}, CDN pages of ${CDN_PAGE}):\n\n` +
    `${legend}\n\n${perApi.join('\n')}\n\nThe whole fleet:\n\n${whole.join('\n')}\n`;
  process.stdout.write(`\nFault matrix\n${text}`);
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/fault-matrix.md', `# Fault matrix\n\n${text}`);
});
