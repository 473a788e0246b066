/**
 * Sharded mode (`--param="mode=sharded"`), on the schedule: plans one run, records it and sends one SQS message per
 * shard to the worker (lib/shard/planner.ts). Its scope and clients are built once per container; it reads no
 * secret (lib/shard/scope.ts).
 */
import { randomUUID } from 'node:crypto';
import { preparedOnce } from '../lib/preparedOnce';
import { type PlannedRun, planRun } from '../lib/shard/planner';
import { type PlanDeps, preparePlanSetup } from '../lib/shard/planSetup';
import { createJsonLogger, type Logger } from '../lib/telemetry/log';
import { VERSION } from '../lib/version';

/** The planner reads no secret and alerts nobody: it takes only a run store and a queue (or their clients' config). */
export interface PlanHandlerDeps extends PlanDeps {
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
  const setup = preparedOnce(() => preparePlanSetup(env, shardDeps));
  return async function handler(event: unknown): Promise<PlannedRun> {
    const prepared = await setup().catch((error: unknown) => {
      log.error('run could not be planned', { error });
      throw error;
    });
    const trigger = (typeof event === 'object' && event !== null ? event : {}) as {
      id?: string;
      time?: string;
    };
    return planRun(
      prepared,
      { id: trigger.id, time: trigger.time },
      { nowMs: clock(), newId: randomUUID, log },
    );
  };
}

export const handler = createPlanHandler(process.env);
