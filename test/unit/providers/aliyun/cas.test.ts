import { describe, expect, it } from 'vitest';
import {
  mapCasCertificate,
  readCasDate,
  readCasMillis,
} from '../../../../lib/providers/aliyun/cas/getUserCertificateDetail';
import { describeResource } from '../../../../lib/providers/aliyun/cas/listCloudResources';
import { casIdOf } from '../../../../lib/providers/aliyun/cas/listUserCertificateOrder';

// The capture of reference §2 (ListUserCertificateOrder, OrderType=CERT; 3rd-party, values changed).
const LISTED = {
  CertificateId: 18382705,
  InstanceId: 'cas-ivauto-j179g7',
  Name: 'cert-13822284',
  CommonName: 'example.com',
  Sans: 'example.com,www.example.com',
  Issuer: 'DigiCert Inc',
  Status: 'ISSUED',
  StartDate: '2025-05-05',
  EndDate: '2025-08-02',
  CertStartTime: 1746403200000,
  CertEndTime: 1754179199000,
  Expired: false,
  Upload: false,
  Fingerprint: '19FA7E44EBCEE977361FF7F455721F72E2F3C439',
  Sha2: '0F3517F16417959E383A5311E0C9C2D541B16E91512AB08C3D4E3E08ACA5FE32',
  SerialNo: '0cb80c8221efb4f514ddb19db8aeddf4',
};
const DETAIL = {
  Id: 18382705,
  Name: 'cert-13822284',
  Common: 'example.com',
  Sans: 'example.com,www.example.com',
  EndDate: '2025-08-02',
  NotBefore: 1746403200000,
  NotAfter: 1754179199000,
  Expired: false,
  BuyInAliyun: true,
  CertChain: [
    { CommonName: 'example.com', NotAfter: 1754179199000 },
    { CommonName: 'Encryption Everywhere DV TLS CA - G2', NotAfter: 1750000000000 },
    { CommonName: 'unreadable', NotAfter: 17322613180000 },
  ],
};
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('mapCasCertificate', () => {
  it('maps the captured certificate: id, names, fingerprints, intermediates, detail NotAfter first', () => {
    const observed = mapCasCertificate(LISTED, DETAIL, {
      inUse: true,
      boundTo: ['ALB alb-1 lsr-1:443 (cn-hangzhou)'],
    });
    expect(observed).toMatchObject({
      provider: 'aliyun',
      service: 'cas',
      region: 'global',
      id: '18382705',
      casCertificateId: '18382705',
      name: 'cert-13822284',
      domains: ['example.com', 'www.example.com'],
      apiNotAfter: { epochMs: 1754179199000, source: 'api:NotAfter' },
      chain: null,
      apiFingerprintSha1: '19fa7e44ebcee977361ff7f455721f72e2f3c439',
      apiFingerprintSha256: '0f3517f16417959e383a5311e0c9c2d541b16e91512ab08c3d4e3e08aca5fe32',
      apiIntermediates: [
        {
          subject: 'Encryption Everywhere DV TLS CA - G2',
          notAfterMs: 1750000000000,
          source: 'api:CertChain',
        },
      ],
      inUse: true,
      boundTo: ['ALB alb-1 lsr-1:443 (cn-hangzhou)'],
    });
    expect(observed.notes).toEqual(['issued through CAS']);
  });

  it('reads NotAfter as a numeric string, and ignores other magnitudes for CertEndTime', () => {
    expect(mapCasCertificate(LISTED, { ...DETAIL, NotAfter: '1754179199000' }, null).apiNotAfter).toEqual({
      epochMs: 1754179199000,
      source: 'api:NotAfter',
    });
    const fourteen = mapCasCertificate(LISTED, { ...DETAIL, NotAfter: 17541791990000 }, null);
    expect(fourteen.apiNotAfter).toEqual({ epochMs: 1754179199000, source: 'api:CertEndTime' });
    expect(fourteen.notes.join()).toMatch(/NotAfter 17541791990000 is not epoch milliseconds/);
    // Seconds are not read as milliseconds either.
    expect(mapCasCertificate(LISTED, { ...DETAIL, NotAfter: 1754179199 }, null).apiNotAfter?.source).toBe(
      'api:CertEndTime',
    );
  });

  it('falls back to EndDate, read as the start of that day in China time, known to the day only', () => {
    const { CertEndTime: _end, ...listed } = LISTED;
    const observed = mapCasCertificate(listed, null, null);
    expect(iso(observed.apiNotAfter?.epochMs)).toBe('2025-08-01T16:00:00.000Z');
    expect(observed.apiNotAfter?.source).toBe('api:EndDate');
    // Never later than what CertEndTime says for the same capture.
    expect(observed.apiNotAfter!.epochMs).toBeLessThanOrEqual(LISTED.CertEndTime);
    expect(observed.notes.join()).toMatch(/expiry known to the day only/);
    expect(observed.inUse).toBeNull();
    expect(observed.apiIntermediates).toEqual([]);
  });

  it('notes what it cannot read, and never invents a date', () => {
    const observed = mapCasCertificate(
      {
        CertificateId: '42',
        EndDate: '2025-02-30',
        Expired: true,
        Upload: true,
        Sha2: 'xyz',
        Fingerprint: 'AB:CD',
      },
      { NotAfter: 'soon', CertChain: 'none' },
      { inUse: false, boundTo: [] },
    );
    expect(observed.apiNotAfter).toBeNull();
    expect(observed.apiFingerprintSha256).toBeNull();
    expect(observed.apiFingerprintSha1).toBeNull();
    expect(observed.name).toBe('42');
    expect(observed.domains).toEqual([]);
    expect(observed.inUse).toBe(false);
    expect(observed.notes).toEqual([
      'NotAfter "soon" is not epoch milliseconds; it was ignored',
      'EndDate "2025-02-30" is not a yyyy-MM-dd date',
      'CAS marks it expired (Expired=true), but states no date certwatch can read',
      'uploaded to CAS',
    ]);
  });

  it('takes the names from the detail when the list has none, each once', () => {
    const observed = mapCasCertificate(
      { CertificateId: 7, Name: 'n' },
      { Common: 'a.example', Sans: 'a.example, b.example,,a.example' },
      null,
    );
    expect(observed.domains).toEqual(['a.example', 'b.example']);
  });
});

