/**
 * The provider response mappers and reply readers, fuzzed with JSON of the right shape (every field present or
 * not, of its type or another) and of any shape. A mapper never throws and always gives a record the report can
 * hold; a reply reader gives entries that are certificates, or throws a named error the source reports.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../emulator/x509/testCertificate';
import { CertwatchError } from '../../lib/errors';
import { evaluate } from '../../lib/expiry/evaluate';
import type { ObservedCertificate } from '../../lib/model';
import {
  type CdnCertInfo,
  describeCertificateInfo,
  mapCdnCertificate,
} from '../../lib/providers/aliyun/cdn/certificateInfo';
import { describeCdnCertificatePage } from '../../lib/providers/aliyun/cdn/listCertificates';
import type { AliyunRpcClient } from '../../lib/providers/aliyun/client';
import {
  describeServerCertificates,
  mapServerCertificate,
} from '../../lib/providers/aliyun/slb/describeServerCertificates';
import type { UcloudClient } from '../../lib/providers/ucloud/client';
import { describeSslV2Page } from '../../lib/providers/ucloud/describeSslV2';
import { mapSslInfo } from '../../lib/providers/ucloud/mapper';
import { fuzz, fuzzAsync } from './fuzz';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const THRESHOLDS = { warningDays: 30, criticalDays: 7 };
const pem = makeTestCertificate({ notAfter: NOW + 20 * 86_400_000, includeKey: true }).pem;

/** Any JSON value, small. */
const json = fc.jsonValue({ maxDepth: 3 });
/** A field as it should be, or anything else JSON can send in its place. */
const field = <T>(right: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: right }, { weight: 1, arbitrary: json });
const text = fc.string({ maxLength: 20 });
const names = fc.oneof(text, fc.array(text, { maxLength: 4 }), fc.constant('a.example, b.example c.example'));
const epoch = fc.oneof(fc.integer({ min: 0, max: 5e13 }), fc.integer({ min: 0, max: 5e10 }).map(String));
const goTime = fc.constantFrom(
  '2027-01-01 00:00:00 +0000 UTC',
  '2027-01-01T08:00:00+08:00',
  '2027-01-01 00:00:00',
  'soon',
);
const content = fc.oneof(fc.constant(pem), fc.constant(pem.slice(0, 300)), text);

const sslInfo = fc.record(
  {
    SSLId: field(text),
    SSLName: field(text),
    SSLContent: field(content),
    NotAfter: field(epoch),
    Domains: field(names),
    DNSNames: field(names),
    Relations: field(
      fc.array(
        fc.oneof(
          fc.record(
            {
              LoadBalancerId: field(text),
              LoadBalancerName: field(text),
              ListenerId: field(text),
              IsDefault: json,
            },
            { requiredKeys: [] },
          ),
          json,
        ),
        { maxLength: 3 },
      ),
    ),
    BindedTargetSet: field(
      fc.array(fc.record({ ULBId: field(text), VServerId: field(text) }, { requiredKeys: [] }), {
        maxLength: 3,
      }),
    ),
  },
  { requiredKeys: [] },
);

const cdnEntry = fc.record(
  {
    CertId: field(fc.integer()),
    CertName: field(text),
    Common: field(text),
    CertRegion: field(text),
    Fingerprint: field(text),
  },
  { requiredKeys: [] },
);
const cdnInfo = fc.record(
  {
    CertId: field(text),
    CertName: field(text),
    CertExpireTime: field(goTime),
    DomainList: field(
      fc.oneof(names, fc.constant('[""]'), fc.constant('["a.example", 3]'), fc.constant('[broken')),
    ),
    HttpsCrt: field(content),
  },
  { requiredKeys: [] },
);
const slbItem = fc.record(
  {
    ServerCertificateId: field(text),
    ServerCertificateName: field(text),
    RegionId: field(text),
    ResourceGroupId: field(text),
    ExpireTimeStamp: field(epoch),
    ExpireTime: field(goTime),
    Fingerprint: field(fc.constantFrom('AB:CD', 'ab'.repeat(20), 'aa:'.repeat(19).concat('aa'))),
    CommonName: field(text),
    SubjectAlternativeNames: field(
      fc.record({ SubjectAlternativeName: field(fc.array(json, { maxLength: 3 })) }),
    ),
  },
  { requiredKeys: [] },
);
/** Objects of any keys: the wrong shape. */
const anyObject = fc.dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 6 });

