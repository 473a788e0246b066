import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AliyunCdnFleetOptions,
  type AliyunSlbFleetOptions,
  generateAliyunCdnFleet,
  generateAliyunSlbFleet,
  generateUcloudFleet,
} from '../../../emulator/fleet/generate';
import type { AliyunCdnCertificate, AliyunSlbCertificate } from '../../../emulator/fleet/model';
import { type ParsedCertificate, readPemChain } from '../../../lib/pem/chain';

const DAY = 86_400_000;
/** Deliberately not on a second boundary: generated instants must still be whole seconds. */
const NOW = Date.UTC(2026, 5, 15, 10, 20, 30, 456);
const CDN_OPTIONS: AliyunCdnFleetOptions = { count: 1000, seed: 42, now: NOW };
const SLB_OPTIONS: AliyunSlbFleetOptions = {
  count: 1000,
  seed: 42,
  now: NOW,
  regions: ['cn-hangzhou', 'cn-shanghai'],
};

const GO_LAYOUT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) \+0000 UTC$/;
const ISO_LAYOUT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})Z$/;
const PLAIN_LAYOUT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

/** A CDN time in any of the three layouts, as epoch ms (the plain layout is UTC); undefined otherwise. */
function readCdnTime(text: string): { layout: 'go' | 'iso' | 'plain'; ms: number } | undefined {
  for (const [layout, pattern] of [
    ['go', GO_LAYOUT],
    ['iso', ISO_LAYOUT],
    ['plain', PLAIN_LAYOUT],
  ] as const) {
    const match = pattern.exec(text);
    if (match) return { layout, ms: Date.parse(`${match[1]}T${match[2]}Z`) };
  }
  return undefined;
}

function chainOf(pem: string, what: string): { leaf: ParsedCertificate; intermediate: ParsedCertificate } {
  const { chain, problems, droppedBlocks } = readPemChain(pem);
  expect(problems, what).toEqual([]);
  expect(droppedBlocks, `${what}: no key or other block`).toBe(0);
  const intermediate = chain?.intermediates[0];
  if (!chain || !intermediate) throw new Error(`${what}: no chain`);
  return { leaf: chain.leaf, intermediate };
}

const colons = (hex: string) => hex.match(/../g)!.join(':');

/** What must not depend on key material: everything but PEM bytes and the fingerprints of those bytes. */
function logicalCdn(fleet: AliyunCdnCertificate[]) {
  return fleet.map(({ HttpsCrt, Fingerprint, ...wire }) => {
    const leaf = new X509Certificate(HttpsCrt);
    return {
      ...wire,
      upper: Fingerprint === Fingerprint?.toUpperCase(),
      subject: leaf.subject,
      serial: leaf.serialNumber,
    };
  });
}

function logicalSlb(fleet: AliyunSlbCertificate[]) {
  return fleet.map(({ ServerCertificate, Fingerprint, ...wire }) => {
    const leaf = new X509Certificate(ServerCertificate ?? '');
    return { ...wire, subject: leaf.subject, validTo: leaf.validTo, serial: leaf.serialNumber };
  });
}

