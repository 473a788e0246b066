import { describe, expect, it } from 'vitest';
import {
  type AccountShape,
  accountChain,
  accountsLowerBound,
  callsNeeded,
  explainLowerBound,
  lowerBound,
  minimumCalls,
  pagesFor,
  type ScanShape,
  scanChains,
} from '../../../bench/lowerBound';
import { estimateNaive } from '../../../bench/naivePager';

const LIMITS = {
  DescribeSSLV2: 50,
  DescribeCdnSSLCertificateList: 20,
  DescribeCertificateInfoByID: 100,
  DescribeServerCertificates: 50,
};

/** fleet-100k's shape: 100 listings of 400, 40,000 CDN certificates, 20 SLB regions. */
const SHAPE: ScanShape = {
  ucloudListings: Array.from({ length: 100 }, () => 400),
  ucloudPageSize: 100,
  cdnCertificates: 40_000,
  cdnPageSize: 1000,
  slbRegions: 20,
};

describe('lowerBound', () => {
  it('is the slowest API at its limit plus the longest chain of round trips', () => {
    const bound = lowerBound({
      calls: {
        DescribeSSLV2: 500,
        DescribeCdnSSLCertificateList: 41,
        DescribeCertificateInfoByID: 40_000,
        DescribeServerCertificates: 20,
      },
      limits: LIMITS,
      chains: scanChains(SHAPE),
      latencyMs: 30,
    });
    expect(bound.boundBy?.action).toBe('DescribeCertificateInfoByID');
    expect(bound.rateSeconds).toBe(400);
    // 40 list pages, then one info call.
    expect(bound.chain?.calls).toBe(41);
    expect(bound.chainSeconds).toBeCloseTo(1.23, 10);
    expect(bound.seconds).toBeCloseTo(401.23, 10);
    expect(bound.burstSlackSeconds).toBe(1);
    expect(bound.apis.map((api) => [api.action, api.seconds])).toEqual([
      ['DescribeCertificateInfoByID', 400],
      ['DescribeSSLV2', 10],
      ['DescribeCdnSSLCertificateList', 2.05],
      ['DescribeServerCertificates', 0.4],
    ]);
  });

  it('scales with the limits, and ignores unlimited APIs for the rate part', () => {
    const bound = lowerBound({
      calls: { DescribeSSLV2: 500, UploadServerCertificate: 1_000 },
      limits: { DescribeSSLV2: 500 },
      chains: [{ what: 'x', calls: 5 }],
      latencyMs: 30,
    });
    expect(bound.boundBy?.action).toBe('DescribeSSLV2');
    expect(bound.seconds).toBeCloseTo(1 + 0.15, 10);
    expect(bound.burstSlackSeconds).toBe(1);
  });

  it('without limits is the chain alone', () => {
    const bound = lowerBound({
      calls: { DescribeSSLV2: 10 },
      limits: {},
      chains: [{ what: 'x', calls: 3 }],
      latencyMs: 20,
    });
    expect(bound.boundBy).toBeNull();
    expect(bound.seconds).toBeCloseTo(0.06, 10);
  });

  it('explains itself: a line per API, the chain, the sum', () => {
    const bound = lowerBound({
      calls: { DescribeSSLV2: 100, DescribeCertificateInfoByID: 4_000 },
      limits: LIMITS,
      chains: scanChains({ ...SHAPE, ucloudListings: [40], cdnCertificates: 4_000 }),
      latencyMs: 30,
    });
    const text = explainLowerBound(bound).join('\n');
    expect(text).toContain('DescribeCertificateInfoByID');
    expect(text).toMatch(/4,000 calls \/ 100\/s\s+=\s+40\.00 s\s+<- slowest API/);
    expect(text).toContain('5 call(s) × 30 ms = 0.15 s');
    expect(text).toContain('= 40.15 s');
  });
});

