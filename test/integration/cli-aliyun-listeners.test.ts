/**
 * certwatch audit against emulated ALB and NLB (real sockets): every listener certificate once, named by its
 * listener, with its CAS id or a note; a listener that cannot be read is named and the rest complete.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateAliyunLoadBalancerFleet } from '../../emulator/fleet/generate';
import type { AliyunLoadBalancer, Fleet } from '../../emulator/fleet/model';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import type { ReportJson } from '../../lib/report/json';
import { runCertwatch } from '../helpers/cli';
import { ALIYUN_ACCOUNT, NOW } from '../helpers/fleet';

const REGIONS = ['cn-hangzhou', 'cn-shanghai'];
// Enough load balancers that listings take more than one page of MaxResults (100 ALB listeners per page).
const alb = generateAliyunLoadBalancerFleet({ product: 'alb', count: 90, seed: 18, regions: REGIONS });
const nlb = generateAliyunLoadBalancerFleet({ product: 'nlb', count: 40, seed: 19, regions: REGIONS });
// One NLB listener with more certificates than one page of 50 would hold (the API says one; the paging must hold).
nlb[0]!.listeners[0] = {
  ListenerId: 'lsn-manycerts',
  port: 9443,
  protocol: 'TCPSSL',
  certificates: Array.from({ length: 60 }, (_, i) => ({
    CertificateId: `${900 + i}-cn-hangzhou`,
    IsDefault: i === 0,
  })),
};
const fleet: Fleet = {
  aliyun: { accounts: [{ ...ALIYUN_ACCOUNT }], alb: { loadBalancers: alb }, nlb: { loadBalancers: nlb } },
};

const listenerKeys = (service: string, loadBalancers: AliyunLoadBalancer[]) =>
  loadBalancers.flatMap((lb) =>
    lb.listeners.flatMap((listener) =>
      listener.certificates.map(
        (c) => `aliyun/${service}/${lb.RegionId}/${listener.ListenerId}/${c.CertificateId}`,
      ),
    ),
  );

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function audit(options: Parameters<typeof startEmulator>[0] = {}) {
  emulator = await startEmulator({ fleet, ...options });
  const run = await runCertwatch(['audit', '--format', 'json', '--now', new Date(NOW).toISOString()], {
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_SCAN_CDN: 'false',
    ALIBABA_CLOUD_ALB_REGIONS: REGIONS.join(','),
    ALIBABA_CLOUD_ALB_ENDPOINT: emulator.albUrl,
    ALIBABA_CLOUD_NLB_REGIONS: REGIONS.join(','),
    ALIBABA_CLOUD_NLB_ENDPOINT: emulator.nlbUrl,
  });
  return { run, report: JSON.parse(run.stdout) as ReportJson };
}

describe('certwatch audit with ALB and NLB listener certificates', () => {
  it('reports every listener certificate exactly once, with its listener, CAS ids noted or not', async () => {
    const { run, report } = await audit();
    expect(report.failures).toEqual([]);
    expect(run.code).toBe(0);
    const keys = report.certificates.map((c) => `${c.provider}/${c.service}/${c.region}/${c.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...listenerKeys('alb', alb), ...listenerKeys('nlb', nlb)].sort());

    const lb = alb.find((l) => l.listeners.some((listener) => listener.certificates.length > 1))!;
    const listener = lb.listeners.find((l) => l.certificates.length > 1)!;
    const [first, second] = listener.certificates;
    const row = (id: string) => report.certificates.find((c) => c.id === `${listener.ListenerId}/${id}`)!;
    expect(row(first!.CertificateId)).toMatchObject({
      name: `${lb.name} :${listener.port}`,
      inUse: true,
      boundTo: [`ALB ${lb.LoadBalancerId} ${listener.ListenerId}:${listener.port} (default)`],
    });
    expect(row(second!.CertificateId).boundTo).toEqual([
      `ALB ${lb.LoadBalancerId} ${listener.ListenerId}:${listener.port} (extra)`,
    ]);
    // Without a CAS record in the scan the expiry is unknown; an opaque id says why.
    const opaque = report.certificates.filter((c) => !/\/\d+-cn-hangzhou$/.test(c.id));
    expect(opaque.length).toBeGreaterThan(0);
    for (const c of opaque) expect(c.notes.join()).toMatch(/not a CAS certificate id/);
    for (const c of report.certificates) expect(c).toMatchObject({ status: 'unknown', notAfter: null });

    const stats = emulator!.stats.aliyun;
    // 60 certificates on one NLB listener: two pages of 50, sent as POST forms.
    expect(stats.nlb.certificatesReturned).toBe(listenerKeys('nlb', nlb).length);
    expect(stats.alb.byAction.ListListeners).toBeGreaterThanOrEqual(2 * REGIONS.length);
    expect(stats.alb.errors + stats.nlb.errors).toBe(0);
  });

  it('names a listener whose certificates cannot be read and the RAM action it needs; the rest complete', async () => {
    const { run, report } = await audit({
      aliyun: {
        failures: [
          { service: 'alb', action: 'ListListenerCertificates', code: 'Forbidden.NoPermission', times: 1 },
          {
            service: 'nlb',
            action: 'ListLoadBalancers',
            region: 'cn-shanghai',
            code: 'SystemBusy',
            times: 2,
          },
        ],
      },
    });
    expect(run.code).toBe(3);
    expect(report.failures).toEqual([
      expect.objectContaining({ provider: 'aliyun', service: 'alb', project: null }),
    ]);
    expect(report.failures[0]!.message).toMatch(
      /^Alibaba ALB ListListenerCertificates in cn-(hangzhou|shanghai) for listener lsr-[a-z0-9]+: HTTP 403 Forbidden.NoPermission .* grant it the RAM action alb:ListListenerCertificates/,
    );
    const expected = listenerKeys('alb', alb).length + listenerKeys('nlb', nlb).length;
    const failedListener = /for listener (lsr-[a-z0-9]+)/.exec(report.failures[0]!.message)![1]!;
    const missing = alb.flatMap((l) => l.listeners).find((l) => l.ListenerId === failedListener)!;
    expect(report.certificates).toHaveLength(expected - missing.certificates.length);
    // SystemBusy is retried: NLB in cn-shanghai completes.
    expect(report.certificates.some((c) => c.service === 'nlb' && c.region === 'cn-shanghai')).toBe(true);
  });
});
