import { describe, expect, it } from 'vitest';
import { buildAlertDigest } from '../../../lib/alerts/digest';
import type { AlertPlan, PlannedAlert } from '../../../lib/alerts/plan';
import type { CertificateRecord } from '../../../lib/model';
import { cert, failure, report } from '../../helpers/reports';

const empty: AlertPlan = { toSend: [], stillOpen: [], owed: [], cleanup: [], silenced: [], forget: [] };

function alert(record: CertificateRecord, severity: PlannedAlert['severity'], action: string): PlannedAlert {
  return { certificateKey: record.id, record, rung: 'd7', severity, kind: 'new', action };
}

const expired = cert({
  id: 'ssl-1',
  name: 'shop-2025',
  status: 'expired',
  daysLeft: -3,
  notAfter: '2026-11-20T00:00:00Z',
});
const critical = cert({
  id: 'ssl-2',
  name: 'api',
  status: 'critical',
  daysLeft: 5,
  notAfter: '2026-11-28T12:00:00Z',
});
const unbound = cert({
  id: 'ssl-3',
  name: 'old-api',
  status: 'warning',
  daysLeft: 20,
  notAfter: '2026-12-13T00:00:00Z',
  inUse: false,
  boundTo: [],
});

describe('buildAlertDigest', () => {
  it('sends nothing when nothing is new and every source was read', () => {
    expect(
      buildAlertDigest(report([critical]), { ...empty, stillOpen: [alert(critical, 'critical', 'x')] }),
    ).toBeNull();
  });

  it('tells what is new with what to do, what is still open, and what to clean up', () => {
    const digest = buildAlertDigest(report([expired, critical, unbound]), {
      ...empty,
      toSend: [alert(expired, 'expired', 'replace it now: clients already refuse it')],
      stillOpen: [alert(critical, 'critical', 'renew it')],
      cleanup: [
        {
          record: unbound,
          why: 'bound to no listener or domain: delete it, or bind it if it is still needed',
        },
      ],
    })!;
    expect(digest.subject).toBe('certwatch: 1 new alert (1 expired), 1 still open');
    expect(digest.body).toContain('3 certificates checked: 1 new alert, 1 still open, 1 to clean up.');
    expect(digest.body).toContain('== New this run (1) ==');
    expect(digest.body).toContain('-- Expired (1) --');
    expect(digest.body).toContain('  What to do:   replace it now: clients already refuse it');
    expect(digest.body).toContain('== Still open (1): alerted before, not yet fixed ==');
    expect(digest.body).toMatch(
      /\* api \(ssl-2\), ucloud\/ulb cn-bj2 org-x, expires 2026-11-28 12:00:00 UTC, 5 days left/,
    );
    expect(digest.body).toContain('== Clean-up (1): not urgent, nobody is paged ==');
    expect(digest.body).toMatch(/\* old-api \(ssl-3\), .*20 days left: bound\n {4}to no listener or domain/);
    expect(digest.body).not.toContain('Could not check');
  });

  it('always speaks up when a source could not be read, even with nothing new', () => {
    const digest = buildAlertDigest(report([critical], [failure()]), empty)!;
    expect(digest.subject).toBe('certwatch: scan INCOMPLETE (1 source failed); no new alerts');
    expect(digest.body).toContain('== Could not check (1 source) ==');
    expect(digest.body).toContain('must not be taken as "all clear"');
  });
});
