import { describe, expect, it } from 'vitest';
import { type PlanOptions, planAlerts, type RungAssessment } from '../../../lib/alerts/plan';
import type { CertificateRecord } from '../../../lib/model';
import { type AlertHistory, certificateKey } from '../../../lib/state/store';
import { cert, report } from '../../helpers/reports';

const NOW = Date.parse('2026-11-23T05:00:00Z');

/** The default ladder, as the real one reads it: 30, 14, 7, 3, 1 days, then expired. */
function assess(record: CertificateRecord): RungAssessment | null {
  if (record.status === 'expired') return { rung: 'expired', severity: 'expired' };
  if (record.status === 'unknown') return { rung: 'unknown', severity: 'warning' };
  const days = record.daysLeft ?? Number.POSITIVE_INFINITY;
  const step = [1, 3, 7, 14, 30].find((n) => days <= n);
  if (step === undefined) return null;
  return { rung: `d${step}`, severity: step <= 7 ? 'critical' : 'warning' };
}

function plan(records: CertificateRecord[], history: AlertHistory[] = [], extra: Partial<PlanOptions> = {}) {
  return planAlerts(report(records), {
    nowMs: NOW,
    assess,
    history: new Map(history.map((h) => [h.certificateKey, h])),
    ...extra,
  });
}

const sent = (record: CertificateRecord, rung: string, at = '2026-11-22T05:00:00Z'): AlertHistory => ({
  certificateKey: certificateKey(record),
  rung,
  notAfterMs: record.notAfterMs,
  state: 'sent',
  atMs: Date.parse(at),
  leaseUntilMs: Date.parse(at),
});

const soon = cert({
  id: 'ssl-soon',
  name: 'shop',
  status: 'critical',
  daysLeft: 5,
  notAfter: '2026-11-28T06:00:00Z',
  domains: ['shop.example'],
});

