/** UploadServerCertificate's refusals, explained; and a write is never sent twice. */
import { X509Certificate } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { loadConfig } from '../../lib/config';
import { ProviderError } from '../../lib/errors';
import { aliyunClient } from '../../lib/providers/aliyun/client';
import { uploadServerCertificate } from '../../lib/providers/aliyun/slb/uploadServerCertificate';
import { ALIYUN_ACCOUNT } from '../helpers/fleet';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function client(options: Parameters<typeof startEmulator>[0] = {}) {
  emulator = await startEmulator({
    fleet: { aliyun: { accounts: [ALIYUN_ACCOUNT], slb: { certificates: [] } } },
    ...options,
  });
  const config = loadConfig({
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_SLB_ENDPOINT: emulator.slbUrl,
    CERTWATCH_REQUEST_TIMEOUT_MS: '500',
  });
  return aliyunClient(config.aliyun!, { product: 'SLB', region: 'cn-hangzhou' }, config);
}

const cert = makeTestCertificate({ keyType: 'rsa', notAfter: Date.now() + 90 * 86_400_000 });
const otherKey = makeTestCertificate({ keyType: 'ec', notAfter: Date.now() + 86_400_000 }).leafPrivateKeyPem;
const fingerprintSha1 = new X509Certificate(cert.leafPem).fingerprint.replaceAll(':', '').toLowerCase();
const request = {
  regionId: 'cn-hangzhou',
  certificatePem: cert.leafPem,
  privateKeyPem: cert.leafPrivateKeyPem,
  name: 'x',
  fingerprintSha1,
};

it("explains SLB's refusal of a key that does not match, without quoting the key", async () => {
  const slb = await client();
  const error = (await uploadServerCertificate(slb, {
    regionId: 'cn-hangzhou',
    certificatePem: cert.leafPem,
    privateKeyPem: otherKey,
    name: 'mismatch',
    fingerprintSha1,
  }).catch((e: unknown) => e)) as ProviderError;
  expect(error).toBeInstanceOf(ProviderError);
  expect(error.code).toBe('CertificateNotMatchPrivateKey');
  expect(error.message).toMatch(
    /^SLB says the private key does not belong to the certificate\. Alibaba SLB UploadServerCertificate in cn-hangzhou: HTTP 400/,
  );
  expect(error.message).not.toContain(otherKey.split('\n')[1]!);
});

it('does not send an upload again after a server error, but does after throttling', async () => {
  const failing = await client({
    aliyun: { failures: [{ action: 'UploadServerCertificate', code: 'InternalError' }] },
  });
  await expect(uploadServerCertificate(failing, request)).rejects.toThrow(
    /HTTP 500 InternalError.*SLB does not hold the certificate \(no SHA-1 [0-9a-f]{40} in cn-hangzhou\): it is safe to run the upload again/,
  );
  expect(emulator!.stats.aliyun.slb.byAction.UploadServerCertificate).toBe(1);
  await emulator!.close();

  const throttled = await client({
    aliyun: { failures: [{ action: 'UploadServerCertificate', code: 'Throttling.User', times: 1 }] },
  });
  const uploaded = await uploadServerCertificate(throttled, request);
  expect(uploaded.fingerprintSha1).toMatch(/^[0-9a-f]{40}$/);
  expect(emulator!.stats.aliyun.slb.byAction.UploadServerCertificate).toBe(2);
  expect(emulator!.stats.aliyun.slb.uploads).toBe(1);
});

it('does not send an upload again after a timeout (it may have arrived)', async () => {
  const hanging = await client({
    aliyun: { failures: [{ action: 'UploadServerCertificate', code: 'InternalError', hang: true }] },
  });
  await expect(uploadServerCertificate(hanging, request)).rejects.toThrow(
    /no complete reply within 500 ms.*it is safe to run the upload again/,
  );
  expect(emulator!.stats.aliyun.slb.byAction.UploadServerCertificate).toBe(1);
});

it('does not send an upload again after SignatureNonceUsed, and finds it when the first copy was stored', async () => {
  // A copy of the request was refused: whether the first one was stored decides what a person is told.
  const refused = await client({
    aliyun: { failures: [{ action: 'UploadServerCertificate', code: 'SignatureNonceUsed' }] },
  });
  await expect(uploadServerCertificate(refused, request)).rejects.toThrow(
    /HTTP 400 SignatureNonceUsed.*SLB does not hold the certificate .*it is safe to run the upload again/,
  );
  expect(emulator!.stats.aliyun.slb.byAction.UploadServerCertificate).toBe(1);
  await emulator!.close();

  const duplicated = await client({
    aliyun: { failures: [{ action: 'UploadServerCertificate', code: 'SignatureNonceUsed', actedOn: true }] },
  });
  const uploaded = await uploadServerCertificate(duplicated, request);
  expect(uploaded).toMatchObject({ regionId: 'cn-hangzhou', fingerprintSha1 });
  expect(uploaded.id).toMatch(/^\d+_/);
  expect(emulator!.stats.aliyun.slb.byAction.UploadServerCertificate).toBe(1);
  expect(emulator!.stats.aliyun.slb.uploads).toBe(1);
});
