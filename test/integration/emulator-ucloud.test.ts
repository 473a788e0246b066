/**
 * The UCloud emulator over real sockets: wire format, signatures, paging, errors and faults. Requests are signed
 * here with a small independent signer, itself checked against the reference vectors.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet, UcloudFleetCertificate } from '../../emulator/fleet/model';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import { ucloudSignature, ucloudStringToSign, verifyUcloudSignature } from '../../emulator/ucloud/signature';

const PUBLIC_KEY = 'test-public-key';
const PRIVATE_KEY = 'test-private-key';

type Params = Record<string, string | number | boolean>;

/** The test's own signer (reference algorithm), so the emulator's verifier is not checked against itself. */
function sign(params: Params, privateKey: string): string {
  const text = Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${key}${String(params[key])}`)
    .join('');
  return createHash('sha1')
    .update(text + privateKey)
    .digest('hex');
}

function signed(params: Params, keys = { publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY }): Params {
  const withKey = { ...params, PublicKey: keys.publicKey };
  return { ...withKey, Signature: sign(withKey, keys.privateKey) };
}

function certificate(index: number, region: string, project: string): UcloudFleetCertificate {
  const id = String(index).padStart(4, '0');
  return {
    Region: region,
    ProjectId: project,
    SSLId: `ssl-${region}-${project}-${id}`,
    SSLName: `cert-${id}`,
    SSLType: 'Pem',
    SSLContent: `-----BEGIN CERTIFICATE-----\nfake-${id}\n-----END CERTIFICATE-----\n`,
    CreateTime: 1_700_000_000 + index,
    HashValue: createHash('md5').update(id).digest('hex'),
    SSLSource: 0,
    Domains: `www${index}.example.com`,
    DNSNames: `www${index}.example.com,api${index}.example.com`,
    NotBefore: 1_700_000_000,
    NotAfter: 1_800_000_000,
    Relations: [
      {
        LoadBalancerId: `ulb-${id}`,
        LoadBalancerName: `lb-${id}`,
        ListenerId: `vserver-${id}`,
        ListenerName: 'https',
        IsDefault: true,
      },
    ],
  };
}

function fleet(): Fleet {
  const certificates: UcloudFleetCertificate[] = [];
  for (let i = 0; i < 250; i++) certificates.push(certificate(i, 'cn-bj2', 'org-main'));
  for (let i = 0; i < 3; i++) certificates.push(certificate(i, 'cn-sh2', 'org-main'));
  for (let i = 0; i < 2; i++) certificates.push(certificate(i, 'cn-bj2', 'org-other'));
  for (let i = 0; i < 4; i++) certificates.push(certificate(i, 'cn-bj2', 'org-secret'));
  return {
    ucloud: {
      accounts: [
        { PublicKey: PUBLIC_KEY, PrivateKey: PRIVATE_KEY },
        { PublicKey: 'sub-public', PrivateKey: 'sub-private', Projects: ['org-other', 'org-empty'] },
      ],
      projects: ['org-empty'],
      certificates,
    },
  };
}

interface Reply {
  status: number;
  requestId: string | null;
  body: Record<string, unknown>;
}

function toForm(params: Params): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) form.append(key, String(value));
  return form;
}

async function postForm(url: string, params: Params): Promise<Reply> {
  return reply(
    await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: toForm(params).toString(),
    }),
  );
}

async function postJson(url: string, params: Params): Promise<Reply> {
  return reply(
    await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    }),
  );
}

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return {
    status: response.status,
    requestId: response.headers.get('x-ucloud-request-uuid'),
    body: json ? JSON.parse(text) : { text },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('UCloud signature verifier: reference vectors', () => {
  const publicKey = 'ucloudsomeone@example.com1296235120854146120';
  const privateKey = '46f09bb9fab4f12dfc160dae12273d5332b5debe';
  const backends: Params = {};
  const values = ['foo', 'bar', 42];
  for (let i = 0; i < 12; i++) backends[`Backends.${i}`] = values[i % 3]!;
  const vectors: Array<[string, Params, string, string]> = [
    [
      'DescribeUHostInstance',
      { Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10, PublicKey: publicKey },
      privateKey,
      'cba5cf5ec4d4233d206b1b54951e3787350a642f',
    ],
    [
      'AllocateBackendBatch (Backends.10 sorts before Backends.2)',
      { Action: 'AllocateBackendBatch', ...backends, PublicKey: publicKey },
      privateKey,
      '6bc32642779f8cb0bb3d3f128b1c0688abf9a1a3',
    ],
    [
      'SecurityToken included',
      {
        Action: 'foo',
        Name: 'foo',
        ProjectId: 'bar',
        Region: 'cn-bj2',
        SecurityToken: 42,
        Zone: 'cn-bj2-02',
        PublicKey: 'foo',
      },
      'bar',
      '170de002e3ca3acdc3a790badc4d14b09d183e4b',
    ],
  ];

  it.each(vectors)('%s', (_name, params, secret, expected) => {
    expect(ucloudSignature(params, secret)).toBe(expected);
    expect(sign(params, secret)).toBe(expected);
    expect(verifyUcloudSignature({ ...params, Signature: expected }, secret)).toBe(true);
    expect(verifyUcloudSignature({ ...params, Signature: expected }, `${secret}x`)).toBe(false);
    expect(verifyUcloudSignature({ ...params, Signature: expected.toUpperCase() }, secret)).toBe(false);
  });

  it('formats booleans as true/false, drops a zero fraction and skips null values', () => {
    const text = ucloudStringToSign(
      { B: true, C: false, N: 42.0, F: 1.5, Z: null, U: undefined, S: 'x' },
      'K',
    );
    expect(text).toBe('BtrueCfalseF1.5N42SxK');
  });
});

describe('UCloud emulator: DescribeSSLV2', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ fleet: fleet() });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('listens on 127.0.0.1 and serves UCloud under /ucloud', () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.ucloudUrl).toBe(`${emulator.url}/ucloud`);
  });

  it('pages 250 certificates with Limit=100 as 100/100/50 with a steady TotalCount', async () => {
    const pages: Array<Record<string, unknown>> = [];
    for (const offset of [0, 100, 200, 300]) {
      const { status, body } = await postForm(
        emulator.ucloudUrl,
        signed({
          Action: 'DescribeSSLV2',
          Region: 'cn-bj2',
          ProjectId: 'org-main',
          Limit: 100,
          Offset: offset,
        }),
      );
      expect(status).toBe(200);
      pages.push(body);
    }
    expect(pages.map((page) => (page.DataSet as unknown[]).length)).toEqual([100, 100, 50, 0]);
    for (const page of pages) {
      expect(page).toMatchObject({ RetCode: 0, Action: 'DescribeSSLV2Response', TotalCount: 250 });
    }
    const ids = pages.flatMap((page) => (page.DataSet as Array<{ SSLId: string }>).map((item) => item.SSLId));
    expect(ids).toEqual(
      fleet()
        .ucloud!.certificates.slice(0, 250)
        .map((entry) => entry.SSLId),
    );
  });

  it('sends the wire fields of each certificate without Region or ProjectId', async () => {
    const { body } = await postForm(
      emulator.ucloudUrl,
      signed({ Action: 'DescribeSSLV2', Region: 'cn-sh2', ProjectId: 'org-main' }),
    );
    const items = body.DataSet as Array<Record<string, unknown>>;
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(item).not.toHaveProperty('Region');
      expect(item).not.toHaveProperty('ProjectId');
    }
    const { Region: _region, ProjectId: _project, ...wire } = certificate(0, 'cn-sh2', 'org-main');
    expect(items[0]).toEqual(wire);
  });

  it('defaults to Limit 20 and Offset 0, and clamps Limit to 1000', async () => {
    const small = await postForm(
      emulator.ucloudUrl,
      signed({ Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-main' }),
    );
    expect((small.body.DataSet as unknown[]).length).toBe(20);
    const clamped = await startEmulator({ fleet: fleet(), ucloud: { maxLimit: 30 } });
    try {
      const { body } = await postForm(
        clamped.ucloudUrl,
        signed({ Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-main', Limit: 100 }),
      );
      expect(body).toMatchObject({ RetCode: 0, TotalCount: 250 });
      expect((body.DataSet as unknown[]).length).toBe(30);
    } finally {
      await clamped.close();
    }
  });

  it('accepts a JSON body with numeric values, a form body and a GET query alike', async () => {
    const params = { Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-main', Limit: 7, Offset: 3 };
    const viaJson = await postJson(emulator.ucloudUrl, signed(params));
    const viaForm = await postForm(emulator.ucloudUrl, signed(params));
    const viaGet = await reply(await fetch(`${emulator.ucloudUrl}/?${toForm(signed(params))}`));
    for (const { status, body } of [viaJson, viaForm, viaGet]) {
      expect(status).toBe(200);
      expect(body).toMatchObject({ RetCode: 0, TotalCount: 250 });
      expect((body.DataSet as Array<{ SSLName: string }>).map((item) => item.SSLName)).toEqual(
        ['0003', '0004', '0005', '0006', '0007', '0008', '0009'].map((id) => `cert-${id}`),
      );
    }
  });

  it('signs JSON booleans as true/false', async () => {
    const params = {
      Action: 'DescribeSSLV2',
      Region: 'cn-bj2',
      ProjectId: 'org-main',
      Limit: 1,
      Verbose: true,
    };
    const { body } = await postJson(emulator.ucloudUrl, signed(params));
    expect(body).toMatchObject({ RetCode: 0 });
  });

  it('filters by SSLId', async () => {
    const wanted = certificate(42, 'cn-bj2', 'org-main').SSLId;
    const { body } = await postForm(
      emulator.ucloudUrl,
      signed({ Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-main', SSLId: wanted }),
    );
    expect(body).toMatchObject({ RetCode: 0, TotalCount: 1, DataSet: [{ SSLId: wanted }] });
  });

  it("uses the account's default project when ProjectId is missing", async () => {
    const main = await postForm(emulator.ucloudUrl, signed({ Action: 'DescribeSSLV2', Region: 'cn-sh2' }));
    expect(main.body).toMatchObject({ RetCode: 0, TotalCount: 3 });
    const sub = await postForm(
      emulator.ucloudUrl,
      signed(
        { Action: 'DescribeSSLV2', Region: 'cn-bj2' },
        { publicKey: 'sub-public', privateKey: 'sub-private' },
      ),
    );
    expect(sub.body).toMatchObject({ RetCode: 0, TotalCount: 2 });
  });

  it('answers an empty list for a region or project without certificates', async () => {
    for (const params of [
      { Region: 'us-ca', ProjectId: 'org-main' },
      { Region: 'cn-bj2', ProjectId: 'org-empty' },
    ]) {
      const { body } = await postForm(emulator.ucloudUrl, signed({ Action: 'DescribeSSLV2', ...params }));
      expect(body).toEqual({ RetCode: 0, Action: 'DescribeSSLV2Response', TotalCount: 0, DataSet: [] });
    }
  });

  it('answers 292 for an unknown project and for a project the account may not read', async () => {
    const unknown = await postForm(
      emulator.ucloudUrl,
      signed({ Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-nope' }),
    );
    expect(unknown).toMatchObject({ status: 200, body: { RetCode: 292, Action: 'DescribeSSLV2Response' } });
    const forbidden = await postForm(
      emulator.ucloudUrl,
      signed(
        { Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-secret' },
        { publicKey: 'sub-public', privateKey: 'sub-private' },
      ),
    );
    expect(forbidden.body).toMatchObject({ RetCode: 292 });
  });

  it('answers 220 without Region and 230 for a malformed Limit', async () => {
    const noRegion = await postForm(
      emulator.ucloudUrl,
      signed({ Action: 'DescribeSSLV2', ProjectId: 'org-main' }),
    );
    expect(noRegion.body).toEqual({
      RetCode: 220,
      Action: 'DescribeSSLV2Response',
      Message: 'Missing params [Region]',
    });
    const badLimit = await postForm(
      emulator.ucloudUrl,
      signed({ Action: 'DescribeSSLV2', Region: 'cn-bj2', Limit: -1 }),
    );
    expect(badLimit.body).toMatchObject({ RetCode: 230, Message: 'Params [Limit] not available' });
  });
});

describe('UCloud emulator: authentication and routing errors', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ fleet: fleet() });
  });
  afterAll(async () => {
    await emulator.close();
  });
  const describeParams = { Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-main' };

  it('answers 171 "Signature VerifyAC Error" for a wrong signature, in HTTP 200', async () => {
    const wrongKey = signed(describeParams, { publicKey: PUBLIC_KEY, privateKey: 'not-the-key' });
    const tampered = { ...signed(describeParams), Region: 'cn-sh2' };
    for (const params of [wrongKey, tampered]) {
      const { status, body } = await postForm(emulator.ucloudUrl, params);
      expect(status).toBe(200);
      expect(body).toEqual({
        RetCode: 171,
        Action: 'DescribeSSLV2Response',
        Message: 'Signature VerifyAC Error',
      });
    }
  });

  it('answers 172 for an unknown PublicKey', async () => {
    const { body } = await postForm(
      emulator.ucloudUrl,
      signed(describeParams, { publicKey: 'who', privateKey: PRIVATE_KEY }),
    );
    expect(body).toMatchObject({ RetCode: 172, Action: 'DescribeSSLV2Response' });
  });

  it('answers 170 without Signature and 160 without Action', async () => {
    const unsigned = await postForm(emulator.ucloudUrl, { ...describeParams, PublicKey: PUBLIC_KEY });
    expect(unsigned.body).toMatchObject({ RetCode: 170 });
    const { Action: _action, ...noAction } = describeParams;
    const actionless = await postForm(emulator.ucloudUrl, signed(noAction));
    expect(actionless.body).toMatchObject({ RetCode: 160, Action: 'Response' });
  });

  it('answers 161 for an unknown action', async () => {
    const { body } = await postForm(
      emulator.ucloudUrl,
      signed({ ...describeParams, Action: 'DescribeNothing' }),
    );
    expect(body).toMatchObject({ RetCode: 161, Action: 'DescribeNothingResponse' });
  });

  it('answers 230 for a JSON body that is not flat', async () => {
    const response = await fetch(emulator.ucloudUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...signed(describeParams), Backends: ['a'] }),
    });
    expect((await reply(response)).body).toMatchObject({ RetCode: 230, Action: 'DescribeSSLV2Response' });
  });

  it('puts a fresh X-UCLOUD-REQUEST-UUID on every reply, errors included', async () => {
    const ok = await postForm(emulator.ucloudUrl, signed(describeParams));
    const bad = await postForm(emulator.ucloudUrl, { ...signed(describeParams), Signature: 'x' });
    expect(ok.requestId).toMatch(UUID);
    expect(bad.requestId).toMatch(UUID);
    expect(ok.requestId).not.toBe(bad.requestId);
  });

  it('answers 404 outside the service paths and 405 for other methods', async () => {
    const response = await fetch(`${emulator.url}/aliyun`);
    expect(response.status).toBe(404);
    await response.text();
    const put = await reply(await fetch(emulator.ucloudUrl, { method: 'PUT', body: 'x' }));
    expect(put.status).toBe(405);
    expect(put.requestId).toMatch(UUID);
  });

  it('counts requests per action and replies per RetCode', () => {
    const { ucloud } = emulator.stats;
    expect(ucloud.requests).toBeGreaterThanOrEqual(10);
    expect(ucloud.byAction.DescribeSSLV2).toBeGreaterThanOrEqual(7);
    expect(ucloud.byAction.DescribeNothing).toBe(1);
    expect(ucloud.byAction['(none)']).toBe(1);
    expect(ucloud.retCodes['171']).toBe(3);
    expect(ucloud.throttled).toBe(0);
  });
});

describe('UCloud emulator: faults', () => {
  const running: RunningEmulator[] = [];
  async function start(ucloud: EmulatorOptions['ucloud']): Promise<RunningEmulator> {
    const emulator = await startEmulator({ fleet: fleet(), ucloud });
    running.push(emulator);
    return emulator;
  }
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  });
  const describeParams = { Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-main', Limit: 1 };

  it('throttles every request with throttleRate 1 (RetCode 153) and counts it', async () => {
    const emulator = await start({ throttleRate: 1 });
    for (let i = 0; i < 3; i++) {
      const { status, requestId, body } = await postForm(emulator.ucloudUrl, signed(describeParams));
      expect(status).toBe(200);
      expect(requestId).toMatch(UUID);
      expect(body).toEqual({
        RetCode: 153,
        Action: 'DescribeSSLV2Response',
        Message: 'Request frequency exceeds the limit',
      });
    }
    expect(emulator.stats.ucloud).toMatchObject({ requests: 3, throttled: 3, errors: 0 });
  });

  it('mixes HTTP 503 and RetCode 150 with errorRate 1, the same way for the same seed', async () => {
    async function run(seed: number): Promise<string[]> {
      const emulator = await start({ errorRate: 1, seed });
      const outcomes: string[] = [];
      for (let i = 0; i < 16; i++) {
        const { status, requestId, body } = await postForm(emulator.ucloudUrl, signed(describeParams));
        expect(requestId).toMatch(UUID);
        outcomes.push(status === 200 ? `RetCode ${body.RetCode}` : `HTTP ${status}`);
      }
      expect(emulator.stats.ucloud.errors).toBe(16);
      return outcomes;
    }
    const first = await run(7);
    expect(new Set(first)).toEqual(new Set(['HTTP 503', 'RetCode 150']));
    expect(await run(7)).toEqual(first);
  });

  it('applies top-level fault options to UCloud, and lets ucloud options override them', async () => {
    const shared = await startEmulator({ fleet: fleet(), throttleRate: 1 });
    running.push(shared);
    expect((await postForm(shared.ucloudUrl, signed(describeParams))).body).toMatchObject({ RetCode: 153 });
    const overridden = await startEmulator({ fleet: fleet(), throttleRate: 1, ucloud: { throttleRate: 0 } });
    running.push(overridden);
    expect((await postForm(overridden.ucloudUrl, signed(describeParams))).body).toMatchObject({ RetCode: 0 });
  });

  it('fails one region always while the others answer', async () => {
    const emulator = await start({
      failures: [
        { region: 'cn-sh2', retCode: 4079, message: 'fetching SSL certificate failed' },
        { project: 'org-other', httpStatus: 502 },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const failing = await postForm(emulator.ucloudUrl, signed({ ...describeParams, Region: 'cn-sh2' }));
      expect(failing.body).toEqual({
        RetCode: 4079,
        Action: 'DescribeSSLV2Response',
        Message: 'fetching SSL certificate failed',
      });
    }
    const gateway = await postForm(emulator.ucloudUrl, signed({ ...describeParams, ProjectId: 'org-other' }));
    expect(gateway.status).toBe(502);
    expect(gateway.requestId).toMatch(UUID);
    const healthy = await postForm(emulator.ucloudUrl, signed(describeParams));
    expect(healthy.body).toMatchObject({ RetCode: 0, TotalCount: 250 });
  });

  it('fails only the first `times` matching requests', async () => {
    const emulator = await start({ failures: [{ region: 'cn-bj2', retCode: 150, times: 2 }] });
    const codes: unknown[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await postForm(emulator.ucloudUrl, signed(describeParams))).body.RetCode);
    expect(codes).toEqual([150, 150, 0]);
  });

  it('still checks the signature before a forced failure', async () => {
    const emulator = await start({ failures: [{ retCode: 150 }] });
    const { body } = await postForm(emulator.ucloudUrl, { ...signed(describeParams), Signature: 'bad' });
    expect(body).toMatchObject({ RetCode: 171 });
  });

  it('delays replies by latencyMs', async () => {
    const emulator = await start({ latencyMs: 60 });
    const started = performance.now();
    const { body } = await postForm(emulator.ucloudUrl, signed(describeParams));
    expect(body).toMatchObject({ RetCode: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('never answers with hangRate 1, and close() still returns promptly', async () => {
    const emulator = await start({ hangRate: 1 });
    await expect(
      fetch(emulator.ucloudUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: toForm(signed(describeParams)).toString(),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect(emulator.stats.ucloud.hung).toBe(1);
    const pending = fetch(emulator.ucloudUrl, { method: 'POST', body: 'Action=DescribeSSLV2' }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('startEmulator without a fleet', () => {
  it('serves the demo account with no certificates and closes despite keep-alive connections', async () => {
    const emulator = await startEmulator();
    const keys = { publicKey: 'demo-public-key', privateKey: 'demo-private-key' };
    const { status, body } = await postForm(
      emulator.ucloudUrl,
      signed({ Action: 'DescribeSSLV2', Region: 'cn-bj2', ProjectId: 'org-demo' }, keys),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ RetCode: 292 });
    const noProject = await postForm(
      emulator.ucloudUrl,
      signed({ Action: 'DescribeSSLV2', Region: 'cn-bj2' }, keys),
    );
    expect(noProject.body).toEqual({
      RetCode: 0,
      Action: 'DescribeSSLV2Response',
      TotalCount: 0,
      DataSet: [],
    });
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
