/**
 * One shard's scan: the usual scanFleet over the sources of the shard's narrowed Config, with the fingerprint-only
 * certificates held back (with the leaves seen) so that the run resolves them once every shard is in. Without
 * that, an SLB certificate known only by SHA-1 would be "unknown" whenever its twin sits in another shard.
 */
import type { ObservedCertificate } from '../model';
import type { CertificateSource } from '../providers/source';
import { FingerprintIndex, isKnownOnlyByFingerprint, type ScanOptions, scanFleet } from '../scan';
import type { ShardResult } from './result';

export async function scanShard(
  sources: readonly CertificateSource[],
  options: ScanOptions,
): Promise<ShardResult> {
  const leaves = new FingerprintIndex();
  const pending: ObservedCertificate[] = [];
  const holding = sources.map(
    (source): CertificateSource => ({
      provider: source.provider,
      service: source.service,
      scan: (sink, signal) =>
        source.scan(
          {
            certificate: (cert) => {
              leaves.remember(cert);
              if (isKnownOnlyByFingerprint(cert)) pending.push(cert);
              else sink.certificate(cert);
            },
            failure: (failure) => sink.failure(failure),
          },
          signal,
        ),
    }),
  );
  const report = await scanFleet(holding, options);
  return { certificates: report.certificates, failures: report.failures, leaves: leaves.entries(), pending };
}
