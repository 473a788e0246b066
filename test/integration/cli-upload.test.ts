/**
 * `certwatch upload` against the emulated SLB: refusals before anything is sent, a good PEM pair and a good PFX
 * uploaded with the fingerprint checked, and the key never printed.
 */
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AliyunSlbCertificate } from '../../emulator/fleet/model';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { runCertwatch } from '../helpers/cli';
import { ALIYUN_ACCOUNT } from '../helpers/fleet';
import { makePfx } from '../helpers/pfx';

const DAY = 86_400_000;
const now = Date.now();
let emulator: RunningEmulator;
const outputs: string[] = [];

const oldCertificate: AliyunSlbCertificate = {
  RegionId: 'cn-hangzhou',
  ServerCertificateId: 'old-shop-cert',
  ServerCertificateName: 'shop-2025',
  Fingerprint: '11:22:33:44:55:66:77:88:99:00:11:22:33:44:55:66:77:88:99:00',
  CommonName: 'shop.example',
  SubjectAlternativeNames: ['shop.example', 'www.shop.example'],
  ExpireTimeStamp: now + 5 * DAY,
};

beforeEach(async () => {
  emulator = await startEmulator({
    fleet: { aliyun: { accounts: [ALIYUN_ACCOUNT], slb: { certificates: [oldCertificate] } } },
  });
});
afterEach(() => emulator.close());

function env(extra: Record<string, string> = {}) {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIYUN_ACCOUNT.AccessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIYUN_ACCOUNT.AccessKeySecret,
    ALIBABA_CLOUD_SLB_ENDPOINT: emulator.slbUrl,
    ALIBABA_CLOUD_SCAN_CDN: 'false',
    ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
    ...extra,
  };
}

async function upload(
  args: string[],
  files: Record<string, string | Buffer>,
  extraEnv: Record<string, string> = {},
) {
  const run = await runCertwatch(['upload', '--region', 'cn-hangzhou', ...args], env(extraEnv), files);
  outputs.push(run.stdout, run.stderr);
  return run;
}

const renewed = makeTestCertificate({
  keyType: 'rsa',
  notAfter: now + 400 * DAY,
  notBefore: now - DAY,
  dnsNames: ['shop.example', 'www.shop.example', 'api.shop.example'],
  includeRoot: true,
});
const sha1 = (pem: string) => new X509Certificate(pem).fingerprint.toLowerCase();

describe('certwatch upload refuses, before sending anything', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'a key that does not belong to the certificate',
      {
        'cert.pem': renewed.pem,
        'key.pem': makeTestCertificate({ keyType: 'ec', notAfter: now + DAY }).leafPrivateKeyPem,
      },
      /the private key in key.pem does not belong to the certificate "shop.example" in cert.pem/,
    ],
    [
      'an expired certificate',
      (() => {
        const expired = makeTestCertificate({ keyType: 'rsa', notAfter: now - DAY, includeRoot: true });
        return { 'cert.pem': expired.pem, 'key.pem': expired.leafPrivateKeyPem };
      })(),
      /the certificate "test.example" in cert.pem expired on .*: upload the renewed certificate/,
    ],
    [
      'a chain out of order',
      {
        'cert.pem': renewed.intermediatePem + renewed.leafPem + renewed.rootPem,
        'key.pem': renewed.leafPrivateKeyPem,
      },
      /cert.pem lists its certificates out of order: put the leaf first, then each issuer: 1\. "shop.example"/,
    ],
  ];
  for (const [what, files, message] of cases) {
    it(what, async () => {
      const run = await upload(['--cert', 'cert.pem', '--key', 'key.pem'], files);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/certwatch: not uploaded — \d+ problem\(s\):/);
      expect(run.stderr).toMatch(message);
      expect(emulator.stats.aliyun.slb.uploads).toBe(0);
    });
  }

  it('a replacement that drops a name the old certificate served', async () => {
    const narrower = makeTestCertificate({
      keyType: 'rsa',
      notAfter: now + 400 * DAY,
      notBefore: now - DAY,
      dnsNames: ['shop.example'],
      includeRoot: true,
    });
    const run = await upload(['--cert', 'c.pem', '--key', 'k.pem', '--replaces', 'old-shop-cert'], {
      'c.pem': narrower.pem,
      'k.pem': narrower.leafPrivateKeyPem,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not cover www\.shop\.example, which old-shop-cert serves/);
    expect(emulator.stats.aliyun.slb.uploads).toBe(0);
  });

  it('an unknown certificate to replace, and bad usage', async () => {
    const files = { 'c.pem': renewed.pem, 'k.pem': renewed.leafPrivateKeyPem };
    const missing = await upload(['--cert', 'c.pem', '--key', 'k.pem', '--replaces', 'nope'], files);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      '--replaces nope: SLB in cn-hangzhou has no server certificate with that id',
    );
    const both = await upload(['--cert', 'c.pem', '--key', 'k.pem', '--pfx', 'x.pfx'], files);
    expect(both.stderr).toContain('give either --pfx, or --cert with --key, not both');
    const unreadable = await upload(['--cert', 'nothere.pem', '--key', 'k.pem'], files);
    expect(unreadable.stderr).toContain('cannot read --cert nothere.pem (ENOENT)');
    expect(emulator.stats.aliyun.slb.uploads).toBe(0);
  });
});

