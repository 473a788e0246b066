/**
 * Fault injection shared by the emulated services: latency, throttling, transient errors and requests that never
 * get an answer. All randomness comes from one seeded generator, so a run with the same seed and the same request
 * order injects the same faults.
 */
import type { ServerResponse } from 'node:http';

/** Random faults applied to every request a service receives. Rates are probabilities in 0..1. */
export interface FaultOptions {
  /** Delay before each reply: a fixed number of milliseconds, or a uniform draw from `{ min, max }`. */
  latencyMs?: number | { min: number; max: number };
  /** Share of requests answered with the service's throttling reply (UCloud: RetCode 153; Alibaba: Throttling.User). */
  throttleRate?: number;
  /**
   * Share of requests answered with a transient server error (UCloud: half HTTP 503, half RetCode 150; Alibaba:
   * half ServiceUnavailable 503, half InternalError 500).
   */
  errorRate?: number;
  /** Share of requests that are read and then never answered (for client timeout tests). */
  hangRate?: number;
  /** Seed of the fault generator. Default 1. */
  seed?: number;
}

/** What the random draw decided for one request. Throttling wins over errors, errors over hanging. */
export type RandomFault =
  | { kind: 'none'; latencyMs: number }
  | { kind: 'throttle'; latencyMs: number }
  | { kind: 'error'; variant: 'http' | 'retcode'; latencyMs: number }
  | { kind: 'hang' };

/**
 * A small seeded PRNG (mulberry32): uniform floats in [0, 1). Not for cryptography; good enough to spread faults.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds the per-request fault decision. Every call consumes exactly five draws whatever the outcome, so one
 * request's fault never shifts the draws of the requests after it.
 */
export function createFaultPicker(options: FaultOptions): () => RandomFault {
  const random = seededRandom(options.seed ?? 1);
  const throttleRate = checkRate('throttleRate', options.throttleRate);
  const errorRate = checkRate('errorRate', options.errorRate);
  const hangRate = checkRate('hangRate', options.hangRate);
  const latency = options.latencyMs ?? 0;
  const [minLatency, maxLatency] =
    typeof latency === 'number' ? [latency, latency] : [latency.min, latency.max];
  if (!(minLatency >= 0 && maxLatency >= minLatency)) {
    throw new RangeError(`latencyMs must be >= 0 (and min <= max), got ${JSON.stringify(latency)}`);
  }

  return () => {
    const throttleDraw = random();
    const errorDraw = random();
    const variantDraw = random();
    const hangDraw = random();
    const latencyDraw = random();
    const latencyMs = Math.round(minLatency + (maxLatency - minLatency) * latencyDraw);
    if (throttleDraw < throttleRate) return { kind: 'throttle', latencyMs };
    if (errorDraw < errorRate)
      return { kind: 'error', variant: variantDraw < 0.5 ? 'http' : 'retcode', latencyMs };
    if (hangDraw < hangRate) return { kind: 'hang' };
    return { kind: 'none', latencyMs };
  };
}

function checkRate(name: string, rate: number | undefined): number {
  if (rate === undefined) return 0;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${rate}`);
  return rate;
}

/**
 * A reply that goes wrong on the way back, after the request was read and acted on (an upload is stored): the
 * connection reset before any byte of the reply (`reset`), the headers and part of the body sent and then nothing
 * (`stall-body`), or the whole reply cut short by a proxy, so the JSON ends mid-value (`malformed-json`).
 */
export type BrokenReply = 'reset' | 'stall-body' | 'malformed-json';

export const BROKEN_REPLIES: readonly BrokenReply[] = ['reset', 'stall-body', 'malformed-json'];

/**
 * Sends `payload` broken as `how`. A stalled reply keeps its socket open until the client gives up or the server
 * closes (server.close() drops it).
 */
export function sendBroken(
  response: ServerResponse,
  how: BrokenReply,
  status: number,
  headers: Record<string, string | number>,
  payload: Buffer,
): void {
  if (how === 'reset') {
    response.socket?.destroy();
    return;
  }
  const half = payload.subarray(0, Math.max(1, Math.floor(payload.length / 2)));
  if (how === 'stall-body') {
    response.writeHead(status, { ...headers, 'Content-Length': payload.length });
    response.write(half);
    return;
  }
  response.writeHead(status, { ...headers, 'Content-Length': half.length });
  response.end(half);
}
