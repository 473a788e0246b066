import { describe, expect, it } from 'vitest';
import { DEMO_ALIYUN_ACCOUNT, demoFleet } from '../../../emulator/fleet/demo';
import { validateFleet } from '../../../emulator/fleet/file';
import { readPemChain } from '../../../lib/pem/chain';

const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);
const DAY = 86_400_000;

describe('demoFleet', () => {
  it('holds a few hundred certificates over three regions, readable by the demo account', () => {
    const fleet = demoFleet(NOW);
    expect(validateFleet(fleet)).toBe(fleet);

    const certificates = fleet.ucloud?.certificates ?? [];
    expect(certificates).toHaveLength(300);
    expect(new Set(certificates.map((c) => c.Region))).toEqual(new Set(['cn-bj2', 'cn-sh2', 'hk']));
    const [account] = fleet.ucloud?.accounts ?? [];
    expect(account).toMatchObject({ PublicKey: 'demo-public-key', PrivateKey: 'demo-private-key' });
    for (const certificate of certificates) expect(account?.Projects).toContain(certificate.ProjectId);
  });

  it('always shows expired, critical and warning certificates', () => {
    const daysLeft = (demoFleet(NOW).ucloud?.certificates ?? []).map(
      (c) => ((readPemChain(c.SSLContent).chain?.leaf.notAfterMs ?? 0) - NOW) / DAY,
    );
    expect(daysLeft.some((days) => days < 0)).toBe(true);
    expect(daysLeft.some((days) => days >= 0 && days < 7)).toBe(true);
    expect(daysLeft.some((days) => days >= 7 && days <= 30)).toBe(true);
  });

  it('is the same fleet for the same clock', () => {
    const ids = (now: number) =>
      demoFleet(now).ucloud?.certificates.map((c) => [c.SSLId, c.SSLName, c.NotAfter]);
    expect(ids(NOW)).toEqual(ids(NOW));
  });

  it('holds an Alibaba account with 100 CDN and 60 SLB certificates in cn-hangzhou and cn-shanghai', () => {
    const fleet = demoFleet(NOW);
    expect(fleet.aliyun?.accounts).toEqual([
      { AccessKeyId: 'demo-access-key-id', AccessKeySecret: 'demo-access-key-secret' },
    ]);
    expect(DEMO_ALIYUN_ACCOUNT.AccessKeyId).toBe('demo-access-key-id');
    expect(fleet.aliyun?.cdn?.certificates).toHaveLength(100);
    const slb = fleet.aliyun?.slb?.certificates ?? [];
    expect(slb).toHaveLength(60);
    expect(new Set(slb.map((entry) => entry.RegionId))).toEqual(new Set(['cn-hangzhou', 'cn-shanghai']));
  });

  it('gives some SLB certificates without expiry fields the certificate of a CDN or UCloud entry', () => {
    const fleet = demoFleet(NOW);
    const colons = (hex: string) => hex.match(/../g)!.join(':');
    const elsewhere = new Set(
      [
        ...(fleet.aliyun?.cdn?.certificates ?? []).map((c) => c.HttpsCrt),
        ...(fleet.ucloud?.certificates ?? []).map((c) => c.SSLContent),
      ].map((pem) => colons(readPemChain(pem).chain!.leaf.fingerprintSha1)),
    );
    const withoutExpiry = (fleet.aliyun?.slb?.certificates ?? []).filter(
      (c) => c.ExpireTimeStamp === undefined,
    );
    const matched = withoutExpiry.filter((c) => elsewhere.has(c.Fingerprint));
    expect(matched.length).toBeGreaterThanOrEqual(2);
    expect(matched.length).toBeLessThan(withoutExpiry.length);
  });

  it('is quick to build', () => {
    demoFleet(NOW);
    const started = performance.now();
    demoFleet(NOW + DAY);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
