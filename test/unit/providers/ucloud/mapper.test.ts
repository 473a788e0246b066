import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../../../emulator/x509/testCertificate';
import { mapSslInfo } from '../../../../lib/providers/ucloud/mapper';

const NOT_AFTER = Date.parse('2027-03-01T08:30:15Z');

describe('mapSslInfo', () => {
  it('reads NotAfter in seconds and in milliseconds as the same instant', () => {
    for (const NotAfter of [NOT_AFTER / 1000, NOT_AFTER, String(NOT_AFTER / 1000)]) {
      const cert = mapSslInfo({ SSLId: 'ssl-1', NotAfter }, 'cn-bj2', null);
      expect(cert.apiNotAfter).toEqual({ epochMs: NOT_AFTER, source: 'api:NotAfter' });
    }
  });

  it('treats NotAfter 0 or absent as unknown, leaving the PEM to decide', () => {
    const pem = makeTestCertificate({ notAfter: NOT_AFTER }).pem;
    for (const NotAfter of [0, undefined, null, '']) {
      const cert = mapSslInfo({ SSLId: 'ssl-1', NotAfter, SSLContent: pem }, 'cn-bj2', null);
      expect(cert.apiNotAfter).toBeNull();
      expect(cert.chain?.leaf.notAfterMs).toBe(NOT_AFTER);
    }
    const odd = mapSslInfo({ SSLId: 'ssl-1', NotAfter: 'soon' }, 'cn-bj2', null);
    expect(odd.notes).toContain('NotAfter is not a timestamp and was ignored');
  });

  it('turns Relations into inUse and boundTo', () => {
    const bound = mapSslInfo(
      {
        SSLId: 'ssl-1',
        SSLName: 'shop',
        Relations: [
          {
            LoadBalancerId: 'ulb-a',
            LoadBalancerName: 'web',
            ListenerId: 'vserver-1',
            ListenerName: 'https',
            IsDefault: true,
          },
          { LoadBalancerId: 'ulb-b', ListenerId: 'vserver-2' },
        ],
      },
      'cn-bj2',
      'org-x',
    );
    expect(bound).toMatchObject({
      id: 'ssl-1',
      name: 'shop',
      region: 'cn-bj2',
      project: 'org-x',
      inUse: true,
      boundTo: ['ulb-a (web) / vserver-1 (https) (default)', 'ulb-b / vserver-2'],
    });
    expect(mapSslInfo({ SSLId: 'ssl-2', Relations: [] }, 'hk', null)).toMatchObject({
      inUse: false,
      boundTo: [],
    });
    expect(mapSslInfo({ SSLId: 'ssl-3' }, 'hk', null)).toMatchObject({ inUse: null, boundTo: [] });
    expect(
      mapSslInfo({ SSLId: 'ssl-4', BindedTargetSet: [{ ULBId: 'ulb-c', VServerId: 'vs-9' }] }, 'hk', null),
    ).toMatchObject({ inUse: true, boundTo: ['ulb-c / vs-9'] });
  });

  it('collects domains from Domains, DNSNames and the certificate, once each', () => {
    const pem = makeTestCertificate({ notAfter: NOT_AFTER, dnsNames: ['a.example', 'c.example'] }).pem;
    const cert = mapSslInfo(
      { SSLId: 'ssl-1', Domains: 'a.example', DNSNames: 'a.example,b.example', SSLContent: pem },
      'cn-bj2',
      null,
    );
    expect(cert.domains).toEqual(['a.example', 'b.example', 'c.example']);
  });

  it('says why when SSLContent holds no readable certificate', () => {
    const cert = mapSslInfo({ SSLId: 'ssl-1', SSLContent: 'not a pem' }, 'cn-bj2', null);
    expect(cert.chain).toBeNull();
    expect(cert.notes).toContain('SSLContent: no PEM blocks found');
  });
});
