/**
 * `certwatch doctor`'s calls to Alibaba Cloud: CDN's first list page, the first page of CDN's and DCDN's HTTPS
 * domains, CAS, each SLB region's list, and each ALB and NLB region's first load balancer, listener and listener
 * certificates.
 */

import { answer, certificates, hostOf } from '../../checks/answer';
import type { Check } from '../../checks/check';
import { inertText } from '../../inert';
import type { ListedPage, Listing } from '../listing';
import { wireText } from '../wire';
import { getUserCertificateDetail } from './cas/getUserCertificateDetail';
import { casDeployments } from './cas/listCloudResources';
import { casIdOf, listUserCertificateOrderPage } from './cas/listUserCertificateOrder';
import { describeCdnCertificatePage } from './cdn/listCertificates';
import type { AliyunRpcClient } from './client';
import { describeHttpsDomainPage, type HttpsDomainProduct } from './domains/httpsDomainList';
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
