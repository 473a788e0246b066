/**
 * The SQS message that asks a worker to scan one shard of one run. It names them only: the shard's regions and the
 * run's instant are read from the run item, so a message can never disagree with what the run will report.
 */
import { CertwatchError } from '../errors';

export const SHARD_MESSAGE_SCHEMA = 'certwatch.shard/1';

export interface ShardMessage {
  schema: typeof SHARD_MESSAGE_SCHEMA;
  runId: string;
  shardId: string;
}

/** Run ids: the planning instant (sortable) and the schedule event's id, `20261123T120000Z-<id>`. */
const RUN_ID = /^\d{8}T\d{6}Z-[A-Za-z0-9-]{1,64}$/;

export function isRunId(text: string): boolean {
  return RUN_ID.test(text);
}

/** The message body for a shard. */
export function shardMessageBody(runId: string, shardId: string): string {
  const message: ShardMessage = { schema: SHARD_MESSAGE_SCHEMA, runId, shardId };
  return JSON.stringify(message);
}

/** Reads a message body; throws a CertwatchError that quotes the start of a body it does not recognise. */
export function parseShardMessage(body: string): ShardMessage {
  let value: Partial<ShardMessage> | null = null;
  try {
    value = JSON.parse(body) as Partial<ShardMessage>;
  } catch {
    // Reported below.
  }
  if (
    value === null ||
    value.schema !== SHARD_MESSAGE_SCHEMA ||
    typeof value.runId !== 'string' ||
    !isRunId(value.runId) ||
    typeof value.shardId !== 'string' ||
    !/^[a-z0-9-]{1,64}$/.test(value.shardId)
  ) {
    throw new CertwatchError(
      `the shard queue delivered a message that is not a ${SHARD_MESSAGE_SCHEMA} request: ` +
        `${JSON.stringify(body.slice(0, 200))}. Only the certwatch planner should send to this queue.`,
    );
  }
  return { schema: SHARD_MESSAGE_SCHEMA, runId: value.runId, shardId: value.shardId };
}
