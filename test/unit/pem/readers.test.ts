/**
 * The DER reader (with its caches) against the X509Certificate reader (no caches) over a generated fleet:
 * every chain, and every report row made from it, must come out the same.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateAliyunCdnFleet, generateUcloudFleet } from '../../../emulator/fleet/generate';
import { certificatePem, issueCertificate } from '../../../emulator/x509/certificate';
import { sequence, utf8String } from '../../../emulator/x509/der';
import { pooledKey } from '../../../emulator/x509/keys';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { evaluate } from '../../../lib/expiry/evaluate';
import type { ObservedCertificate } from '../../../lib/model';
import { type CertificateChain, createPemReader, type PemReader } from '../../../lib/pem/chain';
import {
  cn,
  craft,
  dnsName,
  generalizedTime,
  longFormLength,
  name,
  subjectAltName,
  utcTime,
} from './craftedCertificate';

const NOW = Date.UTC(2026, 10, 23, 12);
const DAY = 86_400_000;
const THRESHOLDS = { warningDays: 30, criticalDays: 7 };

function observed(chain: CertificateChain | null): ObservedCertificate {
  return {
    provider: 'ucloud',
    service: 'ulb',
    region: 'cn-bj2',
    project: null,
    id: 'ssl-1',
    name: 'one',
    domains: [],
    apiNotAfter: null,
    chain,
    inUse: null,
    boundTo: [],
    notes: [],
  };
}

/** Blocks of a PEM text, as the fleet writes them (one per line group). */
function blocksOf(pem: string): string[] {
  return pem.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----\n?/g) ?? [];
}

/**
 * The shapes a stored chain takes besides the fleet's own: CRLF, stored twice, reversed, key first, the leaf
 * alone (no intermediate), the issuers alone (no leaf).
 */
function variants(pem: string): string[] {
  const blocks = blocksOf(pem);
  const certificates = blocks.filter((block) => block.includes('CERTIFICATE'));
  const keys = blocks.filter((block) => !block.includes('CERTIFICATE'));
  return [
    pem.replaceAll('\n', '\r\n'),
    [...certificates, ...certificates].join(''),
    [...certificates].reverse().join(''),
    [...keys, ...certificates].join('').replaceAll('\n', '\r\n'),
    `${certificates[0]}${certificates[0]}${certificates.slice(1).join('')}`,
    certificates[0]!,
    certificates.slice(1).join(''),
  ];
}

const pem = certificatePem;

