/**
 * The Alibaba Cloud emulator (CDN and SLB RPC APIs) over real sockets: transport, common parameters, signatures,
 * replay protection, paging, uploads, errors and faults. Requests are signed here with a small independent signer
 * (node:crypto), itself checked against the reference vectors in test/unit/emulator/aliyun/signature.test.ts.
 */
import { createHash, createHmac, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AliyunCdnCertificate, AliyunSlbCertificate, Fleet } from '../../emulator/fleet/model';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import { pooledKey } from '../../emulator/x509/keys';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { armour } from '../helpers/pem';

const KEY_ID = 'test-access-key-id';
const SECRET = 'test-access-key-secret';
const START = Date.UTC(2026, 10, 23, 12, 0, 0);
const MINUTE = 60_000;
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

type Params = Record<string, string>;

function enc(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The test's own RPC V1 signer. */
function signature(method: string, params: Params, secret: string): string {
  const canonical = Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${enc(key)}=${enc(params[key]!)}`)
    .join('&');
  return createHmac('sha1', `${secret}&`)
    .update(`${method}&%2F&${enc(canonical)}`)
    .digest('base64');
}

/** The emulator's clock; tests move it. */
let now = START;
let nonceCounter = 0;

function iso(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

interface SignOptions {
  method?: 'GET' | 'POST';
  keyId?: string;
  secret?: string;
  /** Replace or drop (undefined) common parameters before signing. */
  common?: Record<string, string | undefined>;
}

function signed(service: 'cdn' | 'slb', action: string, params: Params, options: SignOptions = {}): Params {
  const all: Record<string, string | undefined> = {
    Format: 'JSON',
    Version: service === 'cdn' ? '2018-05-10' : '2014-05-15',
    AccessKeyId: options.keyId ?? KEY_ID,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: `nonce-${++nonceCounter}-${Math.random()}`,
    Timestamp: iso(now),
    Action: action,
    ...params,
    ...options.common,
  };
  const defined: Params = {};
  for (const [key, value] of Object.entries(all)) if (value !== undefined) defined[key] = value;
  return {
    ...defined,
    Signature: signature(options.method ?? 'GET', defined, options.secret ?? SECRET),
  };
}

function query(params: Params): string {
  return Object.entries(params)
    .map(([key, value]) => `${enc(key)}=${enc(value)}`)
    .join('&');
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: replies are read loosely; each test states the shape it expects.
  body: Record<string, any>;
}

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return { status: response.status, headers: response.headers, text, body: json ? JSON.parse(text) : {} };
}

async function get(url: string, params: Params): Promise<Reply> {
  return reply(await fetch(`${url}?${query(params)}`));
}

async function post(url: string, params: Params, inQuery: string[] = []): Promise<Reply> {
  const queryPart = Object.fromEntries(Object.entries(params).filter(([key]) => inQuery.includes(key)));
  const bodyPart = Object.fromEntries(Object.entries(params).filter(([key]) => !inQuery.includes(key)));
  const search = inQuery.length > 0 ? `?${query(queryPart)}` : '';
  return reply(
    await fetch(`${url}${search}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: query(bodyPart),
    }),
  );
}

function cdnCertificate(index: number): AliyunCdnCertificate {
  const id = String(index).padStart(4, '0');
  const certificate: AliyunCdnCertificate = {
    CertId: 100_000 + index,
    CertName: `cdn-cert-${id}`,
    Common: `www${index}.example.com`,
    Fingerprint: createHash('sha1').update(id).digest('hex'),
    Issuer: 'Test CA',
    CertRegion: 'cn-hangzhou',
    LastTime: 1_700_000_000_000 + index,
    CertType: 'upload',
    CreateTime: '2026-01-01 00:00:00 +0000 UTC',
    CertExpireTime: '2027-01-01 00:00:00 +0000 UTC',
    DomainList: `www${index}.example.com,img${index}.example.com`,
    HttpsCrt: `-----BEGIN CERTIFICATE-----\nfake-${id}\n-----END CERTIFICATE-----\n`,
  };
  if (index === 7) {
    delete certificate.CertExpireTime;
    delete certificate.CertType;
    certificate.DomainList = '';
  }
  return certificate;
}

const leafHz = makeTestCertificate({
  notAfter: Date.UTC(2027, 5, 1),
  dnsNames: ['hz.example', 'www.hz.example'],
});

function slbCertificates(): AliyunSlbCertificate[] {
  const complete = (index: number, region: string): AliyunSlbCertificate => ({
    RegionId: region,
    ServerCertificateId: `1231579085529123_19a00000000_${1_500_000_000 + index}_123456`,
    ServerCertificateName: `slb-${region}-${index}`,
    Fingerprint: `68:08:1a:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:0${index % 10}`,
    ResourceGroupId: index % 2 === 0 ? 'rg-even' : 'rg-odd',
    CommonName: 'hz.example',
    SubjectAlternativeNames: ['hz.example', 'www.hz.example'],
    CreateTime: '2026-06-01T00:00:00Z',
    CreateTimeStamp: Date.UTC(2026, 5, 1),
    ExpireTime: '2027-06-01T00:00:00Z',
    ExpireTimeStamp: Date.UTC(2027, 5, 1),
    IsAliCloudCertificate: 0,
    ServerCertificate: leafHz.pem,
  });
  return [
    complete(0, 'cn-hangzhou'),
    complete(1, 'cn-hangzhou'),
    complete(2, 'cn-hangzhou'),
    complete(3, 'cn-shanghai'),
    {
      RegionId: 'cn-shanghai',
      ServerCertificateId: '139a00604ad-cn-east-hangzhou-01',
      ServerCertificateName: 'old-shape',
      Fingerprint: 'a:b:e',
      ServerCertificate: leafHz.pem,
    },
  ];
}

