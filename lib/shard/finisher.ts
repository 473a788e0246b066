/**
 * Closing a sharded run: the digest and the structured alerts, once for the whole run, through the same
 * alertOnReport a single scan uses (which already sends each rung once, remembered in the alert state store).
 *
 * Who closes: the worker that records the last shard, at once; otherwise the finisher, which runs on a timer,
 * closes every open run that is complete (its closing worker died or failed) or past its deadline (a shard never
 * reported: its message went to the dead-letter queue, or was never sent). Whoever it is first claims the digest
 * with a conditional write on the run (lib/shard/runStore.ts), so two callers at once cannot both send; the claim
 * has a lease, so a caller that dies holding it delays the digest by the lease and does not lose it.
 */
import type { AlertSink } from '../alerts/sink';
import { CertwatchError } from '../errors';
import { newRequestCounters } from '../providers/source';
import { type AlertSetup, alertOnReport, type ScanResult } from '../run';
import type { Logger } from '../telemetry/log';
import type { EmfDocument } from '../telemetry/metrics';
import { RunTelemetry } from '../telemetry/run';
import { decodeShardResult, runReport, type ShardResult } from './result';
import { isRunComplete, type RunRecord, type RunStore } from './runStore';
import type { ShardSettings } from './settings';
import { shardFailures } from './shards';

export interface ShardSetup extends AlertSetup {
  settings: ShardSettings;
  runs: RunStore;
}

/** What one invocation brings: its clock, log, metrics and ids. */
export interface ShardContext {
  clock: () => number;
  log: Logger;
  emit: (document: EmfDocument) => void;
  /** A fresh unique id (claimants, result attempts). */
  newId: () => string;
}

/** How long a digest claim blocks others: a closing must end within one Lambda invocation (15 minutes). */
export const DIGEST_LEASE_MS = 15 * 60_000;

export interface ClosedRun extends ScanResult {
  runId: string;
  /** Shards that never reported, named as failures in the digest. */
  missingShards: string[];
}

/**
 * Claims the run's digest and, if this caller won, sends it for whatever the run holds: recorded shards are read
 * back, missing ones become "could not check" failures. Null when another caller holds the claim or the run is
 * closed. The caller decides that the run is due (complete, or past its deadline).
 */
export async function closeRun(
  setup: ShardSetup,
  runId: string,
  context: ShardContext,
): Promise<ClosedRun | null> {
  const { runs, config } = setup;
  const claimant = context.newId();
  const run = await runs.claimDigest(runId, claimant, context.clock(), DIGEST_LEASE_MS);
  if (!run) return null;
  const log = context.log.child({ runId });
  const counters = newRequestCounters();
  const telemetry = new RunTelemetry({
    mode: 'scheduled',
    scanId: runId,
    log,
    counters,
    emit: context.emit,
    namespace: config.metricsNamespace,
    clock: context.clock,
    startedMs: run.createdAtMs,
  });
  const watched = setup.sinks.map(watchDigest);
  // Kept open (the next sweep tries again, 15 minutes on) only when no channel took the digest. When some did,
  // the run is closed: the channels that failed are sent what they missed at the next scheduled run, because
  // sweeping again would re-send an incomplete scan's notice to the healthy channels every 15 minutes for as
  // long as one channel stays down (that notice is not remembered per channel).
  const digestFailed = () => watched.every((channel) => channel.digestFailed());
  let closed = false;
  const close = async () => {
    await runs.closeRun(runId, context.clock(), closedAs(run));
    closed = true;
  };
  try {
    const results: ShardResult[] = [];
    for (const [shardId, summary] of run.results) {
      results.push(await decodeShardResult(await runs.readResult(runId, shardId, summary)));
      // The run's calls were made by its shards' workers.
      counters.requests += summary.requests;
      counters.throttled += summary.throttled;
    }
    const missing = run.shards.filter((shard) => !run.results.has(shard.id));
    const minutes = Math.round(setup.settings.deadlineMs / 60_000);
    const report = runReport({
      results,
      missing: missing.flatMap((shard) =>
        shardFailures(
          shard,
          `shard ${shard.id} of run ${runId} did not report within ${minutes} minutes, so this was not checked: ` +
            "its message is probably in the shard dead-letter queue; the shardWork function's log says why",
        ),
      ),
      nowMs: run.nowMs,
      generatedAtMs: context.clock(),
      statusDays: config.statusDays,
    });
    telemetry.scanned(report);
    let result: ScanResult;
    try {
      const sinks = watched.map((channel) => channel.sink);
      result = await alertOnReport({ ...setup, sinks }, report, { nowMs: run.nowMs, telemetry });
    } catch (error) {
      // Unless a digest itself was refused, the run is closed whatever failed: alertOn has remembered what it
      // still owes (structured messages) for the next run, and closing this one again would repeat its digest.
      if (!digestFailed()) await close();
      throw error;
    }
    await close();
    log.info('run closed', { closedAs: closedAs(run), missingShards: missing.map((shard) => shard.id) });
    return { runId, ...result, missingShards: missing.map((shard) => shard.id) };
  } catch (error) {
    // Not closed: give the claim back so the next caller (the finisher's next sweep) tries again at once.
    if (!closed) {
      await runs
        .releaseDigest(runId, claimant)
        .catch((releaseError: unknown) =>
          log.warn('could not release the digest claim; it lapses with its lease', { error: releaseError }),
        );
    }
    throw error;
  }
}

