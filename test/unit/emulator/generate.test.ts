import { createHash, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateUcloudFleet, type UcloudFleetOptions } from '../../../emulator/fleet/generate';
import type { UcloudFleetCertificate } from '../../../emulator/fleet/model';
import { type ParsedCertificate, readPemChain } from '../../../lib/pem/chain';

const DAY = 86_400_000;
/** Deliberately not on a second boundary: generated instants must still be whole seconds. */
const NOW = Date.UTC(2026, 5, 15, 10, 20, 30, 456);
const OPTIONS: UcloudFleetOptions = {
  count: 1000,
  seed: 42,
  now: NOW,
  regions: ['cn-bj2', 'cn-sh2', 'hk'],
  projects: ['org-web', 'org-pay'],
};

interface Entry {
  wire: UcloudFleetCertificate;
  leaf: ParsedCertificate;
  intermediate: ParsedCertificate;
  roots: ParsedCertificate[];
  droppedBlocks: number;
}

/** What must not depend on key material: everything but the PEM bytes and their hash. */
function logicalContent(fleet: UcloudFleetCertificate[]) {
  return fleet.map(({ SSLContent, HashValue, ...wire }) => {
    const leaf = new X509Certificate(SSLContent);
    return {
      ...wire,
      subject: leaf.subject,
      issuer: leaf.issuer,
      validTo: leaf.validTo,
      serial: leaf.serialNumber,
    };
  });
}

const share = (entries: Entry[], predicate: (entry: Entry) => boolean) => entries.filter(predicate).length;

