/**
 * The lower bound of a scan's wall time at the providers' rate limits (issue 6): for each API, the calls a
 * client that is never throttled would make divided by the API's limit — the APIs are limited separately and
 * can be called in parallel, so the slowest one counts — plus the round trips of the longest chain of calls
 * that cannot overlap (pages of one listing follow each other; a CDN certificate's details need the list page
 * that named it).
 *
 * It is a bound for the calls certwatch made, not for a different paging strategy (larger pages would make
 * fewer calls). The buckets start full, holding one second's worth, so a client could in principle beat the
 * rate part by up to that second; the printed explanation says how much.
 */

export interface SequentialChain {
  /** What the chain is, in words. */
  what: string;
  calls: number;
}

export interface ApiTime {
  action: string;
  calls: number;
  /** Requests per second; null when the API has no limit. */
  perSecond: number | null;
  seconds: number;
}

export interface LowerBound {
  apis: ApiTime[];
  /** The slowest API at its rate limit. */
  rateSeconds: number;
  /** The API that sets `rateSeconds` (null when no call is limited). */
  boundBy: ApiTime | null;
  chain: SequentialChain | null;
  chainSeconds: number;
  latencyMs: number;
  /** rateSeconds + chainSeconds. */
  seconds: number;
  /** How much sooner a client could finish by spending the full buckets it starts with. */
  burstSlackSeconds: number;
}

export interface LowerBoundInput {
  /** Calls answered (not throttled), by Action. */
  calls: Readonly<Record<string, number>>;
  /** Requests per second by Action; an Action not named is unlimited. */
  limits: Readonly<Record<string, number>>;
  chains: readonly SequentialChain[];
  /** The emulator's latency per reply. */
  latencyMs: number;
  /** A bucket's size in seconds' worth of requests (the emulator's default, 1). */
  burstSeconds?: number;
}

export function lowerBound(input: LowerBoundInput): LowerBound {
  const apis = Object.entries(input.calls)
    .filter(([, calls]) => calls > 0)
    .map(([action, calls]): ApiTime => {
      const perSecond = Object.hasOwn(input.limits, action) ? input.limits[action]! : null;
      return { action, calls, perSecond, seconds: perSecond === null ? 0 : calls / perSecond };
    })
    .sort((a, b) => b.seconds - a.seconds || a.action.localeCompare(b.action));
  const boundBy = apis.find((api) => api.perSecond !== null) ?? null;
  const rateSeconds = boundBy?.seconds ?? 0;
  const chain = input.chains.reduce<SequentialChain | null>(
    (longest, candidate) => (longest === null || candidate.calls > longest.calls ? candidate : longest),
    null,
  );
  const chainSeconds = ((chain?.calls ?? 0) * input.latencyMs) / 1000;
  const burstSeconds = input.burstSeconds ?? 1;
  const burstSlackSeconds =
    boundBy?.perSecond != null
      ? Math.min(boundBy.calls, boundBy.perSecond * burstSeconds) / boundBy.perSecond
      : 0;
  return {
    apis,
    rateSeconds,
    boundBy,
    chain,
    chainSeconds,
    latencyMs: input.latencyMs,
    seconds: rateSeconds + chainSeconds,
    burstSlackSeconds,
  };
}

/** Pages of `pageSize` needed to list `count` items (an empty listing still takes one call). */
export function pagesFor(count: number, pageSize: number): number {
  return Math.max(1, Math.ceil(count / pageSize));
}

/** What a scan found where, as far as the bound needs it. */
export interface ScanShape {
  /** Certificates in each UCloud region × project scanned, empty ones included. */
  ucloudListings: readonly number[];
  ucloudPageSize: number;
  /** CDN certificates listed; null when CDN was not scanned. */
  cdnCertificates: number | null;
  cdnPageSize: number;
  slbRegions: number;
}

/**
 * The fewest calls any client needs for what the scan found: a page per `pageSize` certificates of each
 * listing, one DescribeCertificateInfoByID per CDN certificate, one DescribeServerCertificates per region.
 */
