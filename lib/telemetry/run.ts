/**
 * What one invocation tells the outside world besides its alerts: JSON log lines carrying the scan id, and EMF
 * metrics (the per-run figures, the heartbeat the dead-man alarm watches, DaysToExpiry per certificate).
 */
import type { AlertOutcome } from '../alerts/alerting';
import type { ScanReport } from '../model';
import type { RequestCounters } from '../providers/source';
import type { Logger } from './log';
import { certificateMetrics, type EmfDocument, type RunMode, runMetrics } from './metrics';

export interface RunTelemetryOptions {
  mode: RunMode;
  scanId: string;
  log: Logger;
  /** Counters shared by the provider clients; this run reports what it added to them. */
  counters: RequestCounters;
  /** Writes one EMF document (default for Lambda: a JSON line on stdout). */
  emit: (document: EmfDocument) => void;
  namespace: string;
  clock: () => number;
  /** When the run began (epoch ms), if before this object was made: a sharded run began when it was planned. */
  startedMs?: number;
}

/** Skipped history entries listed in the log line; a table full of them is counted, not listed. */
const LOGGED_UNUSABLE = 50;

export class RunTelemetry {
  private readonly startedMs: number;
  private readonly requestsBefore: number;
  private readonly throttledBefore: number;
  private report: ScanReport | null = null;

  constructor(private readonly options: RunTelemetryOptions) {
    this.startedMs = options.startedMs ?? options.clock();
    this.requestsBefore = options.counters.requests;
    this.throttledBefore = options.counters.throttled;
  }

  started(sources: readonly { provider: string; service: string }[]): void {
    this.options.log.info('scan started', {
      sources: sources.map((source) => `${source.provider}/${source.service}`),
    });
  }

  /** Logs the scan's outcome, each unread part as a warning of its own (so one can alarm or filter on them). */
  scanned(report: ScanReport): void {
    this.report = report;
    const { log } = this.options;
    for (const failure of report.failures) log.warn('part of the fleet could not be read', { failure });
    const byStatus: Record<string, number> = {};
    for (const cert of report.certificates) byStatus[cert.status] = (byStatus[cert.status] ?? 0) + 1;
    log.info('scan finished', {
      complete: report.complete,
      certificates: report.certificates.length,
      byStatus,
      sourcesFailed: report.failures.length,
      ...this.calls(),
      durationMs: this.options.clock() - this.startedMs,
    });
  }

  /** One line per alert channel: delivered, or why not (the run then fails, naming it). */
  channels(
    summaries: readonly {
      channel: string;
      delivered: boolean;
      digest: string | null;
      error: string | null;
    }[],
  ): void {
    for (const { channel, delivered, digest, error } of summaries) {
      if (delivered) this.options.log.info('channel delivered', { channel, digest });
      else this.options.log.error('channel failed', { channel, problem: error });
    }
  }

  /** The run did all it owed: logs the alerts (for a scheduled run) and writes the metrics, heartbeat included. */
  finished(outcome?: Pick<AlertOutcome, 'alerts' | 'digest' | 'stateProblem' | 'unusableHistory'>): void {
    if (outcome) {
      this.options.log.info(outcome.digest ? 'alerts delivered' : 'nothing new needs a person', {
        alertsSent: outcome.alerts,
        digest: outcome.digest?.subject ?? null,
      });
      if (outcome.stateProblem) {
        this.options.log.warn('alert history unusable: everything due was sent', {
          problem: outcome.stateProblem,
        });
      }
      const unusable = outcome.unusableHistory;
      if (unusable.length > 0) {
        // One fixed message to filter on; keys and problems only: what the entries hold is not ours to log.
        this.options.log.warn('alert history entries skipped: their certificates may be alerted once more', {
          unusableHistory: unusable.slice(0, LOGGED_UNUSABLE),
          unusableCount: unusable.length,
        });
      }
    }
    this.metrics(true, outcome?.alerts ?? 0);
  }

  /** The run could not finish (an alert that could not be delivered): logged, and metrics without a heartbeat. */
  failed(error: unknown): void {
    this.options.log.error('run failed', { error });
    this.metrics(false, 0);
  }

  private calls() {
    const { counters } = this.options;
    return {
      apiCalls: counters.requests - this.requestsBefore,
      throttledCalls: counters.throttled - this.throttledBefore,
    };
  }

  private metrics(finished: boolean, alertsSent: number): void {
    const { report } = this;
    if (!report) return;
    const { mode, scanId, namespace, emit } = this.options;
    const { apiCalls, throttledCalls } = this.calls();
    const durationMs = this.options.clock() - this.startedMs;
    const figures = { mode, scanId, report, alertsSent, apiCalls, throttledCalls, durationMs, finished };
    for (const document of runMetrics(figures, namespace)) emit(document);
    for (const document of certificateMetrics(report, scanId, namespace)) emit(document);
  }
}

/** EMF documents as the Lambda runtime wants them: one JSON line each on stdout. */
export function emitToStdout(document: EmfDocument): void {
  process.stdout.write(`${JSON.stringify(document)}\n`);
}
