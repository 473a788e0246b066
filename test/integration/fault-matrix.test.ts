/**
 * The fault matrix: each case runs `certwatch audit --format json` (the real CLI, in-process) against the emulator
 * on 127.0.0.1 with one fault, then checks the report against what the emulator holds: every certificate that
 * exists for the whole scan is reported exactly once, or its part of the fleet is a named failure; `complete` is
 * true only when nothing was skipped, and the exit code is 3 whenever anything was; and the digest the scan would
 * send names every failure and never reads as a clean run.
 *
 * Every fault class is applied to every API a scan pages through or calls per certificate (UCloud
 * DescribeSSLV2; CDN DescribeCdnSSLCertificateList and DescribeCertificateInfoByID; SLB DescribeServerCertificates;
 * CAS ListUserCertificateOrder, GetUserCertificateDetail and ListCloudResources; CDN's and DCDN's HTTPS domain
 * lists; ALB's and NLB's ListLoadBalancers, ListListeners and ListListenerCertificates), where it has a meaning for
 * that API; then a few faults of the whole fleet. Faults are seeded; the tables are printed after the run and
 * written to test-output/fault-matrix.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  AliyunFleetEditor,
  AliyunForcedFailure,
  AliyunService,
  AliyunTwist,
} from '../../emulator/aliyun/handler';
import type { BrokenReply } from '../../emulator/faults';
import {
  generateAliyunCasFleet,
  generateAliyunCdnFleet,
  generateAliyunHttpsDomains,
  generateAliyunLoadBalancerFleet,
  generateAliyunSlbFleet,
  generateUcloudFleet,
} from '../../emulator/fleet/generate';
import type { AliyunListener, Fleet, UcloudFleetCertificate } from '../../emulator/fleet/model';
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
/** ALB and NLB are scanned in the same regions as SLB; faults are aimed at the first. */
const LB_REGION = 'cn-hangzhou';
const TIMEOUT_MS = 400;
/** Pages of four UCloud certificates and three CDN ones, so a small fleet still spans several pages. */
const UCLOUD_PAGE = 4;
const CDN_PAGE = 3;
/** Pages of two for CAS, the HTTPS domain lists, ALB and NLB (the emulator's listPageCap), for the same reason. */
const LIST_PAGE = 2;

const ucloudCertificates = generateUcloudFleet({
  count: 44,
  seed: 71,
  now: NOW,
  regions: UCLOUD_REGIONS,
  projects: PROJECTS,
});
const cdnCertificates = generateAliyunCdnFleet({ count: 10, seed: 72, now: NOW });
const slbCertificates = generateAliyunSlbFleet({ count: 8, seed: 73, now: NOW, regions: SLB_REGIONS });
const casCertificates = generateAliyunCasFleet({ count: 10, seed: 74, now: NOW });
const cdnDomains = generateAliyunHttpsDomains({ count: 7, seed: 75, now: NOW, product: 'CDN' });
const dcdnDomains = generateAliyunHttpsDomains({ count: 7, seed: 76, now: NOW, product: 'DCDN' });
/** A few listener certificates name CAS certificates of the fleet (`<id>-cn-hangzhou`). */
const namedCas = casCertificates.slice(0, 4).map((c) => String(c.CertificateId));
const albLoadBalancers = generateAliyunLoadBalancerFleet({
  product: 'alb',
  count: 6,
  seed: 77,
  regions: SLB_REGIONS,
  casCertificateIds: namedCas,
});
const nlbLoadBalancers = generateAliyunLoadBalancerFleet({
  product: 'nlb',
  count: 6,
  seed: 78,
  regions: SLB_REGIONS,
  casCertificateIds: namedCas,
});

