/**
 * The emulated ALB and NLB APIs over real sockets, called through certwatch's own signed client: NextToken paging
 * with opaque tokens, MaxResults ranges, NLB's form body, errors, signatures; and the listener source's records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../../emulator/fleet/model';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import type { ProviderError } from '../../lib/errors';
import type { ObservedCertificate, SourceFailure } from '../../lib/model';
import { ALB_LISTENERS } from '../../lib/providers/aliyun/alb/listings';
import { aliyunClient } from '../../lib/providers/aliyun/client';
import type { AliyunConfig } from '../../lib/providers/aliyun/config';
import { listenerRegionCheck } from '../../lib/providers/aliyun/doctor';
import { NLB_LISTENERS } from '../../lib/providers/aliyun/nlb/listings';
import { aliyunListenerSource } from '../../lib/providers/aliyun/source';
import type { ScanSink } from '../../lib/providers/source';
import { aliyunConfig } from '../helpers/aliyunConfig';
import { ALIYUN_ACCOUNT } from '../helpers/fleet';

const listener = (id: string, port: number, protocol: string, ids: string[]) => ({
  ListenerId: id,
  port,
  protocol,
  certificates: ids.map((CertificateId, i) => ({ CertificateId, IsDefault: i === 0 })),
});

const fleet: Fleet = {
  aliyun: {
    accounts: [{ ...ALIYUN_ACCOUNT }],
    alb: {
      loadBalancers: [
        {
          RegionId: 'cn-hangzhou',
          LoadBalancerId: 'alb-one',
          name: 'web',
          DNSName: 'alb-one.cn-hangzhou.alb.aliyuncs.com',
          listeners: [
            listener('lsr-https', 443, 'HTTPS', [
              '18382705-cn-hangzhou',
              '10741304-cn-hangzhou',
              '12315790343_166f8204689_1714763408_709982',
            ]),
            listener('lsr-quic', 443, 'QUIC', ['77-cn-hangzhou']),
            listener('lsr-http', 80, 'HTTP', []),
          ],
        },
        ...Array.from({ length: 4 }, (_, i) => ({
          RegionId: 'cn-hangzhou',
          LoadBalancerId: `alb-more${i}`,
          name: `more${i}`,
          DNSName: `alb-more${i}.cn-hangzhou.alb.aliyuncs.com`,
          listeners: [],
        })),
      ],
    },
    nlb: {
      loadBalancers: [
        {
          RegionId: 'cn-shanghai',
          LoadBalancerId: 'nlb-one',
          name: 'tls',
          DNSName: 'nlb-one.cn-shanghai.nlb.aliyuncs.com',
          listeners: [
            listener(
              'lsn-tls',
              8443,
              'TCPSSL',
              Array.from({ length: 55 }, (_, i) => `${100 + i}-cn-hangzhou`),
            ),
            listener('lsn-tcp', 80, 'TCP', []),
          ],
        },
      ],
    },
  },
};

let emulator: RunningEmulator;
let config: AliyunConfig;
const clientFor = (product: 'ALB' | 'NLB', region: string, secret = ALIYUN_ACCOUNT.AccessKeySecret) =>
  aliyunClient(
    { ...config, accessKeySecret: secret },
    { product, region },
    { requestTimeoutMs: 5000, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
  );
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error as ProviderError,
  );

beforeAll(async () => {
  emulator = await startEmulator({ fleet });
  config = aliyunConfig({
    accessKeyId: ALIYUN_ACCOUNT.AccessKeyId,
    accessKeySecret: ALIYUN_ACCOUNT.AccessKeySecret,
    cdnEndpoint: emulator.cdnUrl,
    albRegions: ['cn-hangzhou'],
    albEndpoint: emulator.albUrl,
    nlbRegions: ['cn-shanghai'],
    nlbEndpoint: emulator.nlbUrl,
  });
});
afterAll(() => emulator.close());

describe('emulated ALB and NLB', () => {
  it('pages with opaque NextTokens, "" on the last page, TotalCount the whole list', async () => {
    const alb = clientFor('ALB', 'cn-hangzhou');
    const first = await alb.call('ListLoadBalancers', { RegionId: 'cn-hangzhou', MaxResults: '2' });
    expect(first).toMatchObject({ MaxResults: 2, TotalCount: 5 });
    expect(first.LoadBalancers).toEqual([
      expect.objectContaining({
        LoadBalancerId: 'alb-one',
        LoadBalancerName: 'web',
        DNSName: 'alb-one.cn-hangzhou.alb.aliyuncs.com',
      }),
      expect.objectContaining({ LoadBalancerId: 'alb-more0' }),
    ]);
    const token = first.NextToken as string;
    expect(token).not.toMatch(/^\d+$/);
    const ids: string[] = [];
    let next: string | undefined = token;
    while (next) {
      const page = await alb.call('ListLoadBalancers', {
        RegionId: 'cn-hangzhou',
        MaxResults: '2',
        NextToken: next,
      });
      ids.push(...(page.LoadBalancers as { LoadBalancerId: string }[]).map((lb) => lb.LoadBalancerId));
      next = page.NextToken as string;
    }
    expect(ids).toEqual(['alb-more1', 'alb-more2', 'alb-more3']);
    expect(next).toBe('');
    // Default MaxResults 20: one page.
    expect(await alb.call('ListLoadBalancers', { RegionId: 'cn-hangzhou' })).toMatchObject({
      MaxResults: 20,
      NextToken: '',
    });
    // A token is only good for the listing it came from.
    const foreign = await failure(alb.call('ListListeners', { RegionId: 'cn-hangzhou', NextToken: token }));
    expect(foreign).toMatchObject({ code: 'InvalidParameter' });
    expect(
      await failure(alb.call('ListLoadBalancers', { RegionId: 'cn-hangzhou', NextToken: 'bm9wZQ' })),
    ).toMatchObject({
      code: 'InvalidParameter',
    });
  });

  it('refuses MaxResults outside the documented ranges: 1..100, and 1..50 for NLB ListListenerCertificates', async () => {
    const alb = clientFor('ALB', 'cn-hangzhou');
    const nlb = clientFor('NLB', 'cn-shanghai');
    for (const bad of ['0', '101', 'x', '-1']) {
      expect(
        await failure(alb.call('ListListeners', { RegionId: 'cn-hangzhou', MaxResults: bad })),
      ).toMatchObject({
        code: 'InvalidParameter',
        message: expect.stringContaining('HTTP 400'),
      });
    }
    expect(
      await alb.call('ListListenerCertificates', {
        RegionId: 'cn-hangzhou',
        ListenerId: 'lsr-https',
        MaxResults: '100',
      }),
    ).toMatchObject({ TotalCount: 3 });
    const params = { RegionId: 'cn-shanghai', ListenerId: 'lsn-tls' };
    expect(
      await failure(
        nlb.call('ListListenerCertificates', { ...params, MaxResults: '51' }, { method: 'POST' }),
      ),
    ).toMatchObject({ code: 'InvalidParameter' });
    expect(
      await nlb.call('ListListenerCertificates', { ...params, MaxResults: '50' }, { method: 'POST' }),
    ).toMatchObject({ MaxResults: 50, TotalCount: 55 });
  });

  it('reads NLB ListListenerCertificates from the form body or the query, and the lsn-…@port form', async () => {
    const nlb = clientFor('NLB', 'cn-shanghai');
    const params = { RegionId: 'cn-shanghai', ListenerId: 'lsn-tls', CertType: 'Server', MaxResults: '5' };
    const before = emulator.stats.aliyun.nlb.requests;
    const viaForm = await nlb.call('ListListenerCertificates', params, { method: 'POST' });
    const viaQuery = await nlb.call('ListListenerCertificates', params);
    const viaPort = await nlb.call(
      'ListListenerCertificates',
      { ...params, ListenerId: 'lsn-tls@8443' },
      { method: 'POST' },
    );
    expect(emulator.stats.aliyun.nlb.requests - before).toBe(3);
    for (const reply of [viaForm, viaQuery, viaPort]) {
      expect(reply.Certificates).toHaveLength(5);
      expect(reply.CertificateIds).toEqual([
        '100-cn-hangzhou',
        '101-cn-hangzhou',
        '102-cn-hangzhou',
        '103-cn-hangzhou',
        '104-cn-hangzhou',
      ]);
      expect((reply.Certificates as unknown[])[0]).toEqual({
        CertificateId: '100-cn-hangzhou',
        CertificateType: 'Server',
        IsDefault: true,
        Status: 'Associated',
      });
    }
    // The fleet holds server certificates only.
    expect(
      await nlb.call('ListListenerCertificates', { ...params, CertType: 'Ca' }, { method: 'POST' }),
    ).toMatchObject({ Certificates: [], TotalCount: 0 });
  });

  it('answers the documented errors: ResourceNotFound.listener 404, MissingParameter, bad protocol', async () => {
    const alb = clientFor('ALB', 'cn-hangzhou');
    const nlb = clientFor('NLB', 'cn-shanghai');
    expect(
      await failure(
        alb.call('ListListenerCertificates', { RegionId: 'cn-hangzhou', ListenerId: 'lsr-gone' }),
      ),
    ).toMatchObject({
      code: 'ResourceNotFound.listener',
      message: expect.stringContaining('HTTP 404'),
    });
    // An NLB listener id is not an ALB one, and a listener is found only in its own region.
    expect(
      await failure(alb.call('ListListenerCertificates', { RegionId: 'cn-hangzhou', ListenerId: 'lsn-tls' })),
    ).toMatchObject({ code: 'ResourceNotFound.listener' });
    expect(
      await failure(
        nlb.call(
          'ListListenerCertificates',
          { RegionId: 'cn-hangzhou', ListenerId: 'lsn-tls' },
          { method: 'POST' },
        ),
      ),
    ).toMatchObject({ code: 'ResourceNotFound.listener' });
    expect(await failure(alb.call('ListListenerCertificates', { RegionId: 'cn-hangzhou' }))).toMatchObject({
      code: 'MissingParameter',
    });
    expect(
      await failure(alb.call('ListListeners', { RegionId: 'cn-hangzhou', ListenerProtocol: 'TCPSSL' })),
    ).toMatchObject({ code: 'InvalidParameter' });
    expect(await failure(alb.call('DescribeServerCertificates', { RegionId: 'cn-hangzhou' }))).toMatchObject({
      code: 'InvalidAction.NotFound',
    });
  });

  it('checks the signature and the version of each product', async () => {
    expect(
      await failure(
        clientFor('ALB', 'cn-hangzhou', 'wrong-secret').call('ListLoadBalancers', {
          RegionId: 'cn-hangzhou',
        }),
      ),
    ).toMatchObject({
      code: 'SignatureDoesNotMatch',
      message: expect.stringContaining('check ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
    });
    // An NLB client (version 2022-04-30) at the ALB endpoint.
    const crossed = aliyunClient(
      { ...config, nlbEndpoint: emulator.albUrl },
      { product: 'NLB', region: 'cn-hangzhou' },
      {
        requestTimeoutMs: 5000,
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      },
    );
    expect(await failure(crossed.call('ListLoadBalancers', { RegionId: 'cn-hangzhou' }))).toMatchObject({
      code: 'InvalidVersion',
    });
  });

  it('the listener source reports each server certificate once: CAS id set, no expiry of its own', async () => {
    const seen: ObservedCertificate[] = [];
    const failures: SourceFailure[] = [];
    const sink: ScanSink = {
      certificate: (c: ObservedCertificate) => seen.push(c),
      failure: (f: SourceFailure) => failures.push(f),
    };
    const options = { requestTimeoutMs: 5000 };
    await aliyunListenerSource(config, ALB_LISTENERS, ['cn-hangzhou'], options).scan(sink);
    await aliyunListenerSource(config, NLB_LISTENERS, ['cn-shanghai'], options).scan(sink);
    expect(failures).toEqual([]);
    const alb = seen.filter((c) => c.service === 'alb');
    expect(alb.map((c) => [c.id, c.casCertificateId, c.apiNotAfter, c.boundTo[0]])).toEqual(
      expect.arrayContaining([
        ['lsr-https/18382705-cn-hangzhou', '18382705', null, 'ALB alb-one lsr-https:443 (default)'],
        ['lsr-https/10741304-cn-hangzhou', '10741304', null, 'ALB alb-one lsr-https:443 (extra)'],
        [
          'lsr-https/12315790343_166f8204689_1714763408_709982',
          null,
          null,
          'ALB alb-one lsr-https:443 (extra)',
        ],
        ['lsr-quic/77-cn-hangzhou', '77', null, 'ALB alb-one lsr-quic:443 (default)'],
      ]),
    );
    expect(alb).toHaveLength(4);
    const nlb = seen.filter((c) => c.service === 'nlb');
    expect(nlb).toHaveLength(55);
    expect(new Set(nlb.map((c) => c.id)).size).toBe(55);
    expect(nlb[0]).toMatchObject({ region: 'cn-shanghai', name: 'tls :8443', inUse: true });
  });

  it('doctor: each region answers, and a missing permission names its RAM action', async () => {
    const ok = await listenerRegionCheck(
      ALB_LISTENERS,
      clientFor('ALB', 'cn-hangzhou'),
      'cn-hangzhou',
      emulator.albUrl,
    ).run();
    expect(ok).toEqual({
      status: 'ok',
      text: `Alibaba ALB in cn-hangzhou: ${new URL(emulator.albUrl).host} answered; 5 load balancers (TotalCount); listener lsr-https holds 3 certificates`,
    });
    const forbidding = await startEmulator({
      fleet,
      aliyun: {
        failures: [{ service: 'nlb', action: 'ListListenerCertificates', code: 'Forbidden.NoPermission' }],
      },
    });
    try {
      const client = aliyunClient(
        { ...config, nlbEndpoint: forbidding.nlbUrl },
        { product: 'NLB', region: 'cn-shanghai' },
        {
          requestTimeoutMs: 5000,
          retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        },
      );
      const failed = await listenerRegionCheck(NLB_LISTENERS, client, 'cn-shanghai', forbidding.nlbUrl).run();
      expect(failed.status).toBe('fail');
      expect(failed.text).toMatch(
        /^Alibaba NLB ListListenerCertificates in cn-shanghai for listener lsn-tls: HTTP 403 Forbidden.NoPermission .*grant it the RAM action nlb:ListListenerCertificates/,
      );
    } finally {
      await forbidding.close();
    }
  });
});
