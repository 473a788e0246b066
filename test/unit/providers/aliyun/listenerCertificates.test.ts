import { describe, expect, it } from 'vitest';
import {
  casCertificateIdOf,
  isCaCertificate,
  mapListenerCertificate,
} from '../../../../lib/providers/aliyun/listenerCertificates';

const ALB_LB = {
  LoadBalancerId: 'alb-95qnr2itwu9orb',
  LoadBalancerName: 'web',
  DNSName: 'alb-95.cn-hangzhou.alb.aliyuncs.com',
};
const ALB_LISTENER = {
  ListenerId: 'lsr-bp1bpn0kn908w4nbw',
  LoadBalancerId: 'alb-95qnr2itwu9orb',
  ListenerPort: 443,
  ListenerProtocol: 'HTTPS',
};

const alb = (certificate: Record<string, unknown>, loadBalancer: Record<string, unknown> | null = ALB_LB) =>
  mapListenerCertificate({
    service: 'alb',
    product: 'ALB',
    region: 'cn-hangzhou',
    loadBalancer: loadBalancer ?? undefined,
    listener: ALB_LISTENER,
    certificate,
  });

describe('ALB and NLB listener certificates', () => {
  it('reads <casId>-<region> as a CAS certificate, and nothing else', () => {
    expect(casCertificateIdOf('18382705-cn-hangzhou')).toEqual({ id: '18382705', region: 'cn-hangzhou' });
    expect(casCertificateIdOf('10741304-ap-southeast-1')).toEqual({
      id: '10741304',
      region: 'ap-southeast-1',
    });
    for (const opaque of [
      '12315790343_166f8204689_1714763408_70998****',
      '12315790343_166f8204689_1714763408_709982',
      '18382705',
      '-cn-hangzhou',
      '18382705-CN-HANGZHOU',
      'abc-cn-hangzhou',
      '',
    ]) {
      expect(casCertificateIdOf(opaque)).toBeNull();
    }
  });

  it('maps a default CAS certificate: CAS id set, no expiry of its own, in use on its listener', () => {
    expect(
      alb({
        CertificateId: '18382705-cn-hangzhou',
        CertificateType: 'Server',
        IsDefault: true,
        Status: 'Associated',
      }),
    ).toEqual({
      provider: 'aliyun',
      service: 'alb',
      region: 'cn-hangzhou',
      project: null,
      id: 'lsr-bp1bpn0kn908w4nbw/18382705-cn-hangzhou',
      name: 'web :443',
      domains: [],
      apiNotAfter: null,
      chain: null,
      casCertificateId: '18382705',
      inUse: true,
      boundTo: ['ALB alb-95qnr2itwu9orb lsr-bp1bpn0kn908w4nbw:443 (default)'],
      notes: [],
    });
  });

  it('says extra for an SNI certificate, and names the load balancer by id when it was not listed', () => {
    const extra = alb(
      { CertificateId: '10741304-cn-hangzhou', IsDefault: false, Status: 'Associating' },
      null,
    );
    expect(extra).toMatchObject({
      id: 'lsr-bp1bpn0kn908w4nbw/10741304-cn-hangzhou',
      name: 'alb-95qnr2itwu9orb :443',
      casCertificateId: '10741304',
      boundTo: ['ALB alb-95qnr2itwu9orb lsr-bp1bpn0kn908w4nbw:443 (extra)'],
      notes: ["the listener's certificate Status is Associating, not Associated"],
    });
    // "true"/"false" text read like booleans (the wire form is unconfirmed); absent says neither.
    expect(alb({ CertificateId: '1-cn-hangzhou', IsDefault: 'true' }).boundTo[0]).toMatch(/\(default\)$/);
    expect(alb({ CertificateId: '1-cn-hangzhou' }).boundTo[0]).toBe(
      'ALB alb-95qnr2itwu9orb lsr-bp1bpn0kn908w4nbw:443',
    );
  });

  it('reports an opaque id with a note that its expiry is unknown, and no CAS id', () => {
    const opaque = alb({ CertificateId: '12315790343_166f8204689_1714763408_70998****', IsDefault: false });
    expect(opaque.casCertificateId).toBeNull();
    expect(opaque.apiNotAfter).toBeNull();
    expect(opaque.id).toBe('lsr-bp1bpn0kn908w4nbw/12315790343_166f8204689_1714763408_70998****');
    expect(opaque.notes).toEqual([
      'its CertificateId is not a CAS certificate id (<casId>-<region>): ALB states no expiry for it, so its ' +
        'expiry is unknown',
    ]);
  });

  it('names an NLB port-range listener by its range', () => {
    const observed = mapListenerCertificate({
      service: 'nlb',
      product: 'NLB',
      region: 'cn-shanghai',
      loadBalancer: { LoadBalancerId: 'nlb-1', LoadBalancerName: 'tls' },
      listener: {
        ListenerId: 'lsn-1',
        LoadBalancerId: 'nlb-1',
        ListenerPort: 0,
        StartPort: '8000',
        EndPort: '8100',
      },
      certificate: { CertificateId: '55-cn-hangzhou', IsDefault: true },
    });
    expect(observed).toMatchObject({
      service: 'nlb',
      name: 'tls :8000-8100',
      boundTo: ['NLB nlb-1 lsn-1:8000-8100 (default)'],
    });
  });

  it('tells CA certificates (mutual TLS) from server ones, by either field name', () => {
    expect(isCaCertificate({ CertificateType: 'Ca' })).toBe(true);
    expect(isCaCertificate({ CertType: 'CA' })).toBe(true);
    expect(isCaCertificate({ CertificateType: 'Server' })).toBe(false);
    expect(isCaCertificate({})).toBe(false);
  });
});
