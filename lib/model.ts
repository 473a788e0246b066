/**
 * The shapes every provider maps into and every consumer (report, alerts, CLI) reads.
 * Nothing in here knows a cloud's wire format.
 */
import type { CertificateChain } from './pem/chain';

export type Status = 'ok' | 'warning' | 'critical' | 'expired' | 'unknown';

/** Most severe first: the order people read a report in. */
export const STATUS_ORDER: readonly Status[] = ['expired', 'critical', 'warning', 'unknown', 'ok'];

/**
 * The cloud account a certificate or failure belongs to, where a provider reads more than one: its id (null when
 * certwatch was not told it and has no way to learn it, as for the account of the configured keys) and the name
 * people know it by.
 */
export interface AccountRef {
  id: string | null;
  name: string;
}

/** Where a certificate lives: one provider service in one region (and project, where the cloud has them). */
export interface SourceLocation {
  provider: string;
  service: string;
  region: string | null;
  project: string | null;
  /** Absent for a provider that reads one account only (UCloud). */
  account?: AccountRef;
}

/**
 * A certificate as a provider saw it, before evaluation. Providers build these from wire data;
 * `chain` is the parsed PEM (never the PEM text, never a key).
 */
export interface ObservedCertificate extends SourceLocation {
  region: string;
  id: string;
  name: string;
  domains: string[];
  /** Expiry the API states, with the field it came from (e.g. "api:NotAfter"). */
  apiNotAfter: { epochMs: number; source: string } | null;
  chain: CertificateChain | null;
  /**
   * SHA-1 of the certificate as the API states it (lowercase hex), when the API gives no date and no PEM (older
   * SLB replies): the scan then takes the expiry from a certificate with this fingerprint seen elsewhere.
   */
  apiFingerprintSha1?: string | null;
  /**
   * SHA-256 of the leaf as the API states it (lowercase hex), when there is no PEM to take it from (CAS `Sha2`):
   * what ties this copy to the same certificate stored or bound elsewhere.
   */
  apiFingerprintSha256?: string | null;
  /**
   * The expiry of each certificate above the leaf as the API states it, when there is no PEM to read them from
   * (CAS `CertChain`): the certificate stops serving at the earliest of these and the leaf's.
   */
  apiIntermediates?: ApiIntermediate[];
  /**
   * The Certificate Management Service (CAS) id of this certificate, when it is one (a CAS certificate, or an ALB
   * or NLB listener's certificate that names one). A certificate with no expiry of its own takes it from the CAS
   * certificate with this id in the same account.
   */
  casCertificateId?: string | null;
  /**
   * What the provider itself says of the certificate's expiry (Alibaba CDN's `CertStatus`), when it says it is
   * expired or expiring: evaluation notes it only where certwatch's own status, from the expiry date, disagrees.
   */
  apiStatus?: ApiStatus | null;
  inUse: boolean | null;
  boundTo: string[];
  notes: string[];
}

/** A provider's own verdict on a certificate's expiry: `said` names it in words (`Alibaba's CertStatus expired`). */
export interface ApiStatus {
  said: string;
  means: 'expired' | 'expiring';
}

/**
 * One certificate of a report, as the program holds it: instants as epoch ms. lib/report/json.ts writes it as a
 * row of the report contract (README "Report contract"), with ISO text.
 */
export interface CertificateRecord {
  provider: string;
  service: string;
  region: string;
  project: string | null;
  /** The account it is stored in (Alibaba Cloud); absent for a provider that reads one account only. */
  account?: AccountRef | undefined;
  id: string;
  name: string;
  domains: string[];
  /** Effective expiry (epoch ms): the earliest notAfter of the chain. The report writes it as `notAfter` (ISO). */
  notAfterMs: number | null;
  /** The leaf's own notAfter (epoch ms); written as `leafNotAfter`. */
  leafNotAfterMs: number | null;
  /**
   * The leaf's notBefore (epoch ms, from the PEM), for rungs measured as a share of the certificate's lifetime;
   * written as `notBefore`.
   */
  notBeforeMs?: number | null;
  daysLeft: number | null;
  status: Status;
  inUse: boolean | null;
  boundTo: string[];
  /** The leaf's SHA-256 (lowercase hex): from its PEM, as the API states it, or from the copy it names. */
  fingerprintSha256: string | null;
  /**
   * What identifies the certificate when its SHA-256 is not known: `sha1:<hex>` (the API's SHA-1) or `cas:<id>`
   * (the CAS certificate it is, or names). Absent when the SHA-256 is known from the start, or nothing identifies it.
   */
  certificateRef?: string | undefined;
  expirySource: string;
  notes: string[];
}

/**
 * What makes rows the same certificate: `sha256:<hex>`, else the record's `certificateRef`; null when nothing
 * identifies it (it is then a certificate of its own). Copies of one certificate in several places (CAS, CDN, SLB,
 * a listener) have the same identity once the scan has tied them together (lib/scan.ts LeafIndex.linkCopies).
 */
export function identityOf(
  record: Pick<CertificateRecord, 'fingerprintSha256' | 'certificateRef'>,
): string | null {
  if (record.fingerprintSha256) return `sha256:${record.fingerprintSha256}`;
  return record.certificateRef ?? null;
}

/**
 * A CAS certificate id as it is unique: CAS numbers certificates per account, so the same id in another account is
 * another certificate. `<id>@<account id or name>` for a record of a named account, the bare id otherwise.
 */
export function casKey(id: string, account: AccountRef | undefined): string {
  const owner = account?.id ?? account?.name;
  return owner ? `${id}@${owner}` : id;
}

/** A certificate above the leaf, as an API states it without its PEM. */
export interface ApiIntermediate {
  subject: string;
  notAfterMs: number;
  /** The field it came from: `api:CertChain`. */
  source: string;
}

/** A source (provider service × region × project) that could not be read completely. */
export interface SourceFailure extends SourceLocation {
  message: string;
}

/** A scan's result. Instants are epoch ms; the JSON report (lib/report/json.ts) writes them as ISO text. */
export interface ScanReport {
  /** When the scan finished (written as `generatedAt`). */
  generatedAtMs: number;
  /** The instant the certificates were judged at (written as `now`). */
  nowMs: number;
  complete: boolean;
  certificates: CertificateRecord[];
  failures: SourceFailure[];
}
