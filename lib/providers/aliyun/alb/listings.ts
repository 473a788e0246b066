/**
 * ALB (Application Load Balancer), API 2020-06-16, `alb.{RegionId}.aliyuncs.com` (provider-apis-more.md §3):
 * ListLoadBalancers, ListListeners (HTTPS and QUIC listeners serve certificates; the listing holds none) and
 * ListListenerCertificates per listener (CertificateType Server: the default and the extra SNI certificates).
 * All three page with NextToken, MaxResults 1..100; lists are plain arrays.
 */
import { inertText } from '../../../inert';
import type { ListenerService } from '../listenerCertificates';
import { tokenListing } from '../tokenListing';

const MAX_RESULTS = 100;
const SETTING = 'ALIBABA_CLOUD_ALB_ENDPOINT';
/** ListenerProtocol takes one value per call; HTTP listeners hold no certificates. */
const TLS_PROTOCOLS = ['HTTPS', 'QUIC'] as const;

export const ALB_LISTENERS: ListenerService = {
  service: 'alb',
  product: 'ALB',
  loadBalancers: (client, region, pageSize = MAX_RESULTS) =>
    tokenListing({
      client,
      product: 'ALB',
      action: 'ListLoadBalancers',
      region,
      params: {},
      pageSize,
      listField: 'LoadBalancers',
      idField: 'LoadBalancerId',
      endpointSetting: SETTING,
    }),
  listeners: (client, region, pageSize = MAX_RESULTS) =>
    TLS_PROTOCOLS.map((protocol) =>
      tokenListing({
        client,
        product: 'ALB',
        action: 'ListListeners',
        region,
        params: { ListenerProtocol: protocol },
        pageSize,
        listField: 'Listeners',
        idField: 'ListenerId',
        endpointSetting: SETTING,
        about: `(${protocol})`,
      }),
    ),
  isTlsListener: (listener) =>
    (TLS_PROTOCOLS as readonly unknown[]).includes(String(listener.ListenerProtocol ?? '').toUpperCase()),
  certificates: (client, region, listenerId) =>
    tokenListing({
      client,
      product: 'ALB',
      action: 'ListListenerCertificates',
      region,
      params: { ListenerId: listenerId, CertificateType: 'Server' },
      pageSize: MAX_RESULTS,
      listField: 'Certificates',
      idField: 'CertificateId',
      endpointSetting: SETTING,
      about: `for listener ${inertText(listenerId)}`,
    }),
};
