/** Hand-made reports for the alert tests: small, readable, with only the fields each test is about changed. */
import { createHash } from 'node:crypto';
import { buildAlertDigest } from '../../lib/alerts/digest';
import { planAlerts } from '../../lib/alerts/plan';
import type { CertificateRecord, ScanReport, SourceFailure } from '../../lib/model';
import type { ReportJson } from '../../lib/report/json';

export const NOW = '2026-11-23T05:00:00Z';

/** An ISO 8601 instant as epoch ms (the record's and the report's form); null stays null, text that is no date NaN. */
export function ms(iso: string): number;
export function ms(iso: string | null): number | null;
export function ms(iso: string | null): number | null {
  if (iso === null) return null;
  return Date.parse(iso);
}

/** A record's fields, with its instants given as ISO text (as the report writes them) or as ms. */
export type RecordOverrides = Partial<CertificateRecord> & {
  notAfter?: string | null;
  leafNotAfter?: string | null;
  notBefore?: string | null;
};

/** A record from overrides that may give instants as ISO text. */
export function withInstants<T extends Partial<CertificateRecord>>(
  overrides: T & { notAfter?: string | null; leafNotAfter?: string | null; notBefore?: string | null },
): Omit<T, 'notAfter' | 'leafNotAfter' | 'notBefore'> {
  const { notAfter, leafNotAfter, notBefore, ...rest } = overrides;
  return {
    ...rest,
    ...(notAfter === undefined ? {} : { notAfterMs: ms(notAfter) }),
    ...(leafNotAfter === undefined ? {} : { leafNotAfterMs: ms(leafNotAfter) }),
    ...(notBefore === undefined ? {} : { notBeforeMs: ms(notBefore) }),
  };
}

/** Fingerprints fingerprintOf made: a record spread into cert() with a new id carries one of these. */
const madeUp = new Set<string>();

/** The SHA-256 `cert()` gives a certificate with this id: distinct ids, distinct certificates. */
export function fingerprintOf(id: string): string {
  const fingerprint = createHash('sha256').update(id).digest('hex');
  madeUp.add(fingerprint);
  return fingerprint;
}

/**
 * A certificate that is fine; override what the test is about (instants as ISO text or as ms). Its fingerprint
 * follows its id (fingerprintOf), also when another record made here is spread in with a new id: two records are
 * copies of one certificate only when a test gives them a fingerprint of its own.
 */
export function cert(overrides: RecordOverrides = {}): CertificateRecord {
  const id = overrides.id ?? 'ssl-ok';
  const given = overrides.fingerprintSha256;
  const fingerprintSha256 =
    given === undefined || (given !== null && madeUp.has(given)) ? fingerprintOf(id) : given;
  const record: CertificateRecord = {
    provider: 'ucloud',
    service: 'ulb',
    region: 'cn-bj2',
    project: 'org-x',
    id: 'ssl-ok',
    name: 'ok-cert',
    domains: ['ok.example.com'],
    notAfterMs: ms('2027-06-01T00:00:00Z'),
    leafNotAfterMs: ms('2027-06-01T00:00:00Z'),
    daysLeft: 189,
    status: 'ok',
    inUse: true,
    boundTo: ['ulb-ok/vserver-443'],
    fingerprintSha256,
    expirySource: 'pem:leaf',
    notes: [],
    ...withInstants(overrides),
  };
  record.fingerprintSha256 = fingerprintSha256;
  return record;
}

export function failure(overrides: Partial<SourceFailure> = {}): SourceFailure {
  return {
    provider: 'ucloud',
    service: 'ulb',
    region: 'cn-sh2',
    project: 'org-x',
    message: 'UCloud DescribeULB in cn-sh2 (project org-x): HTTP 503 after 3 attempts',
    ...overrides,
  };
}

export function report(certificates: CertificateRecord[], failures: SourceFailure[] = []): ScanReport {
  return { generatedAtMs: ms(NOW), nowMs: ms(NOW), complete: failures.length === 0, certificates, failures };
}

/** The digest of a first run over these certificates: everything that needs action is new. */
export function digestOf(certificates: CertificateRecord[], failures: SourceFailure[] = []) {
  const scan = report(certificates, failures);
  const plan = planAlerts(scan, {
    nowMs: scan.nowMs,
    history: new Map(),
    assess: (record) =>
      record.status === 'ok'
        ? null
        : { rung: record.status, severity: record.status === 'unknown' ? 'warning' : record.status },
  });
  return buildAlertDigest(scan, plan);
}

/** A report from the contract's JSON document (the handler's audit, `--format json`): instants back to ms. */
export function fromReportJson(json: unknown): ScanReport {
  const { generatedAt, now, certificates, ...rest } = json as ReportJson;
  return {
    ...rest,
    generatedAtMs: ms(generatedAt),
    nowMs: ms(now),
    certificates: certificates.map(({ identity, account, ...row }) => ({
      ...(withInstants(row) as CertificateRecord),
      ...(account ? { account } : {}),
      // A row's identity is its SHA-256 when it has one, else the record's reference (lib/model.ts identityOf).
      ...(identity && !identity.startsWith('sha256:') ? { certificateRef: identity } : {}),
    })),
  };
}