describe('CAS wire readers', () => {
  it('reads milliseconds only from 1e12 to 1e13', () => {
    expect(readCasMillis(1e12)).toBe(1e12);
    expect(readCasMillis(' 1754179199000 ')).toBe(1754179199000);
    for (const value of [1e13, 999_999_999_999, -1, Number.NaN, '1e12', null, undefined, true]) {
      expect(readCasMillis(value)).toBeNull();
    }
  });

  it('reads real yyyy-MM-dd dates only', () => {
    expect(iso(readCasDate('2024-02-29') ?? undefined)).toBe('2024-02-28T16:00:00.000Z');
    for (const value of ['2023-02-29', '2024-13-01', '2024-1-01', '2024-01-01T00:00:00Z', 20240101]) {
      expect(readCasDate(value)).toBeNull();
    }
  });

  it('reads a CertificateId as an integer or numeric text', () => {
    expect(casIdOf(18382705)).toBe('18382705');
    expect(casIdOf('0042')).toBe('42');
    for (const value of [0, -1, 1.5, '', 'abc', '000', null]) expect(casIdOf(value)).toBeNull();
  });

  it('describes a resource in one short line', () => {
    expect(
      describeResource({
        CloudProduct: 'ALB',
        InstanceId: 'alb-xxx',
        ListenerId: 'lsr-xxx',
        ListenerPort: '443',
        Domain: 'www.example.com',
        RegionId: 'cn-hangzhou',
      }),
    ).toBe('ALB alb-xxx lsr-xxx:443 www.example.com (cn-hangzhou)');
    expect(
      describeResource({
        CloudProduct: 'NLB',
        InstanceId: 'nlb-1',
        ListenerId: 'lsn-1@443',
        ListenerPort: '443',
      }),
    ).toBe('NLB nlb-1 lsn-1@443');
    expect(describeResource({ CloudProduct: 'CDN', Domain: 'cdn.example' })).toBe('CDN cdn.example');
  });
});
