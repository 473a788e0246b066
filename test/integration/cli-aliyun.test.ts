/**
 * certwatch against Alibaba-compatible endpoints (the emulator, real sockets), UCloud beside it in the same run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import type { ReportJson } from '../../lib/report/json';
import { runCertwatch } from '../helpers/cli';
import { ALIYUN_ACCOUNT, aliyunAuditFleet, allCloudsEnv, NOW } from '../helpers/fleet';

const { fleet, expected } = aliyunAuditFleet(1100);
const NOW_ISO = new Date(NOW).toISOString();
let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function auditJson(options: Parameters<typeof startEmulator>[0] = {}) {
  emulator = await startEmulator({
    fleet,
    latencyMs: 1,
    ...options,
    aliyun: { clock: () => Date.now(), ...options.aliyun },
  });
  const run = await runCertwatch(['audit', '--format', 'json', '--now', NOW_ISO], allCloudsEnv(emulator));
  return { run, report: JSON.parse(run.stdout) as ReportJson };
}

describe('certwatch audit with UCloud and Alibaba Cloud in one run', () => {
  it('lists every CDN, SLB and UCloud certificate exactly once, with the right status', async () => {
    const { run, report } = await auditJson();
    expect(run.stderr).toBe('');
    expect(report.failures).toEqual([]);
    expect(run.code).toBe(0);
    const keys = report.certificates.map((c) => `${c.provider}/${c.service}/${c.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    const cdn = fleet.aliyun!.cdn!.certificates.map((c) => `aliyun/cdn/${c.CertId}`);
    const slb = fleet.aliyun!.slb!.certificates.map((c) => `aliyun/slb/${c.ServerCertificateId}`);
    const ucloud = fleet.ucloud!.certificates.map((c) => `ucloud/ulb/${c.SSLId}`);
    expect([...keys].sort()).toEqual([...cdn, ...slb, ...ucloud].sort());
    for (const [id, expectation] of expected) {
      const record = report.certificates.find((c) => c.id === id);
      expect({ id, ...record }).toMatchObject({ id, ...expectation });
    }
    const byId = (id: string) => report.certificates.find((c) => c.id === id)!;
    expect(byId('103').notes).toContain('CertExpireTime names no time zone; it was taken as UTC');
    expect(byId('105').notes).toContain('CertExpireTime "unknown" is not a date certwatch can read');
    expect(byId('106').notes.join()).toMatch(/api:CertExpireTime says .* but the certificate says/);
    expect(byId('slb-twin')).toMatchObject({
      notAfter: byId('ssl-seconds').notAfter,
      domains: ['seconds.example'],
    });
    expect(byId('slb-orphan').notes.join()).toMatch(/no certificate with its SHA-1 fingerprint was seen/);
    expect(byId('101')).toMatchObject({
      region: 'global',
      boundTo: ['CDN domain cdn101.example'],
      daysLeft: 20,
    });
    // Two pages of 1000, read twice: page numbers cannot show a shift that keeps Count, two passes that agree can.
    expect(emulator!.stats.aliyun.cdn.byAction.DescribeCdnSSLCertificateList).toBe(4);
  });

  it('retries throttling and server errors on Alibaba until the scan is complete', async () => {
    const cdn = { service: 'cdn' as const, action: 'DescribeCertificateInfoByID' };
    const { report } = await auditJson({
      aliyun: {
        failures: [
          { ...cdn, code: 'Throttling.User', times: 3 },
          { ...cdn, code: 'ServiceUnavailable', times: 2 },
          { service: 'slb', code: 'InternalError', times: 1 },
          { service: 'cdn', action: 'DescribeCdnSSLCertificateList', code: 'Throttling.Api', times: 1 },
        ],
      },
    });
    expect(report.failures).toEqual([]);
    expect(report.certificates).toHaveLength(
      fleet.aliyun!.cdn!.certificates.length +
        fleet.aliyun!.slb!.certificates.length +
        fleet.ucloud!.certificates.length,
    );
    expect(emulator!.stats.aliyun.cdn.throttled).toBe(4);
  });

  it('under random throttling and errors, never loses or doubles a certificate silently', async () => {
    const { run, report } = await auditJson({ aliyun: { throttleRate: 0.15, errorRate: 0.05, seed: 3 } });
    expect(emulator!.stats.aliyun.cdn.throttled).toBeGreaterThan(0);
    const keys = report.certificates.map((c) => `${c.service}/${c.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    // A certificate is either reported or its source is named as failed; the exit code says which.
    const failedServices = new Set(report.failures.map((f) => f.service));
    const missing = fleet.aliyun!.slb!.certificates.filter(
      (c) => !keys.includes(`slb/${c.ServerCertificateId}`),
    );
    expect(missing.length === 0 || failedServices.has('slb')).toBe(true);
    expect(keys.filter((k) => k.startsWith('cdn/'))).toHaveLength(fleet.aliyun!.cdn!.certificates.length);
    expect(report.complete).toBe(report.failures.length === 0);
    expect(run.code).toBe(report.complete ? 0 : 3);
  });

  it('names a failing SLB region and a wrong Alibaba secret, and still reports UCloud', async () => {
    emulator = await startEmulator({
      fleet,
      aliyun: {
        failures: [
          { service: 'slb', region: 'cn-shanghai', code: 'Forbidden.RAM', message: 'User not authorized' },
        ],
      },
    });
    const failing = await runCertwatch(
      ['audit', '--format', 'json', '--now', NOW_ISO],
      allCloudsEnv(emulator),
    );
    expect(failing.code).toBe(3);
    const report = JSON.parse(failing.stdout) as ReportJson;
    expect(report.failures).toEqual([
      expect.objectContaining({ provider: 'aliyun', service: 'slb', region: 'cn-shanghai' }),
    ]);
    expect(report.failures[0]!.message).toMatch(
      /^Alibaba SLB DescribeServerCertificates in cn-shanghai: HTTP 403 Forbidden.RAM "User not authorized" — the key lacks permission/,
    );
    expect(report.certificates.some((c) => c.id === 'slb-stamp')).toBe(true);

    const wrong = await runCertwatch(['audit', '--format', 'json', '--now', NOW_ISO], {
      ...allCloudsEnv(emulator),
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'canary-wrong-secret-77',
    });
    const wrongReport = JSON.parse(wrong.stdout) as ReportJson;
    expect(wrongReport.failures.map((f) => `${f.service}/${f.region}`).sort()).toEqual([
      'cdn-domain/null',
      'cdn/null',
      'slb/cn-hangzhou',
      'slb/cn-shanghai',
    ]);
    expect(wrongReport.failures[0]!.message).toMatch(
      /SignatureDoesNotMatch .* check ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
    );
    expect(wrongReport.certificates.filter((c) => c.provider === 'ucloud')).toHaveLength(
      fleet.ucloud!.certificates.length,
    );
    const output = failing.stdout + failing.stderr + wrong.stdout + wrong.stderr;
    expect(output).not.toContain(ALIYUN_ACCOUNT.AccessKeySecret);
    expect(output).not.toContain('canary-wrong-secret-77');
  });

  it('reports the CDN certificates whose details could not be read, once, and keeps them in the report', async () => {
    emulator = await startEmulator({
      fleet,
      aliyun: {
        failures: [
          { service: 'cdn', action: 'DescribeCertificateInfoByID', code: 'Forbidden', httpStatus: 403 },
        ],
      },
    });
    const run = await runCertwatch(['audit', '--format', 'json', '--now', NOW_ISO], allCloudsEnv(emulator));
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.message).toMatch(
      new RegExp(
        `^the details of ${fleet.aliyun!.cdn!.certificates.length} certificate\\(s\\) could not be read \\(101, 102`,
      ),
    );
    const cdn = report.certificates.filter((c) => c.service === 'cdn');
    expect(cdn).toHaveLength(fleet.aliyun!.cdn!.certificates.length);
    expect(cdn.every((c) => c.status === 'unknown')).toBe(true);
  });
});
