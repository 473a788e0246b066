/**
 * One run of the job as the Lambda does it: scan every source, then (unless it is an audit) alert once per rung
 * crossed, telling the run's telemetry each step. The caller builds the clients and decides the mode.
 */
import type { AlertingOptions } from './alerts/alerting';
import { alertOnChannels, channelSummaries, throwIfAnyChannelFailed } from './alerts/channels';
import type { Rules } from './alerts/rules';
import type { AlertSink } from './alerts/sink';
import type { Config } from './config';
import type { ScanReport } from './model';
import type { CertificateSource } from './providers/source';
import { scanFleet } from './scan';
import type { AlertStateStore } from './state/store';
import type { RunMode } from './telemetry/metrics';
import type { RunTelemetry } from './telemetry/run';

/** What a run needs, built once per container. */
export interface RunSetup {
  config: Config;
  /** Every channel alerts go to (SNS, email, chat webhooks), each told the same alerts once. */
  sinks: AlertSink[];
  store: AlertStateStore;
  rules: Rules | null;
  sources: CertificateSource[];
}

/** What a scheduled run returns: the outcome, without the whole report. */
export interface ScanResult {
  complete: boolean;
  certificates: number;
  /** Structured alerts delivered this run (new rungs crossed, reminders). */
  alertsSent: number;
  failures: ScanReport['failures'];
  /** Subject of the digest sent, or null when nothing needed a person. */
  digest: string | null;
  /** Set when the alert history could not be used (everything due was sent). */
  stateProblem: string | null;
  /** How each channel fared (a run with a failed channel fails, naming it, after every channel was tried). */
  channels: ChannelSummary[];
}

export type ChannelSummary = ReturnType<typeof channelSummaries>[number];

export interface RunOptions {
  mode: RunMode;
  nowMs: number;
  clock: () => number;
  /** How long the scan may take before unread parts become named failures. */
  timeLimitMs: number | undefined;
  telemetry: RunTelemetry;
  /** The invocation's id, kept by its retries (the Lambda request id): see AlertingOptions.owner. */
  owner?: string | undefined;
}

/** The alerting options a configuration sets; the others belong to the run. */
type AlertingFromConfig = 'ladder' | 'criticalDays' | 'reminderIntervalMs';

/**
 * The options of alertOn (with a `sink`) or alertOnChannels (without) for a run under `config`: the alert ladder,
 * the critical days and the reminder interval come from the configuration; the sink, store, clock, rules, owner
 * and dry run from `run`, as given. The one place AlertingOptions are built from a Config.
 */
export function alertingOptions<Run extends Partial<Omit<AlertingOptions, AlertingFromConfig>>>(
  config: Pick<Config, 'alerting' | 'statusDays'>,
  run: Run,
): Run & Pick<AlertingOptions, AlertingFromConfig> {
  return {
    ...run,
    ladder: config.alerting.ladder,
    criticalDays: config.statusDays.criticalDays,
    reminderIntervalMs: config.alerting.reminderIntervalMs,
  };
}

/** An audit returns the report and sends nothing; a scheduled run alerts and returns its outcome. */
export async function runJob(setup: RunSetup, options: RunOptions): Promise<ScanReport | ScanResult> {
  const { config, sources } = setup;
  const { telemetry, nowMs } = options;
  telemetry.started(sources);
  const report = await scanFleet(sources, {
    statusDays: config.statusDays,
    nowMs,
    clock: options.clock,
    timeLimitMs: options.timeLimitMs,
  });
  telemetry.scanned(report);
  if (options.mode === 'audit') {
    telemetry.finished();
    return report;
  }
  return alertOnReport(setup, report, { nowMs, telemetry, owner: options.owner });
}

/** What alerting needs of a run's setup. */
export type AlertSetup = Pick<RunSetup, 'config' | 'sinks' | 'store' | 'rules'>;

/**
 * The second half of a scheduled run: alert on a finished scan's report, once per rung crossed, telling the
 * telemetry. A sharded run (lib/shard) calls it once, with the report of all its shards.
 */
export async function alertOnReport(
  setup: AlertSetup,
  report: ScanReport,
  options: { nowMs: number; telemetry: RunTelemetry; owner?: string | undefined },
): Promise<ScanResult> {
  const { config } = setup;
  const { telemetry, nowMs } = options;
  const outcome = await alertOnChannels(
    report,
    setup.sinks,
    alertingOptions(config, {
      store: setup.store,
      rules: setup.rules,
      nowMs,
      ...(options.owner ? { owner: options.owner } : {}),
    }),
  ).catch((error: unknown) => {
    telemetry.failed(error);
    throw error;
  });
  const channels = channelSummaries(outcome);
  telemetry.channels(channels);
  try {
    throwIfAnyChannelFailed(outcome);
  } catch (error) {
    telemetry.failed(error);
    throw error;
  }
  const outcomes = outcome.channels.map((result) => result.outcome!);
  const digest = outcomes.find((result) => result.digest !== null)?.digest ?? null;
  const stateProblem = outcomes.find((result) => result.stateProblem !== null)?.stateProblem ?? null;
  const alertsSent = outcomes.reduce((sum, result) => sum + result.alerts, 0);
  // Each channel reads its own keys, so no entry is listed twice.
  const unusableHistory = outcomes.flatMap((result) => result.unusableHistory);
  telemetry.finished({ alerts: alertsSent, digest, stateProblem, unusableHistory });
  return {
    complete: report.complete,
    certificates: report.certificates.length,
    alertsSent,
    failures: report.failures,
    digest: digest?.subject ?? null,
    stateProblem,
    channels,
  };
}
