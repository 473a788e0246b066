import { describe, expect, it } from 'vitest';
import { DOCTOR_RETRY, hostOf } from '../../../lib/checks/answer';
import { loadConfig } from '../../../lib/config';
import { aliyunClient } from '../../../lib/providers/aliyun/client';
import { cdnCheck, slbRegionCheck } from '../../../lib/providers/aliyun/doctor';
import { UcloudClient } from '../../../lib/providers/ucloud/client';
import { ucloudTargetCheck } from '../../../lib/providers/ucloud/doctor';

/** A fake endpoint as a fetch: `reply` answers each request's parameters (form body or query). */
function fakeEndpoint(reply: (params: URLSearchParams) => { status?: number; body: unknown }) {
  const seen: URLSearchParams[] = [];
  const fetch: typeof globalThis.fetch = async (url, init) => {
    const params = init?.body ? new URLSearchParams(String(init.body)) : new URL(String(url)).searchParams;
    seen.push(params);
    const { status = 200, body } = reply(params);
    return new Response(JSON.stringify(body), { status });
  };
  return { fetch, seen };
}

const noWait = { sleep: async () => {}, random: () => 0 };

function ucloud(fetch: typeof globalThis.fetch) {
  return new UcloudClient({
    publicKey: 'canary-public',
    privateKey: 'canary-private',
    apiUrl: 'https://api.ucloud.cn',
    timeoutMs: 1000,
    retry: DOCTOR_RETRY,
    fetch,
    ...noWait,
  });
}

const target = { region: 'cn-bj2', projectId: 'org-x' };

describe('ucloudTargetCheck', () => {
  it('asks for one certificate and reports the host and TotalCount', async () => {
    const { fetch, seen } = fakeEndpoint(() => ({
      body: { RetCode: 0, TotalCount: 233, DataSet: [{ SSLId: 's' }] },
    }));
    const result = await ucloudTargetCheck(ucloud(fetch), target, 'https://api.ucloud.cn').run();
    expect(result).toEqual({
      status: 'ok',
      text: 'UCloud DescribeSSLV2 in cn-bj2 (project org-x): api.ucloud.cn answered; 233 certificates (TotalCount)',
    });
    expect(seen).toHaveLength(1);
    expect(Object.fromEntries(seen[0]!)).toMatchObject({
      Action: 'DescribeSSLV2',
      Region: 'cn-bj2',
      ProjectId: 'org-x',
      Limit: '1',
      Offset: '0',
    });
  });

  it("fails with the client's own message, which names the key to check", async () => {
    const { fetch } = fakeEndpoint(() => ({ body: { RetCode: 171, Message: 'Signature VerifyAC Error' } }));
    const result = await ucloudTargetCheck(ucloud(fetch), target, 'https://api.ucloud.cn').run();
    expect(result).toEqual({
      status: 'fail',
      text:
        'UCloud DescribeSSLV2 in cn-bj2 (project org-x): RetCode 171 "Signature VerifyAC Error" — check ' +
        'UCLOUD_PRIVATE_KEY (it must be the private key of UCLOUD_PUBLIC_KEY)',
    });
    expect(result.text).not.toContain('canary');
  });

  it('tries a transient failure twice only', async () => {
    const { fetch, seen } = fakeEndpoint(() => ({ body: { RetCode: 150, Message: 'Service unavailable' } }));
    const result = await ucloudTargetCheck(ucloud(fetch), target, 'https://api.ucloud.cn').run();
    expect(seen).toHaveLength(2);
    expect(result.status).toBe('fail');
    expect(result.text).toMatch(/RetCode 150 .* \(gave up after 2 attempts\)$/);
  });

  it('fails plainly when the endpoint is not the UCloud API', async () => {
    const { fetch } = fakeEndpoint(() => ({ body: { RetCode: 0, TotalCount: 3 } }));
    const result = await ucloudTargetCheck(ucloud(fetch), target, 'https://api.ucloud.cn').run();
    expect(result.status).toBe('fail');
    expect(result.text).toContain('has no DataSet list; check UCLOUD_API_URL');
  });
});

const aliyunConfig = loadConfig({
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'canary-akid',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'canary-secret',
  ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
  ALIBABA_CLOUD_CDN_ENDPOINT: 'https://cdn.example.test',
  ALIBABA_CLOUD_SLB_ENDPOINT: 'https://slb.example.test',
}).aliyun!;

