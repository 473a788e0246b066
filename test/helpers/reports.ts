/** Hand-made reports for the alert tests: small, readable, with only the fields each test is about changed. */
import { buildAlertDigest } from '../../lib/alerts/digest';
import { planAlerts } from '../../lib/alerts/plan';
import type { CertificateRecord, ScanReport, SourceFailure } from '../../lib/model';

export const NOW = '2026-11-23T05:00:00Z';

/** A certificate that is fine; override what the test is about. */
export function cert(overrides: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    provider: 'ucloud',
    service: 'ulb',
    region: 'cn-bj2',
    project: 'org-x',
    id: 'ssl-ok',
    name: 'ok-cert',
    domains: ['ok.example.com'],
    notAfter: '2027-06-01T00:00:00Z',
    leafNotAfter: '2027-06-01T00:00:00Z',
    daysLeft: 189,
    status: 'ok',
    inUse: true,
    boundTo: ['ulb-ok/vserver-443'],
    fingerprintSha256: 'ab'.repeat(32),
    expirySource: 'pem:leaf',
    notes: [],
    ...overrides,
  };
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
  return { generatedAt: NOW, now: NOW, complete: failures.length === 0, certificates, failures };
}

/** The digest of a first run over these certificates: everything that needs action is new. */
export function digestOf(certificates: CertificateRecord[], failures: SourceFailure[] = []) {
  const scan = report(certificates, failures);
  const plan = planAlerts(scan, {
    nowMs: Date.parse(scan.now),
    history: new Map(),
    assess: (record) =>
      record.status === 'ok'
        ? null
        : { rung: record.status, severity: record.status === 'unknown' ? 'warning' : record.status },
  });
  return buildAlertDigest(scan, plan);
}