const FLEET: Fleet = {
  ucloud: { accounts: [{ ...ACCOUNT, Projects: PROJECTS }], certificates: ucloudCertificates },
  aliyun: {
    accounts: [ALIYUN_ACCOUNT],
    cdn: { certificates: cdnCertificates },
    slb: { certificates: slbCertificates },
    cas: { certificates: casCertificates },
    cdnDomains: { domains: cdnDomains },
    dcdnDomains: { domains: dcdnDomains },
    alb: { loadBalancers: albLoadBalancers },
    nlb: { loadBalancers: nlbLoadBalancers },
  },
};
const EMPTY_FLEET: Fleet = {
  ucloud: { accounts: [{ ...ACCOUNT, Projects: PROJECTS }], certificates: [] },
  aliyun: {
    accounts: [ALIYUN_ACCOUNT],
    cdn: { certificates: [] },
    slb: { certificates: [] },
    cas: { certificates: [] },
    cdnDomains: { domains: [] },
    dcdnDomains: { domains: [] },
    alb: { loadBalancers: [] },
    nlb: { loadBalancers: [] },
  },
};

/** How the scan names a certificate (provider/service and the provider's id), and the part of the fleet it is in. */
const ucloudKey = (c: { SSLId: string }) => `ucloud/ulb ${c.SSLId}`;
const cdnKey = (certId: string | number) => `aliyun/cdn ${certId}`;
const casKey = (certId: string | number) => `aliyun/cas ${certId}`;
const domainKey = (service: 'cdn-domain' | 'dcdn-domain', name: string) =>
  `aliyun/${service} ${name.toLowerCase()}`;
const listenerKey = (service: 'alb' | 'nlb', listenerId: string, certificateId: string) =>
  `aliyun/${service} ${listenerId}/${certificateId}`;
const GLOBAL = (service: string) => `aliyun/${service} (all regions)/-`;
function everyCertificate(fleet: Fleet): Map<string, string> {
  const listenerCertificates = (service: 'alb' | 'nlb') =>
    (fleet.aliyun?.[service]?.loadBalancers ?? []).flatMap((lb) =>
      lb.listeners.flatMap((listener) =>
        listener.certificates.map(
          (c) =>
            [
              listenerKey(service, listener.ListenerId, c.CertificateId),
              `aliyun/${service} ${lb.RegionId}/-`,
            ] as const,
        ),
      ),
    );
  return new Map([
    ...(fleet.ucloud?.certificates ?? []).map(
      (c) => [ucloudKey(c), `ucloud/ulb ${c.Region}/${c.ProjectId}`] as const,
    ),
    ...(fleet.aliyun?.cdn?.certificates ?? []).map((c) => [cdnKey(c.CertId), GLOBAL('cdn')] as const),
    ...(fleet.aliyun?.slb?.certificates ?? []).map(
      (c) => [`aliyun/slb ${c.ServerCertificateId}`, `aliyun/slb ${c.RegionId}/-`] as const,
    ),
    ...(fleet.aliyun?.cas?.certificates ?? []).map((c) => [casKey(c.CertificateId), GLOBAL('cas')] as const),
    ...(fleet.aliyun?.cdnDomains?.domains ?? []).map(
      (d) => [domainKey('cdn-domain', d.DomainName), GLOBAL('cdn-domain')] as const,
    ),
    ...(fleet.aliyun?.dcdnDomains?.domains ?? []).map(
      (d) => [domainKey('dcdn-domain', d.DomainName), GLOBAL('dcdn-domain')] as const,
    ),
    ...listenerCertificates('alb'),
    ...listenerCertificates('nlb'),
  ]);
}

/** An Alibaba API: the service it is served by, its action, and the region a fault is aimed at (regional APIs). */
interface AliyunTarget {
  service: AliyunService;
  action: string;
  region?: string;
}
const lbTarget = (service: 'alb' | 'nlb', action: string): AliyunTarget => ({
  service,
  action,
  region: LB_REGION,
});

/**
 * The APIs every fault class is tried on: the part of the fleet a failure of each is named for, and (Alibaba) where
 * its faults are aimed. `throttling` is the API's own throttling reply where it documents one.
 */