function fleet(): Fleet {
  return {
    aliyun: {
      accounts: [
        { AccessKeyId: KEY_ID, AccessKeySecret: SECRET },
        { AccessKeyId: 'other-key-id', AccessKeySecret: 'other-secret' },
      ],
      cdn: { certificates: Array.from({ length: 250 }, (_, index) => cdnCertificate(index)) },
      slb: { certificates: slbCertificates() },
    },
  };
}

async function withEmulator<T>(options: EmulatorOptions, run: (emulator: RunningEmulator) => Promise<T>) {
  const emulator = await startEmulator({
    fleet: fleet(),
    ...options,
    aliyun: { clock: () => now, ...options.aliyun },
  });
  try {
    return await run(emulator);
  } finally {
    await emulator.close();
  }
}

function expectAlibabaError(result: Reply, status: number, code: string): void {
  expect(result.status, result.text).toBe(status);
  expect(result.body).toEqual({
    RequestId: expect.stringMatching(REQUEST_ID),
    HostId: expect.stringMatching(/^(cdn|slb)\.aliyuncs\.com$/),
    Code: code,
    Message: expect.any(String),
    Recommend: expect.stringContaining(`q=${encodeURIComponent(code)}`),
  });
  expect(result.headers.get('x-acs-request-id')).toBe(result.body.RequestId);
}

describe('Alibaba emulator: routing and transport', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    now = START;
    emulator = await startEmulator({ fleet: fleet(), aliyun: { clock: () => now } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('serves CDN under /aliyun/cdn and SLB under /aliyun/slb, beside /ucloud', async () => {
    expect(emulator.cdnUrl).toBe(`${emulator.url}/aliyun/cdn`);
    expect(emulator.slbUrl).toBe(`${emulator.url}/aliyun/slb`);
    expect(emulator.ucloudUrl).toBe(`${emulator.url}/ucloud`);
    const elsewhere = await reply(await fetch(`${emulator.url}/aliyun/ecs`));
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.text).services).toEqual({
      ucloud: '/ucloud',
      aliyunCdn: '/aliyun/cdn',
      aliyunDcdn: '/aliyun/dcdn',
      aliyunSlb: '/aliyun/slb',
      aliyunCas: '/aliyun/cas',
    });
  });

  it('takes GET queries, POST forms and POST with query and form mixed, with or without a trailing slash', async () => {
    const params = { PageNumber: '2', PageSize: '3' };
    const viaGet = await get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', params));
    const viaSlash = await get(`${emulator.cdnUrl}/`, signed('cdn', 'DescribeCdnSSLCertificateList', params));
    const postParams = signed('cdn', 'DescribeCdnSSLCertificateList', params, { method: 'POST' });
    const viaPost = await post(emulator.cdnUrl, postParams);
    const mixed = signed('cdn', 'DescribeCdnSSLCertificateList', params, { method: 'POST' });
    const viaMixed = await post(
      `${emulator.cdnUrl}/`,
      mixed,
      Object.keys(mixed).filter((k) => k !== 'PageSize'),
    );
    for (const result of [viaGet, viaSlash, viaPost, viaMixed]) {
      expect(result.status, result.text).toBe(200);
      expect(result.body.CertificateListModel.CertList.Cert.map((c: { CertId: number }) => c.CertId)).toEqual(
        [100_003, 100_004, 100_005],
      );
    }
  });

  it('puts the same fresh upper-case RequestId in the body and x-acs-request-id, errors included', async () => {
    const ok = await get(
      emulator.slbUrl,
      signed('slb', 'DescribeServerCertificates', { RegionId: 'cn-hangzhou' }),
    );
    const again = await get(
      emulator.slbUrl,
      signed('slb', 'DescribeServerCertificates', { RegionId: 'cn-hangzhou' }),
    );
    const failed = await get(emulator.slbUrl, signed('slb', 'DescribeServerCertificates', {}));
    for (const result of [ok, again, failed]) {
      expect(result.body.RequestId).toMatch(REQUEST_ID);
      expect(result.headers.get('x-acs-request-id')).toBe(result.body.RequestId);
      expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect(ok.body.RequestId).not.toBe(again.body.RequestId);
    expect(Object.keys(ok.body)[0]).toBe('RequestId');
  });

  it('answers 405 for other methods', async () => {
    const response = await fetch(emulator.cdnUrl, { method: 'PUT', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(response.headers.get('x-acs-request-id')).toMatch(REQUEST_ID);
  });

  it('refuses a POST body that is not a form', async () => {
    const response = await fetch(emulator.cdnUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signed('cdn', 'DescribeCdnSSLCertificateList', {}, { method: 'POST' })),
    });
    expectAlibabaError(await reply(response), 400, 'InvalidParameter');
  });
});

