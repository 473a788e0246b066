/**
 * The whole scan, fuzzed at the wire: every provider call answers with a reply drawn at random — the right shape
 * with odd fields, another API's shape, any JSON, not JSON at all, an HTTP error — through the real clients,
 * paging and mappers. The scan always returns a report; whatever it could not read is a named failure (never an
 * "unexpected error"), and a certificate it cannot date is `unknown` with a reason.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { loadConfig } from '../../lib/config';
import { buildSources } from '../../lib/providers';
import { Pacing } from '../../lib/providers/pacing';
import { scanFleet } from '../../lib/scan';
import { fuzzAsync } from './fuzz';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const pem = makeTestCertificate({ notAfter: NOW + 20 * 86_400_000, includeKey: true }).pem;

const config = loadConfig({
  UCLOUD_PUBLIC_KEY: 'pub',
  UCLOUD_PRIVATE_KEY: 'CANARYucloud',
  UCLOUD_REGIONS: 'cn-bj2',
  UCLOUD_API_URL: 'https://ucloud.invalid',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'CANARYaliyun',
  ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
  ALIBABA_CLOUD_CDN_ENDPOINT: 'https://cdn.invalid',
  ALIBABA_CLOUD_SLB_ENDPOINT: 'https://slb.invalid',
  CERTWATCH_REQUEST_TIMEOUT_MS: '1000',
});

const json = fc.jsonValue({ maxDepth: 2 });
const field = <T>(right: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: json });
const id = fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 3 }));
const expiry = fc.oneof(
  fc.integer({ min: 1.7e9, max: 1.9e9 }),
  fc.constantFrom('2027-01-01 00:00:00 +0000 UTC', 'soon', 0),
);
const content = fc.constantFrom(pem, pem.slice(0, 200), '', 'junk');

const ucloudReply = fc.record(
  {
    RetCode: fc.oneof(
      { weight: 5, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constantFrom(171, 150, 'x') },
    ),
    Action: fc.constant('DescribeSSLV2Response'),
    TotalCount: field(fc.nat({ max: 4 })),
    DataSet: field(
      fc.array(
        fc.record(
          {
            SSLId: field(id),
            SSLContent: field(content),
            NotAfter: field(expiry),
            Domains: field(fc.string()),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
    ),
  },
  { requiredKeys: ['RetCode'] },
);
const cdnListReply = fc.record({
  RequestId: fc.constant('r'),
  CertificateListModel: field(
    fc.record(
      {
        Count: field(fc.nat({ max: 4 })),
        CertList: field(
          fc.record({ Cert: field(fc.array(fc.record({ CertId: field(id) }), { maxLength: 3 })) }),
        ),
      },
      { requiredKeys: [] },
    ),
  ),
});
const cdnInfoReply = fc.record({
  RequestId: fc.constant('r'),
  CertInfos: field(
    fc.record({
      CertInfo: field(
        fc.array(
          fc.record(
            { CertId: field(id.map(String)), CertExpireTime: field(expiry), HttpsCrt: field(content) },
            { requiredKeys: [] },
          ),
          {
            maxLength: 2,
          },
        ),
      ),
    }),
  ),
});
const slbReply = fc.record({
  RequestId: fc.constant('r'),
  ServerCertificates: field(
    fc.record({
      ServerCertificate: field(
        fc.array(
          fc.record(
            { ServerCertificateId: field(id), ExpireTimeStamp: field(expiry), ExpireTime: field(expiry) },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      ),
    }),
  ),
});
const errorReply = fc.record({
  Code: fc.constantFrom('Throttling', 'InvalidAccessKeyId.NotFound', 'InternalError'),
  Message: fc.string(),
  RequestId: fc.constant('r'),
});

/** One HTTP answer: a status and a body. */
const answer = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .oneof(ucloudReply, cdnListReply, cdnInfoReply, slbReply)
      .map((body) => ({ status: 200, body: JSON.stringify(body) })),
  },
  { weight: 1, arbitrary: errorReply.map((body) => ({ status: 400, body: JSON.stringify(body) })) },
  { weight: 1, arbitrary: json.map((body) => ({ status: 200, body: JSON.stringify(body) ?? 'null' })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(200, 500, 503, 404), fc.string({ maxLength: 30 }))
      .map(([status, body]) => ({ status, body })),
  },
);

describe('fuzz: a scan over random replies', () => {
  it('always returns a report: failures named, every certificate dated or unknown with a reason', async () => {
    await fuzzAsync(
      'scan',
      'scanFleet over random replies',
      fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 12 }), async (answers) => {
        let call = 0;
        const fetch = (async () => {
          const { status, body } = answers[call++ % answers.length]!;
          return new Response(body, { status, headers: { 'content-type': 'application/json' } });
        }) as typeof globalThis.fetch;
        // Virtual time: retry pauses and pacing gaps pass at once, so a run costs only its work.
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
        const wrong: string[] = [];
        for (const failure of report.failures) {
          if (!failure.message || failure.message.startsWith('unexpected error')) wrong.push(failure.message);
        }
        for (const record of report.certificates) {
          if (record.status === 'unknown' && record.notes.length === 0)
            wrong.push(`${record.id}: unknown, no reason`);
        }
        if (report.failures.length > 0 && report.complete) wrong.push('complete despite failures');
        const text = JSON.stringify(report);
        if (text.includes('CANARY') || text.includes('PRIVATE KEY')) wrong.push('a secret in the report');
        expect(wrong).toEqual([]);
      }),
      2_000,
    );
  });
});
