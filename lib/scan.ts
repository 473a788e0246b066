/**
 * The orchestration: sources -> records -> report -> alerts. Depends on interfaces only.
 */
import { setMaxListeners } from 'node:events';
import { CertwatchError } from './errors';
import { evaluate } from './expiry/evaluate';
import type { StatusDays } from './expiry/status';
import { failureMessage } from './inert';
import { inertCertificate, inertFailure } from './inertRecords';
import {
  type CertificateRecord,
  casKey,
  type ObservedCertificate,
  type ScanReport,
  type SourceFailure,
} from './model';
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
  for (const cert of reading.byReference) {
    certificates.push(
      compactStrings(evaluate(reading.leaves.resolve(cert), options.nowMs, options.statusDays)),
    );
  }
  reading.leaves.linkCopies(certificates);
  noteCopies(certificates);
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
  /** Every certificate seen, by SHA-1 fingerprint and by CAS id. */
  leaves: LeafIndex;
  /**
   * Known only by what names another copy (a SHA-1 fingerprint, a CAS id): evaluated once every source (or,
   * sharded, every shard) has reported.
   */
  byReference: ObservedCertificate[];
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
  const leaves = new LeafIndex();
  const byReference: ObservedCertificate[] = [];
  const progress = () =>
    options.onProgress?.({ certificates: certificates.length, failures: failures.length });
  const fail = (failure: SourceFailure) => {
    failures.push(inertFailure(failure));
    progress();
  };
  const stop = new AbortController();
  // Every request, pacing wait and retry pause in flight listens to this signal: an Alibaba account has ~150 at
  // once (CAS details, CDN details, listeners) and up to 50 accounts scan side by side (npm run bench,
  // accounts-200k, passed 1,000 with 20), so thousands at once are expected, not a leak.
  setMaxListeners(10_000, stop.signal);
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
              // Known only by reference: it names another copy and is evaluated once every copy is known.
              if (isKnownOnlyByReference(cert)) byReference.push(cert);
              else {
                const record = compactStrings(evaluate(cert, options.nowMs, options.statusDays));
                leaves.remember(cert, record);
                certificates.push(record);
              }
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
  return { certificates, failures, leaves, byReference };
}

/** Copies named in a note, at most; the rest are counted. */
const COPIES_NAMED = 5;

/**
 * Notes on each record that is one of several copies of a certificate (the same identity, lib/model.ts identityOf)
 * which the others are: the audit is an inventory of copies, and says which rows are one certificate. Replaces
 * those records in `records` by noted copies; the records themselves are not changed.
 */
export function noteCopies(records: CertificateRecord[]): void {
  for (const positions of copiesIn(records)) {
    const places = positions.map((at) => {
      const record = records[at]!;
      return `${record.provider}/${record.service}${record.account ? ` @${record.account.name}` : ''} ${record.region} ${record.id}`;
    });
    positions.forEach((at, index) => {
      // Sorted, whatever order the sources answered in: two audits of one fleet say the same.
      const others = places.filter((_, other) => other !== index).sort();
      const named = others.slice(0, COPIES_NAMED).join(', ');
      const more = others.length > COPIES_NAMED ? ` and ${others.length - COPIES_NAMED} more` : '';
      const record = records[at]!;
      records[at] = { ...record, notes: [...record.notes, flat(`same certificate as ${named}${more}`)] };
    });
  }
}

/**
 * The positions in `records` of each group of two or more records with one key (their SHA-256, else their
 * reference: the two cannot collide). This runs with the whole report alive, so it must not add to its peak: the
 * keyed positions are sorted by key in one typed array (4 bytes a record, outside the heap) and groups read off
 * neighbours, rather than a map of every record's key (~40 bytes a record, and its garbage as it grows).
 */
function copiesIn(records: readonly CertificateRecord[]): number[][] {
  const keyOf = (at: number) => {
    const record = records[at]!;
    return record.fingerprintSha256 ?? record.certificateRef;
  };
  let keyed = 0;
  const positions = new Int32Array(records.length);
  for (let at = 0; at < records.length; at++) if (keyOf(at)) positions[keyed++] = at;
  const sorted = positions.subarray(0, keyed);
  // Equal keys are neighbours; among them, report order (the stable sort keeps it).
  sorted.sort((a, b) => {
    const keyA = keyOf(a)!;
    const keyB = keyOf(b)!;
    return keyA === keyB ? a - b : keyA < keyB ? -1 : 1;
  });
  const groups: number[][] = [];
  for (let start = 0; start < keyed; ) {
    let end = start + 1;
    while (end < keyed && keyOf(sorted[end]!) === keyOf(sorted[start]!)) end++;
    if (end - start > 1) groups.push(Array.from(sorted.subarray(start, end)));
    start = end;
  }
  return groups;
}

/**
 * A certificate an API lists with neither an expiry nor a PEM, only something that names another copy: its SHA-1
 * (older SLB replies) or its CAS id (ALB and NLB listeners name the CAS certificate they serve).
 */
export function isKnownOnlyByReference(cert: ObservedCertificate): boolean {
  return !cert.apiNotAfter && !cert.chain && Boolean(cert.apiFingerprintSha1 || cert.casCertificateId);
}

