/**
 * Sharded mode: the SQS consumer (batch size 1). Scans the one shard its message names and records the result;
 * the worker that completes the run sends its digest (lib/shard/worker.ts). An error before the shard is recorded
 * fails the invocation, and SQS delivers the message again after its visibility timeout.
 */
import { randomUUID } from 'node:crypto';
import { CertwatchError } from '../lib/errors';
import { preparedOnce } from '../lib/preparedOnce';
import { parseShardMessage } from '../lib/shard/message';
import { prepareShardSetup, type ShardDeps } from '../lib/shard/setup';
import { type WorkOutcome, workShard } from '../lib/shard/worker';
import { createJsonLogger, type Logger } from '../lib/telemetry/log';
import type { EmfDocument } from '../lib/telemetry/metrics';
import { emitToStdout } from '../lib/telemetry/run';
import { VERSION } from '../lib/version';

export interface WorkHandlerDeps extends ShardDeps {
  clock?: () => number;
  log?: Logger;
  emitMetric?: (document: EmfDocument) => void;
}

/** The part of an SQS event the worker reads. */
export interface SqsEvent {
  Records: { messageId: string; body: string; attributes?: { ApproximateReceiveCount?: string } }[];
}

/** The part of the Lambda context the worker reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** Time kept back from the function's timeout to close the run (read every shard's result, send the alerts). */
export const CLOSE_RESERVE_MS = 60_000;

export function createWorkHandler(
  env: Readonly<Record<string, string | undefined>>,
  deps: WorkHandlerDeps = {},
) {
  const { clock = Date.now, log: baseLog, emitMetric = emitToStdout, ...shardDeps } = deps;
  const log =
    baseLog ?? createJsonLogger({ fields: { service: 'certwatch', version: VERSION, role: 'work' } });
  const setup = preparedOnce(() => prepareShardSetup(env, shardDeps));
  return async function handler(event: SqsEvent, context?: InvocationContext): Promise<WorkOutcome[]> {
    const prepared = await setup().catch((error: unknown) => {
      log.error('shard could not be scanned', { error });
      throw error;
    });
    if (!Array.isArray(event?.Records)) {
      throw new CertwatchError('shardWork is fed by its SQS queue: invoke it with an SQS event (Records)');
    }
    const outcomes: WorkOutcome[] = [];
    for (const record of event.Records) {
      const messageLog = log.child({
        requestId: context?.awsRequestId,
        messageId: record.messageId,
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
      });
      const remaining = context?.getRemainingTimeInMillis();
      const work = workShard(prepared, parseShardMessage(record.body), {
        clock,
        log: messageLog,
        emit: emitMetric,
        newId: randomUUID,
        timeLimitMs: remaining === undefined ? undefined : Math.max(1000, remaining - CLOSE_RESERVE_MS),
      });
      outcomes.push(
        await work.catch((error: unknown) => {
          messageLog.error('shard could not be recorded: SQS delivers it again', { error });
          throw error;
        }),
      );
    }
    return outcomes;
  };
}

export const handler = createWorkHandler(process.env);
