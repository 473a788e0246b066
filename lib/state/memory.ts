/**
 * Alert history in a Map, for tests. It is also the reference for the rules every store follows: the file store
 * runs them over its file's contents, and the DynamoDB store's condition expressions mirror `claimWins`.
 */
import { StateStoreError } from './errors';
import { isClaimableNotAfter } from './history';
import type { AlertHistory, AlertStateStore, ClaimRequest } from './store';

export class MemoryStateStore implements AlertStateStore {
  readonly name = 'memory';
  readonly #histories = new Map<string, AlertHistory>();

  /** Starts from `histories` (copied), e.g. what a file held. */
  constructor(histories: Iterable<AlertHistory> = []) {
    for (const history of histories) this.#histories.set(history.certificateKey, { ...history });
  }

  /** Copies of every remembered history, in the order they were first remembered. */
  histories(): AlertHistory[] {
    return [...this.#histories.values()].map((history) => ({ ...history }));
  }

  // No method below awaits anything, so each runs to completion before any other starts: claim's read and write
  // cannot interleave with another claim's, which is what makes it atomic here without a lock.

  async load(certificateKeys: readonly string[]): Promise<Map<string, AlertHistory>> {
    const found = new Map<string, AlertHistory>();
    for (const key of certificateKeys) {
      const history = this.#histories.get(key);
      if (history) found.set(key, { ...history });
    }
    return found;
  }

  async claim(request: ClaimRequest): Promise<boolean> {
    const claimed = claimedHistory(request);
    if (!claimWins(this.#histories.get(request.certificateKey), claimed)) return false;
    this.#histories.set(request.certificateKey, claimed);
    return true;
  }

  async confirm(
    certificateKey: string,
    rung: string,
    nowMs: number,
    delivered: 'sent' | 'digested' = 'sent',
    keepLease = false,
  ): Promise<void> {
    const atMs = instantMs(nowMs, 'nowMs');
    const history = this.#histories.get(certificateKey);
    // Another rung means a later claim replaced ours: confirming would mark that one delivered.
    if (history?.rung !== rung) return;
    const leaseUntilMs = delivered === 'digested' && !keepLease ? LEASE_ENDED_MS : history.leaseUntilMs;
    this.#histories.set(certificateKey, { ...history, state: delivered, atMs, leaseUntilMs });
  }

  async release(certificateKey: string, rung: string, restore?: AlertHistory): Promise<void> {
    const history = this.#histories.get(certificateKey);
    if (history?.rung !== rung || history.state !== 'sending') return;
    if (restore) this.#histories.set(certificateKey, { ...restore, certificateKey });
    else this.#histories.delete(certificateKey);
  }

  async forget(certificateKey: string): Promise<void> {
    this.#histories.delete(certificateKey);
  }
}

/** The lease of a claim its run is done with: over, so the next run may claim at once. */
export const LEASE_ENDED_MS = 0;

/**
 * The history a winning claim writes: `sending`, `at` the claim's clock, `leaseUntil` that plus `leaseMs`.
 * Throws StateStoreError when `nowMs` is not an instant, `leaseMs` is not a non-negative number, or `notAfterMs`
 * is neither an instant nor null.
 */
export function claimedHistory(request: ClaimRequest): AlertHistory {
  const atMs = instantMs(request.nowMs, 'nowMs');
  if (!Number.isFinite(request.leaseMs) || request.leaseMs < 0) {
    throw new StateStoreError(
      `Claim of ${request.certificateKey}: leaseMs ${request.leaseMs} is not a non-negative number of milliseconds`,
    );
  }
  // Written only if it reads back: "" or a date in another form would be refused as unusable by the next load.
  if (!isClaimableNotAfter(request.notAfterMs)) {
    throw new StateStoreError(
      `Claim of ${request.certificateKey}: notAfterMs ${request.notAfterMs} is neither an instant (epoch ms) ` +
        'nor null (null: the certificate has no known expiry)',
    );
  }
  return {
    certificateKey: request.certificateKey,
    rung: request.rung,
    notAfterMs: request.notAfterMs,
    state: 'sending',
    atMs,
    leaseUntilMs: instantMs(atMs + request.leaseMs, 'leaseUntilMs'),
    ...(request.owner ? { owner: request.owner } : {}),
  };
}

/**
 * Whether `claim` may replace `existing` (AlertStateStore.claim): nothing remembered, another rung, another
 * notAfter (a renewal), or an unfinished claim — `sending`, or `digested` with its structured message still owed
 * — whose lease ended strictly before the new claim's clock or that the same owner made (its retry takes it back).
 * A `digested` claim keeps its lease: the run that made it marks it as soon as the digest is out and is still
 * sending the structured messages, so another run taking it then would send one twice.
 * notAfter is compared for equality only, since it identifies the certificate's validity rather than being
 * ordered; null (no known expiry) equals only null.
 */
export function claimWins(existing: AlertHistory | undefined, claim: AlertHistory): boolean {
  if (existing === undefined) return true;
  if (existing.rung !== claim.rung || existing.notAfterMs !== claim.notAfterMs) return true;
  if (existing.state !== 'sending' && existing.state !== 'digested') return false;
  if (claim.owner !== undefined && existing.owner === claim.owner) return true;
  return existing.leaseUntilMs < claim.atMs;
}

/**
 * `epochMs` as the instant the stores write (`toISOString` keeps whole milliseconds of years -271821 to 275760).
 * Throws StateStoreError naming `field` when it is not one.
 */
function instantMs(epochMs: number, field: string): number {
  const instant = new Date(epochMs).getTime();
  if (Number.isNaN(instant)) {
    throw new StateStoreError(`Alert state: ${field} ${epochMs} is not an instant (epoch ms)`);
  }
  return instant;
}
