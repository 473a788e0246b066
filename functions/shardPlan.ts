/**
 * Sharded mode (`--param="mode=sharded"`), on the schedule: plans one run, records it and sends one SQS message per
 * shard to the worker (lib/shard/planner.ts). Configuration and clients are built once per container.
 */
import { randomUUID } from 'node:crypto';
import { type PlannedRun, planRun } from '../lib/shard/planner';
import { preparedOnce, prepareShardSetup, type ShardDeps } from '../lib/shard/setup';
import { createJsonLogger, type Logger } from '../lib/telemetry/log';
import { VERSION } from '../lib/version';

export interface PlanHandlerDeps extends ShardDeps {
  clock?: () => number;
  log?: Logger;
}

export function createPlanHandler(
  env: Readonly<Record<string, string | undefined>>,
  deps: PlanHandlerDeps = {},
) {
  const { clock = Date.now, log: baseLog, ...shardDeps } = deps;
  const log =
    baseLog ?? createJsonLogger({ fields: { service: 'certwatch', version: VERSION, role: 'plan' } });
  const setup = preparedOnce(() => prepareShardSetup(env, shardDeps, { needsQueue: true }));
  return async function handler(event: unknown): Promise<PlannedRun> {
    const prepared = await setup().catch((error: unknown) => {
      log.error('run could not be planned', { error });
      throw error;
    });
    const { config, settings, runs, queue } = prepared;
    const trigger = (typeof event === 'object' && event !== null ? event : {}) as {
      id?: string;
      time?: string;
    };
    return planRun(
      { config, settings, runs, queue: queue! },
      { id: trigger.id, time: trigger.time },
      { nowMs: clock(), newId: randomUUID, log },
    );
  };
}

export const handler = createPlanHandler(process.env);
