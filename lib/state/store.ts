/**
 * Where alert history lives, so a certificate alerts once per rung it crosses instead of on every run.
 * DynamoDB in Lambda, a file for the CLI, memory for tests: all behind this interface. Instants are epoch ms here;
 * each store writes them as text in its own format (lib/state/history.ts) and reads them back.
 *
 * Sending an alert is two steps around the publish: `claim` (a conditional write: only one run may send a given
 * rung of a given certificate) and then `confirm` once the channel accepted it, or `release` when it did not (so
 * the next run tries again). A claim left unconfirmed past its lease (a run that crashed mid-way) can be claimed
 * again: a duplicate is better than silence.
 */

/** What the store remembers of one certificate. */
export interface AlertHistory {
  /** `provider/service/region/project/id`: stable across runs. */
  certificateKey: string;
  /** The rung last alerted (or being alerted): `d30`, `d14`, ..., `p20` (share of lifetime), `expired`. */
  rung: string;
  /**
   * The certificate's effective notAfter when it was alerted (epoch ms), or null when it had no known expiry
   * (status `unknown`). Another value means it was renewed, or its expiry became known: the history no longer
   * applies.
   */
  notAfterMs: number | null;
  /**
   * `sending` while claimed and not yet confirmed; `sent` once every channel accepted the alert; `digested` when
   * the digest told people but the structured message is still owed (the next run sends only that).
   */
  state: 'sending' | 'digested' | 'sent';
  /** The instant of the claim, then of the delivery (epoch ms). */
  atMs: number;
  /** The instant after which an unconfirmed claim may be taken over (epoch ms). */
  leaseUntilMs: number;
  /**
   * The invocation that claimed it (the Lambda request id), when known. Lambda retries a failed invocation with
   * the same request id, and only once the failed attempt is over: the retry may take back the claims that
   * attempt left unconfirmed at once, instead of waiting out their lease (a day, on a daily schedule).
   */
  owner?: string;
}

export interface ClaimRequest {
  certificateKey: string;
  rung: string;
  /** The certificate's effective notAfter (epoch ms), or null when it has no known expiry (AlertHistory). */
  notAfterMs: number | null;
  /** The run's clock (epoch ms). */
  nowMs: number;
  /** How long an unconfirmed claim blocks others (ms). */
  leaseMs: number;
  /** The claiming invocation (AlertHistory.owner); a claim of the same owner is taken back within its lease. */
  owner?: string;
}

/**
 * A stored entry the store could not use (written by hand, by another tool, or damaged): it is left out of what
 * `load` returns, so its certificate may be alerted once more, and the rest of the history is used.
 */
export interface UnusableHistory {
  certificateKey: string;
  /** What is wrong, naming the field only: never the stored text, which is not ours to print. */
  problem: string;
}

export interface LoadOptions {
  /** Told of each asked-for entry that was skipped as unusable, so that the run can say so. */
  onUnusable?: (entry: UnusableHistory) => void;
}

export interface AlertStateStore {
  readonly name: string;
  /**
   * The histories of these certificates; certificates never alerted are absent from the map, and so are those
   * whose entry is unusable (each reported through `onUnusable`). Throws only when the store as a whole cannot be
   * read.
   */
  load(certificateKeys: readonly string[], options?: LoadOptions): Promise<Map<string, AlertHistory>>;
  /**
   * Claims the right to send `rung` for the certificate. True when this caller won: no history (or only an
   * unusable entry, which the claim replaces), or history of another rung or another notAfter (null and null are
   * the same), an unconfirmed claim whose lease ran out or that the same owner made (a
   * retry of the invocation that crashed holding it), or a `digested` alert whose
   * structured message is still owed, once its lease ended or by its owner. False when the same rung of the
   * same notAfter is already sent, or claimed by someone else within its lease. Atomic: of two concurrent claims
   * for the same rung, exactly one wins.
   */
  claim(request: ClaimRequest): Promise<boolean>;
  /**
   * The claimed alert was delivered (`sent`), or only its digest was (`digested`: the structured one is owed).
   * `digested` ends the claim's lease, so the next run may send what is owed, unless `keepLease`: the run is still
   * sending the structured messages, and another run must not take the claim meanwhile.
   */
  confirm(
    certificateKey: string,
    rung: string,
    nowMs: number,
    delivered?: 'sent' | 'digested',
    keepLease?: boolean,
  ): Promise<void>;
  /**
   * The claimed alert could not be delivered: undo the claim so a later run sends it. `restore` is the history
   * the claim replaced (put back, so that the next run does not take a reminder for a first alert); without it
   * the certificate's history is dropped. Does nothing unless the claim is still this rung, unconfirmed.
   */
  release(certificateKey: string, rung: string, restore?: AlertHistory): Promise<void>;
  /** The certificate was renewed or is fine again: forget its history. */
  forget(certificateKey: string): Promise<void>;
}

/**
 * The key a certificate is remembered under. A record of an account with an id (one certwatch reaches through a
 * role or a Resource Directory) ends in `@<account id>`: two accounts may hold certificates with one id. The
 * account of the configured keys has no id unless one is set, so the keys certwatch remembered before it read more
 * than one account stay what they were.
 */
export function certificateKey(record: {
  provider: string;
  service: string;
  region: string;
  project: string | null;
  id: string;
  account?: { id: string | null };
}): string {
  const key = [record.provider, record.service, record.region, record.project ?? '-', record.id].join('/');
  return record.account?.id ? `${key}@${record.account.id}` : key;
}