/**
 * What every mapped certificate must be, whatever came in: fit for the report and honest about what it lacks.
 * Checked as plain conditions and asserted once: 30,000 inputs, so few expect calls each.
 */
function expectRecordable(cert: ObservedCertificate): void {
  const wrong: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) wrong.push(what);
  };
  for (const key of ['provider', 'service', 'region', 'id', 'name'] as const) {
    check(typeof cert[key] === 'string' && cert[key] !== '', `${key} is a non-empty string`);
  }
  check(cert.project === null || (typeof cert.project === 'string' && cert.project !== ''), 'project');
  check(
    cert.domains.every((d) => typeof d === 'string' && d !== '' && d === d.trim()),
    'domains are names',
  );
  check(new Set(cert.domains).size === cert.domains.length, 'domains are unique');
  check(
    cert.boundTo.every((b) => typeof b === 'string'),
    'boundTo are strings',
  );
  check(
    cert.notes.every((n) => typeof n === 'string' && n !== ''),
    'notes are strings',
  );
  check(cert.inUse === true || cert.inUse === false || cert.inUse === null, 'inUse');
  check(
    cert.apiNotAfter === null ||
      (Number.isSafeInteger(cert.apiNotAfter.epochMs) && cert.apiNotAfter.epochMs > 0),
    'apiNotAfter is a positive whole millisecond',
  );
  const record = evaluate(cert, NOW, THRESHOLDS);
  check(record.status !== 'unknown' || record.notes.length > 0, 'unknown only with a reason');
  check(!JSON.stringify(record).includes('PRIVATE KEY'), 'no key in the record');
  expect(wrong, JSON.stringify(cert)).toEqual([]);
}

/** A client whose one call answers `reply` (or throws it, when it is an Error). */
const aliyunReplying = (reply: unknown) => ({ call: async () => reply }) as unknown as AliyunRpcClient;
const ucloudReplying = (reply: unknown) => ({ call: async () => reply }) as unknown as UcloudClient;

/** Runs a reply reader: it returns, or rejects with one of our named errors (the source reports its message). */
async function readOrNamedFailure<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    expect(error).toBeInstanceOf(CertwatchError);
    expect((error as Error).message).toMatch(/^(UCloud|Alibaba) /);
    return null;
  }
}

describe('fuzz: UCloud DescribeSSLV2', () => {
  it('mapSslInfo maps any SSLInfo, of the right shape or not, to a recordable certificate', () => {
    fuzz(
      'mappers',
      'mapSslInfo',
      fc.property(
        fc.oneof(sslInfo, anyObject),
        text,
        fc.option(text, { nil: null }),
        (info, region, project) => {
          expectRecordable(mapSslInfo(info, region || 'cn-bj2', project || null));
        },
      ),
      5_000,
    );
  });

  it('a DescribeSSLV2 reply gives a DataSet list or a named failure', async () => {
    await fuzzAsync(
      'mappers',
      'describeSslV2Page',
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              DataSet: field(fc.array(fc.oneof(sslInfo, json), { maxLength: 3 })),
              TotalCount: field(fc.nat()),
            },
            { requiredKeys: [] },
          ),
          anyObject,
        ),
        async (reply) => {
          const page = await readOrNamedFailure(() =>
            describeSslV2Page(ucloudReplying(reply), { region: 'cn-bj2', projectId: null }, 100, 0),
          );
          if (page === null) return;
          expect(Array.isArray(page.entries)).toBe(true);
          expect(page.total === null || typeof page.total === 'number').toBe(true);
        },
      ),
      3_000,
    );
  });
});

