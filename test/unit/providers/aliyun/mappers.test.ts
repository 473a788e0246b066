import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../../../emulator/x509/testCertificate';
import { evaluate } from '../../../../lib/expiry/evaluate';
import { mapCdnCertificate } from '../../../../lib/providers/aliyun/cdn/certificateInfo';
import { mapServerCertificate } from '../../../../lib/providers/aliyun/slb/describeServerCertificates';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const THRESHOLDS = { warningDays: 30, criticalDays: 7 };

describe('mapCdnCertificate', () => {
  const cert = makeTestCertificate({ notAfter: NOW + 10 * DAY, dnsNames: ['cdn.example', 'img.example'] });
  const entry = { CertId: 1644, CertName: 'cdn-cert', Common: 'cdn.example', CertRegion: 'cn-hangzhou' };

  it('reads every CertExpireTime layout, and the PEM decides', () => {
    const iso = new Date(cert.notAfterMs).toISOString().replace('.000', '');
    const layouts = [
      iso.replace('T', ' ').replace('Z', ' +0000 UTC'),
      iso,
      iso.replace('T', ' ').replace('Z', ''),
    ];
    for (const CertExpireTime of layouts) {
      const observed = mapCdnCertificate(entry, {
        CertId: '1644',
        CertExpireTime,
        HttpsCrt: cert.pem,
        DomainList: 'a.example',
      });
      expect(observed.apiNotAfter?.epochMs).toBe(cert.notAfterMs);
      const record = evaluate(observed, NOW, THRESHOLDS);
      expect(record).toMatchObject({ status: 'warning', daysLeft: 10, expirySource: 'pem:leaf', id: '1644' });
      expect(record.notes.some((n) => n.includes('says'))).toBe(false);
    }
    const naive = mapCdnCertificate(entry, { CertExpireTime: layouts[2], HttpsCrt: cert.pem });
    expect(naive.notes).toContain('CertExpireTime names no time zone; it was taken as UTC');
  });

  it('lets the PEM win over a disagreeing or unreadable CertExpireTime, and says so', () => {
    const wrong = evaluate(
      mapCdnCertificate(entry, {
        CertExpireTime: '2099-01-01 00:00:00 +0000 UTC',
        HttpsCrt: cert.pem,
        DomainList: 'a',
      }),
      NOW,
      THRESHOLDS,
    );
    expect(wrong.status).toBe('warning');
    expect(wrong.notes.join()).toMatch(
      /api:CertExpireTime says 2099-01-01T00:00:00Z but the certificate says/,
    );
    const garbage = mapCdnCertificate(entry, { CertExpireTime: 'unknown', HttpsCrt: cert.pem });
    expect(garbage.apiNotAfter).toBeNull();
    expect(garbage.notes).toContain('CertExpireTime "unknown" is not a date certwatch can read');
    expect(evaluate(garbage, NOW, THRESHOLDS).status).toBe('warning');
  });

  it('turns DomainList into domains and bindings; none bound is not in use', () => {
    const bound = mapCdnCertificate(entry, { HttpsCrt: cert.pem, DomainList: 'www.example,img.example' });
    expect(bound).toMatchObject({
      provider: 'aliyun',
      service: 'cdn',
      region: 'cn-hangzhou',
      project: null,
      name: 'cdn-cert',
      domains: ['www.example', 'img.example'],
      inUse: true,
      boundTo: ['CDN domain www.example', 'CDN domain img.example'],
    });
    for (const DomainList of ['', '[""]', '[]']) {
      const unbound = mapCdnCertificate(entry, { HttpsCrt: cert.pem, DomainList });
      expect(unbound).toMatchObject({ inUse: false, boundTo: [], domains: ['cdn.example', 'img.example'] });
    }
    expect(
      mapCdnCertificate(entry, { HttpsCrt: cert.pem, DomainList: '["a.example","b.example"]' }).domains,
    ).toEqual(['a.example', 'b.example']);
    expect(mapCdnCertificate(entry, null)).toMatchObject({
      inUse: null,
      domains: ['cdn.example'],
      name: 'cdn-cert',
    });
  });
});

describe('mapServerCertificate', () => {
  const base = {
    ServerCertificateId: '1231579085529123_17e1a2b3c4d',
    ServerCertificateName: 'shop-2026',
    RegionId: 'cn-shanghai',
    Fingerprint: '68:08:1A:B2:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:01',
    CommonName: 'shop.example',
    SubjectAlternativeNames: { SubjectAlternativeName: ['shop.example', 'www.shop.example'] },
  };
  const at = Date.parse('2027-01-02T03:04:05Z');

  it('reads ExpireTimeStamp first, then ExpireTime', () => {
    expect(
      mapServerCertificate(
        { ...base, ExpireTimeStamp: at, ExpireTime: '2027-01-02T03:04:05Z' },
        'cn-shanghai',
      ).apiNotAfter,
    ).toEqual({
      epochMs: at,
      source: 'api:ExpireTimeStamp',
    });
    expect(
      mapServerCertificate({ ...base, ExpireTime: '2027-01-02T03:04:05Z' }, 'cn-shanghai').apiNotAfter,
    ).toEqual({
      epochMs: at,
      source: 'api:ExpireTime',
    });
  });

  it('keeps the fingerprint, names and region of an entry without any date', () => {
    const observed = mapServerCertificate(base, 'cn-shanghai');
    expect(observed).toMatchObject({
      provider: 'aliyun',
      service: 'slb',
      region: 'cn-shanghai',
      id: base.ServerCertificateId,
      name: 'shop-2026',
      domains: ['shop.example', 'www.shop.example'],
      apiNotAfter: null,
      apiFingerprintSha1: '68081ab2000000000000000000000000000000' + '01',
      inUse: null,
    });
  });
});
