/**
 * The local emulator: one HTTP server on 127.0.0.1 that fakes the cloud APIs certwatch reads.
 *
 * URL layout (one service per path prefix):
 *   POST|GET /ucloud       (also /ucloud/)      UCloud API, as https://api.ucloud.cn answers POST /.
 *                                               Point UCLOUD_API_URL at `ucloudUrl`.
 *   GET|POST /aliyun/cdn   (also /aliyun/cdn/)  Alibaba Cloud CDN RPC API (2018-05-10), as cdn.aliyuncs.com
 *                                               answers `/`: the value for `cdnUrl`.
 *   GET|POST /aliyun/dcdn  (also /aliyun/dcdn/) Alibaba Cloud DCDN RPC API (2018-01-15), as dcdn.aliyuncs.com
 *                                               answers `/`: the value for `dcdnUrl`.
 *   GET|POST /aliyun/slb   (also /aliyun/slb/)  Alibaba Cloud SLB RPC API (2014-05-15), as slb.aliyuncs.com
 *                                               answers `/`: the value for `slbUrl`. Clients sign with the path
 *                                               `/` whatever the mount point, as against the real hosts.
 *   GET|POST /aliyun/cas   (also /aliyun/cas/)  Alibaba Cloud CAS RPC API (2020-04-07), as cas.aliyuncs.com
 *                                               answers `/`: the value for `casUrl`.
 *   GET|POST /aliyun/alb   (also /aliyun/alb/)  Alibaba Cloud ALB RPC API (2020-06-16): the value for `albUrl`.
 *   GET|POST /aliyun/nlb   (also /aliyun/nlb/)  Alibaba Cloud NLB RPC API (2022-04-30): the value for `nlbUrl`.
 *                                               Both serve every region (RegionId says which).
 *   GET|POST /aliyun/sts                        Alibaba Cloud STS RPC API (2015-04-01), as sts.aliyuncs.com
 *                                               answers `/`: the value for `stsUrl`.
 *   GET|POST /aliyun/resourcemanager            Alibaba Cloud ResourceManager RPC API (2020-03-31), as
 *                                               resourcemanager.aliyuncs.com answers `/`: `resourceManagerUrl`.
 *   GET /healthz                                200 "ok".
 *   GET /stats                                  200 JSON: the live counters (`stats` below), the rate limits and
 *                                               the CPU time of the process serving them, for a benchmark that
 *                                               runs the emulator in another process.
 *   anything else                               404 JSON listing the services.
 * Keep-alive is on (Node's default); close() also ends idle and hung connections, so it never waits on them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AliyunEmulatorOptions,
  type AliyunEmulatorStats,
  type AliyunService,
  createAliyunHandler,
} from './aliyun/handler';
import type { FaultOptions } from './faults';
import type { Fleet } from './fleet/model';
import { createRateLimiter, type RateLimitOptions, type RateLimitTable } from './rateLimits';
import { createUcloudHandler, type UcloudEmulatorOptions, type UcloudEmulatorStats } from './ucloud/handler';

/**
 * Fault options given at the top level (latencyMs, throttleRate, errorRate, hangRate, seed) apply to every
 * emulated service; a service's own options (`ucloud`, `aliyun`) override them.
 */
export interface EmulatorOptions extends FaultOptions {
  /** What the fake clouds hold. Default: nothing (one UCloud account with the demo keys, no certificates). */
  fleet?: Fleet;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** UCloud only: faults (overriding the top-level ones), forced `failures`, `maxLimit`. */
  ucloud?: Omit<UcloudEmulatorOptions, 'fleet' | 'rateLimiter'>;
  /**
   * Alibaba Cloud (CDN, DCDN, SLB, CAS, ALB, NLB, STS, ResourceManager) only: faults (overriding the top-level ones), forced `failures`, `clock`,
   * `cdnCountIsTotal`, `retryAfterSeconds`, `signatureMismatchStatus`.
   */
  aliyun?: Omit<AliyunEmulatorOptions, 'fleet' | 'rateLimiter'>;
  /**
   * Per-API rate limits, one token bucket per account and Action across all services; over-limit calls get the
   * provider's throttling reply. `{}` -> DEFAULT_RATE_LIMITS. Default: no limits.
   */
  rateLimits?: RateLimitOptions;
}

export interface EmulatorStats {
  ucloud: UcloudEmulatorStats;
  /**
   * One set of counters per Alibaba service: `aliyun.cdn`, `aliyun.dcdn`, `aliyun.slb`, `aliyun.cas`, `aliyun.alb`,
   * `aliyun.nlb`, `aliyun.sts`, `aliyun.resourcemanager`.
   */
  aliyun: AliyunEmulatorStats;
}

