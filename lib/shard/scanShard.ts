/**
 * One shard's scan: the usual reading of the sources of the shard's narrowed Config (lib/scan.ts readFleet), with
 * the fingerprint-only certificates held back (with the leaves seen) so that the run resolves them once every
 * shard is in. Without that, an SLB certificate known only by SHA-1 would be "unknown" whenever its twin sits in
 * another shard.
 */
import type { CertificateSource } from '../providers/source';
import { compareFailures, compareIdentity } from '../report/order';
import { readFleet, type ScanOptions } from '../scan';
import type { ShardResult } from './result';

export async function scanShard(
  sources: readonly CertificateSource[],
  options: ScanOptions,
): Promise<ShardResult> {
  const reading = await readFleet(sources, options);
  return {
    certificates: reading.certificates.sort(compareIdentity),
    failures: reading.failures.sort(compareFailures),
    leaves: reading.leaves.entries(),
    pending: reading.byReference,
  };
}