const APIS = {
  ucloudList: { title: 'UCloud DescribeSSLV2 (list)', part: 'ucloud/ulb cn-bj2/org-a' },
  cdnList: {
    title: 'CDN DescribeCdnSSLCertificateList (list)',
    part: GLOBAL('cdn'),
    target: { service: 'cdn', action: 'DescribeCdnSSLCertificateList' },
  },
  cdnDetails: {
    title: 'CDN DescribeCertificateInfoByID (per certificate)',
    part: GLOBAL('cdn'),
    target: { service: 'cdn', action: 'DescribeCertificateInfoByID' },
  },
  slbList: {
    title: 'SLB DescribeServerCertificates (one reply)',
    part: 'aliyun/slb cn-hangzhou/-',
    target: { service: 'slb', action: 'DescribeServerCertificates', region: 'cn-hangzhou' },
  },
  casList: {
    title: 'CAS ListUserCertificateOrder (4 lists)',
    part: GLOBAL('cas'),
    target: { service: 'cas', action: 'ListUserCertificateOrder' },
  },
  casDetails: {
    title: 'CAS GetUserCertificateDetail (per certificate)',
    part: GLOBAL('cas'),
    target: { service: 'cas', action: 'GetUserCertificateDetail' },
  },
  casResources: {
    title: 'CAS ListCloudResources (per batch)',
    part: GLOBAL('cas'),
    target: { service: 'cas', action: 'ListCloudResources' },
  },
  cdnDomains: {
    title: 'CDN DescribeCdnHttpsDomainList (list)',
    part: GLOBAL('cdn-domain'),
    target: { service: 'cdn', action: 'DescribeCdnHttpsDomainList' },
    // CDN documents `Throttling` with HTTP 503 for this list (reference §5).
    throttling: { code: 'Throttling', httpStatus: 503 },
  },
  dcdnDomains: {
    title: 'DCDN DescribeDcdnHttpsDomainList (list)',
    part: GLOBAL('dcdn-domain'),
    target: { service: 'dcdn', action: 'DescribeDcdnHttpsDomainList' },
  },
  albLoadBalancers: {
    title: 'ALB ListLoadBalancers (token list)',
    part: `aliyun/alb ${LB_REGION}/-`,
    target: lbTarget('alb', 'ListLoadBalancers'),
  },
  albListeners: {
    title: 'ALB ListListeners (token list)',
    part: `aliyun/alb ${LB_REGION}/-`,
    target: lbTarget('alb', 'ListListeners'),
  },
  albCertificates: {
    title: 'ALB ListListenerCertificates (token list, per listener)',
    part: `aliyun/alb ${LB_REGION}/-`,
    target: lbTarget('alb', 'ListListenerCertificates'),
  },
  nlbLoadBalancers: {
    title: 'NLB ListLoadBalancers (token list)',
    part: `aliyun/nlb ${LB_REGION}/-`,
    target: lbTarget('nlb', 'ListLoadBalancers'),
  },
  nlbListeners: {
    title: 'NLB ListListeners (token list)',
    part: `aliyun/nlb ${LB_REGION}/-`,
    target: lbTarget('nlb', 'ListListeners'),
  },
  nlbCertificates: {
    title: 'NLB ListListenerCertificates (token list, per listener, POST form)',
    part: `aliyun/nlb ${LB_REGION}/-`,
    target: lbTarget('nlb', 'ListListenerCertificates'),
  },
} as const satisfies Record<
  string,
  {
    title: string;
    part: string;
    target?: AliyunTarget;
    throttling?: Omit<AliyunForcedFailure, 'service'>;
  }
>;
type Api = keyof typeof APIS;
const API_NAMES = Object.keys(APIS) as Api[];
type AliyunApi = Exclude<Api, 'ucloudList'>;
const targetOf = (api: AliyunApi): AliyunTarget => APIS[api].target;

/** The UCloud target faults are aimed at, and its certificates in list order. */
const TARGET = { region: 'cn-bj2', project: 'org-a' };
const inTarget = (): UcloudFleetCertificate[] =>
  ucloudCertificates.filter((c) => c.Region === TARGET.region && c.ProjectId === TARGET.project);

/** The ALB listener in LB_REGION with the most certificates: its certificate list spans pages. */
const albListener: AliyunListener = albLoadBalancers
  .filter((lb) => lb.RegionId === LB_REGION)
  .flatMap((lb) => lb.listeners)
  .reduce((most, listener) => (listener.certificates.length > most.certificates.length ? listener : most));

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
  return { aliyun: { failures: [{ ...targetOf(api), ...aliyun }] } };
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

type Params = Readonly<Record<string, string>>;

