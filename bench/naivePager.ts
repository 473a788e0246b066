/**
 * The naive sequential pager the benchmark compares certwatch with: how terraform and the vendors' CLIs read
 * these APIs. One request at a time, API after API, in order; no concurrency, no pacing; a throttled reply is
 * retried after a short fixed sleep. It uses certwatch's own clients and one-page functions (same signing,
 * same HTTP stack, same page sizes), so the difference is the request pattern alone. It only pages: it does
 * not parse or evaluate what it reads, which flatters it.
 *
 * Run in full it takes calls × round trip (about 20 minutes at 100k certificates at 30 ms), so by default the
 * benchmark runs a sample — the first N calls through each API — and extrapolates each API's time per call to
 * the calls the full run needs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../lib/config';
import { ProviderError } from '../lib/errors';
import type { RetryPolicy } from '../lib/http/retry';
import { describeCertificateInfo } from '../lib/providers/aliyun/cdn/certificateInfo';
import { certIdOf, describeCdnCertificatePage } from '../lib/providers/aliyun/cdn/listCertificates';
import { aliyunClient } from '../lib/providers/aliyun/client';
import { describeServerCertificates } from '../lib/providers/aliyun/slb/describeServerCertificates';
import { UcloudClient } from '../lib/providers/ucloud/client';
import { describeSslV2Page } from '../lib/providers/ucloud/describeSslV2';
import { ucloudTargets } from '../lib/providers/ucloud/source';

/** Pages as terraform-provider-ucloud and ucloud-cli ask for them. */
export const NAIVE_UCLOUD_PAGE = 100;
/** The largest page the CDN list allows, as certwatch asks for. */
export const NAIVE_CDN_PAGE = 1000;

export interface NaiveOptions {
  /** Stop each API after this many calls (a sample). Undefined: run everything. */
  callsPerApi?: number;
  /** The pause before retrying a throttled reply. */
  throttleSleepMs: number;
  requestTimeoutMs: number;
}

export interface NaiveApiTiming {
  action: string;
  /** Calls made (each retried until answered). */
  calls: number;
  /** HTTP requests, retries included. */
  requests: number;
  throttled: number;
  /** Wall time spent in this API's calls, sleeps included. */
  ms: number;
  /** True when the sample cap stopped this API before its end. */
  cut: boolean;
}

export interface NaiveRun {
  apis: NaiveApiTiming[];
  ms: number;
}

/** The client retries nothing itself: the pager's own loop does, as the tools it stands for do. */
const ONE_ATTEMPT: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

