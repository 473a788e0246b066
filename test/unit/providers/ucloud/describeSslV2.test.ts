import { describe, expect, it } from 'vitest';
import { PagingError, ProviderError } from '../../../../lib/errors';
import { UcloudClient } from '../../../../lib/providers/ucloud/client';
import { listSslV2 } from '../../../../lib/providers/ucloud/describeSslV2';

/**
 * A hand-written fake of the UCloud endpoint as a fetch function: `pageFor` decides each reply from the
 * request's form parameters, so tests can move the fleet between pages.
 */
function fakeUcloud(pageFor: (params: URLSearchParams, call: number) => unknown) {
  let calls = 0;
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    const params = new URLSearchParams(String(init?.body));
    const reply = pageFor(params, calls++);
    return new Response(JSON.stringify(reply), { headers: { 'x-ucloud-request-uuid': `req-${calls}` } });
  };
  const client = new UcloudClient({
    publicKey: 'pk',
    privateKey: 'sk',
    apiUrl: 'http://ucloud.invalid/',
    timeoutMs: 1000,
    fetch,
    sleep: async () => {},
    random: () => 0.5,
  });
  return { client, calls: () => calls };
}

const ids = (n: number, prefix = 'ssl-') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

function pageOf(fleet: string[], params: URLSearchParams) {
  const offset = Number(params.get('Offset'));
  const limit = Number(params.get('Limit'));
  return {
    RetCode: 0,
    Action: 'DescribeSSLV2Response',
    TotalCount: fleet.length,
    DataSet: fleet.slice(offset, offset + limit).map((SSLId) => ({ SSLId })),
  };
}

async function collect(iterable: AsyncIterable<{ SSLId?: unknown }>) {
  const seen: unknown[] = [];
  for await (const item of iterable) seen.push(item.SSLId);
  return seen;
}

const target = { region: 'cn-bj2', projectId: 'org-x' };
const paging = { pageSize: 100, maxRestarts: 3, maxPages: 100 };