/** An Alibaba hook aimed at one API (its service, action and, for a regional one, region). */
function onAction(
  target: AliyunTarget,
  hook: (call: { call: number; params: Params }, fleet: AliyunFleetEditor) => AliyunTwist | undefined,
) {
  return {
    aliyun: {
      onAction: (
        call: { service: AliyunService; action: string; call: number; params: Params },
        fleet: AliyunFleetEditor,
      ) =>
        call.service === target.service &&
        call.action === target.action &&
        (target.region === undefined || call.params.RegionId === target.region)
          ? hook(call, fleet)
          : undefined,
    },
  };
}

const CDN_LIST = APIS.cdnList.target;
const CDN_DETAILS = APIS.cdnDetails.target;
const SLB_LIST = APIS.slbList.target;
const CAS_DETAILS = APIS.casDetails.target;

/** Where a reply holds its list (wrapped or a plain array) and its total, and how a page is asked for. */
interface ListShape {
  list: [string] | [string, string];
  total?: string;
  /** The page-number parameter; absent: token paging (NextToken), or one reply. */
  page?: string;
}
const SHAPES: Partial<Record<AliyunApi, ListShape>> = {
  cdnDetails: { list: ['CertInfos', 'CertInfo'] },
  slbList: { list: ['ServerCertificates', 'ServerCertificate'] },
  casList: { list: ['CertificateOrderList'], total: 'TotalCount', page: 'CurrentPage' },
  casResources: { list: ['Data'], total: 'Total', page: 'CurrentPage' },
  cdnDomains: { list: ['CertInfos', 'CertInfo'], total: 'TotalCount', page: 'PageNumber' },
  dcdnDomains: { list: ['CertInfos', 'CertInfo'], total: 'TotalCount', page: 'PageNumber' },
  albLoadBalancers: { list: ['LoadBalancers'], total: 'TotalCount' },
  albListeners: { list: ['Listeners'], total: 'TotalCount' },
  albCertificates: { list: ['Certificates'], total: 'TotalCount' },
  nlbLoadBalancers: { list: ['LoadBalancers'], total: 'TotalCount' },
  nlbListeners: { list: ['Listeners'], total: 'TotalCount' },
  nlbCertificates: { list: ['Certificates'], total: 'TotalCount' },
};
/** The APIs added with issue 18 that page (CAS, the HTTPS domain lists, ALB, NLB). */
const PAGED: AliyunApi[] = [
  'casList',
  'casResources',
  'cdnDomains',
  'dcdnDomains',
  'albLoadBalancers',
  'albListeners',
  'albCertificates',
  'nlbLoadBalancers',
  'nlbListeners',
  'nlbCertificates',
];

/** Rewrites the list of a reply, wrapped (`{CertInfos: {CertInfo: []}}`) or plain (`{Data: []}`). */
function rewriteList(
  path: ListShape['list'],
  change: (items: Record<string, unknown>[]) => Record<string, unknown>[],
): (body: Record<string, unknown>) => Record<string, unknown> {
  return (body) => {
    const [outer, inner] = path;
    if (inner === undefined)
      return { ...body, [outer]: change((body[outer] ?? []) as Record<string, unknown>[]) };
    const wrapper = body[outer] as Record<string, unknown>;
    return { ...body, [outer]: { ...wrapper, [inner]: change(wrapper[inner] as Record<string, unknown>[]) } };
  };
}
const shapeOf = (api: AliyunApi): ListShape => SHAPES[api]!;
/** Whether a request asks for the first page of its listing (page 1, or no NextToken). */
const isFirstPage = (api: AliyunApi, params: Params) => {
  const { page } = shapeOf(api);
  return page ? (params[page] ?? '1') === '1' : !params.NextToken;
};
/** Which listing a request belongs to (the CAS query, the region and protocol, the listener). */
const listingOf = (params: Params) =>
  ['OrderType', 'Status', 'CertIds', 'RegionId', 'ListenerProtocol', 'ListenerId']
    .map((name) => params[name] ?? '')
    .join('|');

/** A fault class: how it is injected into each API, or undefined where it has no meaning for that API. */
interface FaultClass {
  name: string;
  inject: Partial<Record<Api, () => Injection>>;
}