export async function runNaivePager(config: Config, options: NaiveOptions): Promise<NaiveRun> {
  const cap = options.callsPerApi ?? Number.POSITIVE_INFINITY;
  const timings = new Map<string, NaiveApiTiming>();
  const timing = (action: string) => {
    let entry = timings.get(action);
    if (!entry) {
      entry = { action, calls: 0, requests: 0, throttled: 0, ms: 0, cut: false };
      timings.set(action, entry);
    }
    return entry;
  };
  /** Whether the sample still has room for another call of `action` (marks the API cut when not). */
  const room = (action: string) => {
    const entry = timing(action);
    if (entry.calls < cap) return true;
    entry.cut = true;
    return false;
  };
  const call = async <T>(action: string, send: () => Promise<T>): Promise<T> => {
    const entry = timing(action);
    const started = performance.now();
    try {
      for (;;) {
        entry.requests++;
        try {
          return await send();
        } catch (error) {
          if (!isThrottled(error)) throw error;
          entry.throttled++;
          await sleep(options.throttleSleepMs);
        }
      }
    } finally {
      entry.calls++;
      entry.ms += performance.now() - started;
    }
  };

  const started = performance.now();
  const timeoutMs = options.requestTimeoutMs;
  if (config.ucloud) {
    const { publicKey, privateKey, apiUrl } = config.ucloud;
    const client = new UcloudClient({ publicKey, privateKey, apiUrl, timeoutMs, retry: ONE_ATTEMPT });
    listing: for (const target of ucloudTargets(config.ucloud)) {
      // terraform's loop: Offset += Limit until a page comes back short.
      for (let offset = 0; ; offset += NAIVE_UCLOUD_PAGE) {
        if (!room('DescribeSSLV2')) break listing;
        const page = await call('DescribeSSLV2', () =>
          describeSslV2Page(client, target, NAIVE_UCLOUD_PAGE, offset),
        );
        if (page.entries.length < NAIVE_UCLOUD_PAGE) break;
      }
    }
  }
  const aliyun = config.aliyun;
  if (aliyun?.scanCdn) {
    const client = aliyunClient(
      aliyun,
      { product: 'CDN' },
      { requestTimeoutMs: timeoutMs, retry: ONE_ATTEMPT },
    );
    const ids: string[] = [];
    for (let pageNumber = 1; room('DescribeCdnSSLCertificateList'); pageNumber++) {
      const page = await call('DescribeCdnSSLCertificateList', () =>
        describeCdnCertificatePage(client, pageNumber, NAIVE_CDN_PAGE),
      );
      for (const cert of page.certs) {
        const id =
          typeof cert === 'object' && cert !== null ? certIdOf(cert as Record<string, unknown>) : null;
        if (id !== null) ids.push(id);
      }
      if (page.certs.length < NAIVE_CDN_PAGE) break;
    }
    for (const id of ids) {
      if (!room('DescribeCertificateInfoByID')) break;
      await call('DescribeCertificateInfoByID', () => describeCertificateInfo(client, id));
    }
  }
  for (const region of aliyun?.slbRegions ?? []) {
    if (!room('DescribeServerCertificates')) break;
    const client = aliyunClient(
      aliyun!,
      { product: 'SLB', region },
      { requestTimeoutMs: timeoutMs, retry: ONE_ATTEMPT },
    );
    await call('DescribeServerCertificates', () => describeServerCertificates(client, region));
  }
  return { apis: [...timings.values()].filter((api) => api.calls > 0), ms: performance.now() - started };
}

/** A throttling reply, whether the client passed it on as it came or wrapped it on giving up. */
function isThrottled(error: unknown): boolean {
  if (!(error instanceof ProviderError)) return false;
  return error.throttled || (error.cause instanceof ProviderError && error.cause.throttled);
}

export interface NaiveEstimate {
  seconds: number;
  /** Calls actually made and timed. */
  measuredCalls: number;
  /** Calls the full run makes (measured where the sample reached the end, else the scan's count). */
  fullCalls: number;
  /** False when every API ran to its end: then `seconds` was measured, not estimated. */
  estimated: boolean;
  /** A line per API: measured calls, time per call, full calls, seconds. */
  lines: string[];
}

/**
 * The full run's time from a sample: each API's measured time per call × the calls the full run makes of it
 * (`fullCalls`, by Action), summed, since the pager calls one API after another. APIs the sample ran to the end
 * count as measured.
 */
export function estimateNaive(run: NaiveRun, fullCalls: Readonly<Record<string, number>>): NaiveEstimate {
  let seconds = 0;
  let measuredCalls = 0;
  let totalCalls = 0;
  const lines: string[] = [];
  for (const api of run.apis) {
    const perCallMs = api.ms / api.calls;
    const calls = api.cut ? Math.max(fullCalls[api.action] ?? api.calls, api.calls) : api.calls;
    const apiSeconds = (perCallMs * calls) / 1000;
    seconds += apiSeconds;
    measuredCalls += api.calls;
    totalCalls += calls;
    const how = api.cut
      ? `${api.calls.toLocaleString('en-US')} measured, × ${calls.toLocaleString('en-US')} calls`
      : `${api.calls.toLocaleString('en-US')} calls, all measured`;
    lines.push(
      `  ${api.action.padEnd(30)} ${perCallMs.toFixed(1).padStart(6)} ms/call (${how}` +
        `${api.throttled > 0 ? `; ${api.throttled} throttled replies slept on` : ''}) = ${apiSeconds.toFixed(1)} s`,
    );
  }
  return {
    seconds,
    measuredCalls,
    fullCalls: totalCalls,
    estimated: run.apis.some((api) => api.cut),
    lines,
  };
}