describe('listSslV2', () => {
  it('pages by Offset with Limit 100 until a short page', async () => {
    const fleet = ids(250);
    const offsets: string[] = [];
    const { client } = fakeUcloud((params) => {
      offsets.push(
        `${params.get('Offset')}/${params.get('Limit')}/${params.get('Region')}/${params.get('ProjectId')}`,
      );
      return pageOf(fleet, params);
    });
    expect(await collect(listSslV2(client, target, paging))).toEqual(fleet);
    // Each page after the first starts on the previous page's last item, to notice a shifted list.
    expect(offsets).toEqual(['0/100/cn-bj2/org-x', '99/100/cn-bj2/org-x', '198/100/cn-bj2/org-x']);
  });

  it('stops on a short page once TotalCount is reached; a full last page is confirmed by one more call', async () => {
    const fleet = ids(199);
    const counted = fakeUcloud((params) => pageOf(fleet, params));
    expect(await collect(listSslV2(counted.client, target, paging))).toEqual(fleet);
    expect(counted.calls()).toBe(3);
    const single = fakeUcloud((params) => pageOf(ids(30), params));
    expect(await collect(listSslV2(single.client, target, paging))).toEqual(ids(30));
    expect(single.calls()).toBe(1);
    const uncounted = fakeUcloud((params) => ({ ...pageOf(ids(150), params), TotalCount: undefined }));
    expect(await collect(listSslV2(uncounted.client, target, paging))).toEqual(ids(150));
    expect(uncounted.calls()).toBe(2);
  });

  it('reads past a TotalCount that is too small, then names it (pages capped below Limit all look short)', async () => {
    const fleet = ids(130);
    // Capped at 50: pages hold 50, 50 and 32 with the overlap, so the listing reaches 99 at the second page.
    const { client } = fakeUcloud((params) => ({
      ...pageOf(fleet, new URLSearchParams({ Offset: params.get('Offset')!, Limit: '50' })),
      TotalCount: 99,
    }));
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const item of listSslV2(client, target, paging)) seen.push(item.SSLId);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(fleet);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as Error).message).toBe(
      'UCloud DescribeSSLV2 in cn-bj2 (project org-x): TotalCount says 99 certificates but the pages held 130; ' +
        'the listing cannot be trusted — run the scan again',
    );
  });

  it('does not take a first page capped below Limit for the last when there is no TotalCount', async () => {
    const fleet = ids(70);
    const { client } = fakeUcloud((params) => ({
      ...pageOf(fleet, new URLSearchParams({ Offset: params.get('Offset')!, Limit: '50' })),
      TotalCount: undefined,
    }));
    expect(await collect(listSslV2(client, target, paging))).toEqual(fleet);
  });

  it('omits ProjectId for the default project', async () => {
    let sawProject: string | null = 'unset';
    const { client } = fakeUcloud((params) => {
      sawProject = params.get('ProjectId');
      return pageOf([], params);
    });
    await collect(listSslV2(client, { region: 'hk', projectId: null }, paging));
    expect(sawProject).toBeNull();
  });

  it('loses and doubles nothing when a certificate is removed between pages', async () => {
    const fleet = ids(250);
    const removed = fleet[10]!;
    const { client } = fakeUcloud((params, call) => {
      // After the first page was read, ssl-0010 is deleted: every later item shifts one place left.
      const current = call === 0 ? fleet : fleet.filter((id) => id !== removed);
      return pageOf(current, params);
    });
    const seen = await collect(listSslV2(client, target, paging));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(fleet);
  });

  it('loses and doubles nothing when a certificate is added between pages', async () => {
    const fleet = ids(250);
    const { client } = fakeUcloud((params, call) =>
      pageOf(call === 0 ? fleet : ['ssl-aaaa-new', ...fleet], params),
    );
    const seen = await collect(listSslV2(client, target, paging));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(['ssl-aaaa-new', ...fleet].sort());
  });

  it('loses nothing when one certificate is removed and another added, leaving TotalCount unchanged', async () => {
    const fleet = ids(250);
    const { client } = fakeUcloud((params, call) =>
      pageOf(call === 0 ? fleet : ['ssl-aaaa-new', ...fleet.filter((id) => id !== 'ssl-0000')], params),
    );
    const seen = await collect(listSslV2(client, target, paging));
    expect(new Set(seen).size).toBe(seen.length);
    // Every certificate that existed for the whole scan is there; the newcomer may or may not be.
    expect(seen).toEqual(expect.arrayContaining(fleet.filter((id) => id !== 'ssl-0000')));
  });

  it('reads a server that caps Limit below what was asked', async () => {
    const fleet = ids(130);
    const { client } = fakeUcloud((params) =>
      pageOf(fleet, new URLSearchParams({ Offset: params.get('Offset')!, Limit: '50' })),
    );
    expect(await collect(listSslV2(client, target, paging))).toEqual(fleet);
  });

  it('never doubles certificates without an SSLId when the listing restarts', async () => {
    const fleet = Array.from({ length: 150 }, (_, i) => ({ HashValue: `h${String(i).padStart(3, '0')}` }));
    const { client } = fakeUcloud((params, call) => {
      const current = call === 0 ? fleet : [{ HashValue: 'h-new' }, ...fleet];
      const offset = Number(params.get('Offset'));
      return { RetCode: 0, TotalCount: current.length, DataSet: current.slice(offset, offset + 100) };
    });
    const hashes: unknown[] = [];
    for await (const item of listSslV2(client, target, paging)) hashes.push(item.HashValue);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hashes).toEqual(expect.arrayContaining(fleet.map((item) => item.HashValue)));
  });

  it('refuses a reply without a DataSet list instead of reading it as empty', async () => {
    const { client } = fakeUcloud(() => ({ RetCode: 0, Action: 'DescribeSSLV2Response' }));
    await expect(collect(listSslV2(client, target, paging))).rejects.toThrow(/has no DataSet list/);
    const empty = fakeUcloud(() => ({ RetCode: 0, TotalCount: 0 }));
    expect(await collect(listSslV2(empty.client, target, paging))).toEqual([]);
  });

  it('reports DataSet entries that are not certificates', async () => {
    const { client } = fakeUcloud(() => ({
      RetCode: 0,
      TotalCount: 2,
      DataSet: [{ SSLId: 'ssl-1' }, 'junk'],
    }));
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const item of listSslV2(client, target, paging)) seen.push(item.SSLId);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['ssl-1']);
    expect(String(error)).toMatch(/1 DataSet entries were not certificate objects/);
  });

  it('gives up with a PagingError when the total keeps moving', async () => {
    const { client } = fakeUcloud((params, call) => pageOf(ids(250 + call), params));
    await expect(collect(listSslV2(client, target, paging))).rejects.toThrow(
      /in cn-bj2 \(project org-x\): the certificate list kept changing.*4 attempts/,
    );
  });

  it('refuses pages that keep repeating the previous one', async () => {
    const fleet = ids(300);
    const { client } = fakeUcloud((params) =>
      pageOf(fleet, new URLSearchParams({ Offset: '0', Limit: params.get('Limit')! })),
    );
    await expect(collect(listSslV2(client, target, paging))).rejects.toThrow(
      'UCloud DescribeSSLV2 in cn-bj2 (project org-x): the certificate list kept changing while it was read ' +
        '(4 attempts, last: the page at offset 99 repeated the previous one); the listing cannot be trusted',
    );
  });

  it('reads the listing again after a page that repeats once, losing and doubling nothing', async () => {
    const fleet = ids(250);
    let repeated = false;
    const { client } = fakeUcloud((params) => {
      if (params.get('Offset') === '99' && !repeated) {
        repeated = true;
        return pageOf(fleet, new URLSearchParams({ Offset: '0', Limit: params.get('Limit')! }));
      }
      return pageOf(fleet, params);
    });
    expect(await collect(listSslV2(client, target, paging))).toEqual(fleet);
  });

  it('refuses a short listing that TotalCount says is incomplete', async () => {
    const { client } = fakeUcloud((params) => ({ ...pageOf(ids(50), params), TotalCount: 80 }));
    await expect(collect(listSslV2(client, target, paging))).rejects.toThrow(
      /TotalCount says 80 certificates but the pages held 50/,
    );
  });

  it('stops at the page cap', async () => {
    const { client } = fakeUcloud((params) => ({
      RetCode: 0,
      DataSet: ids(100, `p${params.get('Offset')}-`).map((SSLId) => ({ SSLId })),
    }));
    await expect(collect(listSslV2(client, target, { ...paging, maxPages: 5 }))).rejects.toThrow(
      /more than 5 pages/,
    );
  });

  it('retries throttling and gives up on a signature error at once, with advice', async () => {
    const fleet = ids(5);
    const throttled = fakeUcloud((params, call) =>
      call < 2 ? { RetCode: 153, Message: 'Request frequency exceeds the limit' } : pageOf(fleet, params),
    );
    expect(await collect(listSslV2(throttled.client, target, paging))).toEqual(fleet);
    expect(throttled.calls()).toBe(3);

    const denied = fakeUcloud(() => ({ RetCode: 171, Message: 'Signature VerifyAC Error' }));
    const error = await collect(listSslV2(denied.client, target, paging)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe(
      'UCloud DescribeSSLV2 in cn-bj2 (project org-x): RetCode 171 "Signature VerifyAC Error" — ' +
        'check UCLOUD_PRIVATE_KEY (it must be the private key of UCLOUD_PUBLIC_KEY)',
    );
    expect((error as ProviderError).requestId).toBe('req-1');
    expect(denied.calls()).toBe(1);
  });
});

describe('UCloud error text', () => {
  it('shows what UCloud says inert in a RetCode error', async () => {
    const hostile = 'denied\n== Could not check ==\u001b[2J\u2028';
    const retCode = fakeUcloud(() => ({ RetCode: 171, Message: hostile }));
    const error = (await collect(listSslV2(retCode.client, target, paging)).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toContain('RetCode 171 "denied\\n== Could not check ==\\x1b[2J\\u2028"');
    for (const obeyed of ['\n', '\u001b', '\u2028']) expect(error.message).not.toContain(obeyed);
  });
});
