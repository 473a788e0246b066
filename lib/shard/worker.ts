/**
 * The worker: one SQS message, one shard. It scans the shard (the usual sources, built for the shard's narrowed
 * Config), stores the result under an attempt of its own and records the shard with a conditional write, so a
 * retried or duplicated message that finds its shard recorded scans nothing and changes nothing. The worker whose
 * write completes the run closes it (lib/shard/finisher.ts).
 *
 * A failure before the shard is recorded propagates: the invocation fails, and SQS delivers the message again
 * after its visibility timeout (then to the dead-letter queue). A failure while closing does not: the shard is
 * recorded, so retrying it would change nothing; the finisher's next sweep closes the run instead.
 */
import type { ObservedCertificate } from '../model';
import { buildSources } from '../providers';
import { newRequestCounters, type ProviderDeps } from '../providers/source';
import { type ClosedRun, closeRun, type ShardContext, type ShardSetup } from './finisher';
import type { ShardMessage } from './message';
import { encodeShardResult, type ShardResult } from './result';
import { isRunComplete, type RunRecord } from './runStore';
import { scanShard } from './scanShard';
import { narrowConfig, type Shard, shardFailures } from './shards';

export interface WorkerSetup extends ShardSetup {
  /** The provider clients' I/O (fetch, sleep...), as for a single scan. */
  providerDeps: ProviderDeps;
}

export interface WorkContext extends ShardContext {
  /** How long the shard's scan may take before what is unread becomes named failures (the Lambda's time left). */
  timeLimitMs: number | undefined;
}

export interface WorkOutcome {
  /**
   * `scanned`: this delivery recorded the shard. `already-recorded`: another delivery had (a retry, a duplicate).
   * `run-closed`: the run closed before this shard came in (its deadline passed). `run-unknown`: no such run
   * (expired from the table, or a message not from the planner).
   */
  did: 'scanned' | 'already-recorded' | 'run-closed' | 'run-unknown';
  /** The run, when this delivery closed it. */
  closed: ClosedRun | null;
}

export async function workShard(
  setup: WorkerSetup,
  message: ShardMessage,
  context: WorkContext,
): Promise<WorkOutcome> {
  const { runs } = setup;
  const log = context.log.child({ runId: message.runId, shardId: message.shardId });
  const run = await runs.getRun(message.runId);
  const shard = run?.shards.find((candidate) => candidate.id === message.shardId);
  if (!run || !shard) {
    log.warn('no such run or shard: nothing to do', { known: Boolean(run) });
    return { did: 'run-unknown', closed: null };
  }
  if (run.closed) {
    log.warn('the run was closed before this shard came in: its digest named the shard as not checked');
    return { did: 'run-closed', closed: null };
  }
  let did: WorkOutcome['did'] = 'already-recorded';
  let current: RunRecord | null = run;
  if (!run.results.has(shard.id)) {
    const counters = newRequestCounters();
    const result = await scanOne(setup, run, shard, { ...context, log }, counters);
    const attempt = context.newId();
    const chunks = await encodeShardResult(result);
    await runs.putResult(run, shard.id, attempt, chunks);
    const summary = {
      attempt,
      chunks: chunks.length,
      certificates: result.certificates.length + result.pending.length,
      failures: result.failures.length,
      requests: counters.requests,
      throttled: counters.throttled,
    };
    current = await runs.markShardDone(run.runId, shard.id, summary);
    if (current) did = 'scanned';
    log.info(current ? 'shard recorded' : 'shard was recorded meanwhile by another delivery', {
      ...summary,
      bytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
      shardsDone: current?.results.size,
      shards: run.shards.length,
    });
  }
  // A retry of the shard that completed the run comes here too, in case the closing did not happen then.
  current ??= await runs.getRun(run.runId);
  if (!current || current.closed || !isRunComplete(current)) return { did, closed: null };
  try {
    return { did, closed: await closeRun(setup, run.runId, { ...context, log }) };
  } catch (error) {
    log.error('the run is complete but could not be closed: the finisher tries again on its next sweep', {
      error,
    });
    return { did, closed: null };
  }
}

async function scanOne(
  setup: WorkerSetup,
  run: RunRecord,
  shard: Shard,
  context: WorkContext,
  counters: ReturnType<typeof newRequestCounters>,
): Promise<ShardResult> {
  const config = narrowConfig(setup.config, shard, run.shards);
  if (!config) {
    return {
      certificates: [],
      failures: shardFailures(
        shard,
        `what shard ${shard.id} scans (${shard.service}${shard.account ? `, account ${shard.account.name}` : ''}) ` +
          'is no longer configured: this shard was planned before a deploy',
      ),
      leaves: [],
      pending: [] as ObservedCertificate[],
    };
  }
  const sources = buildSources(config, { ...setup.providerDeps, counters });
  context.log.info('shard scan started', { service: shard.service, regions: shard.regions });
  const result = await scanShard(sources, {
    statusDays: config.statusDays,
    nowMs: run.nowMs,
    clock: context.clock,
    timeLimitMs: context.timeLimitMs,
  });
  for (const failure of result.failures) context.log.warn('part of the fleet could not be read', { failure });
  return result;
}
