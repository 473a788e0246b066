/**
 * CloudWatch metrics as Embedded Metric Format documents: JSON log lines that CloudWatch Logs turns into metrics,
 * so a run costs no PutMetricData call and no extra permission. Pure: the documents are built here and written by
 * whoever holds stdout. Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { CertificateRecord, ScanReport, Status } from '../model';
import { STATUS_ORDER } from '../model';

/** One EMF document: the `_aws` metadata, then dimension values, metric values and extra properties. */
export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** How the function was invoked: the schedule (alerts, heartbeat) or a person asking for an audit. */
export type RunMode = 'scheduled' | 'audit';

export interface RunFigures {
  mode: RunMode;
  scanId: string;
  report: ScanReport;
  /** Structured alerts delivered this run (0 for an audit). */
  alertsSent: number;
  /** Provider API requests sent, retries included, and the replies that said "slow down". */
  apiCalls: number;
  throttledCalls: number;
  durationMs: number;
  /** Whether the run did everything it owed (scanned, and for a scheduled run, delivered its alerts). */
  finished: boolean;
}

/** The per-run metric a dead-man alarm watches: 1 for each scheduled run that finished. */
export const HEARTBEAT_METRIC = 'Heartbeat';

/** EMF allows at most 100 values per metric in one document. */
const MAX_VALUES = 100;
const DAY_MS = 86_400_000;

/**
 * Per-run figures, dimensioned by Mode so a manual audit never stands in for the schedule: certificates scanned,
 * sources failed, alerts sent, API and throttled calls, duration and the heartbeat; then one document per status
 * (every status, zeros included, so a graph of "expired" shows 0 rather than a gap).
 */
export function runMetrics(figures: RunFigures, namespace: string): EmfDocument[] {
  const { report, mode } = figures;
  const timestamp = report.generatedAtMs;
  const counts = new Map<Status, number>(STATUS_ORDER.map((status) => [status, 0]));
  for (const cert of report.certificates) counts.set(cert.status, (counts.get(cert.status) ?? 0) + 1);
  const run: Record<string, number> = {
    CertificatesScanned: report.certificates.length,
    SourcesFailed: report.failures.length,
    AlertsSent: figures.alertsSent,
    ApiCalls: figures.apiCalls,
    ThrottledCalls: figures.throttledCalls,
    RunDuration: figures.durationMs,
    ScanComplete: report.complete ? 1 : 0,
  };
  if (mode === 'scheduled' && figures.finished) run[HEARTBEAT_METRIC] = 1;
  const documents: EmfDocument[] = [
    {
      _aws: envelope(timestamp, namespace, [['Mode']], Object.keys(run)),
      Mode: mode,
      scanId: figures.scanId,
      ...run,
    },
  ];
  for (const [status, count] of counts) {
    documents.push({
      _aws: envelope(timestamp, namespace, [['Mode', 'Status']], ['Certificates']),
      Mode: mode,
      Status: status,
      scanId: figures.scanId,
      Certificates: count,
    });
  }
  return documents;
}

/**
 * `DaysToExpiry` of every certificate with a known expiry, in days to the second (negative once expired), as
 * value arrays per provider × service × region. The certificate itself is deliberately not a dimension: a metric
 * per certificate would cost more than the rest of the stack together; alarm on the Minimum per region and read
 * the digest or an audit for which one it is.
 */
export function certificateMetrics(report: ScanReport, scanId: string, namespace: string): EmfDocument[] {
  const { nowMs } = report;
  const timestamp = report.generatedAtMs;
  const groups = new Map<string, { cert: CertificateRecord; values: number[] }>();
  for (const cert of report.certificates) {
    if (cert.notAfterMs === null) continue;
    const key = `${cert.provider}\u0000${cert.service}\u0000${cert.region}`;
    const group = groups.get(key) ?? { cert, values: [] };
    groups.set(key, group);
    group.values.push(Number(((cert.notAfterMs - nowMs) / DAY_MS).toFixed(5)));
  }
  const documents: EmfDocument[] = [];
  for (const { cert, values } of groups.values()) {
    for (let start = 0; start < values.length; start += MAX_VALUES) {
      documents.push({
        _aws: envelope(timestamp, namespace, [['Provider', 'Service', 'Region']], ['DaysToExpiry'], 'None'),
        Provider: cert.provider,
        Service: cert.service,
        Region: cert.region,
        scanId,
        DaysToExpiry: values.slice(start, start + MAX_VALUES),
      });
    }
  }
  return documents;
}

const UNITS: Record<string, string> = { RunDuration: 'Milliseconds' };

function envelope(
  timestamp: number,
  namespace: string,
  dimensions: string[][],
  metrics: string[],
  unit?: string,
): EmfDocument['_aws'] {
  return {
    Timestamp: timestamp,
    CloudWatchMetrics: [
      {
        Namespace: namespace,
        Dimensions: dimensions,
        Metrics: metrics.map((name) => ({ Name: name, Unit: unit ?? UNITS[name] ?? 'Count' })),
      },
    ],
  };
}
