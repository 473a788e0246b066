/**
 * Where a sharded run keeps its progress, behind one interface (DynamoDB in Lambda: ./dynamoRunStore.ts).
 *
 * Every step that must happen once is one conditional write on the run's own record: a shard is recorded once
 * (the first attempt to finish it wins; a retried or duplicated worker changes nothing), and the right to send the
 * run's digest is claimed by one caller at a time, with a lease, until the run is closed.
 */
import { CertwatchError } from '../errors';
import type { Shard } from './shards';

/** Where a recorded shard's result is, and its size, for logs and the run's metrics. */
export interface ShardSummary {
  /** The attempt whose result chunks count (each attempt writes its own). */
  attempt: string;
  chunks: number;
  certificates: number;
  failures: number;
  /** Provider API requests the shard's scan made, and the replies that said "slow down". */
  requests: number;
  throttled: number;
}

export interface RunRecord {
  runId: string;
  /** The instant every shard judges its certificates at (epoch ms): the run's "now". */
  nowMs: number;
  createdAtMs: number;
  shards: Shard[];
  /** The shards recorded so far. The run is complete when every shard has one. */
  results: Map<string, ShardSummary>;
  /** Who may send the digest now, and until when (a caller that died mid-way loses it when the lease ends). */
  claim: { by: string; untilMs: number } | null;
  /** Set once the digest went out; a closed run takes no more work. */
  closed: { atMs: number; as: 'complete' | 'incomplete' } | null;
}

export interface NewRun {
  runId: string;
  nowMs: number;
  createdAtMs: number;
  shards: Shard[];
}

export interface RunStore {
  readonly name: string;
  /**
   * Creates the run and lists it as open. A run that exists already (a retried planner) is returned as stored,
   * with `created` false.
   */
  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** Stores one attempt's result chunks for a shard (nothing points to them until markShardDone). */
  putResult(run: RunRecord, shardId: string, attempt: string, chunks: readonly Uint8Array[]): Promise<void>;
  /** Records the shard as done, once: the run as it is afterwards, or null if the shard was already recorded. */
  markShardDone(runId: string, shardId: string, summary: ShardSummary): Promise<RunRecord | null>;
  /** The chunks of a recorded shard's result, in order. */
  readResult(runId: string, shardId: string, summary: ShardSummary): Promise<Uint8Array[]>;
  /**
   * Claims the right to send the run's digest for `leaseMs`: the run as claimed, or null when it is closed or
   * someone else's lease still runs.
   */
  claimDigest(runId: string, claimant: string, nowMs: number, leaseMs: number): Promise<RunRecord | null>;
  /** Gives a claim back (its digest could not be sent), so the next caller may try at once. */
  releaseDigest(runId: string, claimant: string): Promise<void>;
  /** The digest went out: the run is closed and no longer listed as open. */
  closeRun(runId: string, nowMs: number, as: 'complete' | 'incomplete'): Promise<void>;
  /** Runs planned and not yet closed, oldest first. */
  openRuns(): Promise<string[]>;
  /** Drops a run from the open list (closed, or expired from the table). */
  forgetOpenRun(runId: string): Promise<void>;
}

/** The run store could not be read or written, or holds what certwatch did not write. */
export class RunStoreError extends CertwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunStoreError';
  }
}

export function isRunComplete(run: RunRecord): boolean {
  return run.shards.every((shard) => run.results.has(shard.id));
}
