import { describe, expect, it } from 'vitest';
import { demoFleet } from '../../../emulator/fleet/demo';
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
});
