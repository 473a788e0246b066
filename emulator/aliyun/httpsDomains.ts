/**
 * CDN DescribeCdnHttpsDomainList (CDN 2018-05-10) and DCDN DescribeDcdnHttpsDomainList (DCDN 2018-01-15): the same
 * list under two products (reference §5; Alibaba API docs of both). PageNumber 1..100000, PageSize default 20 and
 * 1..500 (DCDN's documented range; CDN's maximum is unconfirmed, so the emulator holds CDN to the same), anything
 * else InvalidParameter. The reply wraps its list (`CertInfos: {CertInfo: [...]}`) beside TotalCount.
 */
import type { AliyunHttpsDomain } from '../fleet/model';
import { type AliyunAction, failed } from './action';
import { aliyunError } from './errors';
import type { AliyunStore } from './store';

export const DCDN_API_VERSION = '2018-01-15';
export const DEFAULT_DOMAIN_PAGE_SIZE = 20;
export const MAX_DOMAIN_PAGE_SIZE = 500;
const MAX_PAGE_NUMBER = 100_000;

interface DomainListOptions {
  /** The product's domains; null: the product is not opened for the account (OperationDenied, 403). */
  domains(store: AliyunStore): readonly AliyunHttpsDomain[] | null;
  /**
   * Whether an account without any HTTPS domain is answered with the error NoHttpsDomain (DCDN's documented
   * error) rather than an empty list (CDN: emulator choice, its doc names no such error).
   */
  noneIsError: boolean;
}

/** The list action over one product's domains. */
export function httpsDomainListAction(options: DomainListOptions): AliyunAction {
  return ({ params, store, pageCap }) => {
    const pageNumber = readInteger(params.PageNumber, 1);
    if (pageNumber === undefined || pageNumber < 1 || pageNumber > MAX_PAGE_NUMBER) {
      return failed(
        aliyunError('InvalidParameter', 'PageNumber', `a whole number from 1 to ${MAX_PAGE_NUMBER}`),
      );
    }
    const pageSize = readInteger(params.PageSize, DEFAULT_DOMAIN_PAGE_SIZE);
    if (pageSize === undefined || pageSize < 1 || pageSize > MAX_DOMAIN_PAGE_SIZE) {
      return failed(
        aliyunError('InvalidParameter', 'PageSize', `a whole number from 1 to ${MAX_DOMAIN_PAGE_SIZE}`),
      );
    }
    const all = options.domains(store);
    if (all === null) return failed(aliyunError('OperationDenied'));
    if (all.length === 0 && options.noneIsError) return failed(aliyunError('NoHttpsDomain'));
    // Emulator choice: Keyword is a case-insensitive substring of DomainName or CertName (undocumented).
    const keyword = params.Keyword?.toLowerCase();
    const matching = keyword
      ? all.filter(
          (domain) =>
            domain.DomainName.toLowerCase().includes(keyword) ||
            (domain.CertName ?? '').toLowerCase().includes(keyword),
        )
      : all;
    // A test's cap serves smaller pages than asked; the reply names no page size either way.
    const served = Math.min(pageSize, pageCap ?? pageSize);
    const start = (pageNumber - 1) * served;
    const page = matching.slice(start, start + served).map((domain) => ({ ...domain }));
    return {
      ok: true,
      body: { TotalCount: matching.length, CertInfos: { CertInfo: page } },
      certificatesReturned: page.length,
    };
  };
}

export const cdnHttpsDomainList = httpsDomainListAction({
  domains: (store) => store.cdnDomains(),
  noneIsError: false,
});

/** The DCDN actions, by name. */
export function createDcdnActions(): Record<string, AliyunAction> {
  return {
    DescribeDcdnHttpsDomainList: httpsDomainListAction({
      domains: (store) => store.dcdnDomains(),
      noneIsError: true,
    }),
  };
}

/** A whole-number parameter; absent or empty -> the default; anything else -> undefined (invalid). */
function readInteger(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}