export interface RunningEmulator {
  /** Base URL of the server, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** UCloud API base URL, `${url}/ucloud`: the value for UCLOUD_API_URL. */
  ucloudUrl: string;
  /** Alibaba Cloud CDN endpoint, `${url}/aliyun/cdn`: use it where `https://cdn.aliyuncs.com` would go. */
  cdnUrl: string;
  /** Alibaba Cloud DCDN endpoint, `${url}/aliyun/dcdn`: use it where `https://dcdn.aliyuncs.com` would go. */
  dcdnUrl: string;
  /** Alibaba Cloud SLB endpoint, `${url}/aliyun/slb`: use it where `https://slb.aliyuncs.com` would go. */
  slbUrl: string;
  /** Alibaba Cloud CAS endpoint, `${url}/aliyun/cas`: use it where `https://cas.aliyuncs.com` would go. */
  casUrl: string;
  /** Alibaba Cloud ALB endpoint for every region, `${url}/aliyun/alb`: for ALIBABA_CLOUD_ALB_ENDPOINT. */
  albUrl: string;
  /** Alibaba Cloud NLB endpoint for every region, `${url}/aliyun/nlb`: for ALIBABA_CLOUD_NLB_ENDPOINT. */
  nlbUrl: string;
  /** Alibaba Cloud STS endpoint, `${url}/aliyun/sts`: use it where `https://sts.aliyuncs.com` would go. */
  stsUrl: string;
  /**
   * Alibaba Cloud Resource Directory endpoint, `${url}/aliyun/resourcemanager`: use it where
   * `https://resourcemanager.aliyuncs.com` would go.
   */
  resourceManagerUrl: string;
  /** Live request counters per service. */
  stats: EmulatorStats;
  /** The rate limits in force (requests per second by Action, scaled); empty when there are none. */
  rateLimits: RateLimitTable;
  /** Stops the server, dropping open connections (keep-alive and hung requests). Safe to call twice. */
  close(): Promise<void>;
}

export const UCLOUD_PATH = '/ucloud';
export const ALIYUN_PATHS: Readonly<Record<AliyunService, string>> = Object.freeze({
  cdn: '/aliyun/cdn',
  dcdn: '/aliyun/dcdn',
  slb: '/aliyun/slb',
  cas: '/aliyun/cas',
  alb: '/aliyun/alb',
  nlb: '/aliyun/nlb',
  sts: '/aliyun/sts',
  resourcemanager: '/aliyun/resourcemanager',
});

/** Starts the emulator and resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const {
    fleet,
    port,
    host: givenHost,
    ucloud: ucloudOptions,
    aliyun: aliyunOptions,
    rateLimits,
    ...sharedFaults
  } = options;
  const rateLimiter = rateLimits ? createRateLimiter(rateLimits) : undefined;
  const ucloud = createUcloudHandler({
    ...sharedFaults,
    ...definedOnly(ucloudOptions ?? {}),
    fleet,
    rateLimiter,
  });
  const aliyun = createAliyunHandler({
    ...sharedFaults,
    ...definedOnly(aliyunOptions ?? {}),
    fleet,
    rateLimiter,
  });
  const server = createServer((request, response) => route(request, response));
  const host = givenHost ?? '127.0.0.1';

  function route(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (path === UCLOUD_PATH || path === `${UCLOUD_PATH}/`) {
      ucloud.handle(request, response);
      return;
    }
    for (const service of Object.keys(ALIYUN_PATHS) as AliyunService[]) {
      const mount = ALIYUN_PATHS[service];
      if (path === mount || path === `${mount}/`) {
        aliyun.handle(service, request, response);
        return;
      }
    }
    request.resume();
    if (path === '/healthz') {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (path === '/stats' && request.method === 'GET') {
      const body = JSON.stringify({
        ucloud: ucloud.stats,
        aliyun: aliyun.stats,
        rateLimits: rateLimiter?.limits ?? {},
        // Whose CPU a benchmark on a small machine competes with.
        processCpuMicros: totalCpuMicros(),
      });
      response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
      return;
    }
    const body = JSON.stringify({
      error: `no emulated service at ${path}`,
      services: {
        ucloud: UCLOUD_PATH,
        aliyunCdn: ALIYUN_PATHS.cdn,
        aliyunDcdn: ALIYUN_PATHS.dcdn,
        aliyunSlb: ALIYUN_PATHS.slb,
        aliyunCas: ALIYUN_PATHS.cas,
      },
    });
    response.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    ucloudUrl: `${url}${UCLOUD_PATH}`,
    cdnUrl: `${url}${ALIYUN_PATHS.cdn}`,
    dcdnUrl: `${url}${ALIYUN_PATHS.dcdn}`,
    slbUrl: `${url}${ALIYUN_PATHS.slb}`,
    casUrl: `${url}${ALIYUN_PATHS.cas}`,
    albUrl: `${url}${ALIYUN_PATHS.alb}`,
    nlbUrl: `${url}${ALIYUN_PATHS.nlb}`,
    stsUrl: `${url}${ALIYUN_PATHS.sts}`,
    resourceManagerUrl: `${url}${ALIYUN_PATHS.resourcemanager}`,
    stats: { ucloud: ucloud.stats, aliyun: aliyun.stats },
    rateLimits: rateLimiter?.limits ?? {},
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        ucloud.close();
        aliyun.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function totalCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** The entries that are not undefined, so that `{ throttleRate: undefined }` does not override a shared value. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