describe('the DER reader against the X509Certificate reader', () => {
  const texts: string[] = [];
  let fast: PemReader;
  let reference: PemReader;

  beforeAll(() => {
    const ucloud = generateUcloudFleet({
      count: 1600,
      seed: 6,
      now: NOW,
      regions: ['cn-bj2', 'hk'],
      projects: ['org-a'],
    });
    const cdn = generateAliyunCdnFleet({ count: 700, seed: 6, now: NOW });
    const fleetTexts = [...ucloud.map((c) => c.SSLContent), ...cdn.map((c) => c.HttpsCrt)];
    texts.push(...fleetTexts);
    fleetTexts.forEach((text, i) => {
      if (i % 8 === 0) texts.push(...variants(text));
    });
    // Made to order: an expired leaf, a short-lived intermediate, both key types, roots and keys included.
    for (const keyType of ['rsa', 'ec'] as const) {
      texts.push(
        makeTestCertificate({ keyType, notAfter: NOW - 3 * DAY, includeRoot: true }).pem,
        makeTestCertificate({ keyType, notAfter: NOW + 90 * DAY, intermediateNotAfter: NOW + 2 * DAY }).pem,
        makeTestCertificate({ keyType, notAfter: NOW + DAY, includeKey: true, includeRoot: true }).pem,
      );
    }
    // A self-signed leaf, and one that names itself but was signed by another key.
    const otherKey = createPublicKey(pooledKey('ec', 'readers-other').privateKey).export({
      type: 'spki',
      format: 'der',
    });
    const self = cn('self.example');
    texts.push(
      pem(craft({ subject: self, issuer: self })),
      pem(craft({ subject: self, issuer: self, publicKeyInfo: otherKey })),
    );
    // Empty names, and GeneralizedTime in any year, the DER reader now reads itself.
    const made = makeTestCertificate({ notAfter: NOW + 10 * DAY, includeRoot: true });
    texts.push(
      pem(craft({ subject: sequence(), extensions: [subjectAltName(dnsName('san-only.example'))] })) +
        made.pem,
      pem(craft({ issuer: sequence() })),
      pem(craft({ subject: sequence(), issuer: sequence() })),
      pem(craft({ notAfter: generalizedTime('00490101000000Z') })) + made.intermediatePem,
      pem(
        craft({
          notBefore: generalizedTime('00000229000000Z'),
          notAfter: generalizedTime('20300101000000Z'),
        }),
      ),
    );
    fast = createPemReader();
    reference = createPemReader({ decoder: 'x509', issuerCacheSize: 0 });
  }, 120_000);

  it('reads every chain of the fleet the same, field by field, and so evaluates it the same', () => {
    let certificates = 0;
    for (const text of texts) {
      const expected = reference.read(text);
      const actual = fast.read(text);
      expect(actual).toStrictEqual(expected);
      expect(evaluate(observed(actual.chain), NOW, THRESHOLDS)).toStrictEqual(
        evaluate(observed(expected.chain), NOW, THRESHOLDS),
      );
      const chain = expected.chain!;
      for (const certificate of [chain.leaf, ...chain.intermediates, ...chain.roots]) {
        expect(certificate.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
        certificates++;
      }
    }
    expect(certificates).toBeGreaterThan(5000);
    // Every certificate of the fleet was the DER reader's, most intermediates came from its cache, and only
    // the self-signed roots needed their key (once each).
    expect(fast.counts.x509).toBe(0);
    expect(fast.counts.unreadable).toBe(0);
    expect(fast.counts.cacheHits).toBeGreaterThan(texts.length);
    expect(fast.counts.signatureChecks).toBeLessThan(12);
    expect(reference.counts.der).toBe(0);
  });

  it("agrees on the fleet's statuses: expired, critical, warning and ok leaves, and intermediates that expire first", () => {
    const statuses = new Set<string>();
    const sources = new Set<string>();
    for (const text of texts) {
      const record = evaluate(observed(fast.read(text).chain), NOW, THRESHOLDS);
      statuses.add(record.status);
      sources.add(record.expirySource);
    }
    expect([...statuses].sort()).toEqual(['critical', 'expired', 'ok', 'warning']);
    expect([...sources].sort()).toEqual(['pem:intermediate', 'pem:leaf']);
  });

  it('mixes both paths in one chain when the DER reader declines one certificate', () => {
    const made = makeTestCertificate({ notAfter: NOW + 10 * DAY });
    // A needless long-form length (BER, not DER): OpenSSL reads it, so the X509Certificate path decides.
    const odd = pem(
      craft({
        notAfter: longFormLength(utcTime('400101000000Z')),
        subject: name(['2.5.4.3', utf8String('odd')]),
      }),
    );
    const plain = pem(craft({ notAfter: utcTime('400101000000Z') }));
    for (const text of [made.pem + odd, odd + made.intermediatePem, plain + odd]) {
      const reader = createPemReader();
      expect(reader.read(text)).toStrictEqual(createPemReader({ decoder: 'x509' }).read(text));
      expect(reader.counts.x509).toBe(1);
    }
  });

  it('checks the signature of a certificate that names itself, and only of that one', () => {
    const otherKey = createPublicKey(pooledKey('ec', 'readers-other').privateKey).export({
      type: 'spki',
      format: 'der',
    });
    const self = cn('self.example');
    const reader = createPemReader();
    expect(reader.read(pem(craft({ subject: self, issuer: self }))).chain?.leaf.selfSigned).toBe(true);
    expect(
      reader.read(pem(craft({ subject: self, issuer: self, publicKeyInfo: otherKey }))).chain?.leaf
        .selfSigned,
    ).toBe(false);
    reader.read(pem(craft()));
    expect(reader.counts).toMatchObject({ der: 3, x509: 0, signatureChecks: 2 });
  });

  it('chooses among same-named issuers by signature, checking each pair once', () => {
    const stale = makeTestCertificate({ notAfter: NOW + 100 * DAY, intermediateNotAfter: NOW - DAY });
    const renewed = makeTestCertificate({ notAfter: NOW + 100 * DAY, intermediateNotAfter: NOW + 300 * DAY });
    const impostorKey = pooledKey('ec', 'impostor-intermediate');
    const impostor = issueCertificate({
      subject: { commonName: 'Certwatch Test Intermediate CA', organization: 'Certwatch Tests' },
      publicKey: impostorKey.publicKey,
      issuer: { selfSigned: true, privateKey: impostorKey.privateKey },
      serialNumber: 99n,
      notBefore: NOW - DAY,
      notAfter: NOW + 900 * DAY,
      ca: true,
    });
    const text = renewed.leafPem + stale.intermediatePem + impostor.pem + renewed.intermediatePem;
    const reader = createPemReader();
    const first = reader.read(text);
    expect(first).toStrictEqual(createPemReader({ decoder: 'x509', issuerCacheSize: 0 }).read(text));
    expect(first.chain?.intermediates.map((c) => c.notAfterMs)).toEqual([NOW + 300 * DAY]);
    const checks = reader.counts.signatureChecks;
    expect(checks).toBeGreaterThanOrEqual(3);
    expect(reader.read(text)).toStrictEqual(first);
    expect(reader.counts.signatureChecks).toBe(checks);
  });

  it('keeps neither PEM text nor DER in what it returns', () => {
    const made = makeTestCertificate({ notAfter: NOW + DAY, includeRoot: true, includeKey: true });
    const result = createPemReader().read(made.pem);
    const seen = new Set<unknown>();
    const walk = (value: unknown): void => {
      if (typeof value === 'string') {
        expect(value).not.toMatch(/-----BEGIN|MII/);
        return;
      }
      if (typeof value !== 'object' || value === null || seen.has(value)) return;
      seen.add(value);
      expect(value).not.toBeInstanceOf(Uint8Array);
      expect(value).not.toBeInstanceOf(X509Certificate);
      for (const child of Object.values(value)) walk(child);
    };
    walk(result);
    expect(seen.size).toBeGreaterThan(5);
  });

  it('reads a chain the same with no issuer cache, or one too small for the fleet', () => {
    for (const issuerCacheSize of [0, 1, 2]) {
      const reader = createPemReader({ issuerCacheSize });
      for (const text of texts.slice(0, 300)) expect(reader.read(text)).toStrictEqual(fast.read(text));
    }
  });
});
