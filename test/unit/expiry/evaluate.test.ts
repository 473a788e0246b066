import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueCertificate } from '../../../emulator/x509/certificate';
import { pooledKey } from '../../../emulator/x509/keys';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { evaluate } from '../../../lib/expiry/evaluate';
import { MS_PER_DAY } from '../../../lib/expiry/instant';
import { daysLeft, statusAt } from '../../../lib/expiry/status';
import type { Status } from '../../../lib/model';
import { observed } from '../../helpers/observed';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const THRESHOLDS = { warningDays: 30, criticalDays: 7 };
const SEVERITY: Record<Status, number> = { ok: 0, warning: 1, critical: 2, expired: 3, unknown: -1 };

describe('statusAt', () => {
  it('expires to the second and changes rung with the whole days left', () => {
    const at = (offsetMs: number) => statusAt(NOW + offsetMs, NOW, THRESHOLDS);
    expect(at(0)).toBe('expired');
    expect(at(-1000)).toBe('expired');
    expect(at(1000)).toBe('critical');
    // 7 days and 23:59:59 left reads as "7 days left": critical at CERTWATCH_CRITICAL_DAYS=7.
    expect(at(8 * MS_PER_DAY - 1000)).toBe('critical');
    expect(at(8 * MS_PER_DAY)).toBe('warning');
    expect(at(31 * MS_PER_DAY - 1000)).toBe('warning');
    expect(at(31 * MS_PER_DAY)).toBe('ok');
    expect(statusAt(null, NOW, THRESHOLDS)).toBe('unknown');
  });

  it('agrees with daysLeft: critical exactly when daysLeft ≤ critical days, expired exactly when negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: -40 * MS_PER_DAY, max: 40 * MS_PER_DAY }), (offset) => {
        const status = statusAt(NOW + offset, NOW, THRESHOLDS);
        const days = daysLeft(NOW + offset, NOW);
        return (
          (status === 'expired') === days < 0 &&
          (status === 'critical') === (days >= 0 && days <= 7) &&
          (status === 'warning') === (days > 7 && days <= 30)
        );
      }),
    );
  });

  it('never gives a more severe status to a later notAfter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000 * MS_PER_DAY, max: 1000 * MS_PER_DAY }),
        fc.integer({ min: 0, max: 400 * MS_PER_DAY }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        (offset, later, critical, extra) => {
          const thresholds = { criticalDays: critical, warningDays: critical + extra };
          const earlier = statusAt(NOW + offset, NOW, thresholds);
          const afterwards = statusAt(NOW + offset + later, NOW, thresholds);
          return SEVERITY[afterwards] <= SEVERITY[earlier];
        },
      ),
    );
  });
});

describe('daysLeft', () => {
  it('counts whole days, rounded down, negative once expired', () => {
    expect(daysLeft(NOW + 7 * MS_PER_DAY + 1000, NOW)).toBe(7);
    expect(daysLeft(NOW + MS_PER_DAY - 1000, NOW)).toBe(0);
    expect(daysLeft(NOW, NOW)).toBe(-1);
    expect(daysLeft(NOW - 1000, NOW)).toBe(-1);
    expect(daysLeft(NOW - MS_PER_DAY, NOW)).toBe(-1);
    expect(daysLeft(NOW - MS_PER_DAY - 1000, NOW)).toBe(-2);
  });
});