export interface SweepOutcome {
  closed: ClosedRun[];
  /** Runs still inside their deadline and missing shards. */
  waiting: string[];
}

/**
 * The finisher's sweep over the open runs: closes each one that is complete or past its deadline, and forgets
 * the ones closed already or gone from the table. A run that cannot be closed is logged and the others still are;
 * then the sweep fails, naming them, so the function's error alarm fires.
 */
export async function closeDueRuns(setup: ShardSetup, context: ShardContext): Promise<SweepOutcome> {
  const outcome: SweepOutcome = { closed: [], waiting: [] };
  const failed: { runId: string; error: unknown }[] = [];
  for (const runId of await setup.runs.openRuns()) {
    try {
      const run = await setup.runs.getRun(runId);
      if (!run || run.closed) {
        await setup.runs.forgetOpenRun(runId);
        continue;
      }
      if (!isRunComplete(run) && context.clock() < run.createdAtMs + setup.settings.deadlineMs) {
        outcome.waiting.push(runId);
        continue;
      }
      const closed = await closeRun(setup, runId, context);
      if (closed) outcome.closed.push(closed);
    } catch (error) {
      context.log.error('run could not be closed', { runId, error });
      failed.push({ runId, error });
    }
  }
  if (failed.length > 0) {
    const [first] = failed;
    throw new CertwatchError(
      `${failed.length} run(s) could not be closed (${failed.map((f) => f.runId).join(', ')}); the next sweep ` +
        `tries again. First: ${first!.error instanceof Error ? first!.error.message : String(first!.error)}`,
      { cause: first!.error },
    );
  }
  return outcome;
}

function closedAs(run: RunRecord): 'complete' | 'incomplete' {
  return isRunComplete(run) ? 'complete' : 'incomplete';
}

/** The sink, noting whether the digest was refused (alertOn raises its errors only after trying everything). */
function watchDigest(sink: AlertSink): { sink: AlertSink; digestFailed: () => boolean } {
  let failed = false;
  const watched: AlertSink = {
    name: sink.name,
    ...(sink.destination ? { destination: sink.destination } : {}),
    ...(sink.historyScope ? { historyScope: sink.historyScope } : {}),
    ...(sink.preview ? { preview: sink.preview.bind(sink) } : {}),
    // alertOn fails in the channel's own words (SNS names the topic) when alerts were not delivered.
    ...(sink.undeliveredAlertsError
      ? { undeliveredAlertsError: sink.undeliveredAlertsError.bind(sink) }
      : {}),
    publishDigest: async (digest) => {
      try {
        await sink.publishDigest(digest);
      } catch (error) {
        failed = true;
        throw error;
      }
    },
    ...(sink.publishAlerts ? { publishAlerts: sink.publishAlerts.bind(sink) } : {}),
  };
  return { sink: watched, digestFailed: () => failed };
}