/** The same injection for each of `apis`. */
const forEach = (apis: AliyunApi[], injection: (api: AliyunApi) => Injection) =>
  Object.fromEntries(apis.map((api) => [api, () => injection(api)]));

/** A retried fault: each API fails `times` times in its own form, then answers. */
function transient(
  name: string,
  times: number,
  ucloud: Omit<UcloudForcedFailure, 'action'> | null,
  aliyun: (api: AliyunApi) => Omit<AliyunForcedFailure, 'service'>,
): FaultClass {
  const inject: FaultClass['inject'] = {};
  for (const api of API_NAMES) {
    if (api === 'ucloudList' && ucloud === null) continue;
    inject[api] = () => ({
      emulator: forced(api, { ...ucloud, times }, api === 'ucloudList' ? {} : { ...aliyun(api), times }),
      outcome: 'complete',
    });
  }
  return { name, inject };
}

type Move = 'read' | 'front' | 'last';

/**
 * A list that shifts under its pages, after the first page was read: `moves` made to the list then. Token lists
 * (ALB) are shifted only in ways that move TotalCount: see the legend.
 */
function shifting(name: string, moves: Move[]): FaultClass {
  const made = () => ({ transient: new Set<string>(), restarted: false });
  /** A page-number or token list of the issue-18 APIs, shifted on the second request of one listing. */
  const shiftList = (
    api: AliyunApi,
    inListing: (params: Params) => boolean,
    move: (move: Move, fleet: AliyunFleetEditor) => string,
  ): Injection => {
    const state = made();
    let requests = 0;
    return {
      emulator: onAction(targetOf(api), ({ params }, fleet) => {
        if (!inListing(params)) return undefined;
        requests++;
        if (isFirstPage(api, params) && requests > 1) state.restarted = true;
        if (requests === 2) for (const each of moves) state.transient.add(move(each, fleet));
        return undefined;
      }),
      transient: state.transient,
      outcome: 'complete',
      check: () => expect(state.restarted, 'the listing read the list again').toBe(true),
    };
  };
  const domains = (api: 'cdnDomains' | 'dcdnDomains') => {
    const [product, service, list] =
      api === 'cdnDomains'
        ? (['cdn', 'cdn-domain', cdnDomains] as const)
        : (['dcdn', 'dcdn-domain', dcdnDomains] as const);
    return shiftList(
      api,
      () => true,
      (move, fleet) => {
        if (move === 'read') {
          fleet.removeHttpsDomain(product, list[0]!.DomainName);
          return domainKey(service, list[0]!.DomainName);
        }
        const DomainName = `added-${move}.example`;
        fleet.addHttpsDomain(product, { ...list[1]!, DomainName }, move === 'front' ? 'first' : 'last');
        return domainKey(service, DomainName);
      },
    );
  };
  const inject: FaultClass['inject'] = {
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
    // The first listing (OrderType CERT, current certificates) shifts.
    casList: () => {
      const current = casCertificates.find((c) => c.Status !== 'EXPIRED')!;
      return shiftList(
        'casList',
        (params) => params.OrderType === 'CERT' && !params.Status,
        (move, fleet) => {
          if (move === 'read') {
            fleet.removeCasCertificate(String(current.CertificateId));
            return casKey(current.CertificateId);
          }
          const CertificateId = move === 'front' ? 990_001 : 990_002;
          fleet.addCasCertificate(
            { ...current, CertificateId, Name: `added-${move}`, Deployments: undefined },
            move === 'front' ? 'first' : 'last',
          );
          return casKey(CertificateId);
        },
      );
    },
    cdnDomains: () => domains('cdnDomains'),
    dcdnDomains: () => domains('dcdnDomains'),
  };
  // Token paging sees a shift only through TotalCount: a change that keeps it is left to the server (legend).
  if (!(moves.includes('read') && moves.includes('last'))) {
    inject.albCertificates = () =>
      shiftList(
        'albCertificates',
        (params) => params.ListenerId === albListener.ListenerId,
        (move, fleet) => {
          const { ListenerId, certificates } = albListener;
          if (move === 'read') {
            fleet.removeListenerCertificate('alb', ListenerId, certificates[0]!.CertificateId);
            return listenerKey('alb', ListenerId, certificates[0]!.CertificateId);
          }
          const CertificateId = `added-${move}`;
          fleet.addListenerCertificate(
            'alb',
            ListenerId,
            { CertificateId, IsDefault: false },
            move === 'front' ? 'first' : 'last',
          );
          return listenerKey('alb', ListenerId, CertificateId);
        },
      );
  }
  return { name, inject };
}

