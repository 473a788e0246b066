/**
 * The planner: on the schedule, cut the run into shards, record the run, send one message per shard. A retried
 * invocation of the same schedule event plans the same run (its id comes from the event), finds it recorded and
 * sends its messages again; workers ignore a shard already recorded, so that costs nothing twice.
 */
import { parseIsoInstant } from '../expiry/instant';
import type { Logger } from '../telemetry/log';
import { isRunId, shardMessageBody } from './message';
import type { ShardQueue } from './queue';
import type { RunStore } from './runStore';
import type { ShardScope } from './scope';
import type { ShardSettings } from './settings';
import { planShards } from './shards';

export interface PlannerSetup {
  /** Which providers, regions and services to cut into shards: no key (lib/shard/scope.ts). */
  scope: ShardScope;
  settings: ShardSettings;
  runs: RunStore;
  queue: ShardQueue;
}

/** The scheduled event's identity, when there is one (EventBridge gives `id` and `time`). */
export interface PlanTrigger {
  id?: string | undefined;
  time?: string | undefined;
}

export interface PlannedRun {
  runId: string;
  shards: string[];
  /** False when this invocation found the run already recorded (a retry). */
  created: boolean;
}

export async function planRun(
  setup: PlannerSetup,
  trigger: PlanTrigger,
  context: { nowMs: number; newId: () => string; log: Logger },
): Promise<PlannedRun> {
  const runId = runIdFor(trigger, context.nowMs, context.newId);
  const shards = planShards(setup.scope, setup.settings.regionsPerShard);
  const { run, created } = await setup.runs.createRun({
    runId,
    nowMs: context.nowMs,
    createdAtMs: context.nowMs,
    shards,
  });
  // Shards a retried planner finds recorded already need no message.
  const unsent = run.shards.filter((shard) => !run.results.has(shard.id));
  await setup.queue.send(unsent.map((shard) => ({ id: shard.id, body: shardMessageBody(runId, shard.id) })));
  context.log.info('run planned', {
    runId,
    shards: run.shards.map((shard) => `${shard.id} (${shard.regions.join(',') || 'global'})`),
    sent: unsent.length,
    retry: !created,
  });
  return { runId, shards: run.shards.map((shard) => shard.id), created };
}

/**
 * `20261123T120000Z-<event id>` from the schedule event, so a retried invocation names the same run; a manual
 * invocation without one gets the clock and a fresh id.
 */
export function runIdFor(trigger: PlanTrigger, nowMs: number, newId: () => string): string {
  const eventMs = trigger.time ? (parseIsoInstant(trigger.time) ?? Number.NaN) : Number.NaN;
  const id = trigger.id && /^[A-Za-z0-9-]{1,64}$/.test(trigger.id) ? trigger.id : newId();
  const instant = new Date(Number.isFinite(eventMs) ? eventMs : nowMs).toISOString();
  const runId = `${instant.slice(0, 19).replace(/[-:]/g, '')}Z-${id}`;
  if (!isRunId(runId)) throw new TypeError(`run id ${runId} is malformed`);
  return runId;
}
