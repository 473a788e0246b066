/**
 * `certwatch emulator --cdn-count N --slb-count N`, or `--accounts N --per-account ...`: a generated Alibaba Cloud
 * fleet, one account's CDN and SLB certificates or a Resource Directory of accounts each holding the same resources
 * (emulator/fleet/generatedPart.ts).
 */
import { UsageError } from '../../lib/errors';
import { cachedAliyunAccountsFleet, cachedAliyunCdnFleet, cachedAliyunSlbFleet } from '../fleet/file';
import type { AliyunAccountResourceCounts } from '../fleet/generate';
import { type FlagValues, type GeneratedFleetPart, integerFlag, listFlag } from '../fleet/generatedPart';
import type { Fleet } from '../fleet/model';

/** What `--per-account` may count, each a resource of every generated account. */
const PER_ACCOUNT: Record<keyof AliyunAccountResourceCounts, true> = {
  cas: true,
  alb: true,
  nlb: true,
  cdn: true,
  cdnDomains: true,
  dcdnDomains: true,
  slb: true,
};

export const aliyunGeneratedFleet: GeneratedFleetPart<'aliyun'> = {
  provider: 'aliyun',
  flags: [
    { name: 'cdn-count', value: 'N' },
    { name: 'slb-count', value: 'N' },
    { name: 'slb-regions', value: 'LIST' },
    { name: 'accounts', value: 'N' },
    { name: 'per-account', value: `${Object.keys(PER_ACCOUNT).join('=N,')}=N` },
    { name: 'account-regions', value: 'LIST' },
  ],
  countFlags: ['cdn-count', 'slb-count', 'accounts'],
  help: [
    '--accounts N: a Resource Directory of N Alibaba accounts (the main one and its members), each holding ' +
      'the --per-account resources (alb/nlb count load balancers).',
  ],
  prepare(values, { seed, now }) {
    const cdnCount = integerFlag('cdn-count', values['cdn-count'], 0, 1_000_000) ?? 0;
    const slbCount = integerFlag('slb-count', values['slb-count'], 0, 1_000_000) ?? 0;
    const slbRegions = listFlag('slb-regions', values['slb-regions']) ?? ['cn-hangzhou', 'cn-shanghai'];
    const accounts = integerFlag('accounts', values.accounts, 1, 1_000);
    if (accounts !== undefined) {
      if (cdnCount > 0 || slbCount > 0) {
        throw new UsageError(
          '--accounts cannot be combined with --cdn-count or --slb-count: use --per-account',
        );
      }
      const regions = listFlag('account-regions', values['account-regions']);
      const counts = perAccount(values);
      // A Resource Directory of the main account and its members, as an organisation with many accounts runs.
      return () =>
        cachedAliyunAccountsFleet({
          accounts,
          seed,
          now,
          perAccount: counts,
          resourceDirectory: true,
          ...(regions ? { regions } : {}),
        }).fleet;
    }
    if (values['per-account'] !== undefined || values['account-regions'] !== undefined) {
      throw new UsageError('--per-account and --account-regions need --accounts');
    }
    if (cdnCount === 0 && slbCount === 0) return undefined;
    return () => {
      const aliyun: NonNullable<Fleet['aliyun']> = {};
      if (cdnCount > 0) {
        aliyun.cdn = { certificates: cachedAliyunCdnFleet({ count: cdnCount, seed, now }).certificates };
      }
      if (slbCount > 0) {
        aliyun.slb = {
          certificates: cachedAliyunSlbFleet({ count: slbCount, seed, now, regions: slbRegions })
            .certificates,
        };
      }
      return aliyun;
    };
  },
};

/** `--per-account cas=2500,alb=300,...`: how many of each resource every generated account holds. */
function perAccount(values: FlagValues): AliyunAccountResourceCounts {
  const counts: AliyunAccountResourceCounts = {};
  for (const entry of (values['per-account'] ?? '').split(',').filter((item) => item.trim() !== '')) {
    const [name = '', value = ''] = entry.split('=').map((part) => part.trim());
    if (!Object.hasOwn(PER_ACCOUNT, name)) {
      throw new UsageError(
        `--per-account "${entry}": the resource must be one of ${Object.keys(PER_ACCOUNT).join(', ')}`,
      );
    }
    counts[name as keyof AliyunAccountResourceCounts] = integerFlag(
      `per-account ${name}`,
      value,
      0,
      1_000_000,
    );
  }
  if (Object.keys(counts).length === 0) {
    throw new UsageError('--accounts needs --per-account, e.g. cas=100,alb=10,cdn=50,slb=50');
  }
  return counts;
}
