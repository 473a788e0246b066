/**
 * The orchestration: sources -> records -> report -> alerts. Depends on interfaces only.
 */
import { setMaxListeners } from 'node:events';
import { CertwatchError } from './errors';
import { evaluate } from './expiry/evaluate';
import type { StatusDays } from './expiry/status';
import { failureMessage } from './inert';
import { inertCertificate, inertFailure } from './inertRecords';
import type { CertificateRecord, ObservedCertificate, ScanReport, SourceFailure } from './model';
import type { CertificateSource } from './providers/source';
import { compactStrings, flat } from './report/compact';
import { compareFailures, compareIdentity } from './report/order';

export interface ScanOptions {
  statusDays: StatusDays;
  /** The instant certificates are judged at (epoch ms). */
  nowMs: number;
  /** Wall clock for `generatedAt`. */
  clock?: () => number;
  /** Told after each certificate or failure (for progress). */
  onProgress?: (seen: { certificates: number; failures: number }) => void;
  /**
   * How long the scan may take. When it runs out, every part not yet read becomes a named failure and the scan
   * returns, so there is time left to send the alert (a Lambda passes its remaining time less a reserve).
   */
  timeLimitMs?: number;
}

/** Scans every source concurrently and evaluates each certificate as it arrives; PEMs are not kept. */
export async function scanFleet(
  sources: readonly CertificateSource[],
  options: ScanOptions,
): Promise<ScanReport> {
  const reading = await readFleet(sources, options);
  const { certificates, failures } = reading;
  for (const cert of reading.byFingerprintOnly) {
    certificates.push(
      compactStrings(evaluate(reading.fingerprints.resolve(cert), options.nowMs, options.statusDays)),
    );
  }
  certificates.sort(compareIdentity);
  failures.sort(compareFailures);
  return {
    generatedAtMs: (options.clock ?? Date.now)(),
    nowMs: options.nowMs,
    complete: failures.length === 0,
    certificates,
    failures,
  };
}

/** What the sources of a scan reported, before the certificates known only by fingerprint are resolved. */
export interface FleetReading {
  /** Evaluated at `nowMs`, in the order they arrived. */
  certificates: CertificateRecord[];
  failures: SourceFailure[];
  /** Every leaf seen, by SHA-1. */
  fingerprints: FingerprintIndex;
  /** Known only by fingerprint: evaluated once every source (or, sharded, every shard) has reported. */
  byFingerprintOnly: ObservedCertificate[];
}

/**
 * Reads every source concurrently. This is where what a provider reports becomes a record: every certificate and
 * failure is made inert here (lib/inert.ts), once, whichever provider reported it, before anything else sees it.
 */
export async function readFleet(
  sources: readonly CertificateSource[],
  options: ScanOptions,
): Promise<FleetReading> {
  const certificates: CertificateRecord[] = [];
  const failures: SourceFailure[] = [];
  const fingerprints = new FingerprintIndex();
  const byFingerprintOnly: ObservedCertificate[] = [];
  const progress = () =>
    options.onProgress?.({ certificates: certificates.length, failures: failures.length });
  const fail = (failure: SourceFailure) => {
    failures.push(inertFailure(failure));
    progress();
  };
  const stop = new AbortController();
  // Every request and retry pause in flight listens to this signal; dozens at once is expected, not a leak.
  setMaxListeners(1000, stop.signal);
  const timer =
    options.timeLimitMs === undefined
      ? undefined
      : setTimeout(() => {
          const seconds = Number((options.timeLimitMs! / 1000).toFixed(1));
          stop.abort(
            new CertwatchError(`the scan's time limit (${seconds} s) ran out before this part was read`),
          );
        }, options.timeLimitMs);
  await Promise.all(
    sources.map((source) =>
      source
        .scan(
          {
            certificate: (reported) => {
              const cert = inertCertificate(reported);
              fingerprints.remember(cert);
              if (isKnownOnlyByFingerprint(cert)) byFingerprintOnly.push(cert);
              else certificates.push(compactStrings(evaluate(cert, options.nowMs, options.statusDays)));
              progress();
            },
            failure: fail,
          },
          stop.signal,
        )
        .catch((error: unknown) => {
          // A source is meant to report its failures itself; this catches the ones it could not.
          fail({
            provider: source.provider,
            service: source.service,
            region: null,
            project: null,
            message: failureMessage(error),
          });
        }),
    ),
  );
  clearTimeout(timer);
  return { certificates, failures, fingerprints, byFingerprintOnly };
}

/** A certificate an API lists with neither an expiry nor a PEM, only its SHA-1 (older SLB replies). */
export function isKnownOnlyByFingerprint(cert: ObservedCertificate): boolean {
  return !cert.apiNotAfter && !cert.chain && Boolean(cert.apiFingerprintSha1);
}

/** The leaf's names, common name first, once each: its own SAN list when that already is the answer. */
function leafNames(commonName: string | null, dnsNames: string[]): string[] {
  const sanListIsTheAnswer =
    (commonName === null || dnsNames[0] === commonName) &&
    dnsNames.every((name, index) => name !== '' && dnsNames.indexOf(name) === index);
  return sanListIsTheAnswer ? dnsNames : [...new Set([commonName ?? '', ...dnsNames].filter(Boolean))];
}

/** What the scan remembers of a leaf certificate it saw, by SHA-1 fingerprint. */
export interface LeafFingerprint {
  fingerprintSha1: string;
  notAfterMs: number;
  names: string[];
  /** `provider/service id` of the certificate it was seen as. */
  where: string;
}

/**
 * SHA-1 fingerprints of the leaf certificates seen in this scan, with their expiry: a certificate an API lists
 * only by fingerprint (older SLB replies) is the same certificate, so it expires when that one does. A sharded run
 * (lib/shard) keeps each shard's `entries()` and resolves across shards once they are all in.
 */
export class FingerprintIndex {
  private readonly seen = new Map<string, LeafFingerprint>();

  remember(cert: ObservedCertificate): void {
    const leaf = cert.chain?.leaf;
    if (leaf && !this.seen.has(leaf.fingerprintSha1)) {
      // One entry per leaf of a 100,000-certificate scan: the leaf's own name list when it already is the
      // answer, and `where` in one piece (lib/report/compact.ts), keep it to about 150 bytes.
      this.add({
        fingerprintSha1: leaf.fingerprintSha1,
        notAfterMs: leaf.notAfterMs,
        names: leafNames(leaf.commonName, leaf.dnsNames),
        where: flat(`${cert.provider}/${cert.service} ${cert.id}`),
      });
    }
  }

  /** Remembers a leaf seen elsewhere; the first one seen with a fingerprint is kept. */
  add(leaf: LeafFingerprint): void {
    if (!this.seen.has(leaf.fingerprintSha1)) this.seen.set(leaf.fingerprintSha1, leaf);
  }

  entries(): LeafFingerprint[] {
    return [...this.seen.values()];
  }

  /** The certificate with the expiry of its twin, or with a note saying none was seen. */
  resolve(cert: ObservedCertificate): ObservedCertificate {
    const twin = this.seen.get(cert.apiFingerprintSha1!);
    if (!twin) {
      return {
        ...cert,
        notes: [
          ...cert.notes,
          `the API gives no expiry, and no certificate with its SHA-1 fingerprint was seen elsewhere in this scan`,
        ],
      };
    }
    return {
      ...cert,
      domains: cert.domains.length > 0 ? cert.domains : twin.names,
      apiNotAfter: { epochMs: twin.notAfterMs, source: `fingerprint:${twin.where}` },
    };
  }
}
