import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../lib/errors';
import {
  DEFAULT_CDN_PAGING,
  listCdnCertificatePages,
} from '../../../../lib/providers/aliyun/cdn/listCertificates';
import { AliyunRpcClient, withoutEchoedRequest } from '../../../../lib/providers/aliyun/client';
import { percentEncode } from '../../../../lib/providers/aliyun/signature';
import { armour } from '../../../helpers/pem';

const KEY_LINE = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDf3kQ2xY';

describe('withoutEchoedRequest', () => {
  const params = {
    PrivateKey: armour('PRIVATE KEY', KEY_LINE),
    RegionId: 'cn-hangzhou',
  };

  it("cuts the string to sign that Alibaba's SignatureDoesNotMatch message quotes", () => {
    const message = `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&PrivateKey%3D${percentEncode(percentEncode(KEY_LINE))}`;
    expect(withoutEchoedRequest(message, params)).toBe(
      'Specified signature is not matched with our calculation. (the string to sign it quoted is omitted)',
    );
  });

  it('withholds a message that quotes any 16 characters of a value, raw or encoded, in any case', () => {
    for (const quoted of [
      KEY_LINE.slice(5, 21),
      percentEncode(`-----\n${KEY_LINE.slice(0, 10)}`),
      KEY_LINE.slice(30, 50).toLowerCase(),
    ]) {
      expect(withoutEchoedRequest(`The private key ${quoted} is not valid.`, params)).toBe(
        '(message withheld: it quoted the request, which may hold a key)',
      );
    }
    expect(withoutEchoedRequest('The private key is not valid.', params)).toBe(
      'The private key is not valid.',
    );
  });
});

/** A hand-written fake of the CDN list API as a fetch function. */
function cdnList(pages: (pageNumber: number, pageSize: number) => unknown) {
  let calls = 0;
  const fetch: typeof globalThis.fetch = async (url) => {
    calls++;
    const query = new URL(String(url)).searchParams;
    const reply = pages(Number(query.get('PageNumber')), Number(query.get('PageSize')));
    return new Response(JSON.stringify(reply));
  };
  const client = new AliyunRpcClient({
    credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
    endpoint: 'http://cdn.invalid',
    version: '2018-05-10',
    product: 'CDN',
    settings: { accessKeyId: 'A', accessKeySecret: 'B', endpoint: 'C' },
    timeoutMs: 1000,
    fetch,
    sleep: async () => {},
  });
  return { client, calls: () => calls };
}

const model = (ids: number[], extra: Record<string, unknown> = {}) => ({
  RequestId: 'r',
  CertificateListModel: {
    Count: ids.length,
    CertList: { Cert: ids.map((CertId) => ({ CertId })) },
    ...extra,
  },
});

async function ids(client: AliyunRpcClient, pageSize = 3) {
  const seen: unknown[] = [];
  for await (const page of listCdnCertificatePages(client, { ...DEFAULT_CDN_PAGING, pageSize })) {
    seen.push(...page.map((entry) => entry.CertId));
  }
  return seen;
}

describe('listCdnCertificatePages', () => {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it('pages until a short page, whether Count is a total or per page, every CertId once', async () => {
    const perPage = cdnList((page) => model(range((page - 1) * 3, Math.min(page * 3, 7))));
    expect(await ids(perPage.client)).toEqual(range(0, 7));
    expect(perPage.calls()).toBe(3);
    const total = cdnList((page) => ({
      CertificateListModel: {
        Count: 7,
        CertList: { Cert: range((page - 1) * 3, Math.min(page * 3, 7)).map((CertId) => ({ CertId })) },
      },
    }));
    expect(await ids(total.client)).toEqual(range(0, 7));
    const doubled = cdnList(() => model([1, 1, 2].slice(0, 2)));
    expect(await ids(doubled.client)).toEqual([1]);
  });

  it('keeps going when the server caps the page size it was asked for, and says so', async () => {
    const capped = cdnList((page) => model(range((page - 1) * 2, Math.min(page * 2, 5)), { PageSize: 2 }));
    expect(await ids(capped.client, 3)).toEqual(range(0, 5));
  });

  it('refuses a page that repeats, and a total the pages did not reach', async () => {
    const repeating = cdnList(() => model([1, 2, 3]));
    await expect(ids(repeating.client)).rejects.toThrow(/page 2 repeats the previous one/);
    const lying = cdnList((page) => ({
      CertificateListModel: {
        Count: 9,
        CertList: { Cert: range((page - 1) * 3, Math.min(page * 3, 5)).map((CertId) => ({ CertId })) },
      },
    }));
    await expect(ids(lying.client)).rejects.toThrow(/Count says 9 certificates but the pages held 5/);
  });

  it('refuses a reply that is not a certificate list', async () => {
    const wrong = cdnList(() => ({ RequestId: 'r' }));
    await expect(ids(wrong.client)).rejects.toThrow(/has no CertificateListModel\.CertList\.Cert list/);
    const failing = cdnList(() => ({ Code: 'x' }));
    await expect(ids(failing.client)).rejects.toBeInstanceOf(Error);
  });

  it('names the call in a refusal', async () => {
    const client = new AliyunRpcClient({
      credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
      endpoint: 'http://cdn.invalid',
      version: '2018-05-10',
      product: 'CDN',
      settings: {
        accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
        accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        endpoint: 'E',
      },
      timeoutMs: 1000,
      fetch: async () =>
        new Response(
          JSON.stringify({
            Code: 'InvalidAccessKeyId.NotFound',
            Message: 'Specified access key is not found.',
            RequestId: 'R-1',
          }),
          { status: 404 },
        ),
    });
    const error = (await ids(client).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe(
      'Alibaba CDN DescribeCdnSSLCertificateList (page 1): HTTP 404 InvalidAccessKeyId.NotFound "Specified access key ' +
        'is not found." — check ALIBABA_CLOUD_ACCESS_KEY_ID: Alibaba Cloud does not know it (RequestId R-1)',
    );
    expect(error.retryable).toBe(false);
  });
});