/** The leaf's names, common name first, once each: its own SAN list when that already is the answer. */
function leafNames(commonName: string | null, dnsNames: string[]): string[] {
  const sanListIsTheAnswer =
    (commonName === null || dnsNames[0] === commonName) &&
    dnsNames.every((name, index) => name !== '' && dnsNames.indexOf(name) === index);
  return sanListIsTheAnswer ? dnsNames : [...new Set([commonName ?? '', ...dnsNames].filter(Boolean))];
}

/** What the scan remembers of a certificate it saw, by SHA-1 fingerprint and by CAS id. */
export interface LeafFingerprint {
  /** Null for a CAS certificate whose SHA-1 CAS does not state. */
  fingerprintSha1: string | null;
  /** Absent in what shards wrote before CAS was scanned. */
  fingerprintSha256?: string | null;
  /** Its CAS id in its account (lib/model.ts casKey), when it is a CAS certificate. */
  casCertificateId?: string | null;
  /** When it stops serving: the leaf's notAfter from a PEM, the earliest stated date from an API. */
  notAfterMs: number;
  names: string[];
  /**
   * The certificate it was seen as, `provider/service id` (placeOf): in a scan its record itself, which the report
   * holds anyway, rather than one more string per certificate; as text in what a shard wrote.
   */
  where: string | SeenAs;
  /** True when an API stated it (no PEM was read): a leaf read from a PEM takes its place. */
  stated?: boolean;
}

/** Where a certificate was seen: its record, or anything naming it as a record does. */
export type SeenAs = Pick<CertificateRecord, 'provider' | 'service' | 'id'>;

/** `provider/service id` of where a remembered certificate was seen. */
export function placeOf(leaf: LeafFingerprint): string {
  const { where } = leaf;
  return typeof where === 'string' ? where : `${where.provider}/${where.service} ${where.id}`;
}

/** How much an entry says: a leaf read from a PEM, then one an API stated with its SHA-256, then one without. */
function rank(leaf: LeafFingerprint): number {
  if (!leaf.stated) return 2;
  return leaf.fingerprintSha256 ? 1 : 0;
}

/**
 * The certificates seen in this scan, by what identifies them beside their SHA-256: the SHA-1 fingerprint of every
 * leaf read from a PEM or stated by an API with its expiry, and the CAS id of every CAS certificate. Two uses:
 * - a certificate an API lists only by reference (isKnownOnlyByReference) is the same certificate as the one it
 *   names, so it expires when that one does (`resolve`);
 * - copies that the PEM did not identify (no SHA-256 of their own) are tied to the SHA-256 of the certificate they
 *   name, so every copy of one certificate has the same identity (`linkCopies`, lib/model.ts identityOf).
 * A sharded run (lib/shard) keeps each shard's `entries()` and does both across shards once they are all in.
 */
export class LeafIndex {
  private readonly bySha1 = new Map<string, LeafFingerprint>();
  private readonly byCas = new Map<string, LeafFingerprint>();

  /** Remembers `cert`, seen as `record` (its evaluated record, or anything naming it so). */
  remember(cert: ObservedCertificate, record: SeenAs): void {
    const leaf = cert.chain?.leaf;
    // Kept in its account: a listener of one account never takes another account's CAS certificate of that id.
    const casCertificateId = cert.casCertificateId ? casKey(cert.casCertificateId, cert.account) : null;
    if (leaf) {
      const known = this.bySha1.get(leaf.fingerprintSha1);
      if (known && !known.stated && (!casCertificateId || this.byCas.has(casCertificateId))) return;
      // One entry per leaf of a 100,000-certificate scan: the leaf's own name list when it already is the
      // answer, and `where` in one piece (lib/report/compact.ts), keep it to about 150 bytes.
      this.add({
        fingerprintSha1: leaf.fingerprintSha1,
        fingerprintSha256: leaf.fingerprintSha256,
        ...(casCertificateId ? { casCertificateId } : {}),
        notAfterMs: leaf.notAfterMs,
        names: leafNames(leaf.commonName, leaf.dnsNames),
        where: record,
      });
      return;
    }
    const sha1 = cert.apiFingerprintSha1 ?? null;
    if (!cert.apiNotAfter || !(sha1 || casCertificateId)) return;
    const sha256 = cert.apiFingerprintSha256 ?? null;
    // A date an API states with only a SHA-1 (SLB's list) ties nothing a PEM's leaf would not: not kept, so that
    // 100,000 such rows do not each cost an entry.
    if (!sha256 && !casCertificateId) return;
    const known = sha1 ? this.bySha1.get(sha1) : undefined;
    const better = sha1 !== null && (!known || rank(known) < (sha256 ? 1 : 0));
    if (!better && (!casCertificateId || this.byCas.has(casCertificateId))) return;
    const earliest = Math.min(
      cert.apiNotAfter.epochMs,
      ...(cert.apiIntermediates ?? []).map((intermediate) => intermediate.notAfterMs),
    );
    this.add({
      fingerprintSha1: sha1,
      fingerprintSha256: sha256,
      casCertificateId,
      notAfterMs: earliest,
      names: cert.domains,
      where: record,
      stated: true,
    });
  }

