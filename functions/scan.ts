/**
 * Lambda entry point. A scheduled event scans and alerts; `{"mode": "audit"}` (a manual invoke) returns the full
 * report and sends nothing. Configuration and clients are built on the first invocation and reused by the
 * following ones in the same container.
 */
import { ConsoleSink } from '../lib/alerts/console';
import type { AlertSink } from '../lib/alerts/sink';
import { createSnsSink } from '../lib/alerts/sns';
import { loadConfig } from '../lib/config';
import type { ScanReport } from '../lib/model';
import { buildSources } from '../lib/providers';
import type { ProviderDeps } from '../lib/providers/source';
import { alertOn, scanFleet } from '../lib/scan';

export interface ScanResult {
  complete: boolean;
  certificates: number;
  needAction: number;
  failures: ScanReport['failures'];
  /** Subject of the digest sent, or null when nothing needed a person. */
  alert: string | null;
}

export interface HandlerDeps extends ProviderDeps {
  sink?: AlertSink;
  clock?: () => number;
}

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the function's timeout to send the alert after the scan stopped. */
export const ALERT_RESERVE_MS = 30_000;

export function createHandler(env: Readonly<Record<string, string | undefined>>, deps: HandlerDeps = {}) {
  let prepared: ReturnType<typeof prepare> | undefined;
  function prepare() {
    const config = loadConfig(env);
    const sink = deps.sink ?? (config.snsTopicArn ? createSnsSink(config.snsTopicArn) : new ConsoleSink());
    return { config, sink, sources: buildSources(config, deps) };
  }
  return async function handler(
    event: unknown,
    context?: InvocationContext,
  ): Promise<ScanReport | ScanResult> {
    prepared ??= prepare();
    const { config, sink, sources } = prepared;
    const clock = deps.clock ?? Date.now;
    // Stop scanning in time to report: what was not read by then becomes a named failure in the alert.
    const remaining = context?.getRemainingTimeInMillis();
    const timeLimitMs = remaining === undefined ? undefined : Math.max(1000, remaining - ALERT_RESERVE_MS);
    const report = await scanFleet(sources, {
      thresholds: config.thresholds,
      nowMs: clock(),
      clock,
      timeLimitMs,
    });
    if (isAuditEvent(event)) return report;
    const outcome = await alertOn(report, sink);
    return {
      complete: report.complete,
      certificates: report.certificates.length,
      needAction: report.certificates.filter((c) => c.status !== 'ok').length,
      failures: report.failures,
      alert: outcome.sent,
    };
  };
}

export const handler = createHandler(process.env);

function isAuditEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { mode?: unknown }).mode === 'audit';
}