describe('generateAliyunCdnFleet', () => {
  let fleet: AliyunCdnCertificate[] = [];
  let leaves: ParsedCertificate[] = [];
  let intermediates: ParsedCertificate[] = [];

  beforeAll(() => {
    fleet = generateAliyunCdnFleet(CDN_OPTIONS);
    const chains = fleet.map((certificate) => chainOf(certificate.HttpsCrt, String(certificate.CertId)));
    leaves = chains.map((chain) => chain.leaf);
    intermediates = chains.map((chain) => chain.intermediate);
  });

  it('is a pure function of the options, apart from key material', () => {
    const options = { ...CDN_OPTIONS, count: 150 };
    expect(logicalCdn(generateAliyunCdnFleet(options))).toEqual(logicalCdn(fleet.slice(0, 150)));
    const other = generateAliyunCdnFleet({ ...options, seed: 43 });
    expect(other.map((c) => c.CertId)).not.toEqual(fleet.slice(0, 150).map((c) => c.CertId));
  });

  it('gives every certificate a unique integer CertId, a unique name and the list fields', () => {
    expect(fleet).toHaveLength(1000);
    expect(new Set(fleet.map((c) => c.CertId)).size).toBe(1000);
    expect(new Set(fleet.map((c) => c.CertName)).size).toBe(1000);
    fleet.forEach((certificate, index) => {
      expect(Number.isInteger(certificate.CertId)).toBe(true);
      expect(certificate.CertName).toMatch(/^[a-z0-9.*-]+$/);
      expect(certificate.Common).toBe(leaves[index]!.commonName);
      expect(certificate.Issuer).toBe(intermediates[index]!.commonName);
      expect(['cn-hangzhou', 'ap-southeast-1']).toContain(certificate.CertRegion);
      expect(['free', 'cas', 'upload']).toContain(certificate.CertType);
    });
  });

  it('fingerprints the leaf with SHA-1 hex, about half upper case', () => {
    let upper = 0;
    fleet.forEach((certificate, index) => {
      expect(certificate.Fingerprint?.toLowerCase()).toBe(leaves[index]!.fingerprintSha1);
      expect(certificate.Fingerprint).toMatch(/^([0-9a-f]{40}|[0-9A-F]{40})$/);
      if (certificate.Fingerprint === certificate.Fingerprint?.toUpperCase()) upper++;
    });
    expect(upper).toBeGreaterThan(420);
    expect(upper).toBeLessThan(580);
  });

  it('writes CertExpireTime in the Go, ISO and plain layouts, leaves ~10% out and ~5% unreadable', () => {
    const layouts = { go: 0, iso: 0, plain: 0, absent: 0, garbage: 0 };
    for (const certificate of fleet) {
      if (certificate.CertExpireTime === undefined) layouts.absent++;
      else layouts[readCdnTime(certificate.CertExpireTime)?.layout ?? 'garbage']++;
    }
    expect(layouts.go).toBeGreaterThan(440);
    expect(layouts.go).toBeLessThan(560);
    expect(layouts.iso).toBeGreaterThan(150);
    expect(layouts.iso).toBeLessThan(250);
    expect(layouts.plain).toBeGreaterThan(110);
    expect(layouts.plain).toBeLessThan(190);
    expect(layouts.absent).toBeGreaterThan(60);
    expect(layouts.absent).toBeLessThan(140);
    expect(layouts.garbage).toBeGreaterThan(25);
    expect(layouts.garbage).toBeLessThan(80);
    const garbage = fleet.filter((c) => c.CertExpireTime !== undefined && !readCdnTime(c.CertExpireTime));
    for (const certificate of garbage)
      expect(Number.isNaN(Date.parse(certificate.CertExpireTime!))).toBe(true);
  });

  it('agrees with the PEM, except ~2% that are off by whole days (the PEM wins)', () => {
    let dated = 0;
    const disagreeing: number[] = [];
    fleet.forEach((certificate, index) => {
      const expiry = certificate.CertExpireTime && readCdnTime(certificate.CertExpireTime);
      if (!expiry) return;
      dated++;
      const offDays = (expiry.ms - leaves[index]!.notAfterMs) / DAY;
      if (offDays !== 0) disagreeing.push(offDays);
    });
    expect(disagreeing.length).toBeGreaterThan(5);
    expect(disagreeing.length).toBeLessThan(dated * 0.04);
    for (const days of disagreeing) {
      expect(Number.isInteger(days)).toBe(true);
      expect(Math.abs(days)).toBeGreaterThanOrEqual(2);
      expect(Math.abs(days)).toBeLessThanOrEqual(30);
    }
    expect(disagreeing.some((days) => days < 0) && disagreeing.some((days) => days > 0)).toBe(true);
  });

  it("writes CreateTime as the leaf's notBefore, in the same layout when CertExpireTime has one", () => {
    fleet.forEach((certificate, index) => {
      const created = readCdnTime(certificate.CreateTime ?? '');
      expect(created?.ms).toBe(leaves[index]!.notBeforeMs);
      const expiry = certificate.CertExpireTime && readCdnTime(certificate.CertExpireTime);
      expect(created?.layout).toBe(expiry ? expiry.layout : 'go');
    });
  });

  it('lists the domains served (concrete names the leaf covers), "" for ~10%', () => {
    const unbound = fleet.filter((c) => c.DomainList === '');
    expect(unbound.length).toBeGreaterThan(60);
    expect(unbound.length).toBeLessThan(140);
    fleet.forEach((certificate, index) => {
      if (certificate.DomainList === '') return;
      const domains = certificate.DomainList!.split(',');
      expect(new Set(domains).size).toBe(domains.length);
      for (const domain of domains) {
        expect(domain).not.toContain('*');
        const covered = leaves[index]!.dnsNames.some(
          (name) => name === domain || (name.startsWith('*.') && domain.endsWith(name.slice(1))),
        );
        expect(covered, `${domain} in ${leaves[index]!.dnsNames}`).toBe(true);
      }
    });
    expect(fleet.some((c) => (c.DomainList ?? '').includes(','))).toBe(true);
  });

  it('states LastTime in milliseconds (~70%) or seconds, between issue and now', () => {
    let milliseconds = 0;
    fleet.forEach((certificate, index) => {
      const lastTime = certificate.LastTime!;
      const ms = lastTime > 1e11 ? lastTime : lastTime * 1000;
      if (lastTime > 1e11) milliseconds++;
      expect(Number.isInteger(lastTime)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(leaves[index]!.notBeforeMs);
      expect(ms).toBeLessThanOrEqual(NOW);
    });
    expect(milliseconds).toBeGreaterThan(630);
    expect(milliseconds).toBeLessThan(770);
  });

  it('lays expiries around now like the UCloud fleet: expired, critical and warning all present', () => {
    const daysLeft = leaves.map((leaf) => (leaf.notAfterMs - NOW) / DAY);
    expect(daysLeft.filter((days) => days < 0).length).toBeGreaterThan(25);
    expect(daysLeft.filter((days) => days >= 0 && days < 7).length).toBeGreaterThan(25);
    expect(daysLeft.filter((days) => days >= 7 && days <= 30).length).toBeGreaterThan(65);
    expect(leaves.every((leaf) => leaf.notAfterMs % 1000 === 0 && leaf.notBeforeMs < NOW)).toBe(true);
  });

  it('rejects options it cannot honour', () => {
    expect(() => generateAliyunCdnFleet({ ...CDN_OPTIONS, count: 1.5 })).toThrow(RangeError);
    expect(() => generateAliyunCdnFleet({ ...CDN_OPTIONS, now: Number.NaN })).toThrow(RangeError);
    expect(generateAliyunCdnFleet({ ...CDN_OPTIONS, count: 0 })).toEqual([]);
  });
});

describe('generateAliyunSlbFleet', () => {
  let fleet: AliyunSlbCertificate[] = [];
  let leaves: ParsedCertificate[] = [];
  const OLD_FIELDS = [
    'RegionId',
    'ServerCertificateId',
    'ServerCertificateName',
    'Fingerprint',
    'ServerCertificate',
  ];

  beforeAll(() => {
    fleet = generateAliyunSlbFleet(SLB_OPTIONS);
    leaves = fleet.map((entry) => chainOf(entry.ServerCertificate ?? '', entry.ServerCertificateId).leaf);
  });

  it('is a pure function of the options, apart from key material', () => {
    const options = { ...SLB_OPTIONS, count: 150 };
    expect(logicalSlb(generateAliyunSlbFleet(options))).toEqual(logicalSlb(fleet.slice(0, 150)));
    const other = generateAliyunSlbFleet({ ...options, seed: 43 });
    expect(other.map((c) => c.ServerCertificateId)).not.toEqual(
      fleet.slice(0, 150).map((c) => c.ServerCertificateId),
    );
  });

  it("gives unique Alibaba-shaped ids, both regions, and the leaf's colon-separated SHA-1", () => {
    expect(new Set(fleet.map((c) => c.ServerCertificateId)).size).toBe(1000);
    expect(new Set(fleet.map((c) => c.RegionId))).toEqual(new Set(SLB_OPTIONS.regions));
    fleet.forEach((entry, index) => {
      expect(entry.ServerCertificateId).toMatch(/^1231579085529123_[0-9a-f]{11}_\d{10}_\d{6}$/);
      expect(entry.Fingerprint).toBe(colons(leaves[index]!.fingerprintSha1));
      expect(entry.ServerCertificateName.length).toBeGreaterThan(0);
    });
  });

  it('mixes complete entries (~60%), ExpireTimeStamp only (~20%) and the old shape (~20%)', () => {
    const shapes = { complete: 0, timestampOnly: 0, old: 0 };
    fleet.forEach((entry, index) => {
      const leaf = leaves[index]!;
      if (entry.ExpireTimeStamp === undefined) {
        shapes.old++;
        expect(Object.keys(entry).sort()).toEqual([...OLD_FIELDS].sort());
        return;
      }
      if (entry.ExpireTime === undefined) shapes.timestampOnly++;
      else {
        shapes.complete++;
        expect(entry.ExpireTime).toBe(`${new Date(leaf.notAfterMs).toISOString().slice(0, 19)}Z`);
      }
      expect(entry.ExpireTimeStamp).toBe(leaf.notAfterMs);
      expect(entry.CommonName).toBe(leaf.commonName);
      expect(entry.SubjectAlternativeNames).toEqual(leaf.dnsNames);
      expect(entry.ResourceGroupId).toMatch(/^rg-acfm[a-z0-9]{11}$/);
      expect(entry.CreateTime).toBe(`${new Date(entry.CreateTimeStamp!).toISOString().slice(0, 19)}Z`);
      expect(entry.CreateTimeStamp).toBeGreaterThanOrEqual(leaf.notBeforeMs);
      expect(entry.CreateTimeStamp).toBeLessThanOrEqual(NOW);
      expect([0, 1]).toContain(entry.IsAliCloudCertificate);
      if (entry.IsAliCloudCertificate === 1) expect(entry.AliCloudCertificateId).toMatch(/^\d+$/);
      else expect(entry.AliCloudCertificateId).toBeUndefined();
    });
    expect(shapes.complete).toBeGreaterThan(540);
    expect(shapes.complete).toBeLessThan(660);
    expect(shapes.timestampOnly).toBeGreaterThan(150);
    expect(shapes.timestampOnly).toBeLessThan(250);
    expect(shapes.old).toBeGreaterThan(150);
    expect(shapes.old).toBeLessThan(250);
    expect(fleet.some((entry) => entry.IsAliCloudCertificate === 1)).toBe(true);
  });

  it('reuses shared certificates for about half of the old-shape entries, copying only certificates', () => {
    const ucloud = generateUcloudFleet({
      count: 40,
      seed: 5,
      now: NOW,
      regions: ['cn-bj2'],
      projects: ['p'],
    });
    const sharedPems = ucloud.map((certificate) => certificate.SSLContent);
    expect(sharedPems.some((pem) => pem.includes('PRIVATE KEY'))).toBe(true);
    const sharedFingerprints = new Set(
      sharedPems.map((pem) => colons(readPemChain(pem).chain!.leaf.fingerprintSha1)),
    );
    const withShared = generateAliyunSlbFleet({ ...SLB_OPTIONS, count: 300, sharedCertificates: sharedPems });
    const old = withShared.filter((entry) => entry.ExpireTimeStamp === undefined);
    const reused = old.filter((entry) => sharedFingerprints.has(entry.Fingerprint));
    expect(reused.length).toBeGreaterThan(old.length * 0.3);
    expect(reused.length).toBeLessThan(old.length * 0.7);
    for (const entry of withShared) expect(entry.ServerCertificate).not.toContain('PRIVATE KEY');
    for (const entry of reused) {
      expect(colons(readPemChain(entry.ServerCertificate).chain!.leaf.fingerprintSha1)).toBe(
        entry.Fingerprint,
      );
    }
    // Entries with expiry fields always have their own certificate.
    const complete = withShared.filter((entry) => entry.ExpireTimeStamp !== undefined);
    expect(complete.some((entry) => sharedFingerprints.has(entry.Fingerprint))).toBe(false);
    // Without shared certificates nothing repeats.
    expect(new Set(fleet.map((entry) => entry.Fingerprint)).size).toBe(fleet.length);
  });

  it('rejects options it cannot honour', () => {
    expect(() => generateAliyunSlbFleet({ ...SLB_OPTIONS, regions: [] })).toThrow(RangeError);
    expect(() => generateAliyunSlbFleet({ ...SLB_OPTIONS, count: -1 })).toThrow(RangeError);
    expect(() => generateAliyunSlbFleet({ ...SLB_OPTIONS, sharedCertificates: ['not a pem'] })).toThrow(
      'sharedCertificates[0] holds no readable certificate',
    );
    expect(generateAliyunSlbFleet({ ...SLB_OPTIONS, count: 0 })).toEqual([]);
  });
});
