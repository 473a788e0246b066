/**
 * Request hygiene, seen from the emulator: every request names certwatch and its version, and the one write
 * (SLB UploadServerCertificate) reaches the service at most once unless it certainly never left this machine.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokenReply } from '../../emulator/faults';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/server';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { loadConfig } from '../../lib/config';
import { ProviderError } from '../../lib/errors';
import { buildSources } from '../../lib/providers';
import { aliyunClient } from '../../lib/providers/aliyun/client';
import { uploadServerCertificate } from '../../lib/providers/aliyun/slb/uploadServerCertificate';
import { scanFleet } from '../../lib/scan';
import { USER_AGENT } from '../../lib/version';
import { ALIYUN_ACCOUNT, aliyunAuditFleet, allCloudsEnv, NOW } from '../helpers/fleet';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

describe('User-Agent', () => {
  it('names certwatch and its version on every request to both clouds, retries included', async () => {
    const { fleet } = aliyunAuditFleet();
    emulator = await startEmulator({ fleet, throttleRate: 0.3, seed: 3 });
    const config = loadConfig(allCloudsEnv(emulator));
    const report = await scanFleet(buildSources(config, { sleep: async () => {} }), {
      statusDays: config.statusDays,
      nowMs: NOW,
    });
    expect(report.failures).toEqual([]);
    expect(USER_AGENT).toBe(`certwatch/${version}`);
    const { ucloud, aliyun } = emulator.stats;
    expect(ucloud.throttled + aliyun.cdn.throttled + aliyun.slb.throttled).toBeGreaterThan(0);
    expect(ucloud.userAgents).toEqual({ [USER_AGENT]: ucloud.requests });
    expect(aliyun.cdn.userAgents).toEqual({ [USER_AGENT]: aliyun.cdn.requests });
    expect(aliyun.slb.userAgents).toEqual({ [USER_AGENT]: aliyun.slb.requests });
  });
});

describe('UploadServerCertificate, which is not idempotent', () => {
  const cert = makeTestCertificate({ keyType: 'ec', notAfter: Date.now() + 90 * 86_400_000 });
  const fingerprintSha1 = new X509Certificate(cert.leafPem).fingerprint.replaceAll(':', '').toLowerCase();
  const request = {
    regionId: 'cn-hangzhou',
    certificatePem: cert.leafPem,
    privateKeyPem: cert.leafPrivateKeyPem,
    name: 'renewed',
    fingerprintSha1,
  };
  const pauses: number[] = [];

  function slbClient(endpoint: string, sleep: (ms: number) => Promise<void> = async () => {}) {
    const config = loadConfig({
      ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
      ALIBABA_CLOUD_SLB_ENDPOINT: endpoint,
      CERTWATCH_REQUEST_TIMEOUT_MS: '300',
    });
    return aliyunClient(config.aliyun!, { product: 'SLB', region: 'cn-hangzhou' }, config, {
      sleep: async (ms) => {
        pauses.push(ms);
        await sleep(ms);
      },
      random: () => 0.5,
    });
  }

  async function start(options: EmulatorOptions = {}, port?: number): Promise<RunningEmulator> {
    emulator = await startEmulator({
      fleet: { aliyun: { accounts: [ALIYUN_ACCOUNT], slb: { certificates: [] } } },
      port,
      ...options,
    });
    return emulator;
  }

  const uploadsSeen = (running: RunningEmulator) =>
    running.stats.aliyun.slb.byAction.UploadServerCertificate ?? 0;

  it.each<BrokenReply>(['reset', 'stall-body', 'malformed-json'])(
    'is sent once when SLB stores it and the reply is lost (%s), and the stored certificate is found',
    async (broken) => {
      pauses.length = 0;
      const running = await start({
        aliyun: { failures: [{ action: 'UploadServerCertificate', broken }] },
      });
      const uploaded = await uploadServerCertificate(slbClient(running.slbUrl), request);
      expect(uploadsSeen(running)).toBe(1);
      expect(running.stats.aliyun.slb.uploads).toBe(1);
      expect(pauses).toEqual([]);
      // Found by asking SLB (a read) for the fingerprint, not by sending the upload again.
      expect(running.stats.aliyun.slb.byAction.DescribeServerCertificates).toBe(1);
      expect(uploaded).toMatchObject({ regionId: 'cn-hangzhou', fingerprintSha1, name: 'renewed' });
      expect(uploaded.id).toMatch(/^\d+_[0-9a-f]+_\d+_\d+$/);
    },
  );

  it('says the outcome is unknown, and what to check, when SLB cannot be asked afterwards', async () => {
    const running = await start({
      aliyun: {
        failures: [
          { action: 'UploadServerCertificate', broken: 'reset' },
          { action: 'DescribeServerCertificates', code: 'ServiceUnavailable' },
        ],
      },
    });
    const error = await uploadServerCertificate(slbClient(running.slbUrl), request).catch((e: unknown) => e);
    expect(uploadsSeen(running)).toBe(1);
    // It did arrive: sending it again would have stored a second copy.
    expect(running.stats.aliyun.slb.uploads).toBe(1);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(false);
    expect((error as Error).message).toMatch(
      new RegExp(
        '^Alibaba SLB UploadServerCertificate in cn-hangzhou: could not reach http://127\\.0\\.0\\.1:\\d+ ' +
          '\\(ECONNRESET\\) — check ALIBABA_CLOUD_SLB_ENDPOINT and the network\\. The upload may or may not have ' +
          'been stored, and SLB could not be asked \\(.*ServiceUnavailable.*\\): look for SHA-1 ' +
          `${fingerprintSha1} in the SLB console before uploading again$`,
      ),
    );
    expect((error as Error).message).not.toContain(cert.leafPrivateKeyPem.split('\n')[1]!);
  });

  it('is sent again after ECONNREFUSED, which proves it never left', async () => {
    pauses.length = 0;
    const port = await freePort();
    // Nothing listens on the port until the client's first pause before retrying.
    const client = slbClient(`http://127.0.0.1:${port}/aliyun/slb`, async () => {
      if (!emulator) await start({}, port);
    });
    const uploaded = await uploadServerCertificate(client, request);
    expect(pauses).toHaveLength(1);
    expect(uploadsSeen(emulator!)).toBe(1);
    expect(emulator!.stats.aliyun.slb.uploads).toBe(1);
    expect(emulator!.stats.aliyun.slb.userAgents).toEqual({ [USER_AGENT]: 1 });
    expect(uploaded.fingerprintSha1).toBe(fingerprintSha1);
  });
});

/** A port nothing listens on (taken from the system, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
