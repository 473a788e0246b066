/**
 * One certwatch scan, as the Lambda function runs it (lib/scan scanFleet over buildSources), measured: wall
 * time, CPU time and peak RSS of this process, and the client's own request counters. certwatch is not told the
 * emulator's rate limits.
 */
import { type Config, loadConfig } from '../lib/config';
import { buildSources } from '../lib/providers';
import { DEFAULT_CDN_PAGING } from '../lib/providers/aliyun/cdn/listCertificates';
import { newRequestCounters } from '../lib/providers/source';
import { DEFAULT_PAGING } from '../lib/providers/ucloud/describeSslV2';
import { ucloudTargets } from '../lib/providers/ucloud/source';
import { scanFleet } from '../lib/scan';
import type { AccountShape, ScanShape } from './lowerBound';

export interface ScanMeasurement {
  certificates: number;
  complete: boolean;
  /** The first few failures' messages, when the scan was incomplete. */
  failures: string[];
  failureCount: number;
  /** From the client's counters (lib/providers/source.ts RequestCounters). */
  requests: number;
  retries: number;
  throttled: number;
  wallSeconds: number;
  /** This process's high-water mark at the end of the scan. */
  peakRssMb: number;
  /**
   * Heap the finished report holds: used heap after a full collection with the report alive, less the same
   * before the scan. Null when the process runs without --expose-gc.
   */
  reportHeapMb: number | null;
  cpuMicros: number;
  /** What the scan found where, for the lower bound; page sizes are certwatch's. */
  shape: ScanShape;
  /** What each Alibaba account held, when records carry an account (a multi-account scan). */
  accounts: AccountShape[];
}

/** `narrow`: the configuration as a shard would scan it (bench/accountsScan.ts: one account alone). */
export async function measureScan(
  env: Record<string, string>,
  narrow: (config: Config) => Config = (config) => config,
): Promise<ScanMeasurement> {
  const config = narrow(loadConfig(env));
  const counters = newRequestCounters();
  const sources = buildSources(config, { counters });
  const heapBefore = heapAfterFullGc();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const report = await scanFleet(sources, { statusDays: config.statusDays, nowMs: Date.now() });
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const heapAfter = heapAfterFullGc();
  const reportHeapMb = heapBefore === null || heapAfter === null ? null : (heapAfter - heapBefore) / 2 ** 20;

  const listings = new Map<string, number>();
  for (const target of config.ucloud ? ucloudTargets(config.ucloud) : []) {
    listings.set(`${target.region}\n${target.projectId}`, 0);
  }
  let cdnCertificates = 0;
  const accounts = new Map<string, AccountShape & { byService: Record<string, number> }>();
  const mainAccount = config.aliyun?.account.id ?? null;
  for (const record of report.certificates) {
    if (record.provider === 'aliyun' && record.account?.id) {
      const id = record.account.id;
      let shape = accounts.get(id);
      if (!shape) {
        shape = { account: id, name: record.account.name, member: id !== mainAccount, byService: {} };
        accounts.set(id, shape);
      }
      shape.byService[record.service] = (shape.byService[record.service] ?? 0) + 1;
    }
    if (record.provider === 'ucloud') {
      const key = `${record.region}\n${record.project}`;
      listings.set(key, (listings.get(key) ?? 0) + 1);
    } else if (record.service === 'cdn') cdnCertificates++;
  }
  return {
    certificates: report.certificates.length,
    complete: report.complete,
    failures: report.failures.slice(0, 3).map((failure) => failure.message.slice(0, 300)),
    failureCount: report.failures.length,
    requests: counters.requests,
    retries: counters.retries,
    throttled: counters.throttled,
    wallSeconds,
    peakRssMb,
    reportHeapMb,
    cpuMicros: cpu.user + cpu.system,
    shape: {
      ucloudListings: [...listings.values()],
      ucloudPageSize: DEFAULT_PAGING.pageSize,
      cdnCertificates: config.aliyun?.scanCdn ? cdnCertificates : null,
      cdnPageSize: DEFAULT_CDN_PAGING.pageSize,
      slbRegions: config.aliyun?.slbRegions.length ?? 0,
    },
    accounts: [...accounts.values()],
  };
}

/** Used heap after a full collection, or null without --expose-gc. */
function heapAfterFullGc(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  return process.memoryUsage().heapUsed;
}