describe('fuzz: Alibaba CDN', () => {
  it('mapCdnCertificate maps any list entry and details, or none, to a recordable certificate', () => {
    fuzz(
      'mappers',
      'mapCdnCertificate',
      fc.property(
        fc.oneof(cdnEntry, anyObject),
        fc.option(fc.oneof(cdnInfo, anyObject), { nil: null }),
        (entry, info) => {
          expectRecordable(mapCdnCertificate(entry, info as CdnCertInfo | null));
        },
      ),
      5_000,
    );
  });

  it('DescribeCertificateInfoByID gives an object of details, or none, or a named failure', async () => {
    await fuzzAsync(
      'mappers',
      'describeCertificateInfo',
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            CertInfos: field(
              fc.record({ CertInfo: field(fc.array(fc.oneof(cdnInfo, json), { maxLength: 3 })) }),
            ),
          }),
          anyObject,
        ),
        async (reply) => {
          const info = await readOrNamedFailure(() => describeCertificateInfo(aliyunReplying(reply), '7'));
          if (info === null) return;
          expect(typeof info === 'object' && !Array.isArray(info)).toBe(true);
          expectRecordable(mapCdnCertificate({ CertId: 7 }, info));
        },
      ),
      3_000,
    );
  });

  it('a DescribeCdnSSLCertificateList reply gives a list, or a named failure: never an empty fleet from garbage', async () => {
    await fuzzAsync(
      'mappers',
      'describeCdnCertificatePage',
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            CertificateListModel: field(
              fc.record(
                {
                  CertList: field(
                    fc.record({ Cert: field(fc.array(fc.oneof(cdnEntry, json), { maxLength: 3 })) }),
                  ),
                  Count: field(fc.nat()),
                },
                { requiredKeys: [] },
              ),
            ),
          }),
          anyObject,
        ),
        async (reply) => {
          const page = await readOrNamedFailure(() =>
            describeCdnCertificatePage(aliyunReplying(reply), 1, 100),
          );
          if (page === null) return;
          const model = (reply as Record<string, unknown>).CertificateListModel as Record<string, unknown>;
          // Empty only when the reply said so: a list, or a model without one (Alibaba leaves empty lists out).
          expect(typeof model === 'object' && model !== null && !Array.isArray(model)).toBe(true);
          if (model.CertList !== undefined) {
            expect(
              typeof model.CertList === 'object' && model.CertList !== null && !Array.isArray(model.CertList),
            ).toBe(true);
          }
        },
      ),
      3_000,
    );
  });
});

describe('fuzz: Alibaba SLB', () => {
  it('mapServerCertificate maps any ServerCertificate to a recordable certificate', () => {
    fuzz(
      'mappers',
      'mapServerCertificate',
      fc.property(fc.oneof(slbItem, anyObject), text, (item, region) => {
        expectRecordable(mapServerCertificate(item, region || 'cn-hangzhou'));
      }),
      5_000,
    );
  });

  it('a DescribeServerCertificates reply gives certificate objects, or a named failure: never an empty region from garbage', async () => {
    await fuzzAsync(
      'mappers',
      'describeServerCertificates',
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            ServerCertificates: field(
              fc.record(
                { ServerCertificate: field(fc.array(fc.oneof(slbItem, json), { maxLength: 3 })) },
                { requiredKeys: [] },
              ),
            ),
          }),
          anyObject,
        ),
        async (reply) => {
          const items = await readOrNamedFailure(() =>
            describeServerCertificates(aliyunReplying(reply), 'cn-hangzhou'),
          );
          if (items === null) return;
          const wrapper = (reply as Record<string, unknown>).ServerCertificates;
          expect(typeof wrapper === 'object' && wrapper !== null && !Array.isArray(wrapper)).toBe(true);
          for (const item of items) {
            expect(typeof item === 'object' && item !== null && !Array.isArray(item)).toBe(true);
            expectRecordable(mapServerCertificate(item, 'cn-hangzhou'));
          }
        },
      ),
      3_000,
    );
  });
});
