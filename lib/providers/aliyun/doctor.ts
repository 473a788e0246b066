/**
 * `certwatch doctor`'s calls to Alibaba Cloud: CDN's first list page, each SLB region's list, and each ALB and NLB
 * region's first load balancer, listener and listener certificates.
 */

import { answer, certificates, hostOf } from '../../checks/answer';
import type { Check } from '../../checks/check';
import { inertText } from '../../inert';
import type { ListedPage, Listing } from '../listing';
import { wireText } from '../wire';
import { describeCdnCertificatePage } from './cdn/listCertificates';
import type { AliyunRpcClient } from './client';
import type { ListenerService } from './listenerCertificates';
import { describeServerCertificates } from './slb/describeServerCertificates';
import type { WireObject } from './tokenListing';

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
 * One region of ALB or NLB: the first load balancer, the first TLS listener and, when there is one, its
 * certificates — each call a permission of its own, so a key that lacks one is told which RAM action
 * (`alb:ListListenerCertificates`): the client's permission advice names it.
 */
export function listenerRegionCheck(
  service: ListenerService,
  client: AliyunRpcClient,
  region: string,
  endpoint: string,
): Check {
  const subject = `Alibaba ${service.product} in ${region}`;
  return {
    subject,
    run: () =>
      answer(subject, `Alibaba ${service.product} `, async () => {
        const [loadBalancers, listener] = await Promise.all([
          firstPage(service.loadBalancers(client, region, 1)),
          firstListener(service, client, region),
        ]);
        const found = loadBalancers.total ?? loadBalancers.entries.length;
        const seen = [`${found} load balancer${found === 1 ? '' : 's'} (TotalCount)`];
        if (listener) {
          const page = await firstPage(service.certificates(client, region, listener));
          const count = page.total ?? page.entries.length;
          seen.push(`listener ${inertText(listener)} holds ${count} certificate${count === 1 ? '' : 's'}`);
        } else {
          seen.push('no TLS listeners');
        }
        return `${hostOf(endpoint)} answered; ${seen.join('; ')}`;
      }),
  };
}

async function firstPage(listing: Listing<WireObject>): Promise<ListedPage> {
  if (listing.paging.style !== 'token') throw new Error(`${listing.label}: not a token listing`);
  return listing.paging.fetch(null, listing.paging.pageSize);
}

/** The id of the first TLS listener of the region, over the protocols the service lists; null when none. */
async function firstListener(
  service: ListenerService,
  client: AliyunRpcClient,
  region: string,
): Promise<string | null> {
  for (const listing of service.listeners(client, region, 1)) {
    const page = await firstPage(listing);
    const listener = page.entries.map((entry) => listing.item(entry)).find((item) => item !== null);
    if (listener) return wireText(listener.ListenerId);
  }
  return null;
}