  /**
   * Remembers a certificate seen elsewhere. By SHA-1, the first leaf read from a PEM is kept; one an API stated
   * only until a PEM's comes, and one without a SHA-256 only until one with it comes; by CAS id, the first. So the
   * index holds the same whatever order the sources (or shards) report in.
   */
  add(leaf: LeafFingerprint): void {
    const sha1 = leaf.fingerprintSha1;
    if (sha1) {
      const known = this.bySha1.get(sha1);
      if (!known || rank(known) < rank(leaf)) this.bySha1.set(sha1, leaf);
    }
    const cas = leaf.casCertificateId;
    if (cas && !this.byCas.has(cas)) this.byCas.set(cas, leaf);
  }

  /** Every entry, `where` as text (a shard writes them). */
  entries(): LeafFingerprint[] {
    return [...new Set([...this.bySha1.values(), ...this.byCas.values()])].map((leaf) =>
      typeof leaf.where === 'string' ? leaf : { ...leaf, where: placeOf(leaf) },
    );
  }

  /** The certificate with the expiry of the copy it names, or with a note saying none was seen. */
  resolve(cert: ObservedCertificate): ObservedCertificate {
    const cas = cert.casCertificateId ?? null;
    const byCas = cas ? this.byCas.get(casKey(cas, cert.account)) : undefined;
    const twin = byCas ?? (cert.apiFingerprintSha1 ? this.bySha1.get(cert.apiFingerprintSha1) : undefined);
    if (!twin) {
      return {
        ...cert,
        notes: [
          ...cert.notes,
          cas
            ? `the API gives no expiry, and CAS certificate ${cas} was not seen in this scan (is CAS scanned?)`
            : 'the API gives no expiry, and no certificate with its SHA-1 fingerprint was seen elsewhere in this scan',
        ],
      };
    }
    return {
      ...cert,
      domains: cert.domains.length > 0 ? cert.domains : twin.names,
      apiNotAfter: { epochMs: twin.notAfterMs, source: `${byCas ? 'cas' : 'fingerprint'}:${placeOf(twin)}` },
      apiFingerprintSha256: cert.apiFingerprintSha256 ?? twin.fingerprintSha256 ?? null,
      apiFingerprintSha1: cert.apiFingerprintSha1 ?? twin.fingerprintSha1,
    };
  }

  /**
   * Ties each record that has no SHA-256 of its own to the SHA-256 (else the SHA-1) of the certificate its
   * reference names, so that all copies of one certificate share one identity. Replaces those records in `records`
   * by tied copies; the records themselves are not changed.
   */
  linkCopies(records: CertificateRecord[]): void {
    for (const [at, record] of records.entries()) {
      const ref = record.certificateRef;
      if (record.fingerprintSha256 || !ref) continue;
      const twin = ref.startsWith('cas:')
        ? this.byCas.get(ref.slice(4))
        : ref.startsWith('sha1:')
          ? this.bySha1.get(ref.slice(5))
          : undefined;
      if (twin?.fingerprintSha256) {
        records[at] = { ...record, fingerprintSha256: twin.fingerprintSha256, certificateRef: undefined };
      } else if (twin?.fingerprintSha1 && ref.startsWith('cas:')) {
        records[at] = { ...record, certificateRef: flat(`sha1:${twin.fingerprintSha1}`) };
      }
    }
    tieDeployedCopies(records);
  }
}

/**
 * A CDN or DCDN HTTPS domain states its certificate's expiry but no fingerprint; CAS says where each of its
 * certificates is deployed (ListCloudResources, the record's `boundTo`). A record with no identity that CAS names as
 * a place of one of its certificates, in the same account, and that expires when that certificate does, is that
 * certificate: it takes its SHA-256, so it is alerted once with it rather than once more on its own. Places named by
 * two CAS certificates, or a different expiry (the domain serves another certificate by now), tie nothing.
 */
function tieDeployedCopies(records: CertificateRecord[]): void {
  const placeOf = (record: CertificateRecord, place: string) =>
    `${record.account?.id ?? record.account?.name ?? ''}\n${place}`;
  const deployed = new Map<string, CertificateRecord | null>();
  for (const record of records) {
    if (record.service !== 'cas' || !record.fingerprintSha256) continue;
    for (const place of record.boundTo) {
      const key = placeOf(record, place);
      deployed.set(key, deployed.has(key) ? null : record);
    }
  }
  if (deployed.size === 0) return;
  for (const [at, record] of records.entries()) {
    if (
      record.service === 'cas' ||
      record.fingerprintSha256 ||
      record.certificateRef ||
      record.notAfterMs === null
    ) {
      continue;
    }
    const owners = new Set(record.boundTo.map((place) => deployed.get(placeOf(record, place)) ?? null));
    const [owner] = owners;
    if (owners.size !== 1 || !owner || owner.notAfterMs !== record.notAfterMs) continue;
    records[at] = { ...record, fingerprintSha256: owner.fingerprintSha256 };
  }
}
