/**
 * Alibaba Cloud certificates: CDN (list the ids, then one DescribeCertificateInfoByID each, a bounded number in
 * flight), SLB (DescribeServerCertificates per configured region, concurrently) and ALB and NLB listener
 * certificates per region. A page, a certificate, a listener or a region that fails is a named failure; the rest
 * still complete.
 */

import { forEachBounded, forEachPaged } from '../../concurrency';
import { failureMessage, inertText } from '../../inert';
import type { ObservedCertificate } from '../../model';
import { type Listing, listPages } from '../listing';
import type { CertificateSource, ProviderDeps, ScanSink } from '../source';
import { wireText } from '../wire';
import { type CdnCertInfo, describeCertificateInfo, mapCdnCertificate } from './cdn/certificateInfo';
import {
  type CdnCertListEntry,
  cdnCertificateListing,
  certIdOf,
  DEFAULT_CDN_PAGING,
} from './cdn/listCertificates';
import { aliyunClient } from './client';
import type { AliyunConfig } from './config';
import { type HttpsDomainProduct, listHttpsDomainPages, mapHttpsDomain } from './domains/httpsDomainList';
import { isCaCertificate, type ListenerService, mapListenerCertificate } from './listenerCertificates';
import { mapServerCertificate, serverCertificatesListing } from './slb/describeServerCertificates';
import type { WireObject } from './tokenListing';

/**
 * DescribeCertificateInfoByID calls that may be in flight. One call per certificate makes this the scan's longest
 * chain; the client's pacing (pacing.ts) learns how many calls per second the account may make and releases them
 * at that rate, so this only has to be enough to keep that rate busy at slow round trips (100 calls/s × 300 ms).
 */
export const CDN_INFO_CONCURRENCY = 48;

/** List entries read ahead of the describing: two pages of 1000 at most, whatever the fleet's size. */
const CDN_READ_AHEAD = 2000;

interface SourceOptions {
  requestTimeoutMs: number;
  cdnConcurrency?: number;
  slbConcurrency?: number;
}

export function aliyunCdnSource(
  config: AliyunConfig,
  options: SourceOptions,
  deps: ProviderDeps = {},
): CertificateSource {
  const client = aliyunClient(config, { product: 'CDN' }, options, deps);
  const fail = (sink: ScanSink, message: string) =>
    sink.failure({ provider: 'aliyun', service: 'cdn', region: null, project: null, message });
  return {
    provider: 'aliyun',
    service: 'cdn',
    async scan(sink, signal) {
      const listing = cdnCertificateListing(client, DEFAULT_CDN_PAGING.pageSize);
      // What the list held at its end: a certificate whose details could not be read because it was deleted
      // meanwhile is gone, not a failure.
      const listed: { atEnd: ReadonlySet<string> | null } = { atEnd: null };
      const pages = async function* () {
        listed.atEnd = yield* listPages(listing, DEFAULT_CDN_PAGING, signal);
      };
      // Certificates whose details could not be read: reported once the list is read, together, so a throttled
      // run does not bury the digest under thousands of lines.
      const unread: { entry: CdnCertListEntry; observed: ObservedCertificate; message: string }[] = [];
      const describe = async (entry: CdnCertListEntry) => {
        const id = certIdOf(entry)!;
        let info: CdnCertInfo | null = null;
        let problem: string | null = null;
        try {
          info = await describeCertificateInfo(client, id, signal);
          if (!info) problem = `DescribeCertificateInfoByID returned no details for CertId ${id}`;
        } catch (error) {
          problem = failureMessage(error);
        }
        // The certificate exists (the list said so): it is reported once, with what could be read.
        const observed = mapCdnCertificate(entry, info);
        if (!problem) {
          sink.certificate(observed);
          return;
        }
        observed.notes.push('its details could not be read (see the failures)');
        unread.push({ entry, observed, message: problem });
      };
      // One stream: the next list page is read while earlier certificates are described, and describing never
      // waits for a page boundary. The pacing of the client decides how fast the calls actually go.
      await forEachPaged(
        pages(),
        options.cdnConcurrency ?? CDN_INFO_CONCURRENCY,
        CDN_READ_AHEAD,
        describe,
      ).catch((error: unknown) => fail(sink, failureMessage(error)));
      const stillListed = unread.filter(
        ({ entry }) => listed.atEnd === null || listed.atEnd.has(listing.identity(entry)),
      );
      for (const { observed } of stillListed) sink.certificate(observed);
      if (stillListed.length > 0) fail(sink, unreadMessage(stillListed));
    },
  };
}

function unreadMessage(unread: { entry: CdnCertListEntry; message: string }[]): string {
  const ids = unread.map((u) => certIdOf(u.entry)!).sort();
  const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
  return `the details of ${unread.length} certificate(s) could not be read (${shown}): ${unread[0]!.message}`;
}

