/** `certwatch doctor`'s calls to Alibaba Cloud: CDN's first list page, and each SLB region's list. */

import { answer, certificates, hostOf } from '../../checks/answer';
import type { Check } from '../../checks/check';
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
