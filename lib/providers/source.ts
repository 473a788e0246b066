/**
 * What the scan needs from a provider: a source that reports every certificate it sees and every part of its
 * fleet it could not read. A new provider is one folder under providers/ (its module, lib/providers/module.ts)
 * and one line in providers/registry.ts.
 */
import type { ObservedCertificate, SourceFailure } from '../model';
import type { Pacing } from './pacing';
import type { TransportOptions } from './transport';

export interface ScanSink {
  certificate(cert: ObservedCertificate): void;
  failure(failure: SourceFailure): void;
}

export interface CertificateSource {
  readonly provider: string;
  readonly service: string;
  /**
   * Reports into `sink` as it goes; resolves when done. Failures go to the sink, never out of here. Once `signal`
   * aborts, every part not yet read is reported as a failure.
   */
  scan(sink: ScanSink, signal?: AbortSignal): Promise<void>;
}

/** Counters a scan shows as progress and a benchmark prints. */
export interface RequestCounters {
  requests: number;
  retries: number;
  /** Replies that said "too many requests" (each also counts as a request, and usually a retry). */
  throttled: number;
}

export function newRequestCounters(): RequestCounters {
  return { requests: 0, retries: 0, throttled: 0 };
}

/** I/O a provider client may need, injectable for tests. */
export interface ProviderDeps {
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  counters?: RequestCounters;
  /** Adaptive pacing shared by every client of a scan (buildSources makes one when not given). */
  pacing?: Pacing;
}

/** A provider client's transport options from the scan's deps: its fetch and clock, and the counters. */
export function transportFrom(deps: ProviderDeps): TransportOptions {
  const { counters } = deps;
  return {
    fetch: deps.fetch,
    sleep: deps.sleep,
    random: deps.random,
    onRequest: counters ? () => void counters.requests++ : undefined,
    onRetry: counters ? () => void counters.retries++ : undefined,
    onThrottled: counters ? () => void counters.throttled++ : undefined,
    pacing: deps.pacing,
  };
}
