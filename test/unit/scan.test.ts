import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import type { ObservedCertificate } from '../../lib/model';
import type { CertificateSource } from '../../lib/providers/source';
import { FingerprintIndex, scanFleet } from '../../lib/scan';
import { observed } from '../helpers/observed';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;

/** A hand-written source that reports what it is given, after a pause, as a provider would. */
function source(service: string, items: (ObservedCertificate | string)[], delayMs = 0): CertificateSource {
  return {
    provider: service === 'ulb' ? 'ucloud' : 'aliyun',
    service,
    async scan(sink) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      for (const item of items) {
        if (typeof item === 'string')
          sink.failure({ provider: 'x', service, region: 'r', project: null, message: item });
        else sink.certificate(item);
      }
    },
  };
}

describe('scanFleet', () => {
  it('gives a certificate known only by fingerprint the expiry of its twin seen elsewhere', async () => {
    const cert = makeTestCertificate({ notAfter: NOW + 5 * DAY });
    const ucloud = observed({ id: 'ssl-1', pem: cert.pem });
    const sha1 = ucloud.chain!.leaf.fingerprintSha1;
    const slb = (id: string, fingerprint: string) =>
      observed({
        provider: 'aliyun',
        service: 'slb',
        id,
        chain: null,
        apiFingerprintSha1: fingerprint,
        inUse: null,
      });
    // The SLB source answers first: matching must wait for every source.
    const report = await scanFleet(
      [source('slb', [slb('lb-twin', sha1), slb('lb-alone', 'f'.repeat(40))]), source('ulb', [ucloud], 20)],
      { statusDays: { warningDays: 30, criticalDays: 7 }, nowMs: NOW },
    );
    const twin = report.certificates.find((c) => c.id === 'lb-twin');
    expect(twin).toMatchObject({
      status: 'critical',
      daysLeft: 5,
      expirySource: 'fingerprint:ucloud/ulb ssl-1',
    });
    expect(twin?.notAfterMs).toBe(report.certificates.find((c) => c.id === 'ssl-1')?.notAfterMs);
    const alone = report.certificates.find((c) => c.id === 'lb-alone');
    expect(alone).toMatchObject({ status: 'unknown', expirySource: 'none' });
    expect(alone?.notes.join()).toMatch(/no certificate with its SHA-1 fingerprint was seen elsewhere/);
    expect(report.complete).toBe(true);
  });

  it('is incomplete when any source reports a failure, and orders everything stably', async () => {
    const report = await scanFleet(
      [
        source('ulb', [observed({ id: 'b' }), observed({ id: 'a' })], 10),
        source('cdn', [
          'page 2 could not be read',
          observed({ id: 'c', provider: 'aliyun', service: 'cdn' }),
        ]),
      ],
      { statusDays: { warningDays: 30, criticalDays: 7 }, nowMs: NOW },
    );
    expect(report.complete).toBe(false);
    expect(report.failures.map((f) => f.message)).toEqual(['page 2 could not be read']);
    expect(report.certificates.map((c) => `${c.provider}/${c.id}`)).toEqual([
      'aliyun/c',
      'ucloud/a',
      'ucloud/b',
    ]);
  });

  it('remembers each leaf’s names once each, the common name first when the SAN list lacks it', () => {
    const index = new FingerprintIndex();
    const leafOf = (id: string, commonName: string, dnsNames: string[]) =>
      observed({ id, pem: makeTestCertificate({ notAfter: NOW + DAY, commonName, dnsNames }).pem });
    index.remember(leafOf('a', 'a.example', ['a.example', 'www.a.example']));
    index.remember(leafOf('b', 'b.example', ['www.b.example', 'www.b.example']));
    index.remember(leafOf('c', '', ['c.example']));
    index.remember(leafOf('d', 'd.example', ['www.d.example', 'd.example']));
    expect(index.entries().map(({ names, where }) => ({ names, where }))).toEqual([
      { names: ['a.example', 'www.a.example'], where: 'ucloud/ulb a' },
      { names: ['b.example', 'www.b.example'], where: 'ucloud/ulb b' },
      { names: ['c.example'], where: 'ucloud/ulb c' },
      { names: ['d.example', 'www.d.example'], where: 'ucloud/ulb d' },
    ]);
  });
});