function aliyun(product: 'CDN' | 'SLB', fetch: typeof globalThis.fetch) {
  const target = product === 'CDN' ? { product } : { product, region: 'cn-hangzhou' };
  return aliyunClient(
    aliyunConfig,
    target,
    { requestTimeoutMs: 1000, retry: DOCTOR_RETRY },
    { fetch, ...noWait },
  );
}

const cdnList = (certs: unknown[], count: number) => ({
  body: { RequestId: 'r', CertificateListModel: { Count: count, CertList: { Cert: certs } } },
});

describe('cdnCheck', () => {
  it('asks for the smallest page and reports a Count larger than the page as the total', async () => {
    const { fetch, seen } = fakeEndpoint(() => cdnList([{ CertId: 1 }], 107));
    const result = await cdnCheck(aliyun('CDN', fetch), 'https://cdn.example.test').run();
    expect(result).toEqual({
      status: 'ok',
      text: 'Alibaba CDN DescribeCdnSSLCertificateList: cdn.example.test answered; 107 certificates (Count)',
    });
    expect(seen[0]?.get('PageSize')).toBe('1');
    expect(seen[0]?.get('PageNumber')).toBe('1');
  });

  it('does not read a page-sized Count as a total', async () => {
    const { fetch } = fakeEndpoint(() => cdnList([{ CertId: 1 }], 1));
    expect((await cdnCheck(aliyun('CDN', fetch), 'https://cdn.example.test').run()).text).toMatch(
      /answered; at least 1 certificate$/,
    );
    const empty = fakeEndpoint(() => cdnList([], 0));
    expect((await cdnCheck(aliyun('CDN', empty.fetch), 'https://cdn.example.test').run()).text).toMatch(
      /answered; no certificates$/,
    );
  });

  it('fails with the signature advice, and tries a refusal once', async () => {
    const { fetch, seen } = fakeEndpoint(() => ({
      status: 400,
      body: {
        RequestId: 'r-1',
        Code: 'SignatureDoesNotMatch',
        Message: 'Specified signature is not matched.',
      },
    }));
    const result = await cdnCheck(aliyun('CDN', fetch), 'https://cdn.example.test').run();
    expect(seen).toHaveLength(1);
    expect(result.status).toBe('fail');
    expect(result.text).toMatch(
      /^Alibaba CDN DescribeCdnSSLCertificateList \(page 1\): HTTP 400 SignatureDoesNotMatch .* — check ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
    );
    expect(result.text).not.toContain('canary');
  });
});

describe('slbRegionCheck', () => {
  it('reports how many server certificates the region holds', async () => {
    const { fetch, seen } = fakeEndpoint(() => ({
      body: { RequestId: 'r', ServerCertificates: { ServerCertificate: [{ ServerCertificateId: 'a' }, {}] } },
    }));
    const result = await slbRegionCheck(
      aliyun('SLB', fetch),
      'cn-hangzhou',
      'https://slb.example.test',
    ).run();
    expect(result).toEqual({
      status: 'ok',
      text: 'Alibaba SLB DescribeServerCertificates in cn-hangzhou: slb.example.test answered; 2 server certificates',
    });
    expect(seen[0]?.get('RegionId')).toBe('cn-hangzhou');
  });

  it('fails naming the region and the permission to grant', async () => {
    const { fetch } = fakeEndpoint(() => ({
      status: 403,
      body: { RequestId: 'r', Code: 'Forbidden.RAM', Message: 'User not authorized' },
    }));
    const result = await slbRegionCheck(
      aliyun('SLB', fetch),
      'cn-hangzhou',
      'https://slb.example.test',
    ).run();
    expect(result.status).toBe('fail');
    expect(result.text).toMatch(
      /^Alibaba SLB DescribeServerCertificates in cn-hangzhou: HTTP 403 Forbidden.RAM "User not authorized" — the key lacks permission/,
    );
  });
});

describe('hostOf', () => {
  it('shows host and port, never a path or credentials in the URL', () => {
    expect(hostOf('http://user:pw@127.0.0.1:8080/ucloud')).toBe('127.0.0.1:8080');
    expect(hostOf('not a url')).toBe('the endpoint');
  });
});
