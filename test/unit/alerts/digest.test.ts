import { describe, expect, it } from 'vitest';
import { buildDigest, fitSubject, SUBJECT_MAX_LENGTH } from '../../../lib/alerts/digest';
import type { CertificateRecord } from '../../../lib/model';
import { cert, failure, report } from '../../helpers/reports';

const expired = cert({
  id: 'ssl-1',
  name: 'shop-2025',
  status: 'expired',
  daysLeft: -3,
  notAfter: '2026-11-20T00:00:00Z',
  leafNotAfter: '2026-11-20T00:00:00Z',
  domains: ['shop.example.com', 'www.shop.example.com'],
  boundTo: ['ulb-a1b2/vserver-443'],
});
const critical = cert({
  id: 'ssl-2',
  name: 'api',
  status: 'critical',
  daysLeft: 5,
  notAfter: '2026-11-28T12:00:00Z',
  leafNotAfter: '2027-03-01T00:00:00Z',
  domains: ['api.example.com'],
  expirySource: 'pem:intermediate',
  notes: ['intermediate "CN=Old CA" expires 2026-11-28T12:00:00Z, before the leaf (2027-03-01T00:00:00Z)'],
});
const warning = cert({
  id: 'ssl-3',
  name: 'legacy',
  status: 'warning',
  daysLeft: 20,
  notAfter: '2026-12-13T09:30:00Z',
  leafNotAfter: '2026-12-13T09:30:00Z',
  domains: ['legacy.example.com'],
  region: 'cn-gd',
  project: null,
  inUse: false,
  boundTo: [],
  expirySource: 'api:NotAfter',
});
const unknown = cert({
  id: 'ssl-4',
  name: 'mystery',
  status: 'unknown',
  daysLeft: null,
  notAfter: null,
  leafNotAfter: null,
  domains: [],
  inUse: null,
  boundTo: [],
  expirySource: 'none',
  notes: ['expiry unknown: the API gave no date and no readable certificate'],
});