export function aliyunSlbSource(
  config: AliyunConfig,
  options: SourceOptions,
  deps: ProviderDeps = {},
): CertificateSource {
  const clients = new Map(
    config.slbRegions.map((region) => [
      region,
      aliyunClient(config, { product: 'SLB', region }, options, deps),
    ]),
  );
  return {
    provider: 'aliyun',
    service: 'slb',
    scan: (sink, signal) =>
      forEachBounded(config.slbRegions, options.slbConcurrency ?? 8, async (region) => {
        try {
          const listing = serverCertificatesListing(clients.get(region)!, region);
          for await (const items of listPages(listing, undefined, signal)) {
            for (const item of items) sink.certificate(mapServerCertificate(item, region));
          }
        } catch (error) {
          sink.failure({
            provider: 'aliyun',
            service: 'slb',
            region,
            project: null,
            message: failureMessage(error),
          });
        }
      }),
  };
}

/**
 * CDN's or DCDN's HTTPS domains (DescribeCdnHttpsDomainList / DescribeDcdnHttpsDomainList): one record per domain,
 * page by page. The list is global, so a failure names no region. A product the account has not opened lists
 * nothing, and is no failure.
 */
export function aliyunHttpsDomainSource(
  config: AliyunConfig,
  product: HttpsDomainProduct,
  options: SourceOptions,
  deps: ProviderDeps = {},
): CertificateSource {
  const client = aliyunClient(config, { product: product.product }, options, deps);
  return {
    provider: 'aliyun',
    service: product.service,
    async scan(sink, signal) {
      try {
        for await (const domains of listHttpsDomainPages(client, product, signal)) {
          for (const domain of domains) sink.certificate(mapHttpsDomain(domain, product));
        }
      } catch (error) {
        sink.failure({
          provider: 'aliyun',
          service: product.service,
          region: null,
          project: null,
          message: failureMessage(error),
        });
      }
    },
  };
}

/**
 * Load balancer listings of one region in flight at once, and listeners whose certificates are read at once in a
 * region. The client's pacing keeps to the account's rate; these only bound the open requests.
 */
const LISTENER_REGION_CONCURRENCY = 8;
const LISTENER_CONCURRENCY = 8;

/**
 * ALB or NLB listener certificates (./listenerCertificates.ts), regions concurrently. Per region: the load
 * balancers (for names) and the TLS listeners, then each listener's certificates. A listing that fails is a named
 * failure of its region; listeners whose certificates cannot be read are named together, and the other listeners
 * and regions complete.
 */
export function aliyunListenerSource(
  config: AliyunConfig,
  service: ListenerService,
  regions: readonly string[],
  options: SourceOptions,
  deps: ProviderDeps = {},
): CertificateSource {
  const clients = new Map(
    regions.map((region) => [
      region,
      aliyunClient(config, { product: service.product, region }, options, deps),
    ]),
  );
  return {
    provider: 'aliyun',
    service: service.service,
    scan: (sink, signal) =>
      forEachBounded(regions, LISTENER_REGION_CONCURRENCY, async (region) => {
        const client = clients.get(region)!;
        const fail = (message: string) =>
          sink.failure({ provider: 'aliyun', service: service.service, region, project: null, message });
        const loadBalancers = new Map<string, WireObject>();
        const listeners = new Map<string, WireObject>();
        const read = async (listing: Listing<WireObject>, keep: (item: WireObject) => void) => {
          try {
            for await (const items of listPages(listing, undefined, signal)) items.forEach(keep);
          } catch (error) {
            fail(failureMessage(error));
          }
        };
        await Promise.all([
          read(service.loadBalancers(client, region), (lb) =>
            loadBalancers.set(wireText(lb.LoadBalancerId), lb),
          ),
          ...service.listeners(client, region).map((listing) =>
            read(listing, (listener) => {
              if (service.isTlsListener(listener)) listeners.set(wireText(listener.ListenerId), listener);
            }),
          ),
        ]);
        const unread: { listenerId: string; message: string }[] = [];
        await forEachBounded([...listeners], LISTENER_CONCURRENCY, async ([listenerId, listener]) => {
          const loadBalancer = loadBalancers.get(wireText(listener.LoadBalancerId));
          try {
            const listing = service.certificates(client, region, listenerId);
            for await (const items of listPages(listing, undefined, signal)) {
              for (const certificate of items) {
                if (isCaCertificate(certificate)) continue;
                sink.certificate(
                  mapListenerCertificate({
                    service: service.service,
                    product: service.product,
                    region,
                    loadBalancer,
                    listener,
                    certificate,
                  }),
                );
              }
            }
          } catch (error) {
            unread.push({ listenerId, message: failureMessage(error) });
          }
        });
        if (unread.length === 1) fail(unread[0]!.message);
        else if (unread.length > 1) fail(unreadListenersMessage(service.product, unread));
      }),
  };
}

function unreadListenersMessage(product: string, unread: { listenerId: string; message: string }[]): string {
  const ids = unread.map((u) => inertText(u.listenerId)).sort();
  const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
  return `the certificates of ${unread.length} ${product} listeners could not be read (${shown}): ${unread[0]!.message}`;
}
