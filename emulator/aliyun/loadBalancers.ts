/**
 * What the ALB and NLB actions share (./alb.ts, ./nlb.ts): ListLoadBalancers, ListListeners and
 * ListListenerCertificates over the fleet's load balancers, paged with NextToken (./tokenPaging.ts), lists as
 * plain arrays. RegionId is required (MissingParameter): the real hosts are regional and know their region, the
 * emulator serves every region at one URL (emulator choice).
 */
import type { AliyunListener, AliyunLoadBalancer } from '../fleet/model';
import { type AliyunAction, type AliyunActionReply, failed } from './action';
import { aliyunError } from './errors';
import type { LoadBalancerProduct } from './store';
import { repeatedParam, tokenPage } from './tokenPaging';

export interface LoadBalancerProductSpec {
  product: LoadBalancerProduct;
  /** The ListenerProtocol values the API takes. */
  protocols: readonly string[];
  /** The protocols whose listeners hold server certificates. */
  tlsProtocols: readonly string[];
  /** The certificate type parameter of ListListenerCertificates: CertificateType (ALB), CertType (NLB). */
  certificateTypeParam: string;
  /** Largest MaxResults of ListListenerCertificates (NLB: 50); the other listings take 100. */
  maxCertificateResults: number;
  loadBalancerItem(lb: AliyunLoadBalancer): Record<string, unknown>;
  listenerItem(lb: AliyunLoadBalancer, listener: AliyunListener): Record<string, unknown>;
  /** Extra fields of a ListListenerCertificates reply, from the page's certificates (NLB: CertificateIds). */
  certificatesExtra?(page: readonly { CertificateId: string }[]): Record<string, unknown>;
  /** The listener a ListenerId names: NLB's certificate APIs may give it as `lsn-…@443` (unconfirmed). */
  listenerIdOf?(given: string): string;
}

const MAX_LIST_RESULTS = 100;

export function createLoadBalancerActions(spec: LoadBalancerProductSpec): Record<string, AliyunAction> {
  const { product } = spec;
  return {
    ListLoadBalancers: ({ params, store, pageCap }): AliyunActionReply => {
      const region = params.RegionId;
      if (!region) return failed(aliyunError('MissingParameter', 'RegionId'));
      const ids = repeatedParam(params, 'LoadBalancerIds');
      const matching = store
        .loadBalancers(product, region)
        .filter((lb) => ids.length === 0 || ids.includes(lb.LoadBalancerId));
      const page = tokenPage(matching, params, {
        maxResults: MAX_LIST_RESULTS,
        pageCap,
        listing: `${product} ListLoadBalancers ${region} ${ids.join(',')}`,
      });
      if (!page.ok) return failed(page.error);
      return { ok: true, body: { LoadBalancers: page.items.map(spec.loadBalancerItem), ...page.paging } };
    },

    ListListeners: ({ params, store, pageCap }): AliyunActionReply => {
      const region = params.RegionId;
      if (!region) return failed(aliyunError('MissingParameter', 'RegionId'));
      const protocol = params.ListenerProtocol;
      if (protocol !== undefined && !spec.protocols.includes(protocol)) {
        return failed(aliyunError('InvalidParameter', 'ListenerProtocol', spec.protocols.join(', ')));
      }
      const loadBalancerIds = repeatedParam(params, 'LoadBalancerIds');
      const listenerIds = repeatedParam(params, 'ListenerIds');
      const matching = store
        .loadBalancers(product, region)
        .flatMap((lb) =>
          loadBalancerIds.length === 0 || loadBalancerIds.includes(lb.LoadBalancerId)
            ? lb.listeners
                .filter(
                  (listener) =>
                    (protocol === undefined || listener.protocol === protocol) &&
                    (listenerIds.length === 0 || listenerIds.includes(listener.ListenerId)),
                )
                .map((listener) => spec.listenerItem(lb, listener))
            : [],
        );
      const page = tokenPage(matching, params, {
        maxResults: MAX_LIST_RESULTS,
        pageCap,
        listing: `${product} ListListeners ${region} ${protocol ?? ''} ${loadBalancerIds.join(',')} ${listenerIds.join(',')}`,
      });
      if (!page.ok) return failed(page.error);
      return { ok: true, body: { Listeners: page.items, ...page.paging } };
    },

    /**
     * ListenerId required (MissingParameter); one the account does not have: ResourceNotFound.listener (404),
     * also when it is in another region than RegionId. The fleet holds server certificates only, so `Ca` lists
     * none; a listener that is not TLS holds none.
     */
    ListListenerCertificates: ({ params, store, pageCap }): AliyunActionReply => {
      const given = params.ListenerId;
      if (!given) return failed(aliyunError('MissingParameter', 'ListenerId'));
      const type = params[spec.certificateTypeParam];
      if (type !== undefined && type !== 'Server' && type !== 'Ca') {
        return failed(aliyunError('InvalidParameter', spec.certificateTypeParam, 'Server or Ca'));
      }
      const found = store.listener(product, spec.listenerIdOf ? spec.listenerIdOf(given) : given);
      if (!found || (params.RegionId && found.loadBalancer.RegionId !== params.RegionId)) {
        return failed(aliyunError('ResourceNotFound.listener', listenerNameForMessage(given)));
      }
      const wanted = repeatedParam(params, 'CertificateIds');
      const certificates =
        type === 'Ca' || !spec.tlsProtocols.includes(found.listener.protocol)
          ? []
          : found.listener.certificates.filter(
              (certificate) => wanted.length === 0 || wanted.includes(certificate.CertificateId),
            );
      const page = tokenPage(certificates, params, {
        maxResults: spec.maxCertificateResults,
        pageCap,
        listing: `${product} ListListenerCertificates ${found.listener.ListenerId} ${type ?? ''} ${wanted.join(',')}`,
      });
      if (!page.ok) return failed(page.error);
      return {
        ok: true,
        body: {
          Certificates: page.items.map((certificate) => ({
            CertificateId: certificate.CertificateId,
            CertificateType: 'Server',
            IsDefault: certificate.IsDefault,
            Status: 'Associated',
          })),
          ...spec.certificatesExtra?.(page.items),
          ...page.paging,
        },
        certificatesReturned: page.items.length,
      };
    },
  };
}

/** A ListenerId as an error message may quote it: the emulator's own ids only (`lsr-…`), else a placeholder. */
function listenerNameForMessage(given: string): string {
  return /^[a-z]{3}-[a-z0-9*@]{1,64}$/.test(given) ? given : '(the given ListenerId)';
}