describe('buildDigest', () => {
  it('says nothing when every certificate is ok and every source was read', () => {
    expect(buildDigest(report([cert(), cert({ id: 'ssl-ok-2' })]))).toBeNull();
    expect(buildDigest(report([]))).toBeNull();
  });

  it('always sends a digest for an incomplete scan, naming each failed source', () => {
    const digest = buildDigest(
      report(
        [cert()],
        [
          failure(),
          failure({
            provider: 'aliyun',
            service: 'cdn',
            region: null,
            project: null,
            message: 'Forbidden.RAM',
          }),
        ],
      ),
    );
    expect(digest).not.toBeNull();
    expect(digest?.subject).toBe(
      'certwatch: scan INCOMPLETE (2 sources failed); nothing due in the sources that were read',
    );
    const body = digest?.body ?? '';
    expect(body).toContain('== Could not check (2 sources) ==');
    expect(body).toContain('must not be taken as "all clear"');
    expect(body).toContain('* aliyun / cdn\n  Location:     (all regions)\n  Error:        Forbidden.RAM');
    expect(body).toContain('Location:     cn-sh2, project org-x');
    expect(body).toContain('UCloud DescribeULB in cn-sh2 (project org-x): HTTP 503 after 3 attempts');
  });

  it('treats complete=false without listed failures as incomplete too', () => {
    const digest = buildDigest({ ...report([cert()]), complete: false });
    expect(digest?.subject).toBe('certwatch: scan INCOMPLETE; nothing due in the sources that were read');
    expect(digest?.body).toContain('SCAN INCOMPLETE');
  });

  it('shows what a small digest looks like', () => {
    const digest = buildDigest(report([cert(), warning, unknown, critical, expired], [failure()]));
    expect(digest?.subject).toBe(
      'certwatch: scan INCOMPLETE (1 source failed); 4 certificates need action (1 expired, ...)',
    );
    expect(digest?.body).toBe(
      [
        'certwatch digest for the scan at 2026-11-23 05:00:00 UTC',
        '5 certificates checked; 4 need action (1 expired, 1 critical, 1 warning, 1 unknown expiry)',
        'SCAN INCOMPLETE: 1 source could not be checked (see "Could not check" below).',
        '',
        '== Expired (1) ==',
        '',
        '* shop-2025 (ssl-1)',
        '  Provider:     ucloud / ulb',
        '  Location:     cn-bj2, project org-x',
        '  Domains:      shop.example.com, www.shop.example.com',
        '  Expires:      2026-11-20 00:00:00 UTC, expired 3 days ago (from pem:leaf)',
        '  Bound to:     ulb-a1b2/vserver-443',
        '',
        '== Critical (1) ==',
        '',
        '* api (ssl-2)',
        '  Provider:     ucloud / ulb',
        '  Location:     cn-bj2, project org-x',
        '  Domains:      api.example.com',
        '  Expires:      2026-11-28 12:00:00 UTC, 5 days left (from pem:intermediate)',
        '  Leaf expires: 2027-03-01 00:00:00 UTC',
        '  Bound to:     ulb-ok/vserver-443',
        '  Note:         intermediate "CN=Old CA" expires 2026-11-28T12:00:00Z, before the leaf',
        '                (2027-03-01T00:00:00Z)',
        '',
        '== Warning (1) ==',
        '',
        '* legacy (ssl-3)',
        '  Provider:     ucloud / ulb',
        '  Location:     cn-gd',
        '  Domains:      legacy.example.com',
        '  Expires:      2026-12-13 09:30:00 UTC, 20 days left (from api:NotAfter)',
        '  Bound to:     not bound to any listener',
        '',
        '== Unknown: could not determine expiry (1) ==',
        '',
        '* mystery (ssl-4)',
        '  Provider:     ucloud / ulb',
        '  Location:     cn-bj2, project org-x',
        '  Domains:      (none listed)',
        '  Expires:      unknown',
        '  Bound to:     (unknown)',
        '  Note:         expiry unknown: the API gave no date and no readable certificate',
        '',
        '== Could not check (1 source) ==',
        'This report is INCOMPLETE: certificates in these sources were not checked, so the absence of an',
        'alert for them must not be taken as "all clear".',
        '',
        '* ucloud / ulb',
        '  Location:     cn-sh2, project org-x',
        '  Error:        UCloud DescribeULB in cn-sh2 (project org-x): HTTP 503 after 3 attempts',
        '',
        '--',
        '5 certificates checked in total: 1 ok, 4 need action.',
        'Sources that could not be read are not included in these numbers.',
        '',
      ].join('\n'),
    );
  });

  it('gives the full count breakdown in the subject when it fits', () => {
    expect(buildDigest(report([expired, critical, cert({ ...critical, id: 'ssl-2b' })]))?.subject).toBe(
      'certwatch: 3 certificates need action (1 expired, 2 critical)',
    );
    expect(buildDigest(report([warning]))?.subject).toBe('certwatch: 1 certificate needs action (1 warning)');
  });

  it('groups by status, most severe first, each group by days left then provider, region, name, id', () => {
    const certs: CertificateRecord[] = [
      cert({ ...warning, id: 'w-late', name: 'b', daysLeft: 25 }),
      cert({ ...warning, id: 'w-z', name: 'a', daysLeft: 10, provider: 'ucloud' }),
      cert({ ...warning, id: 'w-a', name: 'a', daysLeft: 10, provider: 'aliyun' }),
      cert({ ...warning, id: 'w-region', name: 'a', daysLeft: 10, provider: 'aliyun', region: 'cn-aa' }),
      cert({ ...warning, id: 'w-id2', name: 'c', daysLeft: 12 }),
      cert({ ...warning, id: 'w-id1', name: 'c', daysLeft: 12 }),
      cert({ ...expired, id: 'e-old', daysLeft: -40 }),
      cert({ ...expired, id: 'e-new', daysLeft: -1 }),
      cert({ ...critical, id: 'c-1' }),
      unknown,
    ];
    const body = buildDigest(report(certs))?.body ?? '';
    const ids = [...body.matchAll(/^\* .* \((.+)\)$/gm)].map((match) => match[1]);
    expect(ids).toEqual([
      'e-old',
      'e-new',
      'c-1',
      'w-region',
      'w-a',
      'w-z',
      'w-id1',
      'w-id2',
      'w-late',
      'ssl-4',
    ]);
    const headings = [...body.matchAll(/^== (.+) ==$/gm)].map((match) => match[1]);
    expect(headings).toEqual([
      'Expired (2)',
      'Critical (1)',
      'Warning (6)',
      'Unknown: could not determine expiry (1)',
    ]);
  });

  it('prints the same text whatever order the report lists certificates in', () => {
    const certs = [expired, critical, warning, unknown, cert()];
    const forward = buildDigest(report(certs));
    const backward = buildDigest(report([...certs].reverse()));
    expect(backward).toEqual(forward);
  });

  it('keeps the subject within 100 characters even with huge counts and many failures', () => {
    const many = (base: CertificateRecord, n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...base, id: `${base.id}-${i}` }));
    const certs = [...many(expired, 12_345), ...many(critical, 9_876), ...many(warning, 5_555), unknown];
    const failures = Array.from({ length: 54_321 }, (_, i) => failure({ region: `r-${i}` }));
    const digest = buildDigest(report(certs, failures));
    expect(digest?.subject.length).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
    expect(digest?.subject).toBe(
      'certwatch: scan INCOMPLETE (54321 sources failed); 27777 certificates need action',
    );
    const complete = buildDigest(report(certs));
    expect(complete?.subject.length).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
  });

  it('words days left and expiry from the report clock', () => {
    const body = (c: CertificateRecord) => buildDigest(report([c]))?.body ?? '';
    expect(body(cert({ ...critical, daysLeft: 0, notAfter: '2026-11-23T20:00:00Z' }))).toContain(
      'less than a day left',
    );
    expect(body(cert({ ...critical, daysLeft: 1, notAfter: '2026-11-24T20:00:00Z' }))).toContain(
      '1 day left',
    );
    // Expired 2 hours before the scan: daysLeft is -1 (rounded down), but a full day has not passed.
    expect(body(cert({ ...expired, daysLeft: -1, notAfter: '2026-11-23T03:00:00Z' }))).toContain(
      'expired less than a day ago',
    );
    expect(body(cert({ ...expired, daysLeft: -2, notAfter: '2026-11-22T03:00:00Z' }))).toContain(
      'expired 1 day ago',
    );
  });

  it('wraps long domain lists between names and keeps lines under 100 characters', () => {
    const domains = Array.from({ length: 40 }, (_, i) => `service-${i}.eu-west.example.com`);
    const body = buildDigest(
      report([cert({ ...critical, domains, boundTo: domains.map((d) => `ulb/${d}`) })]),
    )?.body;
    const lines = (body ?? '').split('\n');
    for (const line of lines) expect(line.length).toBeLessThan(100);
    const domainLines = lines.filter((line) => line.includes('.eu-west.example.com'));
    for (const line of domainLines) expect(line).toMatch(/^ {2}(Domains: {6}|Bound to: {5}| {14})\S/);
    expect(body).toContain('service-39.eu-west.example.com\n');
  });

  it('prints nothing a report row does not have (no fingerprints, no key material)', () => {
    const body = buildDigest(report([expired]))?.body ?? '';
    expect(body).not.toContain('ab'.repeat(32));
    expect(body).not.toMatch(/BEGIN|PRIVATE/);
  });
});

describe('fitSubject', () => {
  it('leaves short text alone and cuts long text at a word, ending in "..."', () => {
    expect(fitSubject('short')).toBe('short');
    const cut = fitSubject(`certwatch: ${'word '.repeat(40)}`);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).toMatch(/word\.\.\.$/);
  });

  it('never splits a surrogate pair', () => {
    const cut = fitSubject('🔒'.repeat(150), 10);
    expect(Array.from(cut)).toHaveLength(10);
    expect(cut).toBe(`${'🔒'.repeat(7)}...`);
  });
});