describe('Alibaba emulator: common parameters and authentication', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    now = START;
    emulator = await startEmulator({ fleet: fleet(), aliyun: { clock: () => now } });
  });
  afterAll(async () => {
    await emulator.close();
  });
  const list = (options: SignOptions = {}, params: Params = {}) =>
    signed('slb', 'DescribeServerCertificates', { RegionId: 'cn-hangzhou', ...params }, options);

  it('answers MissingParameter (400) naming the first missing common parameter', async () => {
    for (const name of [
      'Action',
      'Version',
      'Format',
      'AccessKeyId',
      'SignatureMethod',
      'SignatureVersion',
      'SignatureNonce',
      'Timestamp',
    ]) {
      const result = await get(emulator.slbUrl, list({ common: { [name]: undefined } }));
      expectAlibabaError(result, 400, 'MissingParameter');
      expect(result.body.Message).toContain(`"${name}"`);
    }
    const { Signature: _, ...unsigned } = list();
    const result = await get(emulator.slbUrl, unsigned);
    expectAlibabaError(result, 400, 'MissingParameter');
    expect(result.body.Message).toContain('"Signature"');
  });

  it('answers InvalidVersion for another API version, and InvalidAction.NotFound (404) for an unknown action', async () => {
    expectAlibabaError(
      await get(emulator.slbUrl, list({ common: { Version: '2018-05-10' } })),
      400,
      'InvalidVersion',
    );
    expectAlibabaError(
      await get(emulator.slbUrl, signed('slb', 'DescribeLoadBalancers', { RegionId: 'cn-hangzhou' })),
      404,
      'InvalidAction.NotFound',
    );
    // A CDN action sent to SLB (and its Version) is just as unknown there.
    expectAlibabaError(
      await get(emulator.slbUrl, signed('slb', 'DescribeCdnSSLCertificateList', {})),
      404,
      'InvalidAction.NotFound',
    );
  });

  it('speaks JSON only, and HMAC-SHA1 signature version 1.0 only', async () => {
    expectAlibabaError(
      await get(emulator.slbUrl, list({ common: { Format: 'XML' } })),
      400,
      'InvalidParameter',
    );
    expect((await get(emulator.slbUrl, list({ common: { Format: 'json' } }))).status).toBe(200);
    expectAlibabaError(
      await get(emulator.slbUrl, list({ common: { SignatureMethod: 'HMAC-SHA256' } })),
      400,
      'IncompleteSignature',
    );
    expectAlibabaError(
      await get(emulator.slbUrl, list({ common: { SignatureVersion: '2.0' } })),
      400,
      'IncompleteSignature',
    );
  });

  it('answers SignatureDoesNotMatch (400) for a wrong secret, a tampered parameter or the wrong method', async () => {
    const wrongSecret = list({ secret: 'not-the-secret' });
    const tampered = { ...list(), RegionId: 'cn-shanghai' };
    const signedForPost = list({ method: 'POST' });
    for (const params of [wrongSecret, tampered, signedForPost]) {
      const result = await get(emulator.slbUrl, params);
      expectAlibabaError(result, 400, 'SignatureDoesNotMatch');
      expect(result.body.Message).toBe('Specified signature is not matched with our calculation.');
    }
  });

  it('can answer SignatureDoesNotMatch with 403, as the reference table has it', async () => {
    await withEmulator({ aliyun: { signatureMismatchStatus: 403 } }, async (other) => {
      expectAlibabaError(await get(other.slbUrl, list({ secret: 'nope' })), 403, 'SignatureDoesNotMatch');
    });
  });

  it('answers InvalidAccessKeyId.NotFound (404) for an unknown AccessKeyId', async () => {
    const result = await get(emulator.slbUrl, list({ keyId: 'who-is-this', secret: 'whatever' }));
    expectAlibabaError(result, 404, 'InvalidAccessKeyId.NotFound');
    expect(result.body.Message).toBe('Specified access key is not found.');
    // Each account signs with its own secret.
    expect((await get(emulator.slbUrl, list({ keyId: 'other-key-id', secret: 'other-secret' }))).status).toBe(
      200,
    );
  });

  it('answers IllegalTimestamp for a Timestamp more than 15 minutes off the clock, or not yyyy-MM-ddTHH:mm:ssZ', async () => {
    for (const offset of [-16 * MINUTE, 16 * MINUTE]) {
      const result = await get(emulator.slbUrl, list({ common: { Timestamp: iso(now + offset) } }));
      expectAlibabaError(result, 400, 'IllegalTimestamp');
    }
    for (const offset of [-14 * MINUTE, 14 * MINUTE]) {
      expect((await get(emulator.slbUrl, list({ common: { Timestamp: iso(now + offset) } }))).status).toBe(
        200,
      );
    }
    for (const timestamp of [
      new Date(now).toISOString(),
      iso(now).replace('T', ' '),
      iso(now).replace('Z', '+08:00'),
      '2026-02-30T00:00:00Z',
    ]) {
      expectAlibabaError(
        await get(emulator.slbUrl, list({ common: { Timestamp: timestamp } })),
        400,
        'IllegalTimestamp',
      );
    }
  });

  it('answers SignatureNonceUsed for a nonce reused within 15 minutes, on either service', async () => {
    const first = list({ common: { SignatureNonce: 'reused-nonce' } });
    expect((await get(emulator.slbUrl, first)).status).toBe(200);
    expectAlibabaError(await get(emulator.slbUrl, first), 400, 'SignatureNonceUsed');
    const fresh = list({ common: { SignatureNonce: 'reused-nonce', Timestamp: iso(now + MINUTE) } });
    expectAlibabaError(await get(emulator.slbUrl, fresh), 400, 'SignatureNonceUsed');
    const onCdn = signed(
      'cdn',
      'DescribeCdnSSLCertificateList',
      {},
      { common: { SignatureNonce: 'reused-nonce' } },
    );
    expectAlibabaError(await get(emulator.cdnUrl, onCdn), 400, 'SignatureNonceUsed');
    // Another account's nonces are its own.
    const other = list({
      keyId: 'other-key-id',
      secret: 'other-secret',
      common: { SignatureNonce: 'reused-nonce' },
    });
    expect((await get(emulator.slbUrl, other)).status).toBe(200);
  });

  it('lets a nonce be used again once 15 minutes have passed', async () => {
    now = START;
    expect((await get(emulator.slbUrl, list({ common: { SignatureNonce: 'aging-nonce' } }))).status).toBe(
      200,
    );
    now = START + 15 * MINUTE + 1000;
    try {
      expect((await get(emulator.slbUrl, list({ common: { SignatureNonce: 'aging-nonce' } }))).status).toBe(
        200,
      );
    } finally {
      now = START;
    }
  });

  it('does not spend the nonce of a request whose signature is wrong', async () => {
    const forged = list({ secret: 'wrong', common: { SignatureNonce: 'victim-nonce' } });
    expectAlibabaError(await get(emulator.slbUrl, forged), 400, 'SignatureDoesNotMatch');
    expect((await get(emulator.slbUrl, list({ common: { SignatureNonce: 'victim-nonce' } }))).status).toBe(
      200,
    );
  });

  it('accepts the demo account when the fleet names none', async () => {
    const bare = await startEmulator({ aliyun: { clock: () => now } });
    try {
      const params = signed(
        'slb',
        'DescribeServerCertificates',
        { RegionId: 'cn-hangzhou' },
        { keyId: 'demo-access-key-id', secret: 'demo-access-key-secret' },
      );
      const result = await get(bare.slbUrl, params);
      expect(result.status).toBe(200);
      expect(result.body.ServerCertificates).toEqual({ ServerCertificate: [] });
    } finally {
      await bare.close();
    }
  });
});