describe('evaluate', () => {
  it('takes the expiry from the PEM leaf, RSA and ECDSA alike', () => {
    for (const keyType of ['rsa', 'ec'] as const) {
      const cert = makeTestCertificate({ keyType, notAfter: NOW + 20 * MS_PER_DAY + 5000 });
      const record = evaluate(observed({ pem: cert.pem }), NOW, THRESHOLDS);
      expect(record).toMatchObject({
        notAfterMs: Date.parse('2026-12-13T12:00:05Z'),
        leafNotAfterMs: Date.parse('2026-12-13T12:00:05Z'),
        daysLeft: 20,
        status: 'warning',
        expirySource: 'pem:leaf',
      });
      expect(record.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('uses an intermediate that expires before the leaf, and says so', () => {
    const cert = makeTestCertificate({
      notAfter: NOW + 200 * MS_PER_DAY,
      intermediateNotAfter: NOW + 3 * MS_PER_DAY,
    });
    const record = evaluate(observed({ pem: cert.pem }), NOW, THRESHOLDS);
    expect(record.status).toBe('critical');
    expect(record.daysLeft).toBe(3);
    expect(record.expirySource).toBe('pem:intermediate');
    expect(record.notAfterMs).toBe(Date.parse('2026-11-26T12:00:00Z'));
    expect(record.leafNotAfterMs).toBe(Date.parse('2027-06-11T12:00:00Z'));
    expect(record.notes.join('\n')).toMatch(
      /intermediate ".*" expires 2026-11-26T12:00:00Z, before the leaf/,
    );
  });

  it('ignores a self-signed root in the PEM even when it expires first', () => {
    const cert = makeTestCertificate({ notAfter: NOW + 100 * MS_PER_DAY });
    const key = pooledKey('ec', 'stale-root');
    const staleRoot = issueCertificate({
      subject: { commonName: 'Stale Root' },
      publicKey: key.publicKey,
      issuer: { selfSigned: true, privateKey: key.privateKey },
      serialNumber: 7n,
      notBefore: NOW - 3000 * MS_PER_DAY,
      notAfter: NOW - MS_PER_DAY,
      ca: true,
    });
    const record = evaluate(observed({ pem: cert.pem + staleRoot.pem }), NOW, THRESHOLDS);
    expect(record.status).toBe('ok');
    expect(record.expirySource).toBe('pem:leaf');
  });

  it('falls back to the API date without a PEM, and is unknown with a reason without either', () => {
    const fromApi = evaluate(
      observed({ apiNotAfter: { epochMs: NOW - 1000, source: 'api:NotAfter' } }),
      NOW,
      THRESHOLDS,
    );
    expect(fromApi).toMatchObject({ status: 'expired', daysLeft: -1, expirySource: 'api:NotAfter' });

    const unknown = evaluate(observed(), NOW, THRESHOLDS);
    expect(unknown).toMatchObject({
      status: 'unknown',
      notAfterMs: null,
      daysLeft: null,
      expirySource: 'none',
    });
    expect(unknown.notes.join()).toMatch(/expiry unknown/);
  });

  it('without a PEM, takes the earliest of the dates the API states for the leaf and the chain above it', () => {
    const leaf = NOW + 40 * MS_PER_DAY;
    const chainOf = (offsets: number[]) =>
      evaluate(
        observed({
          apiNotAfter: { epochMs: leaf, source: 'api:NotAfter' },
          apiIntermediates: offsets.map((days, i) => ({
            subject: `CA ${i}`,
            notAfterMs: NOW + days * MS_PER_DAY,
            source: 'api:CertChain',
          })),
          apiFingerprintSha256: 'ab'.repeat(32),
        }),
        NOW,
        THRESHOLDS,
      );
    const laterChain = chainOf([400, 41]);
    expect(laterChain).toMatchObject({
      notAfterMs: leaf,
      leafNotAfterMs: leaf,
      expirySource: 'api:NotAfter',
      status: 'ok',
      fingerprintSha256: 'ab'.repeat(32),
    });
    expect(laterChain.notes).toEqual([]);

    const earlyIntermediate = chainOf([400, 5, 20]);
    expect(earlyIntermediate).toMatchObject({
      notAfterMs: NOW + 5 * MS_PER_DAY,
      leafNotAfterMs: leaf,
      expirySource: 'api:CertChain',
      status: 'critical',
    });
    expect(earlyIntermediate.notes.join('\n')).toMatch(/intermediate "CA 1" expires .*before the leaf/);
    expect(earlyIntermediate.notes.join('\n')).toMatch(/intermediate "CA 2" expires/);
  });

  it('believes the certificate over a disagreeing API date, and notes the disagreement', () => {
    const cert = makeTestCertificate({ notAfter: NOW + 40 * MS_PER_DAY });
    const record = evaluate(
      observed({ pem: cert.pem, apiNotAfter: { epochMs: NOW + 400 * MS_PER_DAY, source: 'api:NotAfter' } }),
      NOW,
      THRESHOLDS,
    );
    expect(record.status).toBe('ok');
    expect(record.daysLeft).toBe(40);
    expect(record.notes.join()).toMatch(/api:NotAfter says 2027-12-28T12:00:00Z but the certificate says/);
  });
});
