/**
 * Provider text made inert where a record is made: every string a cloud can send — names, ids, domains, listener
 * names, regions, resource groups, expiry text, error messages — drawn from characters that would be obeyed
 * (controls, U+2028/2029, bidi controls, invisible format characters, lone surrogates) among ordinary ones, sent
 * over the wire to the real clients, paging and mappers, with certificates whose CN, SANs and intermediate's
 * subject carry them too. No field of any record or failure of the report carries one raw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { time } from '../../emulator/x509/der';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { loadConfig } from '../../lib/config';
import { buildSources } from '../../lib/providers';
import { Pacing } from '../../lib/providers/pacing';
import { pemArmour } from '../../lib/rotation/bundle';
import { scanFleet } from '../../lib/scan';
import { obeyedStrings } from '../helpers/hostileReport';
import { cn, craftAuthority, craftLeaf, dnsName, subjectAltName } from '../unit/pem/craftedCertificate';
import { fuzzAsync } from './fuzz';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;

const config = loadConfig({
  UCLOUD_PUBLIC_KEY: 'pub',
  UCLOUD_PRIVATE_KEY: 'priv',
  UCLOUD_REGIONS: 'cn-bj2',
  UCLOUD_API_URL: 'https://ucloud.invalid',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
  ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
  ALIBABA_CLOUD_CDN_ENDPOINT: 'https://cdn.invalid',
  ALIBABA_CLOUD_SLB_ENDPOINT: 'https://slb.invalid',
  CERTWATCH_REQUEST_TIMEOUT_MS: '1000',
});

const OBEYED = [
  '\n',
  '\r',
  '\t',
  '\x1b',
  '\x00',
  '\x07',
  '\x7f',
  '\x85',
  '\x9b',
  '\u2028',
  '\u2029',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u061c',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u00ad',
  '\u{e0041}',
  '\ud800',
  '\udc00',
];
/** One character: one that would be obeyed, an ordinary one that formats care about, or any code point. */
const character = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...OBEYED) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('a', '.', '-', '*', ' ', ',', '"', '\\', '=', '[', 'é', '界', '🔒'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const hostile = fc.string({ unit: character, maxLength: 14 });

/** Certificates whose own names would be obeyed: the CN, SANs Node quotes, an intermediate's subject. */
const hostilePems = (() => {
  const made = (commonName: string, dnsNames: string[]) =>
    makeTestCertificate({ notAfter: NOW + 20 * DAY, commonName, dnsNames }).pem;
  const root = craftAuthority('inert-root', null);
  const intermediate = craftAuthority('inert-intermediate', root, {
    subject: cn('Evil\u202e CA\u2028\n== Could not check ==\x1b[2J'),
    notAfter: time(NOW + 5 * DAY),
  });
  const leaf = craftLeaf(intermediate, {
    subject: cn('leaf\u2066\x85'),
    extensions: [subjectAltName(dnsName('ok.example'), dnsName(Buffer.from([0x61, 0x85, 0x0a, 0x1b, 0x62])))],
  });
  return [
    made('plain.example', ['plain.example']),
    made('cn\u202e\u2028\x85\u200b\ufeff', ['a\nb.example', 'c\x1b[2Jd', 'q"\\,z\x00']),
    made('\x1b]0;title\x07', ['\r\n== Could not check ==\r\n']),
    pemArmour('CERTIFICATE', leaf) + pemArmour('CERTIFICATE', intermediate.der),
  ];
})();
const pem = fc.constantFrom(...hostilePems);

/** A name field: usually hostile text, sometimes anything JSON can send in its place. */
const field = fc.oneof(
  { weight: 5, arbitrary: hostile },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);

const ucloudInfo = fc.record({
  SSLId: field,
  SSLName: field,
  SSLContent: pem,
  NotAfter: fc.constantFrom(0, Math.floor((NOW + 30 * DAY) / 1000)),
  Domains: field,
  DNSNames: field,
  Relations: fc.array(
    fc.record({
      LoadBalancerId: field,
      LoadBalancerName: field,
      ListenerId: field,
      ListenerName: field,
      IsDefault: fc.boolean(),
    }),
    { maxLength: 2 },
  ),
});
const cdnCert = fc.record({
  list: fc.record({ CertName: field, Common: field, CertRegion: field }),
  info: fc.record({
    CertName: field,
    DomainList: field,
    CertExpireTime: fc.oneof(hostile, fc.constant('2027-01-01 00:00:00 +0000 UTC')),
    HttpsCrt: fc.oneof({ weight: 4, arbitrary: pem }, { weight: 1, arbitrary: hostile }),
  }),
});
const slbCert = fc.record({
  ServerCertificateId: field,
  ServerCertificateName: field,
  CommonName: field,
  SubjectAlternativeNames: fc.record({ SubjectAlternativeName: fc.array(field, { maxLength: 3 }) }),
  RegionId: field,
  ResourceGroupId: field,
  Fingerprint: field,
  ExpireTimeStamp: fc.constant(NOW + 10 * DAY),
  ExpireTime: field,
});
const fleet = fc.record({
  ucloud: fc.array(ucloudInfo, { maxLength: 3 }),
  /** A provider error message instead of the UCloud list. */
  ucloudError: fc.option(hostile),
  cdn: fc.array(cdnCert, { maxLength: 3 }),
  cdnInfoError: fc.option(hostile),
  slb: fc.array(slbCert, { maxLength: 3 }),
  slbError: fc.option(hostile),
});

type Fleet = typeof fleet extends fc.Arbitrary<infer T> ? T : never;

/** The clouds' APIs, answering from `fleet`: what each Action gets, as JSON, or a provider error. */
function answer(
  fleet: Fleet,
  action: string | null,
  params: URLSearchParams,
): { status: number; body: unknown } {
  const aliyunError = (message: string) => ({
    status: 403,
    body: { RequestId: 'r', Code: 'Forbidden', Message: message },
  });
  switch (action) {
    case 'DescribeSSLV2':
      if (fleet.ucloudError !== null)
        return { status: 200, body: { RetCode: 171, Message: fleet.ucloudError } };
      return {
        status: 200,
        body: {
          RetCode: 0,
          Action: 'DescribeSSLV2Response',
          TotalCount: fleet.ucloud.length,
          DataSet: fleet.ucloud,
        },
      };
    case 'DescribeCdnSSLCertificateList':
      return {
        status: 200,
        body: {
          RequestId: 'r',
          CertificateListModel: {
            Count: fleet.cdn.length,
            CertList: { Cert: fleet.cdn.map((cert, i) => ({ ...cert.list, CertId: 700 + i })) },
          },
        },
      };
    case 'DescribeCertificateInfoByID': {
      if (fleet.cdnInfoError !== null) return aliyunError(fleet.cdnInfoError);
      const id = params.get('CertId');
      const cert = fleet.cdn[Number(id) - 700];
      return {
        status: 200,
        body: { RequestId: 'r', CertInfos: { CertInfo: [{ ...cert?.info, CertId: id }] } },
      };
    }
    case 'DescribeServerCertificates':
      if (fleet.slbError !== null) return aliyunError(fleet.slbError);
      return { status: 200, body: { RequestId: 'r', ServerCertificates: { ServerCertificate: fleet.slb } } };
    default:
      return {
        status: 400,
        body: { RequestId: 'r', Code: 'InvalidAction.NotFound', Message: String(action) },
      };
  }
}

describe('fuzz: provider text made inert where a record is made', () => {
  it('leaves no control, line separator, bidi or invisible format character in any record or failure', async () => {
    await fuzzAsync(
      'scan',
      'inert records over hostile provider text',
      fc.asyncProperty(fleet, async (drawn) => {
        const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
          const url = new URL(String(input));
          const params = url.search ? url.searchParams : new URLSearchParams(String(init?.body ?? ''));
          const { status, body } = answer(drawn, params.get('Action'), params);
          return new Response(JSON.stringify(body), {
            status,
            headers: { 'content-type': 'application/json' },
          });
        }) as typeof globalThis.fetch;
        let virtualMs = 0;
        const sleep = async (ms: number) => {
          virtualMs += ms;
        };
        const pacing = new Pacing({ clock: () => virtualMs, sleep });
        const report = await scanFleet(buildSources(config, { fetch, sleep, random: () => 0.5, pacing }), {
          statusDays: config.statusDays,
          nowMs: NOW,
          clock: () => NOW,
        });
        // Something was read or named: a scan that reads nothing would make this property empty.
        expect(report.certificates.length + report.failures.length).toBeGreaterThan(0);
        expect(obeyedStrings(report)).toEqual([]);
      }),
      300,
    );
  });
});