/** A total that is `by` off, on every page (never below 0). */
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
      ...forEach(PAGED, (api) => ({
        emulator: onAction(targetOf(api), () => ({
          reply: (body) => {
            const field = shapeOf(api).total!;
            return { ...body, [field]: Math.max(0, Number(body[field]) + by) };
          },
        })),
        outcome: 'named',
      })),
    },
  };
}

/** A broken reply on the way back, once: retried. */
const brokenOnce = (name: string, how: BrokenReply) =>
  transient(name, 1, { broken: how }, () => ({ broken: how }));

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
      casDetails: () => {
        const gone = new Set<string>();
        return {
          emulator: onAction(CAS_DETAILS, ({ call, params }, fleet) => {
            if (call !== 1) return undefined;
            gone.add(casKey(params.CertId!));
            fleet.removeCasCertificate(params.CertId!);
            return undefined;
          }),
          transient: gone,
          // CAS answers NotFound: the certificate is shown as listed, with a note, and is no failure.
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
          reply: rewriteList(shapeOf('cdnDetails').list, (infos) => [...infos, ...infos]),
        })),
        outcome: 'complete',
      }),
      slbList: () => ({
        emulator: onAction(SLB_LIST, () => ({
          reply: rewriteList(shapeOf('slbList').list, (items) => [items[0]!, ...items]),
        })),
        outcome: 'complete',
      }),
      ...forEach(PAGED, (api) => ({
        emulator: onAction(targetOf(api), () => ({
          reply: rewriteList(shapeOf(api).list, (items) =>
            items.length > 0 ? [items[0]!, ...items] : items,
          ),
        })),
        outcome: 'complete',
      })),
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
          reply: rewriteList(shapeOf('slbList').list, (items) => [...items, items[0]!]),
        })),
        outcome: 'complete',
      }),
      // The first page's first item, again at the head of every later page of the same listing.
      ...forEach(
        PAGED.filter((api) => api !== 'nlbCertificates'),
        (api) => {
          const firsts = new Map<string, Record<string, unknown>>();
          return {
            emulator: onAction(targetOf(api), ({ params }) => {
              const first = isFirstPage(api, params);
              const listing = listingOf(params);
              return {
                reply: rewriteList(shapeOf(api).list, (items) => {
                  if (first) {
                    if (items[0]) firsts.set(listing, items[0]);
                    return items;
                  }
                  const again = firsts.get(listing);
                  return again ? [again, ...items] : items;
                }),
              };
            }),
            outcome: 'complete',
          };
        },
      ),
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
      casDetails: () => {
        let first: string | undefined;
        return {
          emulator: onAction(CAS_DETAILS, ({ call, params }) => {
            if (call === 1) first = params.CertId;
            return call === 2 && first ? { params: { CertId: first } } : undefined;
          }),
          outcome: 'named',
        };
      },
      // Page numbers: the second page asked is answered with the first, once; the listing starts again.
      // Tokens: a NextToken ignored once, so the first page comes back with the token already followed: a
      // listing that would never end, given up and named (listing.ts).
      ...forEach(
        PAGED.filter((api) => api !== 'nlbCertificates'),
        (api) => {
          let repeated = false;
          const { page } = shapeOf(api);
          return {
            emulator: onAction(targetOf(api), ({ params }) => {
              if (repeated || isFirstPage(api, params)) return undefined;
              repeated = true;
              return { params: page ? { [page]: '1' } : { NextToken: '' } };
            }),
            outcome: page ? 'complete' : 'named',
          };
        },
      ),
    },
  },
  transient('an error code inside an HTTP 200, twice', 2, { retCode: 150 }, () => ({
    code: 'InternalError',
    httpStatus: 200,
  })),
  transient('SignatureNonceUsed, twice', 2, null, () => ({ code: 'SignatureNonceUsed' })),
  transient('throttling, three times', 3, { retCode: 153 }, (api) => {
    const spec = APIS[api];
    return 'throttling' in spec ? { ...spec.throttling } : { code: 'Throttling.User' };
  }),
  transient('a 502 with an HTML body, twice', 2, { httpStatus: 502 }, () => ({ gatewayStatus: 502 })),
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
      for (const service of ['cdn', 'cas', 'alb', 'nlb'] as const) {
        expect(stats.aliyun[service].throttled, service).toBeGreaterThan(0);
      }
    },
  },
  {
    name: '5xx on 5% of calls',
    emulator: { errorRate: 0.05, seed: 5 },
    check: ({ stats }) => {
      const { cdn, dcdn, slb, cas, alb, nlb } = stats.aliyun;
      expect(stats.ucloud.errors).toBeGreaterThan(0);
      expect(cdn.errors + dcdn.errors + slb.errors + cas.errors + alb.errors + nlb.errors).toBeGreaterThan(0);
    },
  },
  {
    name: 'a region that always fails',
    emulator: {
      ucloud: { failures: [{ region: 'hk', retCode: 150 }] },
      aliyun: {
        failures: (['slb', 'alb', 'nlb'] as const).map((service) => ({
          service,
          region: 'cn-shanghai',
          code: 'ServiceUnavailable',
        })),
      },
    },
    mustFail: [
      'ucloud/ulb hk/org-a',
      'ucloud/ulb hk/org-b',
      'aliyun/slb cn-shanghai/-',
      'aliyun/alb cn-shanghai/-',
      'aliyun/nlb cn-shanghai/-',
    ],
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
    mustFail: [
      GLOBAL('cdn'),
      GLOBAL('cdn-domain'),
      GLOBAL('dcdn-domain'),
      GLOBAL('cas'),
      ...SLB_REGIONS.flatMap((region) =>
        ['slb', 'alb', 'nlb'].map((service) => `aliyun/${service} ${region}/-`),
      ),
    ],
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
    ALIBABA_CLOUD_DCDN_ENDPOINT: emulator.dcdnUrl,
    ALIBABA_CLOUD_CAS_ENDPOINT: emulator.casUrl,
    ALIBABA_CLOUD_ALB_REGIONS: SLB_REGIONS.join(','),
    ALIBABA_CLOUD_ALB_ENDPOINT: emulator.albUrl,
    ALIBABA_CLOUD_NLB_REGIONS: SLB_REGIONS.join(','),
    ALIBABA_CLOUD_NLB_ENDPOINT: emulator.nlbUrl,
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
    aliyun: { cdnMaxPageSize: CDN_PAGE, listPageCap: LIST_PAGE, ...scenario.emulator.aliyun },
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
    'complete (failures named in the digest/failures). n/a: the fault has no meaning for that API: one reply ' +
    '(SLB, a per-certificate call) has no pages or total and no list to shift; UCloud signs without a nonce; NLB ' +
    'holds one server certificate per listener, so its ListListenerCertificates is one page; ListCloudResources ' +
    "lists where certificates are deployed, not certificates, and ALB's and NLB's ListLoadBalancers and " +
    'ListListeners follow the same token discipline as ListListenerCertificates, where list shifts are tried (the ' +
    "emulator's editor shifts certificates). Token paging (ALB, NLB): the server keeps the place, so " +
    'lib/providers/listing.ts reads one pass and cannot see a shift that keeps TotalCount: a shift that moves it ' +
    'starts the listing again (asserted: the first page is asked again, and the scan is complete), a shift that ' +
    'keeps it is left to the server and not tried; a NextToken ignored once brings back a token already followed, ' +
    'and the listing is given up and named rather than read forever (page-number lists instead start again).';
  const text =
    `Per API (timeout ${TIMEOUT_MS} ms, UCloud pages of ${UCLOUD_PAGE}, CDN pages of ${CDN_PAGE}, CAS, HTTPS ` +
    `domain, ALB and NLB pages of ${LIST_PAGE}):\n\n` +
    `${legend}\n\n${perApi.join('\n')}\n\nThe whole fleet:\n\n${whole.join('\n')}\n`;
  process.stdout.write(`\nFault matrix\n${text}`);
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/fault-matrix.md', `# Fault matrix\n\n${text}`);
});
