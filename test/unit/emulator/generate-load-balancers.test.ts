import { describe, expect, it } from 'vitest';
import { DEMO_ALIYUN_LISTENER_CAS_IDS, demoFleet } from '../../../emulator/fleet/demo';
import { validateFleet } from '../../../emulator/fleet/file';
import { generateAliyunLoadBalancerFleet } from '../../../emulator/fleet/generate';

describe('generateAliyunLoadBalancerFleet', () => {
  it('is a pure function of its options, valid as a fleet, with CAS and opaque ids and unique listener ids', () => {
    const options = { product: 'alb' as const, count: 200, seed: 7, regions: ['cn-hangzhou', 'cn-beijing'] };
    const alb = generateAliyunLoadBalancerFleet(options);
    expect(generateAliyunLoadBalancerFleet(options)).toEqual(alb);
    expect(validateFleet({ aliyun: { alb: { loadBalancers: alb } } })).toBeTruthy();
    const listeners = alb.flatMap((lb) => lb.listeners);
    expect(new Set(listeners.map((l) => l.ListenerId)).size).toBe(listeners.length);
    const ids = listeners.flatMap((l) => l.certificates.map((c) => c.CertificateId));
    expect(ids.some((id) => /^\d+-cn-hangzhou$/.test(id))).toBe(true);
    expect(ids.some((id) => !/^\d+-cn-hangzhou$/.test(id))).toBe(true);
    for (const l of listeners) {
      expect(l.certificates.length > 0).toBe(l.protocol !== 'HTTP');
      expect(l.certificates.filter((c) => c.IsDefault).length).toBe(l.certificates.length > 0 ? 1 : 0);
    }
    const nlb = generateAliyunLoadBalancerFleet({ ...options, product: 'nlb', casCertificateIds: ['42'] });
    const nlbIds = nlb.flatMap((lb) =>
      lb.listeners.flatMap((l) => l.certificates.map((c) => c.CertificateId)),
    );
    expect(nlbIds.filter((id) => /^\d+-/.test(id)).every((id) => id === '42-cn-hangzhou')).toBe(true);
  });

  it('the demo fleet has an ALB with a default and an extra CAS certificate, an opaque one, and an NLB listener', () => {
    const fleet = demoFleet(Date.UTC(2026, 10, 23));
    const [https] = fleet.aliyun!.alb!.loadBalancers[0]!.listeners;
    expect(https!.certificates).toEqual([
      { CertificateId: `${DEMO_ALIYUN_LISTENER_CAS_IDS.albDefault}-cn-hangzhou`, IsDefault: true },
      { CertificateId: `${DEMO_ALIYUN_LISTENER_CAS_IDS.albExtra}-cn-hangzhou`, IsDefault: false },
      { CertificateId: expect.not.stringMatching(/^\d+-/), IsDefault: false },
    ]);
    expect(fleet.aliyun!.nlb!.loadBalancers[0]!.listeners[0]).toMatchObject({ protocol: 'TCPSSL' });
  });
});
