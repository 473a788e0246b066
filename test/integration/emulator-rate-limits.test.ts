/**
 * The emulator's per-API rate limits over real sockets: a burst past the bucket gets each provider's own
 * throttling reply (UCloud RetCode 153 in an HTTP 200; Alibaba HTTP 400 `Throttling.User` with a RequestId), the
 * stats count it per action, and an emulator started without `rateLimits` limits nothing.
 *
 * The limiter's clock is frozen, so no token comes back during the burst and the counts are exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  aliyunCanonicalQuery,
  aliyunPercentEncode,
  aliyunRpcSignature,
} from '../../emulator/aliyun/signature';
import type { Fleet } from '../../emulator/fleet/model';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import { ucloudSignature } from '../../emulator/ucloud/signature';

const FLEET: Fleet = {
  ucloud: {
    accounts: [
      { PublicKey: 'pub-a', PrivateKey: 'priv-a' },
      { PublicKey: 'pub-b', PrivateKey: 'priv-b' },
    ],
    certificates: [],
  },
  aliyun: { accounts: [{ AccessKeyId: 'key-a', AccessKeySecret: 'secret-a' }], cdn: { certificates: [] } },
};
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  emulator = await startEmulator({ fleet: FLEET, ...options });
  return emulator;
}

async function describeSslV2(url: string, publicKey = 'pub-a', privateKey = 'priv-a') {
  const params = { Action: 'DescribeSSLV2', Region: 'cn-bj2', Limit: 10, Offset: 0, PublicKey: publicKey };
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) form.append(key, String(value));
  form.append('Signature', ucloudSignature(params, privateKey));
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let nonce = 0;
async function cdnList(url: string) {
  const params: Record<string, string> = {
    Action: 'DescribeCdnSSLCertificateList',
    Version: '2018-05-10',
    Format: 'JSON',
    AccessKeyId: 'key-a',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: `burst-${++nonce}`,
    Timestamp: `${new Date().toISOString().slice(0, 19)}Z`,
    PageNumber: '1',
    PageSize: '10',
  };
  const signature = aliyunPercentEncode(aliyunRpcSignature('GET', params, 'secret-a'));
  const response = await fetch(`${url}?${aliyunCanonicalQuery(params)}&Signature=${signature}`);
  return {
    status: response.status,
    requestIdHeader: response.headers.get('x-acs-request-id'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** Sends `count` requests at once and returns every reply. */
function burst<T>(count: number, send: () => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, send));
}

describe('emulator rate limits over HTTP', () => {
  it('UCloud: a burst past the bucket gets RetCode 153 in an HTTP 200, per account, counted per action', async () => {
    const { ucloudUrl, stats } = await start({
      rateLimits: { perSecond: { DescribeSSLV2: 5 }, clock: () => 0 },
    });
    const replies = await burst(12, () => describeSslV2(ucloudUrl));
    const ok = replies.filter((reply) => reply.body.RetCode === 0);
    const throttled = replies.filter((reply) => reply.body.RetCode === 153);
    expect(ok).toHaveLength(5);
    expect(throttled).toHaveLength(7);
    for (const reply of throttled) {
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        RetCode: 153,
        Action: 'DescribeSSLV2Response',
        Message: 'Request frequency exceeds the limit',
      });
    }
    // Another account has its own bucket.
    expect((await describeSslV2(ucloudUrl, 'pub-b', 'priv-b')).body.RetCode).toBe(0);
    expect(stats.ucloud).toMatchObject({
      requests: 13,
      throttled: 7,
      rateLimited: 7,
      throttledByAction: { DescribeSSLV2: 7 },
      retCodes: { 0: 6, 153: 7 },
    });
  });

  it('Alibaba: a burst past the bucket gets HTTP 400 Throttling.User with its message and a RequestId', async () => {
    const { cdnUrl, stats } = await start({
      rateLimits: { perSecond: { DescribeCdnSSLCertificateList: 4 }, clock: () => 0 },
    });
    const replies = await burst(10, () => cdnList(cdnUrl));
    const throttled = replies.filter((reply) => reply.status === 400);
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(4);
    expect(throttled).toHaveLength(6);
    for (const reply of throttled) {
      expect(reply.body).toMatchObject({
        HostId: 'cdn.aliyuncs.com',
        Code: 'Throttling.User',
        Message: 'Request was denied due to user flow control.',
      });
      expect(reply.body.RequestId).toMatch(REQUEST_ID);
      expect(reply.requestIdHeader).toBe(reply.body.RequestId);
      expect(reply.body.Recommend).toContain(`requestId=${reply.body.RequestId}`);
    }
    expect(stats.aliyun.cdn).toMatchObject({
      requests: 10,
      throttled: 6,
      rateLimited: 6,
      throttledByAction: { DescribeCdnSSLCertificateList: 6 },
      byStatus: { 200: 4, 400: 6 },
    });
  });

  it('serves the counters and the limits in force at GET /stats', async () => {
    const { url, ucloudUrl } = await start({ rateLimits: { scale: 2, clock: () => 0 } });
    await describeSslV2(ucloudUrl);
    const stats = (await (await fetch(`${url}/stats`)).json()) as Record<string, Record<string, unknown>>;
    expect(stats.rateLimits).toEqual({
      DescribeSSLV2: 100,
      DescribeCdnSSLCertificateList: 40,
      DescribeCertificateInfoByID: 200,
      DescribeServerCertificates: 100,
      DescribeCdnHttpsDomainList: 200,
      DescribeDcdnHttpsDomainList: 200,
      ListUserCertificateOrder: 20,
      GetUserCertificateDetail: 200,
      ListLoadBalancers: 40,
      ListListeners: 40,
      ListListenerCertificates: 100,
      AssumeRole: 200,
      ListAccounts: 40,
    });
    expect(stats.ucloud).toMatchObject({ requests: 1, byAction: { DescribeSSLV2: 1 } });
    expect(stats.aliyun).toMatchObject({ cdn: { requests: 0 }, slb: { requests: 0 } });
    expect(stats.processCpuMicros).toBeGreaterThan(0);
  });

  it('limits nothing when started without rateLimits', async () => {
    const { ucloudUrl, stats, rateLimits } = await start();
    expect(rateLimits).toEqual({});
    const replies = await burst(120, () => describeSslV2(ucloudUrl));
    expect(replies.every((reply) => reply.body.RetCode === 0)).toBe(true);
    expect(stats.ucloud.throttled).toBe(0);
  });
});
