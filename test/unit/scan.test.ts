import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { type AccountRef, identityOf, type ObservedCertificate } from '../../lib/model';
import type { CertificateSource } from '../../lib/providers/source';
import { LeafIndex, scanFleet } from '../../lib/scan';
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

  it('gives a listener that names a CAS certificate its expiry and identity, or says CAS did not show it', async () => {
    const leafPem = makeTestCertificate({ notAfter: NOW + 40 * DAY, commonName: 'shop.example' }).pem;
    const leaf = observed({ pem: leafPem }).chain!.leaf;
    const cas = observed({
      provider: 'aliyun',
      service: 'cas',
      region: 'global',
      id: '18382705',
      domains: ['shop.example'],
      apiNotAfter: { epochMs: NOW + 40 * DAY, source: 'api:NotAfter' },
      apiIntermediates: [{ subject: 'Old CA', notAfterMs: NOW + 6 * DAY, source: 'api:CertChain' }],
      apiFingerprintSha256: leaf.fingerprintSha256,
      casCertificateId: '18382705',
    });
    const listener = (id: string, casId: string) =>
      observed({
        provider: 'aliyun',
        service: 'alb',
        region: 'cn-hangzhou',
        id,
        domains: [],
        casCertificateId: casId,
      });
    // A CDN copy of the same certificate, read from its PEM.
    const cdn = observed({ provider: 'aliyun', service: 'cdn', region: 'global', id: '1644', pem: leafPem });
    const report = await scanFleet(
      [
        source('alb', [
          listener('lsr-1/18382705-cn-hangzhou', '18382705'),
          listener('lsr-2/9-cn-hangzhou', '9'),
        ]),
        source('cas', [cas], 10),
        source('cdn', [cdn], 5),
      ],
      { statusDays: { warningDays: 30, criticalDays: 7 }, nowMs: NOW },
    );
    const byId = new Map(report.certificates.map((c) => [c.id, c]));
    // The listener stops serving when the CAS certificate's chain does: 6 days.
    expect(byId.get('lsr-1/18382705-cn-hangzhou')).toMatchObject({
      status: 'critical',
      daysLeft: 6,
      domains: ['shop.example'],
      expirySource: 'cas:aliyun/cas 18382705',
      fingerprintSha256: leaf.fingerprintSha256,
    });
    expect(byId.get('18382705')).toMatchObject({ status: 'critical', expirySource: 'api:CertChain' });
    // Three places, one certificate.
    const identity = `sha256:${leaf.fingerprintSha256}`;
    expect(['1644', '18382705', 'lsr-1/18382705-cn-hangzhou'].map((id) => identityOf(byId.get(id)!))).toEqual(
      [identity, identity, identity],
    );
    // The audit says which rows are one certificate, on each of them.
    expect(byId.get('1644')?.notes).toContain(
      'same certificate as aliyun/alb cn-hangzhou lsr-1/18382705-cn-hangzhou, aliyun/cas global 18382705',
    );
    expect(byId.get('18382705')?.notes).toContain(
      'same certificate as aliyun/alb cn-hangzhou lsr-1/18382705-cn-hangzhou, aliyun/cdn global 1644',
    );
    const unseen = byId.get('lsr-2/9-cn-hangzhou');
    expect(unseen).toMatchObject({ status: 'unknown', expirySource: 'none', certificateRef: 'cas:9' });
    expect(unseen?.notes.join()).toMatch(/CAS certificate 9 was not seen in this scan/);
    expect(identityOf(unseen!)).toBe('cas:9');
  });

  it("takes a listener's CAS certificate from its own account: CAS ids are per account", async () => {
    const main: AccountRef = { id: null, name: 'default' };
    const member: AccountRef = { id: '1000000000000002', name: 'shop-prod' };
    const casIn = (account: AccountRef, days: number, sha: string) =>
      observed({
        provider: 'aliyun',
        service: 'cas',
        region: 'global',
        id: '9',
        account,
        apiNotAfter: { epochMs: NOW + days * DAY, source: 'api:NotAfter' },
        apiFingerprintSha256: sha,
        casCertificateId: '9',
      });
    const listenerIn = (account: AccountRef, casId: string) =>
      observed({
        provider: 'aliyun',
        service: 'alb',
        region: 'cn-hangzhou',
        id: `lsr-1/${casId}-cn-hangzhou`,
        account,
        domains: [],
        casCertificateId: casId,
      });
    const report = await scanFleet(
      [
        source('alb', [
          listenerIn(main, '9'),
          listenerIn(member, '9'),
          listenerIn(main, '7'),
          listenerIn(member, '7'),
        ]),
        source('cas', [casIn(main, 5, 'a'.repeat(64)), casIn(member, 50, 'b'.repeat(64))], 10),
      ],
      { statusDays: { warningDays: 30, criticalDays: 7 }, nowMs: NOW },
    );
    const row = (service: string, id: string, account: AccountRef) =>
      report.certificates.find(
        (c) => c.service === service && c.id === id && c.account?.name === account.name,
      )!;
    expect(row('alb', 'lsr-1/9-cn-hangzhou', main)).toMatchObject({
      daysLeft: 5,
      fingerprintSha256: 'a'.repeat(64),
    });
    expect(row('alb', 'lsr-1/9-cn-hangzhou', member)).toMatchObject({
      daysLeft: 50,
      fingerprintSha256: 'b'.repeat(64),
    });
    // Unseen in CAS: each account's id is a certificate of its own, never one certificate over two accounts.
    const unseen = [row('alb', 'lsr-1/7-cn-hangzhou', main), row('alb', 'lsr-1/7-cn-hangzhou', member)];
    expect(unseen.map((c) => identityOf(c))).toEqual(['cas:7@default', 'cas:7@1000000000000002']);
  });

  it('ties an HTTPS domain to the CAS certificate CAS says is deployed there, in its account, at its expiry', async () => {
    const member: AccountRef = { id: '1000000000000002', name: 'shop-prod' };
    const main: AccountRef = { id: null, name: 'default' };
    const sha = 'c'.repeat(64);
    const cas = observed({
      provider: 'aliyun',
      service: 'cas',
      region: 'global',
      id: '40000001',
      account: member,
      apiNotAfter: { epochMs: NOW + 9 * DAY, source: 'api:NotAfter' },
      apiFingerprintSha256: sha,
      casCertificateId: '40000001',
      boundTo: [
        'ALB alb-1 lsr-1:443 checkout.example (cn-hangzhou)',
        'DCDN checkout.example',
        'DCDN old.example',
      ],
    });
    const domain = (id: string, account: AccountRef, days: number) =>
      observed({
        provider: 'aliyun',
        service: 'dcdn-domain',
        region: 'global',
        project: null,
        id,
        account,
        apiNotAfter: { epochMs: NOW + days * DAY, source: 'api:CertExpireTime' },
        boundTo: [`DCDN ${id}`],
      });
    const report = await scanFleet(
      [
        source('cas', [cas]),
        source('dcdn-domain', [
          domain('checkout.example', member, 9),
          // The same place name in another account; a domain that serves another certificate by now.
          domain('checkout.example', main, 9),
          domain('old.example', member, 200),
        ]),
      ],
      { statusDays: { warningDays: 30, criticalDays: 7 }, nowMs: NOW },
    );
    const identities = report.certificates.map((c) => `${c.id}@${c.account?.name}: ${identityOf(c)}`).sort();
    expect(identities).toEqual([
      `40000001@shop-prod: sha256:${sha}`,
      'checkout.example@default: null',
      `checkout.example@shop-prod: sha256:${sha}`,
      'old.example@shop-prod: null',
    ]);
  });

  it('ties a stored copy known by its SHA-1 to the SHA-256 of the same certificate read elsewhere', async () => {
    const pem = makeTestCertificate({ notAfter: NOW + 20 * DAY }).pem;
    const ucloud = observed({ id: 'ssl-1', pem });
    const slb = observed({
      provider: 'aliyun',
      service: 'slb',
      id: 'slb-copy',
      apiNotAfter: { epochMs: NOW + 20 * DAY, source: 'api:ExpireTime' },
      apiFingerprintSha1: ucloud.chain!.leaf.fingerprintSha1,
    });
    const other = observed({
      provider: 'aliyun',
      service: 'slb',
      id: 'slb-other',
      apiNotAfter: { epochMs: NOW + 20 * DAY, source: 'api:ExpireTime' },
      apiFingerprintSha1: 'ab'.repeat(20),
    });
    const report = await scanFleet([source('slb', [slb, other]), source('ulb', [ucloud], 10)], {
      statusDays: { warningDays: 30, criticalDays: 7 },
      nowMs: NOW,
    });
    const byId = new Map(report.certificates.map((c) => [c.id, c]));
    expect(identityOf(byId.get('slb-copy')!)).toBe(identityOf(byId.get('ssl-1')!));
    expect(byId.get('slb-copy')?.expirySource).toBe('api:ExpireTime');
    expect(identityOf(byId.get('slb-other')!)).toBe(`sha1:${'ab'.repeat(20)}`);
  });

  it('remembers each leaf’s names once each, the common name first when the SAN list lacks it', () => {
    const index = new LeafIndex();
    const remember = (id: string, commonName: string, dnsNames: string[]) => {
      const cert = observed({
        id,
        pem: makeTestCertificate({ notAfter: NOW + DAY, commonName, dnsNames }).pem,
      });
      index.remember(cert, cert);
    };
    remember('a', 'a.example', ['a.example', 'www.a.example']);
    remember('b', 'b.example', ['www.b.example', 'www.b.example']);
    remember('c', '', ['c.example']);
    remember('d', 'd.example', ['www.d.example', 'd.example']);
    expect(index.entries().map(({ names, where }) => ({ names, where }))).toEqual([
      { names: ['a.example', 'www.a.example'], where: 'ucloud/ulb a' },
      { names: ['b.example', 'www.b.example'], where: 'ucloud/ulb b' },
      { names: ['c.example'], where: 'ucloud/ulb c' },
      { names: ['d.example', 'www.d.example'], where: 'ucloud/ulb d' },
    ]);
  });
});
