/**
 * Alibaba CAS over real sockets: the emulator's three actions (paging, filters, CertFilter, signature, errors),
 * and `certwatch audit` / `certwatch doctor` against it — every CAS certificate once, and no request that could
 * bring back a private key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateAliyunCasFleet } from '../../emulator/fleet/generate';
import type { AliyunCasCertificate, Fleet } from '../../emulator/fleet/model';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { aliyunClient } from '../../lib/providers/aliyun/client';
import { readAliyun } from '../../lib/providers/aliyun/config';
import type { ReportJson } from '../../lib/report/json';
import { runCertwatch } from '../helpers/cli';
import { ALIYUN_ACCOUNT, NOW } from '../helpers/fleet';

const DAY = 86_400_000;
const NOW_ISO = new Date(NOW).toISOString();

/** 130 generated certificates (three pages of 50 on the current listing) and four hand-made cases. */
function casFleet(): Fleet {
  const generated = generateAliyunCasFleet({ count: 130, seed: 18, now: NOW });
  const [a, b, c, d] = generateAliyunCasFleet({ count: 4, seed: 19, now: NOW });
  const cases: AliyunCasCertificate[] = [
    // Expired: only a Status=EXPIRED listing holds it. Its detail NotAfter has 14 digits: CertEndTime is used.
    {
      ...a!,
      CertificateId: 501,
      Status: 'EXPIRED',
      Expired: true,
      CertEndTime: NOW - 3 * DAY,
      NotAfter: 1e13 + 5,
    },
    // Uploaded, deployed nowhere, dates only as EndDate.
    {
      ...b!,
      CertificateId: 502,
      Upload: true,
      Status: 'ISSUED',
      CertEndTime: undefined,
      NotAfter: undefined,
      EndDate: '2027-03-01',
      Deployments: undefined,
    },
    // Soon, deployed on an ALB listener and a CDN domain.
    {
      ...c!,
      CertificateId: 503,
      Status: 'WILLEXPIRED',
      NotAfter: NOW + 5 * DAY,
      CertChain: [{ CommonName: 'soon.example', NotAfter: NOW + 5 * DAY }],
      Deployments: [
        {
          Id: 9001,
          CloudProduct: 'ALB',
          RegionId: 'cn-hangzhou',
          InstanceId: 'alb-soon',
          ListenerId: 'lsr-soon',
          ListenerPort: '443',
          Domain: 'soon.example',
        },
        { Id: 9002, CloudProduct: 'CDN', Domain: 'static.soon.example' },
      ],
    },
    // An intermediate that expires before the leaf.
    {
      ...d!,
      CertificateId: 504,
      Status: 'ISSUED',
      NotAfter: NOW + 200 * DAY,
      CertChain: [
        { CommonName: 'leaf.example', NotAfter: NOW + 200 * DAY },
        { CommonName: 'Old Intermediate CA', NotAfter: NOW + 10 * DAY },
      ],
    },
  ];
  return { aliyun: { accounts: [ALIYUN_ACCOUNT], cas: { certificates: [...cases, ...generated] } } };
}

const fleet = casFleet();
const certificates = fleet.aliyun!.cas!.certificates;
let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function casEnv(running: RunningEmulator): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_SCAN_CDN: 'false',
    ALIBABA_CLOUD_CAS_ENDPOINT: running.casUrl,
  };
}