describe('generateUcloudFleet', () => {
  let fleet: UcloudFleetCertificate[] = [];
  let entries: Entry[] = [];

  beforeAll(() => {
    fleet = generateUcloudFleet(OPTIONS);
    entries = fleet.map((wire) => {
      const { chain, problems, droppedBlocks } = readPemChain(wire.SSLContent);
      expect(problems, wire.SSLId).toEqual([]);
      const intermediate = chain?.intermediates[0];
      if (!chain || !intermediate) throw new Error(`${wire.SSLId}: no chain`);
      return { wire, leaf: chain.leaf, intermediate, roots: chain.roots, droppedBlocks };
    });
  });

  it('is a pure function of the options, apart from key material', () => {
    const options = { ...OPTIONS, count: 150 };
    expect(logicalContent(generateUcloudFleet(options))).toEqual(logicalContent(fleet.slice(0, 150)));
    const other = generateUcloudFleet({ ...options, seed: 43 });
    expect(other.map((c) => c.SSLId)).not.toEqual(fleet.slice(0, 150).map((c) => c.SSLId));
  });

  it('gives every certificate a unique UCloud-shaped id and the wire fields', () => {
    expect(fleet).toHaveLength(1000);
    expect(new Set(fleet.map((c) => c.SSLId)).size).toBe(1000);
    for (const { wire, leaf } of entries) {
      expect(wire.SSLId).toMatch(/^ssl-[a-z0-9]{8}$/);
      expect(wire.SSLName).toMatch(/^[a-z0-9.*-]+$/);
      expect(wire.SSLType).toBe('Pem');
      expect(wire.HashValue).toBe(createHash('md5').update(wire.SSLContent).digest('hex'));
      expect(wire.Domains).toBe(leaf.commonName);
      expect(wire.DNSNames).toBe(leaf.dnsNames.join(','));
      expect(Number.isInteger(wire.CreateTime)).toBe(true);
      expect((wire.CreateTime ?? 0) * 1000).toBeGreaterThanOrEqual(leaf.notBeforeMs);
      expect((wire.CreateTime ?? 0) * 1000).toBeLessThanOrEqual(NOW);
      if (wire.SSLSource === 1) expect(wire.USSLId).toMatch(/^ussl-[a-z0-9]{8}$/);
      else expect(wire.USSLId).toBeUndefined();
    }
  });

  it('spreads certificates over every region and project', () => {
    const locations = new Set(fleet.map((c) => `${c.Region}/${c.ProjectId}`));
    expect(locations.size).toBe(6);
  });

  it('states NotAfter and NotBefore in seconds, milliseconds or not at all, always equal to the PEM', () => {
    const units = { seconds: 0, milliseconds: 0, unstated: 0 };
    for (const { wire, leaf } of entries) {
      if (!wire.NotAfter) {
        expect(wire.NotBefore ?? 0).toBe(0);
        units.unstated++;
      } else if (wire.NotAfter > 1e11) {
        expect(wire.NotAfter).toBe(leaf.notAfterMs);
        expect(wire.NotBefore).toBe(leaf.notBeforeMs);
        units.milliseconds++;
      } else {
        expect(wire.NotAfter * 1000).toBe(leaf.notAfterMs);
        expect((wire.NotBefore ?? 0) * 1000).toBe(leaf.notBeforeMs);
        units.seconds++;
      }
    }
    expect(units.seconds).toBeGreaterThan(540);
    expect(units.seconds).toBeLessThan(660);
    expect(units.milliseconds).toBeGreaterThan(150);
    expect(units.milliseconds).toBeLessThan(250);
    expect(units.unstated).toBeGreaterThan(150);
    expect(units.unstated).toBeLessThan(250);
    expect(fleet.some((c) => c.NotAfter === 0)).toBe(true);
    expect(fleet.some((c) => !('NotAfter' in c))).toBe(true);
  });

  it('lays expiries around now: ~5% expired, ~5% critical, ~10% warning, the rest up to 800 days', () => {
    const daysLeft = (entry: Entry) => (entry.leaf.notAfterMs - NOW) / DAY;
    const expired = share(entries, (e) => daysLeft(e) < 0);
    const critical = share(entries, (e) => daysLeft(e) >= 0 && daysLeft(e) < 7);
    const warning = share(entries, (e) => daysLeft(e) >= 7 && daysLeft(e) <= 30);
    expect(expired).toBeGreaterThan(25);
    expect(expired).toBeLessThan(80);
    expect(critical).toBeGreaterThan(25);
    expect(critical).toBeLessThan(80);
    expect(warning).toBeGreaterThan(65);
    expect(warning).toBeLessThan(140);
    expect(share(entries, (e) => daysLeft(e) >= 0 && daysLeft(e) < 1)).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(daysLeft(entry)).toBeGreaterThan(-200);
      expect(daysLeft(entry)).toBeLessThan(800);
      if (daysLeft(entry) < 0) expect(daysLeft(entry)).toBeLessThanOrEqual(-1);
      if (daysLeft(entry) > 30) expect(daysLeft(entry)).toBeGreaterThanOrEqual(31);
      // Issued in the past, with a lifetime public CAs use (or longer when the expiry is that far out).
      expect(entry.leaf.notBeforeMs).toBeLessThan(NOW);
      expect(entry.leaf.notAfterMs % 1000).toBe(0);
      expect([90, 365, 397, 730, 825]).toContain((entry.leaf.notAfterMs - entry.leaf.notBeforeMs) / DAY);
    }
  });

  it('mixes RSA and ECDSA leaves about 60/40, under a few shared intermediates', () => {
    const rsa = share(
      entries,
      (e) => new X509Certificate(e.wire.SSLContent).publicKey.asymmetricKeyType === 'rsa',
    );
    expect(rsa).toBeGreaterThan(540);
    expect(rsa).toBeLessThan(660);
    const intermediates = new Set(entries.map((e) => e.intermediate.fingerprintSha256));
    expect(intermediates.size).toBeGreaterThanOrEqual(4);
    expect(intermediates.size).toBeLessThanOrEqual(10);
    expect(share(entries, (e) => e.roots.length === 1)).toBeGreaterThan(80);
  });

  it('signs every leaf with its intermediate, and every intermediate with its root', () => {
    for (const { wire } of entries.filter((e) => e.roots.length > 0).slice(0, 50)) {
      const [leaf, intermediate, root] = [
        ...wire.SSLContent.matchAll(/-----BEGIN CERTIFICATE-----[^-]+/g),
      ].map((match) => new X509Certificate(`${match[0]}-----END CERTIFICATE-----`));
      expect(leaf && intermediate && leaf.checkIssued(intermediate)).toBe(true);
      expect(intermediate && root && intermediate.checkIssued(root)).toBe(true);
    }
  });

  it('gives ~2% an intermediate that expires after tomorrow but before the leaf', () => {
    const outlived = entries.filter((e) => e.intermediate.notAfterMs < e.leaf.notAfterMs);
    expect(outlived.length).toBeGreaterThan(8);
    expect(outlived.length).toBeLessThan(40);
    for (const entry of outlived) {
      expect(entry.intermediate.notAfterMs).toBeGreaterThan(NOW + DAY);
      expect(entry.intermediate.notAfterMs).toBeLessThanOrEqual(entry.leaf.notAfterMs - DAY);
    }
  });

  it('puts the leaf private key in ~10% of SSLContents', () => {
    const withKey = entries.filter((e) => e.droppedBlocks > 0);
    expect(withKey.length).toBeGreaterThan(60);
    expect(withKey.length).toBeLessThan(140);
    for (const { wire, droppedBlocks } of withKey) {
      expect(droppedBlocks).toBe(1);
      expect(wire.SSLContent).toMatch(/-----BEGIN PRIVATE [K]EY-----/);
    }
  });

  it('binds ~90% to 1–3 listeners of their own region and project, one default certificate per listener', () => {
    const unbound = fleet.filter((c) => !c.Relations || c.Relations.length === 0);
    expect(unbound.length).toBeGreaterThan(60);
    expect(unbound.length).toBeLessThan(140);
    expect(unbound.some((c) => c.Relations === undefined)).toBe(true);
    expect(unbound.some((c) => Array.isArray(c.Relations))).toBe(true);

    const listenerLocation = new Map<string, string>();
    const defaults = new Map<string, number>();
    for (const certificate of fleet) {
      const relations = certificate.Relations ?? [];
      expect(relations.length).toBeLessThanOrEqual(3);
      expect(new Set(relations.map((r) => r.ListenerId)).size).toBe(relations.length);
      for (const relation of relations) {
        expect(relation.LoadBalancerId).toMatch(/^ulb-[a-z0-9]{8}$/);
        expect(relation.ListenerId).toMatch(/^vserver-[a-z0-9]{8}$/);
        const location = `${certificate.Region}/${certificate.ProjectId}`;
        expect(listenerLocation.get(relation.ListenerId) ?? location).toBe(location);
        listenerLocation.set(relation.ListenerId, location);
        defaults.set(
          relation.ListenerId,
          (defaults.get(relation.ListenerId) ?? 0) + (relation.IsDefault ? 1 : 0),
        );
      }
    }
    expect([...defaults.values()].every((count) => count === 1)).toBe(true);
    expect(fleet.some((c) => c.Relations?.some((r) => !r.IsDefault))).toBe(true);
  });

  it('rejects options it cannot honour', () => {
    expect(() => generateUcloudFleet({ ...OPTIONS, count: -1 })).toThrow(RangeError);
    expect(() => generateUcloudFleet({ ...OPTIONS, regions: [] })).toThrow(RangeError);
    expect(generateUcloudFleet({ ...OPTIONS, count: 0 })).toEqual([]);
  });
});