export function minimumCalls(shape: ScanShape): Record<string, number> {
  const calls: Record<string, number> = {};
  if (shape.ucloudListings.length > 0) {
    calls.DescribeSSLV2 = shape.ucloudListings.reduce(
      (sum, count) => sum + pagesFor(count, shape.ucloudPageSize),
      0,
    );
  }
  if (shape.cdnCertificates !== null) {
    calls.DescribeCdnSSLCertificateList = pagesFor(shape.cdnCertificates, shape.cdnPageSize);
    if (shape.cdnCertificates > 0) calls.DescribeCertificateInfoByID = shape.cdnCertificates;
  }
  if (shape.slbRegions > 0) calls.DescribeServerCertificates = shape.slbRegions;
  return calls;
}

/**
 * The calls the bound counts, by Action: those the emulator answered (what a client that is never throttled
 * makes), but never fewer than the minimum for what was found — a call that was throttled until the client gave
 * up was never answered, yet a complete scan needs it. `notes` says where the minimum won.
 */
export function callsNeeded(
  answered: Readonly<Record<string, number>>,
  minimum: Readonly<Record<string, number>>,
): { calls: Record<string, number>; notes: string[] } {
  const calls: Record<string, number> = { ...answered };
  const notes: string[] = [];
  for (const [action, least] of Object.entries(minimum)) {
    const got = answered[action] ?? 0;
    if (least > got) {
      calls[action] = least;
      notes.push(
        `  ${action}: the emulator answered ${formatNumber(got)} calls, fewer than the ${formatNumber(least)} ` +
          'that what the scan found needs (some were throttled until certwatch gave up); the bound counts ' +
          `${formatNumber(least)}.`,
      );
    }
  }
  return { calls, notes };
}

/** The chains of calls a scan of these providers cannot overlap, from what each listing holds. */
export function scanChains(shape: ScanShape): SequentialChain[] {
  const chains: SequentialChain[] = [];
  const largest = Math.max(0, ...shape.ucloudListings);
  if (shape.ucloudListings.length > 0) {
    const pages = pagesFor(largest, shape.ucloudPageSize);
    chains.push({
      what:
        `DescribeSSLV2: the largest region × project listing, ${formatNumber(largest)} certificates, ` +
        `${pages} page(s) of ${shape.ucloudPageSize} one after another`,
      calls: pages,
    });
  }
  if (shape.cdnCertificates !== null) {
    const pages = pagesFor(shape.cdnCertificates, shape.cdnPageSize);
    chains.push({
      what:
        `DescribeCdnSSLCertificateList: ${pages} page(s) of ${shape.cdnPageSize} one after another, then ` +
        'one DescribeCertificateInfoByID for a certificate on the last page',
      calls: shape.cdnCertificates > 0 ? pages + 1 : pages,
    });
  }
  if (shape.slbRegions > 0) {
    chains.push({ what: 'DescribeServerCertificates: one call per region, independent', calls: 1 });
  }
  return chains;
}

/** What a multi-account scan found in one Alibaba account, as far as its bound needs it. */
export interface AccountShape {
  /** The account id, as the emulator counts its calls. */
  account: string;
  /** Its display name. */
  name: string;
  /** A Resource Directory member: listed by ListAccounts and reached through AssumeRole before its first call. */
  member: boolean;
  /** Certificates found, by record `service` (cas, alb, cdn, cdn-domain, dcdn-domain, slb, ...). */
  byService: Readonly<Record<string, number>>;
}

/** Page sizes certwatch asks of each listing a multi-account scan reads. */
export interface AccountPageSizes {
  cas: number;
  /** How many CAS listings there are (order type × status), each paged on its own. */
  casListings: number;
  cdn: number;
  cdnDomains: number;
  dcdnDomains: number;
}

/**
 * The longest chain of one account's calls that cannot overlap: for a member, ListAccounts then AssumeRole (its
 * credentials come before any of its calls), then its longest listing. CAS: the largest of its listings holds at
 * least a `casListings`-th of the certificates, then one GetUserCertificateDetail; CDN: every list page, then
 * one DescribeCertificateInfoByID; domains: their pages; ALB and NLB: load balancers, then a listener page, then
 * its certificates; SLB: one call per region.
 */