describe('certwatch upload sends a good certificate', () => {
  it('checks, uploads a PEM pair replacing the old certificate, and verifies the fingerprint', async () => {
    const dry = await upload(
      ['--cert', 'c.pem', '--key', 'k.pem', '--replaces', 'old-shop-cert', '--dry-run'],
      {
        'c.pem': renewed.pem,
        'k.pem': renewed.leafPrivateKeyPem,
      },
    );
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Checks passed. Would upload (--dry-run: nothing sent)');
    expect(emulator.stats.aliyun.slb.uploads).toBe(0);

    const run = await upload(
      ['--cert', 'c.pem', '--key', 'k.pem', '--replaces', 'old-shop-cert', '--name', 'shop-2027'],
      {
        'c.pem': renewed.pem,
        'k.pem': renewed.leafPrivateKeyPem,
      },
    );
    // The test root is not one Node trusts: said, not refused (a private CA is the user's call).
    expect(run.stderr).toMatch(
      /^certwatch: warning: the chain in c\.pem ends at the root .*, which Node does not trust/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Uploaded \S+ \("shop-2027"\) to SLB in cn-hangzhou; SLB's fingerprint matches\./,
    );
    expect(run.stdout).toContain(`SHA-1:        ${sha1(renewed.leafPem)}`);
    expect(emulator.stats.aliyun.slb.uploads).toBe(1);

    // The audit now sees it, with the expiry SLB reports.
    const audit = await runCertwatch(['audit', '--format', 'json'], env());
    const names = (JSON.parse(audit.stdout) as { certificates: { name: string; daysLeft: number }[] })
      .certificates;
    expect(names.find((c) => c.name === 'shop-2027')?.daysLeft).toBe(399);
  });

  it('uploads from a PKCS#12 file with the passphrase from the environment', async () => {
    const pfx = makePfx({
      certificatePems: [renewed.leafPem, ...renewed.chainPems],
      keyPem: renewed.leafPrivateKeyPem,
      passphrase: 'canary-pfx-pass-0042',
    });
    const wrong = await upload(
      ['--pfx', 'c.pfx', '--passphrase-env', 'PFX_PASS'],
      { 'c.pfx': pfx },
      { PFX_PASS: 'nope' },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('wrong passphrase for c.pfx');
    const unset = await upload(['--pfx', 'c.pfx', '--passphrase-env', 'PFX_PASS'], { 'c.pfx': pfx });
    expect(unset.stderr).toContain('the environment variable PFX_PASS is not set');

    const run = await upload(
      ['--pfx', 'c.pfx', '--passphrase-env', 'PFX_PASS'],
      { 'c.pfx': pfx },
      {
        PFX_PASS: 'canary-pfx-pass-0042',
      },
    );
    expect(run.stderr).toMatch(/^certwatch: warning: the chain in c\.pfx ends at the root/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Uploaded \S+ \("shop\.example-\d{8}"\)/);
    expect(emulator.stats.aliyun.slb.uploads).toBe(1);
  });

  it('never printed a key, a passphrase or an Alibaba secret', () => {
    expect(outputs.length).toBeGreaterThan(10);
    const all = outputs.join('\n');
    expect(all).not.toContain('PRIVATE KEY');
    expect(all).not.toContain(renewed.leafPrivateKeyPem.split('\n')[1]!);
    expect(all).not.toContain('canary-pfx-pass-0042');
    expect(all).not.toContain(ALIYUN_ACCOUNT.AccessKeySecret);
  });
});
