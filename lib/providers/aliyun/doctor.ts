/** `certwatch doctor`'s calls to Alibaba Cloud: CDN's first list page, CAS, and each SLB region's list. */

import { answer, certificates, hostOf } from '../../checks/answer';
import type { Check } from '../../checks/check';
import { getUserCertificateDetail } from './cas/getUserCertificateDetail';
import { casDeployments } from './cas/listCloudResources';
import { casIdOf, listUserCertificateOrderPage } from './cas/listUserCertificateOrder';
import { describeCdnCertificatePage } from './cdn/listCertificates';
import type { AliyunRpcClient } from './client';
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
