/**
 * Lambda entry point. A scheduled event scans and alerts (once per rung crossed, remembered in DynamoDB);
 * `{"mode": "audit"}` (a manual invoke) returns the full report and sends nothing; `{"mode": "audit", "format":
 * "csv"}` (any of REPORT_FORMATS) returns `{ format, contentType, body }`, the report rendered as text (writing it
 * to S3 is left to the caller). Configuration and clients are built on the first invocation and reused by the
 * following ones in the same container. Every run logs JSON lines with its scan id and writes its metrics in the
 * Embedded Metric Format (lib/telemetry).
 *
 * The AWS SDK clients (SSM, SNS, DynamoDB) are imported by lib/setup.ts on the first invocation, not at the top.
 * Loading them is most of a cold start (npm run bench:coldstart): this moves that time from module init into the
 * first invocation, which was going to build the clients anyway, and skips SNS and DynamoDB when no topic or table
 * is configured. Keep SDK value imports out of the modules imported at the top (`import type` is fine): one would
 * load its client at module init again.
 */
import { randomUUID } from 'node:crypto';
import { UsageError } from '../lib/errors';
import type { ScanReport } from '../lib/model';
import { preparedOnce } from '../lib/preparedOnce';
import { buildSources } from '../lib/providers';
import { newRequestCounters, type ProviderDeps } from '../lib/providers/source';
import { type ReportJson, reportJson } from '../lib/report/json';
import type { RenderedReport, RenderOptions } from '../lib/report/render';
import { type RunSetup, runJob, type ScanResult } from '../lib/run';
import { type AlertingDeps, prepareAlerting } from '../lib/setup';
import { createJsonLogger, type Logger } from '../lib/telemetry/log';
import type { EmfDocument } from '../lib/telemetry/metrics';
import { emitToStdout, RunTelemetry } from '../lib/telemetry/run';
import { VERSION } from '../lib/version';

export type { ScanResult };

export interface HandlerDeps extends ProviderDeps, AlertingDeps {
  clock?: () => number;
  /** Structured log (default: JSON lines on stdout). */
  log?: Logger;
  /** Where EMF metric documents go (default: JSON lines on stdout, which CloudWatch Logs turns into metrics). */
  emitMetric?: (document: EmfDocument) => void;
}

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** Time kept back from the function's timeout to send the alert after the scan stopped. */
export const ALERT_RESERVE_MS = 30_000;

export function createHandler(env: Readonly<Record<string, string | undefined>>, deps: HandlerDeps = {}) {
  const baseLog = deps.log ?? createJsonLogger({ fields: { service: 'certwatch', version: VERSION } });
  // Shared by every provider client of this container; each run reports what it added.
  const counters = deps.counters ?? newRequestCounters();
  // A failed preparation (SSM unreachable, say) is tried again by the next invocation.
  const prepared = preparedOnce(async (): Promise<RunSetup> => {
    const alerting = await prepareAlerting(env, deps);
    return { ...alerting, sources: buildSources(alerting.config, { ...deps, counters }) };
  });
  return async function handler(
    event: unknown,
    context?: InvocationContext,
  ): Promise<ReportJson | ScanResult | RenderedReport> {
    const mode = isAuditEvent(event) ? 'audit' : 'scheduled';
    // Checked before anything runs: a typo should not cost a scan.
    const render = mode === 'audit' ? await auditRenderer(event) : undefined;
    const scanId = randomUUID();
    const log = baseLog.child({ scanId, requestId: context?.awsRequestId, mode });
    const setup = await prepared().catch((error: unknown) => {
      log.error('run failed before scanning', { error });
      throw error;
    });
    const clock = deps.clock ?? Date.now;
    const { metricsNamespace: namespace } = setup.config;
    const emit = deps.emitMetric ?? emitToStdout;
    const telemetry = new RunTelemetry({ mode, scanId, log, counters, emit, namespace, clock });
    // Stop scanning in time to report: what was not read by then becomes a named failure in the alert.
    const remaining = context?.getRemainingTimeInMillis();
    const timeLimitMs = remaining === undefined ? undefined : Math.max(1000, remaining - ALERT_RESERVE_MS);
    // The request id survives Lambda's retries of this invocation: a retry takes back the claims a crash left.
    const owner = context?.awsRequestId;
    const result = await runJob(setup, { mode, nowMs: clock(), clock, timeLimitMs, telemetry, owner });
    // The audit returns the report contract's JSON document: Lambda serialises it as it stands.
    if (render === undefined)
      return mode === 'audit' ? reportJson(result as ScanReport) : (result as ScanResult);
    const alarmDays = setup.config.alerting.ladder.days;
    return render(result as ScanReport, { nowMs: clock(), alarmDays });
  };
}

export const handler = createHandler(process.env);

function isAuditEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { mode?: unknown }).mode === 'audit';
}

/**
 * The renderer for the audit event's `format`, if it names one: undefined keeps the JSON report object. The
 * renderers (HTML, CSV, ICS, ...) are loaded only then, not at cold start: most invocations never render.
 */
async function auditRenderer(
  event: unknown,
): Promise<((report: ScanReport, options: RenderOptions) => RenderedReport) | undefined> {
  const format = (event as { format?: unknown }).format;
  if (format === undefined) return undefined;
  const { isReportFormat, REPORT_FORMATS, renderedReport } = await import('../lib/report/render');
  if (!isReportFormat(format)) {
    throw new UsageError(
      `audit event: format ${JSON.stringify(format)} is not known: use ${REPORT_FORMATS.join(', ')}`,
    );
  }
  return (report, options) => renderedReport(report, format, options);
}
