/**
 * One cheap signed call per configured provider endpoint, through the scan's own clients and wire code: the
 * smallest page of each listing, which proves the endpoint answers, the key signs and the target exists.
 */
import { CertwatchError } from '../errors';
import type { RetryPolicy } from '../http/retry';
import { describeCdnCertificatePage } from '../providers/aliyun/cdn/listCertificates';
import type { AliyunRpcClient } from '../providers/aliyun/client';
import { describeServerCertificates } from '../providers/aliyun/slb/describeServerCertificates';
import { failureMessage } from '../providers/source';
import type { UcloudClient } from '../providers/ucloud/client';
import {
  type DescribeSslV2Target,
  describeSslV2Page,
  describeTarget,
} from '../providers/ucloud/describeSslV2';
import type { Check, CheckResult } from './check';

/** Two attempts and short waits: doctor answers in seconds; a scan is what keeps trying. */
export const DOCTOR_RETRY: RetryPolicy = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1000 };

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
 * ok with what `see` saw, or fail with the error's own message: the clients' messages name the call and say what
 * to check (`— check UCLOUD_PRIVATE_KEY`), so they are kept whole when they start with `stem`.
 */
async function answer(subject: string, stem: string, see: () => Promise<string>): Promise<CheckResult> {
  try {
    return { status: 'ok', text: `${subject}: ${await see()}` };
  } catch (error) {
    const message = failureMessage(error);
    const named = error instanceof CertwatchError && message.startsWith(stem);
    return { status: 'fail', text: named ? message : `${subject}: ${message}` };
  }
}

function certificates(count: number, field: string): string {
  return `${count} certificate${count === 1 ? '' : 's'} (${field})`;
}

/** The host and port of an endpoint: never a path or any user:password part. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the endpoint';
  }
}