describe('Alibaba emulator: CDN', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    now = START;
    emulator = await startEmulator({ fleet: fleet(), aliyun: { clock: () => now } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  const page = (params: Params) =>
    get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', params));

  it('pages 250 certificates with PageSize 100 as 100/100/50/0, Count the total', async () => {
    const pages = [];
    for (const pageNumber of [1, 2, 3, 4]) {
      const result = await page({ PageNumber: String(pageNumber), PageSize: '100' });
      expect(result.status).toBe(200);
      const model = result.body.CertificateListModel;
      expect(model).toMatchObject({ Count: 250, PageNumber: pageNumber, PageSize: 100 });
      pages.push(model.CertList.Cert as Array<Record<string, unknown>>);
    }
    expect(pages.map((items) => items.length)).toEqual([100, 100, 50, 0]);
    const ids = pages.flat().map((item) => item.CertId);
    expect(ids).toEqual(Array.from({ length: 250 }, (_, index) => 100_000 + index));
    const { CertId, CertName, Common, Fingerprint, Issuer, CertRegion, LastTime } = cdnCertificate(0);
    expect(pages[0]![0]).toEqual({ CertId, CertName, Common, Fingerprint, Issuer, CertRegion, LastTime });
    expect(emulator.stats.aliyun.cdn.certificatesReturned).toBeGreaterThanOrEqual(250);
  });

  it('can send Count as the page length instead (cdnCountIsTotal: false)', async () => {
    await withEmulator({ aliyun: { cdnCountIsTotal: false } }, async (other) => {
      const counts = [];
      for (const pageNumber of ['1', '3']) {
        const params = signed('cdn', 'DescribeCdnSSLCertificateList', {
          PageNumber: pageNumber,
          PageSize: '100',
        });
        counts.push((await get(other.cdnUrl, params)).body.CertificateListModel.Count);
      }
      expect(counts).toEqual([100, 50]);
    });
  });

  it('defaults to PageNumber 1 and PageSize 20, and refuses sizes outside 1..1000', async () => {
    const result = await page({});
    expect(result.body.CertificateListModel).toMatchObject({ PageNumber: 1, PageSize: 20, Count: 250 });
    expect(result.body.CertificateListModel.CertList.Cert).toHaveLength(20);
    expect((await page({ PageSize: '1000' })).body.CertificateListModel.CertList.Cert).toHaveLength(250);
    const invalid: Params[] = [
      { PageSize: '0' },
      { PageSize: '1001' },
      { PageSize: 'ten' },
      { PageNumber: '0' },
    ];
    for (const params of invalid) {
      const failed = await page(params);
      expectAlibabaError(failed, 400, 'InvalidParameter');
      expect(failed.body.Message).toContain(Object.keys(params)[0]);
    }
  });

  it('filters by DomainName and SearchKeyword', async () => {
    const byDomain = await page({ DomainName: 'IMG42.example.com' });
    expect(byDomain.body.CertificateListModel.CertList.Cert.map((c: { CertId: number }) => c.CertId)).toEqual(
      [100_042],
    );
    const byKeyword = await page({ SearchKeyword: 'CERT-024', PageSize: '100' });
    expect(
      byKeyword.body.CertificateListModel.CertList.Cert.map((c: { CertId: number }) => c.CertId),
    ).toEqual(Array.from({ length: 10 }, (_, index) => 100_240 + index));
    expect(byKeyword.body.CertificateListModel.Count).toBe(10);
  });

  it('answers DescribeCertificateInfoByID with CertId as a string and only the fields it holds', async () => {
    const info = async (certId: string) =>
      get(emulator.cdnUrl, signed('cdn', 'DescribeCertificateInfoByID', { CertId: certId }));
    const full = await info('100003');
    expect(full.status).toBe(200);
    const { CertId, CertName, CertType, CreateTime, CertExpireTime, DomainList, HttpsCrt } =
      cdnCertificate(3);
    expect(full.body).toEqual({
      RequestId: expect.stringMatching(REQUEST_ID),
      CertInfos: {
        CertInfo: [
          { CertId: String(CertId), CertName, CertType, CreateTime, CertExpireTime, DomainList, HttpsCrt },
        ],
      },
    });
    const sparse = (await info('100007')).body.CertInfos.CertInfo[0];
    expect(sparse).not.toHaveProperty('CertExpireTime');
    expect(sparse).not.toHaveProperty('CertType');
    expect(sparse.DomainList).toBe('');
    for (const unknown of ['999', 'not-a-number']) {
      expect((await info(unknown)).body).toEqual({
        RequestId: expect.stringMatching(REQUEST_ID),
        CertInfos: { CertInfo: [] },
      });
    }
    const missing = await get(emulator.cdnUrl, signed('cdn', 'DescribeCertificateInfoByID', {}));
    expectAlibabaError(missing, 400, 'MissingParameter');
    expect(missing.body.Message).toContain('"CertId"');
  });
});

describe('Alibaba emulator: SLB', () => {
  let emulator: RunningEmulator;
  /** Every response body and header seen by the upload tests, to look for the key afterwards. */
  const seen: string[] = [];
  /** Every private key sent in an upload, valid or not. */
  const keysSent = new Set<string>();
  const keyPem = leafHz.leafPrivateKeyPem;

  beforeAll(async () => {
    now = START;
    emulator = await startEmulator({ fleet: fleet(), aliyun: { clock: () => now } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function list(params: Params): Promise<Reply> {
    const result = await get(emulator.slbUrl, signed('slb', 'DescribeServerCertificates', params));
    seen.push(result.text, JSON.stringify([...result.headers]));
    return result;
  }

  async function upload(params: Params, method: 'GET' | 'POST' = 'POST'): Promise<Reply> {
    if (params.PrivateKey) keysSent.add(params.PrivateKey);
    const all = signed('slb', 'UploadServerCertificate', { RegionId: 'cn-hangzhou', ...params }, { method });
    const result = method === 'POST' ? await post(emulator.slbUrl, all) : await get(emulator.slbUrl, all);
    seen.push(result.text, JSON.stringify([...result.headers]));
    return result;
  }

  it('lists the certificates of one region, without PEM, SubjectAlternativeNames wrapped', async () => {
    const hangzhou = await list({ RegionId: 'cn-hangzhou' });
    expect(hangzhou.status).toBe(200);
    const items = hangzhou.body.ServerCertificates.ServerCertificate as Array<Record<string, unknown>>;
    expect(items.map((item) => item.ServerCertificateName)).toEqual([
      'slb-cn-hangzhou-0',
      'slb-cn-hangzhou-1',
      'slb-cn-hangzhou-2',
    ]);
    const { ServerCertificate: _pem, SubjectAlternativeNames, ...rest } = slbCertificates()[0]!;
    expect(items[0]).toEqual({
      ...rest,
      SubjectAlternativeNames: { SubjectAlternativeName: SubjectAlternativeNames },
    });
    for (const item of items) expect(item).not.toHaveProperty('ServerCertificate');

    const shanghai = await list({ RegionId: 'cn-shanghai' });
    const old = shanghai.body.ServerCertificates.ServerCertificate[1];
    expect(old).toEqual({
      RegionId: 'cn-shanghai',
      ServerCertificateId: '139a00604ad-cn-east-hangzhou-01',
      ServerCertificateName: 'old-shape',
      Fingerprint: 'a:b:e',
    });
    expect((await list({ RegionId: 'us-west-1' })).body.ServerCertificates).toEqual({
      ServerCertificate: [],
    });
    expect(hangzhou.text).not.toContain('BEGIN CERTIFICATE');
  });

  it('filters by ServerCertificateId and ResourceGroupId; RegionId is required', async () => {
    const id = slbCertificates()[1]!.ServerCertificateId;
    const one = await list({ RegionId: 'cn-hangzhou', ServerCertificateId: id });
    expect(
      one.body.ServerCertificates.ServerCertificate.map(
        (c: { ServerCertificateId: string }) => c.ServerCertificateId,
      ),
    ).toEqual([id]);
    const even = await list({ RegionId: 'cn-hangzhou', ResourceGroupId: 'rg-even' });
    expect(even.body.ServerCertificates.ServerCertificate).toHaveLength(2);
    const missing = await list({});
    expectAlibabaError(missing, 400, 'MissingParameter');
    expect(missing.body.Message).toContain('"RegionId"');
  });

  it('uploads a certificate with its chain and key, and lists it afterwards', async () => {
    const fresh = makeTestCertificate({
      keyType: 'rsa',
      notAfter: Date.UTC(2027, 2, 3, 4, 5, 6),
      dnsNames: ['upload.example', 'www.upload.example'],
    });
    now = START + 5000;
    const result = await upload({
      ServerCertificate: [fresh.leafPem, ...fresh.chainPems].join(''),
      PrivateKey: fresh.leafPrivateKeyPem,
      ServerCertificateName: "a b*c~d+e/f!'()",
      ResourceGroupId: 'rg-upload',
    });
    expect(result.status, result.text).toBe(200);
    const fingerprint = createHash('sha1')
      .update(new X509Certificate(fresh.leafPem).raw)
      .digest('hex')
      .match(/../g)!
      .join(':');
    expect(result.body).toEqual({
      RequestId: expect.stringMatching(REQUEST_ID),
      RegionId: 'cn-hangzhou',
      ServerCertificateId: expect.stringMatching(/^1231579085529123_[0-9a-f]+_\d+_\d+$/),
      ServerCertificateName: "a b*c~d+e/f!'()",
      Fingerprint: fingerprint,
      ResourceGroupId: 'rg-upload',
      CommonName: 'upload.example',
      SubjectAlternativeNames: { SubjectAlternativeName: ['upload.example', 'www.upload.example'] },
      CreateTime: iso(START + 5000),
      CreateTimeStamp: START + 5000,
      ExpireTime: '2027-03-03T04:05:06Z',
      ExpireTimeStamp: Date.UTC(2027, 2, 3, 4, 5, 6),
      IsAliCloudCertificate: 0,
    });
    expect(fingerprint).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);

    const listed = await list({
      RegionId: 'cn-hangzhou',
      ServerCertificateId: result.body.ServerCertificateId,
    });
    const { RequestId: _, ...item } = result.body;
    expect(listed.body.ServerCertificates.ServerCertificate).toEqual([item]);
    expect(emulator.stats.aliyun.slb.uploads).toBe(1);
    now = START;
  });

  it('names an upload after its common name when no ServerCertificateName is given', async () => {
    const fresh = makeTestCertificate({ notAfter: Date.UTC(2027, 0, 1), dnsNames: ['unnamed.example'] });
    const result = await upload({ ServerCertificate: fresh.pem, PrivateKey: fresh.leafPrivateKeyPem });
    expect(result.body.ServerCertificateName).toBe('unnamed.example');
  });

  it('refuses a key that is not the leaf key with CertificateNotMatchPrivateKey, storing nothing', async () => {
    const before = (await list({ RegionId: 'cn-hangzhou' })).body.ServerCertificates.ServerCertificate.length;
    const uploadsBefore = emulator.stats.aliyun.slb.uploads;
    const otherKey = pooledKey('ec', 'emulator-aliyun-test-other').privateKeyPem;
    const rsaKey = pooledKey('rsa', 'emulator-aliyun-test-other').privateKeyPem;
    for (const key of [otherKey, rsaKey]) {
      const result = await upload({
        ServerCertificate: leafHz.pem,
        PrivateKey: key,
        ServerCertificateName: 'mismatch',
      });
      expectAlibabaError(result, 400, 'CertificateNotMatchPrivateKey');
    }
    // The first certificate is the leaf: a chain pasted intermediate first does not match the leaf's key.
    const reversed = await upload({
      ServerCertificate: [...leafHz.chainPems, leafHz.leafPem].join(''),
      PrivateKey: keyPem,
    });
    expectAlibabaError(reversed, 400, 'CertificateNotMatchPrivateKey');
    const after = (await list({ RegionId: 'cn-hangzhou' })).body.ServerCertificates.ServerCertificate.length;
    expect(after).toBe(before);
    expect(emulator.stats.aliyun.slb.uploads).toBe(uploadsBefore);
  });

  it('refuses an encrypted key with PrivateKeyEncryption (PKCS#8 and PKCS#1)', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    });
    const sec1 = privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' });
    expect(String(sec1)).toContain('Proc-Type: 4,ENCRYPTED');
    for (const key of [pkcs8, sec1]) {
      const result = await upload({ ServerCertificate: leafHz.pem, PrivateKey: String(key) });
      expectAlibabaError(result, 400, 'PrivateKeyEncryption');
    }
  });

  it('refuses an unreadable key (KeyFormatError), certificate (InvalidParameter) or name', async () => {
    const badKey = await upload({
      ServerCertificate: leafHz.pem,
      PrivateKey: armour('PRIVATE KEY', 'bm90IGEga2V5'),
    });
    expectAlibabaError(badKey, 400, 'KeyFormatError');
    for (const certificate of [
      'not a pem',
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
      leafHz.pem + keyPem,
    ]) {
      const result = await upload({ ServerCertificate: certificate, PrivateKey: keyPem });
      expectAlibabaError(result, 400, 'InvalidParameter');
      expect(result.body.Message).toContain('ServerCertificate');
    }
    for (const name of ['', 'x'.repeat(81)]) {
      const result = await upload({
        ServerCertificate: leafHz.pem,
        PrivateKey: keyPem,
        ServerCertificateName: name,
      });
      expectAlibabaError(result, 400, 'InvalidParameter');
      expect(result.body.Message).toContain('ServerCertificateName');
    }
    expect(
      (
        await upload({
          ServerCertificate: leafHz.pem,
          PrivateKey: keyPem,
          ServerCertificateName: 'y'.repeat(80),
        })
      ).status,
    ).toBe(200);
    for (const missing of ['ServerCertificate', 'PrivateKey']) {
      const params: Params = { ServerCertificate: leafHz.pem, PrivateKey: keyPem };
      delete params[missing];
      const result = await upload(params);
      expectAlibabaError(result, 400, 'MissingParameter');
      expect(result.body.Message).toContain(`"${missing}"`);
    }
  });

  it('never puts a private key in a reply, an error or the stats', () => {
    const haystack = [...seen, JSON.stringify(emulator.stats)].join('\n');
    expect(seen.length).toBeGreaterThan(10);
    expect(keysSent.size).toBeGreaterThanOrEqual(5);
    for (const key of keysSent) {
      const body = key
        .replace(/-----[A-Z ]+-----/g, '')
        .replace(/^[A-Za-z-]+:.*$/gm, '')
        .replace(/\s+/g, '');
      // Any leak of 48 characters or more contains one of these aligned chunks whole.
      for (const chunk of body.match(/.{24}/g) ?? []) {
        expect(haystack).not.toContain(chunk);
        expect(haystack).not.toContain(enc(chunk));
      }
    }
    expect(haystack).not.toContain('PRIVATE KEY');
  });
});

describe('Alibaba emulator: faults', () => {
  it('throttles with Throttling.User (400) and x-acs-retry-after in milliseconds', async () => {
    await withEmulator({ aliyun: { throttleRate: 1, retryAfterSeconds: 1.5 } }, async (emulator) => {
      const result = await get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', {}));
      expectAlibabaError(result, 400, 'Throttling.User');
      expect(result.body.Message).toBe('Request was denied due to user flow control.');
      expect(result.headers.get('x-acs-retry-after')).toBe('1500');
      expect(emulator.stats.aliyun.cdn).toMatchObject({ requests: 1, throttled: 1, errors: 0 });
      expect(emulator.stats.aliyun.slb.requests).toBe(0);
    });
    await withEmulator({ aliyun: { throttleRate: 1 } }, async (emulator) => {
      const result = await get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', {}));
      expect(result.headers.get('x-acs-retry-after')).toBeNull();
    });
  });

  it('fails with ServiceUnavailable (503) or InternalError (500) at errorRate', async () => {
    await withEmulator({ aliyun: { errorRate: 1, seed: 3 } }, async (emulator) => {
      const codes = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const result = await get(
          emulator.slbUrl,
          signed('slb', 'DescribeServerCertificates', { RegionId: 'cn-hangzhou' }),
        );
        expectAlibabaError(result, result.body.Code === 'InternalError' ? 500 : 503, result.body.Code);
        codes.add(result.body.Code);
      }
      expect(codes).toEqual(new Set(['ServiceUnavailable', 'InternalError']));
      expect(emulator.stats.aliyun.slb.errors).toBe(12);
      expect(emulator.stats.aliyun.slb.byStatus).toEqual({
        500: expect.any(Number),
        503: expect.any(Number),
      });
    });
  });

  it('takes top-level faults too, with the aliyun options winning', async () => {
    await withEmulator({ throttleRate: 1, aliyun: { throttleRate: 0 } }, async (emulator) => {
      const result = await get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', {}));
      expect(result.status).toBe(200);
    });
  });

  it('forces failures per action and region, a given number of times', async () => {
    const failures = [
      { action: 'DescribeServerCertificates', region: 'cn-shanghai', code: 'ServiceUnavailable', times: 2 },
      { service: 'cdn' as const, code: 'Throttling', httpStatus: 503, message: 'slow down' },
    ];
    await withEmulator({ aliyun: { failures, retryAfterSeconds: 2 } }, async (emulator) => {
      const describe = (region: string) =>
        get(emulator.slbUrl, signed('slb', 'DescribeServerCertificates', { RegionId: region }));
      expect((await describe('cn-hangzhou')).status).toBe(200);
      expectAlibabaError(await describe('cn-shanghai'), 503, 'ServiceUnavailable');
      expectAlibabaError(await describe('cn-shanghai'), 503, 'ServiceUnavailable');
      expect((await describe('cn-shanghai')).status).toBe(200);

      const throttled = await get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', {}));
      expectAlibabaError(throttled, 503, 'Throttling');
      expect(throttled.body.Message).toBe('slow down');
      expect(throttled.headers.get('x-acs-retry-after')).toBe('2000');
      expect(emulator.stats.aliyun.slb.errors).toBe(2);
      expect(emulator.stats.aliyun.cdn.throttled).toBe(1);
      expect(emulator.stats.aliyun.slb.errorCodes).toEqual({ ServiceUnavailable: 2 });
    });
  });

  it('answers a gateway failure with an HTML page, and can act on a request before refusing it', async () => {
    const failures = [
      { action: 'DescribeServerCertificates', gatewayStatus: 502, times: 1 },
      { action: 'DescribeCdnSSLCertificateList', code: 'InternalError', httpStatus: 200, times: 1 },
    ];
    await withEmulator({ aliyun: { failures } }, async (emulator) => {
      const gateway = await get(
        emulator.slbUrl,
        signed('slb', 'DescribeServerCertificates', { RegionId: 'cn-hangzhou' }),
      );
      expect(gateway.status).toBe(502);
      expect(gateway.headers.get('content-type')).toBe('text/html');
      expect(gateway.text).toMatch(/<h1>502 Bad Gateway<\/h1>/);
      // An error wrapped in a success status, as some gateways send it.
      const wrapped = await get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', {}));
      expectAlibabaError(wrapped, 200, 'InternalError');
    });
    const upload = signed(
      'slb',
      'UploadServerCertificate',
      {
        RegionId: 'cn-hangzhou',
        ServerCertificate: leafHz.pem,
        PrivateKey: leafHz.leafPrivateKeyPem,
      },
      { method: 'POST' },
    );
    const acted = [{ action: 'UploadServerCertificate', code: 'SignatureNonceUsed', actedOn: true }];
    await withEmulator({ aliyun: { failures: acted } }, async (emulator) => {
      expectAlibabaError(await post(emulator.slbUrl, upload), 400, 'SignatureNonceUsed');
      expect(emulator.stats.aliyun.slb.uploads).toBe(1);
      const listed = await get(
        emulator.slbUrl,
        signed('slb', 'DescribeServerCertificates', { RegionId: 'cn-hangzhou' }),
      );
      expect(listed.body.ServerCertificates.ServerCertificate).toHaveLength(4);
    });
  });

  it('caps the CDN page size when asked, and says so in PageSize', async () => {
    await withEmulator({ aliyun: { cdnMaxPageSize: 30 } }, async (emulator) => {
      const result = await get(
        emulator.cdnUrl,
        signed('cdn', 'DescribeCdnSSLCertificateList', { PageNumber: '2', PageSize: '100' }),
      );
      const model = result.body.CertificateListModel;
      expect(model).toMatchObject({ Count: 250, PageNumber: 2, PageSize: 30 });
      expect(model.CertList.Cert.map((c: { CertId: number }) => c.CertId)).toEqual(
        Array.from({ length: 30 }, (_, i) => 100_030 + i),
      );
    });
  });

  it('lets a hook change the account, the parameters and the reply of each call, counting calls per action', async () => {
    const calls: string[] = [];
    await withEmulator(
      {
        aliyun: {
          onAction: (call, fleet) => {
            calls.push(`${call.service} ${call.action} ${call.call}`);
            if (call.action === 'DescribeCdnSSLCertificateList' && call.call === 1) {
              expect(fleet.removeCdnCertificate('100000')).toBe(true);
              expect(fleet.removeCdnCertificate('nope')).toBe(false);
              fleet.addCdnCertificate({ ...cdnCertificate(0), CertId: 999 }, 'first');
              return { params: { PageSize: '2' } };
            }
            if (call.action === 'DescribeCdnSSLCertificateList') {
              return { reply: (body) => ({ ...body, Extra: call.call }) };
            }
            return undefined;
          },
        },
      },
      async (emulator) => {
        const list = () =>
          get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', { PageSize: '5' }));
        const first = await list();
        expect(
          first.body.CertificateListModel.CertList.Cert.map((c: { CertId: number }) => c.CertId),
        ).toEqual([999, 100_001]);
        expect(first.body.CertificateListModel.Count).toBe(250);
        expect((await list()).body.Extra).toBe(2);
        const info = (certId: string) =>
          get(emulator.cdnUrl, signed('cdn', 'DescribeCertificateInfoByID', { CertId: certId }));
        expect((await info('100000')).body.CertInfos.CertInfo).toEqual([]);
        expect((await info('999')).body.CertInfos.CertInfo[0].CertId).toBe('999');
        expect(calls).toEqual([
          'cdn DescribeCdnSSLCertificateList 1',
          'cdn DescribeCdnSSLCertificateList 2',
          'cdn DescribeCertificateInfoByID 1',
          'cdn DescribeCertificateInfoByID 2',
        ]);
      },
    );
  });

  it('leaves a forced or random hang unanswered', async () => {
    for (const aliyun of [{ hangRate: 1 }, { failures: [{ code: 'x', hang: true }] }]) {
      await withEmulator({ aliyun }, async (emulator) => {
        const request = fetch(
          `${emulator.slbUrl}?${query(signed('slb', 'DescribeServerCertificates', { RegionId: 'cn-hangzhou' }))}`,
          {
            signal: AbortSignal.timeout(300),
          },
        );
        await expect(request).rejects.toThrow();
        expect(emulator.stats.aliyun.slb.hung).toBe(1);
      });
    }
  });

  it('delays replies by latencyMs', async () => {
    await withEmulator({ aliyun: { latencyMs: 150 } }, async (emulator) => {
      const started = performance.now();
      const result = await get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', {}));
      expect(result.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });
  });

  it('counts requests per service and action, and leaves the UCloud counters alone', async () => {
    await withEmulator({}, async (emulator) => {
      await get(emulator.cdnUrl, signed('cdn', 'DescribeCdnSSLCertificateList', {}));
      await get(emulator.cdnUrl, signed('cdn', 'DescribeCertificateInfoByID', { CertId: '100001' }));
      await get(emulator.cdnUrl, signed('cdn', 'DescribeCertificateInfoByID', {}));
      await get(emulator.slbUrl, signed('slb', 'DescribeServerCertificates', { RegionId: 'cn-hangzhou' }));
      expect(emulator.stats.aliyun.cdn).toEqual({
        requests: 3,
        byAction: { DescribeCdnSSLCertificateList: 1, DescribeCertificateInfoByID: 2 },
        byStatus: { 200: 2, 400: 1 },
        errorCodes: { MissingParameter: 1 },
        throttled: 0,
        throttledByAction: {},
        rateLimited: 0,
        errors: 0,
        hung: 0,
        certificatesReturned: 21,
        uploads: 0,
        // Node's fetch names itself "node".
        userAgents: { node: 3 },
      });
      expect(emulator.stats.aliyun.slb).toMatchObject({ requests: 1, certificatesReturned: 3 });
      expect(emulator.stats.ucloud.requests).toBe(0);
    });
  });
});