describe('what a scan needs', () => {
  it('pages: one per pageSize items, an empty listing still one call', () => {
    expect([0, 1, 100, 101, 400].map((count) => pagesFor(count, 100))).toEqual([1, 1, 1, 2, 4]);
  });

  it('minimumCalls: pages per listing, one info call per CDN certificate, one call per SLB region', () => {
    expect(minimumCalls(SHAPE)).toEqual({
      DescribeSSLV2: 400,
      DescribeCdnSSLCertificateList: 40,
      DescribeCertificateInfoByID: 40_000,
      DescribeServerCertificates: 20,
    });
    expect(minimumCalls({ ...SHAPE, ucloudListings: [], cdnCertificates: null, slbRegions: 0 })).toEqual({});
  });

  it('callsNeeded: the answered calls, but never fewer than the minimum, saying where it raised them', () => {
    const { calls, notes } = callsNeeded(
      { DescribeSSLV2: 500, DescribeCertificateInfoByID: 39_819 },
      { DescribeSSLV2: 400, DescribeCertificateInfoByID: 40_000 },
    );
    expect(calls).toEqual({ DescribeSSLV2: 500, DescribeCertificateInfoByID: 40_000 });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('answered 39,819 calls, fewer than the 40,000');
  });

  it('chains: the largest listing; the CDN list pages then one info call; one SLB call', () => {
    expect(scanChains({ ...SHAPE, ucloudListings: [120, 401, 90] }).map((chain) => chain.calls)).toEqual([
      5, 41, 1,
    ]);
  });
});

describe('estimateNaive', () => {
  it('extrapolates a cut API by its time per call, keeps APIs measured to the end as they are', () => {
    const estimate = estimateNaive(
      {
        ms: 0,
        apis: [
          { action: 'DescribeSSLV2', calls: 100, requests: 100, throttled: 0, ms: 3_500, cut: false },
          {
            action: 'DescribeCertificateInfoByID',
            calls: 300,
            requests: 302,
            throttled: 2,
            ms: 12_000,
            cut: true,
          },
        ],
      },
      { DescribeSSLV2: 120, DescribeCertificateInfoByID: 4_000 },
    );
    // 3.5 s measured + 40 ms × 4,000 calls.
    expect(estimate.seconds).toBeCloseTo(3.5 + 160, 10);
    expect(estimate.estimated).toBe(true);
    expect(estimate.measuredCalls).toBe(400);
    expect(estimate.fullCalls).toBe(4_100);
    expect(estimate.lines[1]).toContain('300 measured, × 4,000 calls');
    expect(estimate.lines[1]).toContain('2 throttled replies slept on');
  });

  it('is a measurement, not an estimate, when no API was cut', () => {
    const estimate = estimateNaive(
      {
        ms: 0,
        apis: [{ action: 'DescribeSSLV2', calls: 10, requests: 10, throttled: 0, ms: 400, cut: false }],
      },
      { DescribeSSLV2: 999 },
    );
    expect(estimate).toMatchObject({ seconds: 0.4, estimated: false, fullCalls: 10 });
  });
});

const SIZES = { cas: 50, casListings: 4, cdn: 1000, cdnDomains: 100, dcdnDomains: 500 };

describe('accountsLowerBound', () => {
  const member: AccountShape = {
    account: '1000000000000002',
    name: 'member-02',
    member: true,
    byService: { cas: 2_500, cdn: 1_500, 'cdn-domain': 1_500, 'dcdn-domain': 1_000, alb: 1_300, slb: 2_000 },
  };

  it("chains a member's ListAccounts and AssumeRole before its longest listing", () => {
    // CDN domains: 15 pages of 100; CAS: the largest of 4 listings holds at least 625, 13 pages, then a detail.
    expect(accountChain(member, SIZES)).toEqual({
      what: 'ListAccounts, AssumeRole, then DescribeCdnHttpsDomainList: 15 page(s)',
      calls: 17,
    });
    expect(accountChain({ ...member, member: false }, SIZES).calls).toBe(15);
    expect(accountChain({ ...member, byService: {} }, SIZES).calls).toBe(2);
  });

  it("is the slowest account's bound, each account at its own limits, ALB's actions at their own quota", () => {
    const small: AccountShape = { ...member, account: '1000000000000003', name: 'member-03' };
    const { slowest, accounts } = accountsLowerBound({
      accounts: [
        { shape: member, calls: { GetUserCertificateDetail: 2_500, 'alb ListListenerCertificates': 548 } },
        { shape: small, calls: { GetUserCertificateDetail: 1_000 } },
      ],
      limits: { GetUserCertificateDetail: 100, ListListenerCertificates: 50 },
      latencyMs: 30,
      sizes: SIZES,
    });
    expect(accounts.map((one) => one.bound.seconds)).toEqual([25 + 0.51, 10 + 0.51]);
    expect(
      accounts[0]!.bound.apis.find((api) => api.action === 'alb ListListenerCertificates'),
    ).toMatchObject({
      perSecond: 50,
      seconds: 10.96,
    });
    expect(slowest?.name).toBe('member-02');
  });
});