/** The library's own client for CAS against the emulator, for calls a scan never makes. */
function casClient(running: RunningEmulator, secret = ALIYUN_ACCOUNT.AccessKeySecret) {
  const problems: string[] = [];
  const config = readAliyun(
    (key) => ({ ...casEnv(running), ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret })[key],
    problems,
    { allowPlainHttp: false },
  );
  expect(problems).toEqual([]);
  return aliyunClient(
    config!,
    { product: 'CAS' },
    { requestTimeoutMs: 5000, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
  );
}

describe('the CAS emulator', () => {
  it('lists by OrderType and Status as CAS does, pages with CurrentPage/ShowSize and counts TotalCount', async () => {
    emulator = await startEmulator({ fleet, aliyun: { clock: () => Date.now() } });
    const client = casClient(emulator);
    const list = (params: Record<string, string>) => client.call('ListUserCertificateOrder', params);
    // The default OrderType (CPACK) lists orders: no certificate.
    expect(await list({})).toMatchObject({ TotalCount: 0, CertificateOrderList: [] });
    const current = certificates.filter((c) => c.Status === 'ISSUED' || c.Status === 'WILLEXPIRED');
    const first = await list({ OrderType: 'CERT' });
    expect(first).toMatchObject({ TotalCount: current.length, CurrentPage: 1, ShowSize: 50 });
    expect(first.CertificateOrderList).toHaveLength(50);
    const last = await list({ OrderType: 'CERT', CurrentPage: '3', ShowSize: '50' });
    expect(last.CertificateOrderList).toHaveLength(current.length - 100);
    const expired = await list({ OrderType: 'CERT', Status: 'EXPIRED', ShowSize: '100' });
    const expiredIds = (expired.CertificateOrderList as { CertificateId: number }[]).map(
      (c) => c.CertificateId,
    );
    expect(expiredIds).toContain(501);
    expect(expiredIds.sort()).toEqual(
      certificates
        .filter((c) => c.Status === 'EXPIRED')
        .map((c) => c.CertificateId)
        .sort(),
    );
    const uploads = await list({ OrderType: 'UPLOAD', ShowSize: '100' });
    const uploadIds = uploads.CertificateOrderList as { CertificateId: number; Upload: boolean }[];
    expect(uploadIds.every((c) => c.Upload)).toBe(true);
    expect(uploadIds.map((c) => c.CertificateId)).toContain(502);
    await expect(list({ OrderType: 'CERT', CurrentPage: '0' })).rejects.toThrow(/InvalidParameter/);
  });

  it('returns the PEM and the private key unless CertFilter=true, and counts such requests', async () => {
    emulator = await startEmulator({ fleet, aliyun: { clock: () => Date.now() } });
    const client = casClient(emulator);
    const filtered = await client.call('GetUserCertificateDetail', { CertId: '503', CertFilter: 'true' });
    expect(filtered).toMatchObject({ Id: 503, CertIdentifier: '503-cn-hangzhou', NotAfter: NOW + 5 * DAY });
    expect(filtered).not.toHaveProperty('Key');
    expect(filtered).not.toHaveProperty('Cert');
    expect(emulator.stats.aliyun.cas.unfilteredDetails).toBe(0);
    const unfiltered = await client.call('GetUserCertificateDetail', { CertId: '503' });
    expect(unfiltered.Key).toMatch(/^-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/);
    expect(unfiltered.Cert).toMatch(/BEGIN CERTIFICATE/);
    await client.call('GetUserCertificateDetail', { CertId: '503', CertFilter: 'false' });
    expect(emulator.stats.aliyun.cas.unfilteredDetails).toBe(2);
    await expect(
      client.call('GetUserCertificateDetail', { CertId: '999', CertFilter: 'true' }),
    ).rejects.toThrow(/HTTP 404 NotFound\.Certificate/);
  });

  it('lists the resources of the CertIds JSON array, with Total and ms strings', async () => {
    emulator = await startEmulator({ fleet, aliyun: { clock: () => Date.now() } });
    const client = casClient(emulator);
    const reply = await client.call('ListCloudResources', { CertIds: '[503,502]', CloudName: 'aliyun' });
    expect(reply).toMatchObject({ Total: 2, CurrentPage: 1, ShowSize: 20 });
    expect(reply.Data).toEqual([
      expect.objectContaining({ Id: 9001, CertId: 503, CloudProduct: 'ALB', ListenerPort: '443' }),
      expect.objectContaining({ Id: 9002, CertId: 503, CloudProduct: 'CDN', Domain: 'static.soon.example' }),
    ]);
    expect(typeof (reply.Data as { CertEndTime: unknown }[])[0]!.CertEndTime).toBe('string');
    const alb = await client.call('ListCloudResources', {
      CertIds: '[503]',
      CloudProduct: 'ALB',
      ShowSize: '1',
    });
    expect(alb).toMatchObject({ Total: 1, Data: [expect.objectContaining({ Id: 9001 })] });
    await expect(client.call('ListCloudResources', { 'CertIds.1': '503', CertIds: '503' })).rejects.toThrow(
      /InvalidParameter/,
    );
  });

  it('refuses a wrong signature and throttles over 10 listings a second', async () => {
    emulator = await startEmulator({ fleet, aliyun: { clock: () => Date.now() }, rateLimits: {} });
    await expect(
      casClient(emulator, 'wrong-secret').call('ListUserCertificateOrder', { OrderType: 'CERT' }),
    ).rejects.toThrow(/SignatureDoesNotMatch/);
    const client = casClient(emulator);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 15 }, () =>
        client.call('ListUserCertificateOrder', { OrderType: 'CERT', ShowSize: '1' }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected').length).toBeGreaterThan(0);
    expect(emulator.stats.aliyun.cas.rateLimited).toBeGreaterThan(0);
  });
});

describe('certwatch against CAS', () => {
  it('audits every CAS certificate once, expired and uploaded included, never asking for a key', async () => {
    emulator = await startEmulator({ fleet, latencyMs: 1, aliyun: { clock: () => Date.now() } });
    const run = await runCertwatch(['audit', '--format', 'json', '--now', NOW_ISO], casEnv(emulator));
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.failures).toEqual([]);
    const ids = report.certificates.map((c) => `${c.service}/${c.id}`);
    expect(ids.sort()).toEqual(certificates.map((c) => `cas/${c.CertificateId}`).sort());
    const byId = (id: string) => report.certificates.find((c) => c.id === id)!;
    expect(byId('501')).toMatchObject({
      status: 'expired',
      expirySource: 'api:CertEndTime',
      region: 'global',
    });
    expect(byId('502')).toMatchObject({
      status: 'ok',
      expirySource: 'api:EndDate',
      inUse: false,
      boundTo: [],
    });
    expect(byId('502').notes).toContain('uploaded to CAS');
    expect(byId('503')).toMatchObject({
      status: 'critical',
      expirySource: 'api:NotAfter',
      inUse: true,
      boundTo: ['ALB alb-soon lsr-soon:443 soon.example (cn-hangzhou)', 'CDN static.soon.example'],
    });
    expect(byId('504')).toMatchObject({ expirySource: 'api:CertChain', daysLeft: 10 });
    for (const record of report.certificates) expect(record.inUse).not.toBeNull();
    const cas = emulator.stats.aliyun.cas;
    expect(cas.unfilteredDetails).toBe(0);
    expect(cas.byAction.GetUserCertificateDetail).toBe(certificates.length);
    expect(run.stdout).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });

  it('reports a certificate whose details fail with what the list said, and names the failure', async () => {
    emulator = await startEmulator({
      fleet,
      aliyun: {
        clock: () => Date.now(),
        failures: [{ service: 'cas', action: 'GetUserCertificateDetail', code: 'Forbidden.RAM' }],
      },
    });
    const run = await runCertwatch(['audit', '--format', 'json', '--now', NOW_ISO], casEnv(emulator));
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.certificates).toHaveLength(certificates.length);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.message).toMatch(
      new RegExp(
        `^the details of ${certificates.length} CAS certificate\\(s\\) .*grant it the RAM action yundun-cert:GetUserCertificateDetail`,
      ),
    );
    expect(run.code).toBe(3);
  });

  it('does not take the details of another certificate for this one (a cache answering the last reply)', async () => {
    emulator = await startEmulator({
      fleet,
      aliyun: {
        clock: () => Date.now(),
        // Every certificate's details are answered with 501's.
        onAction: ({ action }) =>
          action === 'GetUserCertificateDetail' ? { params: { CertId: '501' } } : undefined,
      },
    });
    const run = await runCertwatch(['audit', '--format', 'json', '--now', NOW_ISO], casEnv(emulator));
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.certificates).toHaveLength(certificates.length);
    const byId = (id: string) => report.certificates.find((c) => c.id === id)!;
    // 504's expiry comes from its own list entry: neither its CertChain (its details were not read) nor 501's.
    expect(byId('504').expirySource).not.toBe('api:CertChain');
    expect(byId('504').status).not.toBe('expired');
    expect(byId('501')).toMatchObject({ status: 'expired', expirySource: 'api:CertEndTime' });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.message).toMatch(
      new RegExp(
        `^the details of ${certificates.length - 1} CAS certificate\\(s\\) .*the reply describes CertId 501; its details were not used`,
      ),
    );
    expect(run.code).toBe(3);
  });

  it('doctor tries all three CAS actions with CertFilter=true and names a missing RAM action', async () => {
    emulator = await startEmulator({ fleet, aliyun: { clock: () => Date.now() } });
    const ok = await runCertwatch(['doctor'], casEnv(emulator));
    expect(ok.stdout).toMatch(
      /OK {4}Alibaba CAS ListUserCertificateOrder: .* answered; \d+ certificates \(TotalCount\); GetUserCertificateDetail and ListCloudResources answered too/,
    );
    expect(emulator.stats.aliyun.cas.byAction.GetUserCertificateDetail).toBe(1);
    expect(emulator.stats.aliyun.cas.unfilteredDetails).toBe(0);
    await emulator.close();
    emulator = await startEmulator({
      fleet,
      aliyun: { failures: [{ service: 'cas', action: 'ListCloudResources', code: 'NoPermission' }] },
    });
    const denied = await runCertwatch(['doctor'], casEnv(emulator));
    expect(denied.stdout).toMatch(/FAIL .*Alibaba CAS ListCloudResources.*yundun-cert:ListCloudResources/);
  });
});
