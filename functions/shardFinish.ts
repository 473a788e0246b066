/**
 * Sharded mode, on a timer: closes every open run that is complete but was not closed (its last worker failed to)
 * or is past its deadline, its digest naming the shards that never reported (lib/shard/finisher.ts).
 */
import { randomUUID } from 'node:crypto';
import { preparedOnce } from '../lib/preparedOnce';
import { closeDueRuns, type SweepOutcome } from '../lib/shard/finisher';
import { prepareShardSetup, type ShardDeps } from '../lib/shard/setup';
import { createJsonLogger, type Logger } from '../lib/telemetry/log';
import type { EmfDocument } from '../lib/telemetry/metrics';
import { emitToStdout } from '../lib/telemetry/run';
import { VERSION } from '../lib/version';

export interface FinishHandlerDeps extends ShardDeps {
  clock?: () => number;
  log?: Logger;
  emitMetric?: (document: EmfDocument) => void;
}

export function createFinishHandler(
  env: Readonly<Record<string, string | undefined>>,
  deps: FinishHandlerDeps = {},
) {
  const { clock = Date.now, log: baseLog, emitMetric = emitToStdout, ...shardDeps } = deps;
  const log =
    baseLog ?? createJsonLogger({ fields: { service: 'certwatch', version: VERSION, role: 'finish' } });
  const setup = preparedOnce(() => prepareShardSetup(env, shardDeps));
  return async function handler(): Promise<SweepOutcome> {
    const prepared = await setup().catch((error: unknown) => {
      log.error('open runs could not be closed', { error });
      throw error;
    });
    return closeDueRuns(prepared, { clock, log, emit: emitMetric, newId: randomUUID });
  };
}

export const handler = createFinishHandler(process.env);