export function accountChain(shape: AccountShape, sizes: AccountPageSizes): SequentialChain {
  const count = (service: string) => shape.byService[service] ?? 0;
  const services: SequentialChain[] = [{ what: 'nothing listed', calls: 0 }];
  if (count('cas') > 0) {
    const pages = pagesFor(Math.ceil(count('cas') / sizes.casListings), sizes.cas);
    services.push({
      what: `CAS: ${pages} ListUserCertificateOrder page(s) of the largest of ${sizes.casListings} listings, then a detail`,
      calls: pages + 1,
    });
  }
  if (count('cdn') > 0) {
    const pages = pagesFor(count('cdn'), sizes.cdn);
    services.push({ what: `CDN: ${pages} list page(s), then a certificate's details`, calls: pages + 1 });
  }
  for (const [service, size, action] of [
    ['cdn-domain', sizes.cdnDomains, 'DescribeCdnHttpsDomainList'],
    ['dcdn-domain', sizes.dcdnDomains, 'DescribeDcdnHttpsDomainList'],
  ] as const) {
    if (count(service) > 0) {
      services.push({
        what: `${action}: ${pagesFor(count(service), size)} page(s)`,
        calls: pagesFor(count(service), size),
      });
    }
  }
  for (const service of ['alb', 'nlb']) {
    if (count(service) > 0) {
      services.push({
        what: `${service.toUpperCase()}: load balancers, listeners, listener certificates`,
        calls: 3,
      });
    }
  }
  if (count('slb') > 0) services.push({ what: 'SLB: one call per region', calls: 1 });
  const longest = services.reduce((a, b) => (b.calls > a.calls ? b : a));
  const prefix = shape.member ? 2 : 0;
  return {
    what: `${shape.member ? 'ListAccounts, AssumeRole, then ' : ''}${longest.what}`,
    calls: prefix + longest.calls,
  };
}

export interface AccountBound {
  account: string;
  name: string;
  bound: LowerBound;
}

/**
 * The bound of a multi-account scan: the accounts' limits are their own and they run side by side, so it is the
 * slowest account's bound — its calls at its limits (`alb X` and `nlb X` at the limit of X, their quotas being
 * their own) plus its chain.
 */
export function accountsLowerBound(input: {
  accounts: readonly { shape: AccountShape; calls: Readonly<Record<string, number>> }[];
  limits: Readonly<Record<string, number>>;
  latencyMs: number;
  sizes: AccountPageSizes;
}): { slowest: AccountBound | null; accounts: AccountBound[] } {
  const accounts = input.accounts.map(({ shape, calls }): AccountBound => {
    const limits: Record<string, number> = { ...input.limits };
    for (const action of Object.keys(calls)) {
      const product = /^(?:alb|nlb) (\w+)$/.exec(action);
      if (product && Object.hasOwn(input.limits, product[1]!)) limits[action] = input.limits[product[1]!]!;
    }
    const chain = accountChain(shape, input.sizes);
    return {
      account: shape.account,
      name: shape.name,
      bound: lowerBound({ calls, limits, latencyMs: input.latencyMs, chains: [chain] }),
    };
  });
  const slowest = accounts.reduce<AccountBound | null>(
    (worst, one) => (worst === null || one.bound.seconds > worst.bound.seconds ? one : worst),
    null,
  );
  return { slowest, accounts };
}

/** How the bound was computed: a line per API, the chain, the sum. */
export function explainLowerBound(bound: LowerBound): string[] {
  const lines = bound.apis.map((api) => {
    const limit = api.perSecond === null ? 'no limit' : `${formatNumber(api.perSecond)}/s`;
    const marker = api === bound.boundBy ? '   <- slowest API' : '';
    return `  ${api.action.padEnd(30)} ${formatNumber(api.calls).padStart(8)} calls / ${limit.padEnd(9)} = ${api.seconds.toFixed(2).padStart(7)} s${marker}`;
  });
  if (bound.chain) {
    lines.push(
      `  longest sequential chain: ${bound.chain.calls} call(s) × ${bound.latencyMs} ms = ${bound.chainSeconds.toFixed(2)} s ` +
        `(${bound.chain.what})`,
    );
  }
  lines.push(
    `  bound = ${bound.rateSeconds.toFixed(2)} s (slowest API) + ${bound.chainSeconds.toFixed(2)} s (chain) = ` +
      `${bound.seconds.toFixed(2)} s. The buckets start full, so a client that spent them at once could finish ` +
      `up to ${bound.burstSlackSeconds.toFixed(2)} s sooner.`,
  );
  return lines;
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : String(Number(value.toFixed(2)));
}