describe('planAlerts', () => {
  it('sends a certificate entering a rung once, then lists it as still open', () => {
    expect(plan([soon]).toSend).toEqual([
      expect.objectContaining({
        rung: 'd7',
        severity: 'critical',
        kind: 'new',
        action: 'renew it and deploy the new certificate now',
      }),
    ]);
    const again = plan([soon], [sent(soon, 'd7')]);
    expect(again.toSend).toEqual([]);
    expect(again.stillOpen.map((a) => a.rung)).toEqual(['d7']);
    const later = plan([{ ...soon, daysLeft: 2 }], [sent(soon, 'd7')]);
    expect(later.toSend.map((a) => a.rung)).toEqual(['d3']);
  });

  it('forgets a certificate that no longer needs action, and treats a renewal as new', () => {
    const fine = cert({ ...soon, status: 'ok' as const, daysLeft: 300, notAfter: '2027-09-20T00:00:00Z' });
    expect(plan([fine], [sent(soon, 'd7')]).forget).toEqual([certificateKey(soon)]);
    const renewedButSoon = cert({ ...soon, notAfter: '2026-11-29T00:00:00Z', daysLeft: 6 });
    expect(plan([renewedButSoon], [sent(soon, 'd7')]).toSend).toHaveLength(1);
  });

  it('tells of a certificate with no known expiry once, and of its rung once the expiry is known', () => {
    const unknown = cert({ id: 'ssl-unreadable', status: 'unknown', daysLeft: null, notAfter: null });
    expect(plan([unknown]).toSend).toEqual([expect.objectContaining({ rung: 'unknown' })]);
    // Remembered with no known notAfter (null), it is the same alert the next day: still open, not new.
    const again = plan([unknown], [sent(unknown, 'unknown')]);
    expect(again.toSend).toEqual([]);
    expect(again.stillOpen.map((a) => a.rung)).toEqual(['unknown']);
    // Its expiry became known: its rung is news.
    const known = cert({
      ...unknown,
      status: 'warning' as const,
      daysLeft: 12,
      notAfter: '2026-12-05T05:00:00Z',
    });
    expect(plan([known], [sent(unknown, 'unknown')]).toSend).toEqual([
      expect.objectContaining({ rung: 'd14', kind: 'new' }),
    ]);
    // ...and when it is fine once known, the history of the unknown one is forgotten.
    const fine = cert({ ...known, status: 'ok' as const, daysLeft: 200, notAfter: '2027-06-11T05:00:00Z' });
    expect(plan([fine], [sent(unknown, 'unknown')]).forget).toEqual([certificateKey(unknown)]);
  });

  it('does not let a passing unknown replace the rung already told', () => {
    // The expiry could not be read this run (a PEM that failed to parse, an API that left the date out).
    const unreadable = cert({ ...soon, status: 'unknown' as const, daysLeft: null, notAfter: null });
    const passing = plan([unreadable], [sent(soon, 'd7')]);
    expect(passing.toSend).toEqual([]);
    expect(passing.stillOpen.map((a) => a.rung)).toEqual(['unknown']);
    // Readable again in the same rung: nothing new; in a later one: that rung.
    expect(plan([soon], [sent(soon, 'd7')]).toSend).toEqual([]);
    expect(plan([{ ...soon, daysLeft: 2 }], [sent(soon, 'd7')]).toSend.map((a) => a.rung)).toEqual(['d3']);
  });

  it('tells unknown once the expiry last read would have moved on, or passed: silence only while nothing was due', () => {
    const unreadable = cert({ ...soon, status: 'unknown' as const, daysLeft: null, notAfter: null });
    const toldD7 = (notAfter: string) => ({ ...sent(soon, 'd7'), notAfterMs: Date.parse(notAfter) });
    // Told d7 for an expiry 6 days away: unreadable now, it would still be d7, so nothing new.
    expect(plan([unreadable], [toldD7('2026-11-29T05:00:00Z')]).toSend).toEqual([]);
    // The expiry last read is 2 days away now: d3 would have been told, so unknown is.
    expect(plan([unreadable], [toldD7('2026-11-25T05:00:00Z')]).toSend.map((a) => a.rung)).toEqual([
      'unknown',
    ]);
    // It has passed: whether the certificate was renewed cannot be seen, so unknown is told.
    expect(plan([unreadable], [toldD7('2026-11-22T05:00:00Z')]).toSend.map((a) => a.rung)).toEqual([
      'unknown',
    ]);
  });

  it('reminds daily about an expired certificate still in use', () => {
    const expired = cert({
      id: 'ssl-old',
      status: 'expired',
      daysLeft: -3,
      notAfter: '2026-11-20T00:00:00Z',
    });
    expect(plan([expired], [sent(expired, 'expired', '2026-11-22T12:00:00Z')]).stillOpen).toHaveLength(1);
    const due = plan([expired], [sent(expired, 'expired', '2026-11-22T04:00:00Z')]);
    expect(due.toSend).toEqual([expect.objectContaining({ rung: 'expired@2026-11-23', kind: 'reminder' })]);
    const remindedToday = plan([expired], [sent(expired, 'expired@2026-11-23', '2026-11-23T04:59:00Z')]);
    expect(remindedToday.toSend).toEqual([]);
  });

  it('never pages for a certificate bound nowhere: it is a clean-up note', () => {
    const unbound = { ...soon, inUse: false, boundTo: [] };
    const result = plan([unbound]);
    expect(result.toSend).toEqual([]);
    expect(result.cleanup).toEqual([
      { record: unbound, why: 'bound to no listener or domain: delete it, or bind it if it is still needed' },
    ]);
  });

  it('says "rebind" when a renewed certificate exists but the old one is still the one bound', () => {
    const renewed = cert({
      id: 'ssl-new',
      name: 'shop-2027',
      notAfter: '2027-11-20T00:00:00Z',
      domains: ['shop.example', 'www.shop.example'],
      boundTo: [],
      inUse: false,
    });
    const result = plan([soon, renewed]);
    expect(result.toSend).toEqual([
      expect.objectContaining({
        kind: 'rebind',
        renewedBy: expect.objectContaining({ id: 'ssl-new' }),
        action: expect.stringMatching(
          /^renewed certificate shop-2027 \(ssl-new, expires 2027-11-20T00:00:00Z\) exists: bind it/,
        ),
      }),
    ]);
  });

  it('turns a superseded certificate into a clean-up note when the renewal serves the same places', () => {
    const renewed = cert({
      id: 'ssl-new',
      notAfter: '2027-11-20T00:00:00Z',
      domains: ['shop.example'],
      boundTo: soon.boundTo,
    });
    const result = plan([soon, renewed]);
    expect(result.toSend).toEqual([]);
    expect(result.cleanup[0]?.why).toMatch(
      /^superseded by .*ssl-new.*, which serves the same places: delete it$/,
    );
  });

  it('names the intermediate when it is what expires first', () => {
    const chain = {
      ...soon,
      expirySource: 'pem:intermediate',
      notes: [
        'intermediate "CN=Old CA" expires 2026-11-28T06:00:00Z, before the leaf (2027-03-01T00:00:00Z)',
      ],
    };
    expect(plan([chain]).toSend[0]).toMatchObject({
      kind: 'chain',
      severity: 'critical',
      action: expect.stringMatching(
        /^intermediate "CN=Old CA" expires .*: upload this certificate again with the renewed/,
      ),
    });
  });

  it('holds back what a rule silences, and says why', () => {
    const result = plan([soon], [], { silencedBy: () => 'muted until 2026-12-31 (migrating)' });
    expect(result.toSend).toEqual([]);
    expect(result.silenced).toEqual([{ record: soon, why: 'muted until 2026-12-31 (migrating)' }]);
  });
});

