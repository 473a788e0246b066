/**
 * `certwatch doctor`'s calls to Alibaba Cloud: CDN's first list page, the first page of CDN's and DCDN's HTTPS
 * domains, CAS, and each SLB region's list.
 */

import { answer, certificates, hostOf } from '../../checks/answer';
import type { Check } from '../../checks/check';
import { getUserCertificateDetail } from './cas/getUserCertificateDetail';
import { casDeployments } from './cas/listCloudResources';
import { casIdOf, listUserCertificateOrderPage } from './cas/listUserCertificateOrder';
import { describeCdnCertificatePage } from './cdn/listCertificates';
import type { AliyunRpcClient } from './client';
import { describeHttpsDomainPage, type HttpsDomainProduct } from './domains/httpsDomainList';
import { describeServerCertificates } from './slb/describeServerCertificates';

/** The first CDN list page of one certificate. Count may be a total or the page's count (unverified). */
export function cdnCheck(client: AliyunRpcClient, endpoint: string): Check {
  const subject = 'Alibaba CDN DescribeCdnSSLCertificateList';
  return {
    subject,
    run: () =>
      answer(subject, subject, async () => {
        const page = await describeCdnCertificatePage(client, 1, 1);
        const seen =
          page.certs.length === 0
            ? 'no certificates'
            : page.count !== null && page.count > page.certs.length
              ? certificates(page.count, 'Count')
              : 'at least 1 certificate';
        return `${hostOf(endpoint)} answered; ${seen}`;
      }),
  };
}

/**
 * The first page (of one) of CDN's or DCDN's HTTPS domains. A key without the RAM action fails with the client's
 * message, which names the action; a product the account has not opened is information, not a failure (the scan
 * lists nothing there).
 */
export function httpsDomainsCheck(
  client: AliyunRpcClient,
  product: HttpsDomainProduct,
  endpoint: string,
): Check {
  const subject = `Alibaba ${product.product} ${product.action}`;
  return {
    subject,
    async run() {
      let notOpened = false;
      const result = await answer(subject, subject, async () => {
        const page = await describeHttpsDomainPage(client, product, 1, 1);
        notOpened = !page.opened;
        if (notOpened) {
          return (
            `${hostOf(endpoint)} answered that ${product.product} is not opened for this account: no domains ` +
            `to scan (${product.scanSetting}=false skips the call)`
          );
        }
        const count = page.total ?? page.domains.length;
        return `${hostOf(endpoint)} answered; ${count} HTTPS domain${count === 1 ? '' : 's'}${page.total === null ? '' : ' (TotalCount)'}`;
      });
      return notOpened && result.status === 'ok' ? { ...result, status: 'info' } : result;
    },
  };
}

/** DescribeServerCertificates in one region (it has no paging: the whole list). */
export function slbRegionCheck(client: AliyunRpcClient, region: string, endpoint: string): Check {
  const subject = `Alibaba SLB DescribeServerCertificates in ${region}`;
  return {
    subject,
    run: () =>
      answer(subject, subject, async () => {
        const items = await describeServerCertificates(client, region);
        const count = `${items.length} server certificate${items.length === 1 ? '' : 's'}`;
        return `${hostOf(endpoint)} answered; ${count}`;
      }),
  };
}

/**
 * CAS: ListUserCertificateOrder with ShowSize 1, then, when it lists a certificate, that certificate's details
 * (CertFilter=true, as always) and its deployments, so that each RAM action a scan needs is tried; a permission
 * error names the missing one (`yundun-cert:<Action>`, the client's advice).
 */
export function casCheck(client: AliyunRpcClient, endpoint: string): Check {
  const subject = 'Alibaba CAS ListUserCertificateOrder';
  return {
    subject,
    run: () =>
      answer(subject, 'Alibaba CAS', async () => {
        const page = await listUserCertificateOrderPage(
          client,
          { orderType: 'CERT', status: null },
          { currentPage: 1, showSize: 1 },
        );
        const first = page.entries.map((entry) =>
          typeof entry === 'object' && entry !== null
            ? casIdOf((entry as Record<string, unknown>).CertificateId)
            : null,
        )[0];
        const seen =
          page.totalCount !== null
            ? certificates(page.totalCount, 'TotalCount')
            : page.entries.length === 0
              ? 'no certificates'
              : 'at least 1 certificate';
        if (!first) return `${hostOf(endpoint)} answered; ${seen}`;
        await getUserCertificateDetail(client, first);
        await casDeployments(client, [first]);
        return `${hostOf(endpoint)} answered; ${seen}; GetUserCertificateDetail and ListCloudResources answered too`;
      }),
  };
}
