/**
 * What a shard hands to the run: its evaluated certificate records and failures, plus what lets the run resolve
 * certificates known only by reference across shards as one scan would (lib/scan.ts LeafIndex); and how
 * that is stored.
 *
 * Storage: JSON, gzip-compressed, cut into chunks of at most CHUNK_BYTES, one DynamoDB item each. Compressed
 * because records are repetitive JSON (gzip takes them to about a tenth, and DynamoDB bills writes per KB);
 * chunked because DynamoDB items stop at 400 KB and a shard of 10,000 certificates is still more than that
 * compressed. A shard's result is written once and read once, whole, by whoever closes the run, so nothing needs
 * to query inside it.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { evaluate } from '../expiry/evaluate';
import { parseIsoInstant } from '../expiry/instant';
import type { StatusDays } from '../expiry/status';
import type { CertificateRecord, ObservedCertificate, ScanReport, SourceFailure } from '../model';
import { compareFailures, compareIdentity } from '../report/order';
import { type LeafFingerprint, LeafIndex, noteCopies } from '../scan';

export interface ShardResult {
  /** Evaluated at the run's instant, as a single scan would. */
  certificates: CertificateRecord[];
  failures: SourceFailure[];
  /**
   * Every certificate this shard saw, by SHA-1 and CAS id: another shard's certificate known only by reference may
   * be one of them.
   */
  leaves: LeafFingerprint[];
  /** Certificates known only by reference, evaluated when the run closes and every shard's leaves are known. */
  pending: ObservedCertificate[];
}

/** `/2`: records hold instants as epoch ms (notAfterMs, leafNotAfterMs, notBeforeMs). */
export const SHARD_RESULT_SCHEMA = 'certwatch.shard-result/2';
/**
 * Results a shard wrote before `/2`, with the records' instants as ISO text (`notAfter`, `leafNotAfter`,
 * `notBefore`): a run in flight during a deploy still closes, reading them here, at the storage edge.
 */
export const SHARD_RESULT_SCHEMA_V1 = 'certwatch.shard-result/1';

/** Bytes of compressed result per item: DynamoDB's 400 KB item limit less room for the key and attributes. */
export const CHUNK_BYTES = 350_000;

/** The stored form of a result: one chunk or more (gzip output is never empty), each at most `chunkBytes`. */
export async function encodeShardResult(
  result: ShardResult,
  chunkBytes = CHUNK_BYTES,
): Promise<Uint8Array[]> {
  const packed = await promisify(gzip)(JSON.stringify({ schema: SHARD_RESULT_SCHEMA, ...result }));
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < packed.length; start += chunkBytes) {
    chunks.push(packed.subarray(start, start + chunkBytes));
  }
  return chunks;
}

/** A result from its chunks, in order. Throws a TypeError when they are not one (a chunk missing, say). */
export async function decodeShardResult(chunks: readonly Uint8Array[]): Promise<ShardResult> {
  const text = (await promisify(gunzip)(Buffer.concat(chunks))).toString('utf8');
  const value = JSON.parse(text) as Partial<ShardResult> & { schema?: unknown };
  const v1 = value.schema === SHARD_RESULT_SCHEMA_V1;
  if (
    (value.schema !== SHARD_RESULT_SCHEMA && !v1) ||
    !Array.isArray(value.certificates) ||
    !Array.isArray(value.failures) ||
    !Array.isArray(value.leaves) ||
    !Array.isArray(value.pending)
  ) {
    throw new TypeError(`not a ${SHARD_RESULT_SCHEMA} document`);
  }
  return {
    certificates: v1 ? value.certificates.map(recordFromV1) : value.certificates,
    failures: value.failures,
    leaves: value.leaves,
    pending: value.pending,
  };
}

/** The `/1` names of a record's instants (ISO text or null), and their `/2` names (epoch ms or null). */
const V1_INSTANTS: Readonly<Record<string, string>> = {
  notAfter: 'notAfterMs',
  leafNotAfter: 'leafNotAfterMs',
  notBefore: 'notBeforeMs',
};

/**
 * A `/1` record as a `/2` one: its ISO instants read as epoch ms, in the place of the fields they replace (null,
 * and text that is no instant, read as null).
 */
function recordFromV1(stored: CertificateRecord): CertificateRecord {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(stored)) {
    const renamed = V1_INSTANTS[field];
    if (renamed === undefined) record[field] = value;
    else record[renamed] = typeof value === 'string' ? parseIsoInstant(value) : null;
  }
  return record as unknown as CertificateRecord;
}

export interface RunReportInput {
  results: readonly ShardResult[];
  /** Failures standing for shards that never reported (lib/shard/shards.ts shardFailures). */
  missing: readonly SourceFailure[];
  /** The instant the run judges certificates at (its plan's). */
  nowMs: number;
  generatedAtMs: number;
  statusDays: StatusDays;
}

/**
 * The run's report from its shards': every record once, certificates known only by reference resolved against the
 * leaves of every shard and copies tied together across shards, in the order a single scan reports them. Pure.
 */
export function runReport(input: RunReportInput): ScanReport {
  const index = new LeafIndex();
  for (const result of input.results) for (const leaf of result.leaves) index.add(leaf);
  const certificates = input.results.flatMap((result) => result.certificates);
  for (const result of input.results) {
    for (const cert of result.pending) {
      certificates.push(evaluate(index.resolve(cert), input.nowMs, input.statusDays));
    }
  }
  index.linkCopies(certificates);
  noteCopies(certificates);
  const failures = [...input.results.flatMap((result) => result.failures), ...input.missing];
  certificates.sort(compareIdentity);
  failures.sort(compareFailures);
  return {
    generatedAtMs: input.generatedAtMs,
    nowMs: input.nowMs,
    complete: failures.length === 0,
    certificates,
    failures,
  };
}