describe('planAlerts over copies of one certificate', () => {
  const fingerprint = 'cd'.repeat(32);
  const copy = (service: string, id: string, boundTo: string[], inUse: boolean | null) =>
    cert({
      provider: 'aliyun',
      service,
      region: service === 'slb' ? 'cn-hangzhou' : 'global',
      project: null,
      id,
      name: 'shop',
      status: 'critical',
      daysLeft: 5,
      notAfter: '2026-11-28T06:00:00Z',
      domains: ['shop.example'],
      boundTo,
      inUse,
      fingerprintSha256: fingerprint,
    });
  const cas = copy('cas', '18382705', ['ALB alb-1 lsr-1:443'], true);
  const cdn = copy('cdn', '1644', ['cdn shop.example'], true);
  const slb = copy('slb', 'slb-copy', [], false);

  it('alerts once, under the first copy’s key, bound everywhere any copy is', () => {
    const result = plan([slb, cdn, cas]);
    expect(result.toSend).toHaveLength(1);
    const [alert] = result.toSend;
    expect(alert).toMatchObject({ certificateKey: certificateKey(cas), rung: 'd7' });
    expect(alert?.record.boundTo).toEqual(['ALB alb-1 lsr-1:443', 'cdn shop.example']);
    expect(alert?.record.inUse).toBe(true);
    expect(result.cleanup).toEqual([]);
  });

  it('does not alert again a rung already sent for any one copy', () => {
    // Alerted as the CDN copy alone, before the copies were tied together.
    const result = plan([slb, cdn, cas], [sent(cdn, 'd7')]);
    expect(result.toSend).toEqual([]);
    expect(result.stillOpen.map((a) => [a.certificateKey, a.rung])).toEqual([[certificateKey(cas), 'd7']]);
    // The next rung is one alert again.
    const later = plan(
      [slb, cdn, cas].map((record) => ({ ...record, daysLeft: 2 })),
      [sent(cdn, 'd7')],
    );
    expect(later.toSend.map((a) => [a.certificateKey, a.rung])).toEqual([[certificateKey(cas), 'd3']]);
  });

  it('keeps apart copies that stop serving at different instants, and forgets every copy’s history once fine', () => {
    const oldChain = { ...cdn, notAfterMs: cdn.notAfterMs! - 86_400_000, daysLeft: 4 };
    const keys = plan([slb, oldChain, cas]).toSend.map((a) => a.certificateKey);
    expect(keys.sort()).toEqual([certificateKey(cas), certificateKey(oldChain)].sort());
    const renewed = [slb, cdn, cas].map((record) => ({ ...record, status: 'ok' as const, daysLeft: 300 }));
    expect(plan(renewed, [sent(cdn, 'd7'), sent(cas, 'd7')]).forget.sort()).toEqual(
      [certificateKey(cas), certificateKey(cdn)].sort(),
    );
  });

  it('leaves a copy with no identity a certificate of its own', () => {
    const alone = { ...slb, fingerprintSha256: null, inUse: true, id: 'slb-alone' };
    expect(plan([alone, cas]).toSend.map((a) => a.certificateKey)).toEqual([
      certificateKey(alone),
      certificateKey(cas),
    ]);
  });
});
