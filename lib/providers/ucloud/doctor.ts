/** `certwatch doctor`'s call to UCloud: one per region × project, through the scan's own client. */

import { answer, certificates, hostOf } from '../../checks/answer';
import type { Check } from '../../checks/check';
import type { UcloudClient } from './client';
import { type DescribeSslV2Target, describeSslV2Page, describeTarget } from './describeSslV2';

/** DescribeSSLV2 with Limit 1 in one region and project; TotalCount says how many certificates it holds. */
export function ucloudTargetCheck(client: UcloudClient, target: DescribeSslV2Target, apiUrl: string): Check {
  const subject = `UCloud DescribeSSLV2 ${describeTarget(target)}`;
  return {
    subject,
    run: () =>
      answer(subject, 'UCloud DescribeSSLV2', async () => {
        const page = await describeSslV2Page(client, target, 1, 0);
        const seen =
          page.total === null ? 'the reply gives no TotalCount' : certificates(page.total, 'TotalCount');
        return `${hostOf(apiUrl)} answered; ${seen}`;
      }),
  };
}
