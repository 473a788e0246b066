import { describe, expect, it } from 'vitest';
import { fitSubject, SUBJECT_MAX_LENGTH } from '../../../lib/alerts/digest';
import type { CertificateRecord } from '../../../lib/model';
import { cert, digestOf, failure, fingerprintOf } from '../../helpers/reports';

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

describe('buildAlertDigest, as an email reads', () => {
  it('gives the count breakdown in the subject when it fits', () => {
    expect(
      digestOf([expired, critical, cert({ ...critical, id: 'ssl-2b', domains: ['b.example'] })])?.subject,
    ).toBe('certwatch: 3 new alerts (1 expired, 2 critical)');
    expect(digestOf([warning])).toBeNull();
    expect(digestOf([{ ...warning, inUse: true, boundTo: ['lb/1'] }])?.subject).toBe(
      'certwatch: 1 new alert (1 warning)',
    );
  });

  it('groups new alerts by severity, most severe first, each by days left, then name and place', () => {
    const bound = { inUse: true, boundTo: ['lb/1'] };
    const certs: CertificateRecord[] = [
      cert({ ...warning, ...bound, id: 'w-late', name: 'b', daysLeft: 25, domains: ['w-late.example'] }),
      cert({
        ...warning,
        ...bound,
        id: 'w-z',
        name: 'a',
        daysLeft: 10,
        provider: 'ucloud',
        domains: ['w-z.example'],
      }),
      cert({
        ...warning,
        ...bound,
        id: 'w-a',
        name: 'a',
        daysLeft: 10,
        provider: 'aliyun',
        domains: ['w-a.example'],
      }),
      cert({ ...warning, ...bound, id: 'w-id2', name: 'c', daysLeft: 12, domains: ['w-id2.example'] }),
      cert({ ...warning, ...bound, id: 'w-id1', name: 'c', daysLeft: 12, domains: ['w-id1.example'] }),
      cert({
        ...expired,
        id: 'e-old',
        daysLeft: -40,
        notAfter: '2026-10-14T00:00:00Z',
        domains: ['e-old.example'],
      }),
      cert({ ...expired, id: 'e-new', daysLeft: -1, domains: ['e-new.example'] }),
      cert({ ...critical, id: 'c-1' }),
    ];
    const body = digestOf(certs)?.body ?? '';
    const ids = [...body.matchAll(/^\* .* \((.+)\)$/gm)].map((match) => match[1]);
    expect(ids).toEqual(['e-old', 'e-new', 'c-1', 'w-a', 'w-z', 'w-id1', 'w-id2', 'w-late']);
    const headings = [...body.matchAll(/^-- (.+) --$/gm)].map((match) => match[1]);
    expect(headings).toEqual(['Expired (2)', 'Critical (1)', 'Warning (5)']);
  });

  it('prints the same text whatever order the report lists certificates in', () => {
    const certs = [expired, critical, { ...warning, inUse: true, boundTo: ['lb/1'] }, unknown, cert()];
    expect(digestOf([...certs].reverse())).toEqual(digestOf(certs));
  });

  it('keeps the subject within 100 characters even with huge counts and many failures', () => {
    const many = (base: CertificateRecord, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        ...base,
        id: `${base.id}-${i}`,
        domains: [`${base.id}-${i}.example`],
        // Distinct certificates: copies of one would be one alert.
        fingerprintSha256: fingerprintOf(`${base.id}-${i}`),
      }));
    const certs = [...many(expired, 1_234), ...many(critical, 987), unknown];
    const failures = Array.from({ length: 54_321 }, (_, i) => failure({ region: `r-${i}` }));
    const digest = digestOf(certs, failures);
    expect(digest?.subject.length).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
    expect(digest?.subject).toMatch(
      /^certwatch: scan INCOMPLETE \(54321 sources failed\); 2222 new alerts \(1234 expired/,
    );
  });

  it('words days left and expiry from the report clock', () => {
    const body = (c: CertificateRecord) => digestOf([c])?.body ?? '';
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
    const body = digestOf([cert({ ...critical, domains, boundTo: domains.map((d) => `ulb/${d}`) })])?.body;
    const lines = (body ?? '').split('\n');
    for (const line of lines) expect(line.length).toBeLessThan(100);
    const domainLines = lines.filter((line) => line.includes('.eu-west.example.com'));
    for (const line of domainLines) expect(line).toMatch(/^ {2}(Domains: {6}|Bound to: {5}| {14})\S/);
    expect(body).toContain('service-39.eu-west.example.com\n');
  });

  it("names each certificate's account when the report spans accounts, and only then", () => {
    const aliyun = (id: string, account: { id: string | null; name: string }, inUse = true) =>
      cert({
        ...critical,
        id,
        provider: 'aliyun',
        service: 'cas',
        region: 'global',
        project: null,
        account,
        inUse,
        boundTo: inUse ? ['ALB alb-1/lsr-1:443'] : [],
      });
    const main = aliyun('30000003', { id: null, name: 'default' });
    const member = aliyun('40000001', { id: '1000000000000002', name: 'shop-prod' });
    const unbound = aliyun('40000002', { id: '1000000000000002', name: 'shop-prod' }, false);
    const body = digestOf([main, member, unbound])?.body ?? '';
    // The detailed entries of new alerts, and the one-line entries (here, clean-up).
    expect(body).toMatch(/Account: +shop-prod \(1000000000000002\)\n/);
    expect(body).toMatch(/Account: +default\n/);
    expect(body).toContain('(40000002), aliyun/cas global account shop-prod, expires');
    const alone = digestOf([member, unbound])?.body ?? '';
    expect(alone).toContain('(40000002), aliyun/cas global, expires');
    expect(alone).not.toContain('Account:');
    // An account not read at all still counts: its failure names it, and so do the other account's rows.
    const refused = failure({
      provider: 'aliyun',
      service: 'sts',
      region: null,
      project: null,
      account: { id: '1000000000000003', name: 'data' },
      message: 'account data: Alibaba STS AssumeRole: HTTP 403 NoPermission',
    });
    const withFailure = digestOf([member, unbound], [refused])?.body ?? '';
    // Its message names the account already: the location does not say it again.
    expect(withFailure).toMatch(/Location: +\(all regions\)\n +Error: +account data: Alibaba STS/);
    const keyed = digestOf(
      [member, unbound],
      [{ ...refused, service: 'cas', message: 'Alibaba CAS: HTTP 400' }],
    );
    expect(keyed?.body).toMatch(/Location: +\(all regions\), account data\n +Error: +Alibaba CAS: HTTP 400/);
    expect(withFailure).toContain('aliyun/cas global account shop-prod, expires');
    const single = digestOf([], [{ ...refused, account: { id: null, name: 'default' } }])?.body ?? '';
    expect(single).toMatch(/Location: +\(all regions\)\n +Error: +account data/);
  });

  it('prints nothing a report row does not have (no fingerprints, no key material)', () => {
    const body = digestOf([expired])?.body ?? '';
    expect(body).not.toContain(expired.fingerprintSha256!);
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
