/**
 * NLB (Network Load Balancer), API 2022-04-30, `nlb.{RegionId}.aliyuncs.com` (provider-apis-more.md §4):
 * ListLoadBalancers, ListListeners (TCPSSL listeners serve certificates) and ListListenerCertificates per listener.
 * NextToken paging, MaxResults 1..100, but 1..50 for ListListenerCertificates, whose parameters go in the form
 * body (the SDKs send them so; the query is accepted too, which is what the other calls use).
 */
import { inertText } from '../../../inert';
import type { ListenerService } from '../listenerCertificates';
import { tokenListing } from '../tokenListing';

const MAX_RESULTS = 100;
const MAX_CERTIFICATE_RESULTS = 50;
const SETTING = 'ALIBABA_CLOUD_NLB_ENDPOINT';

export const NLB_LISTENERS: ListenerService = {
  service: 'nlb',
  product: 'NLB',
  loadBalancers: (client, region, pageSize = MAX_RESULTS) =>
    tokenListing({
      client,
      product: 'NLB',
      action: 'ListLoadBalancers',
      region,
      params: {},
      pageSize,
      listField: 'LoadBalancers',
      idField: 'LoadBalancerId',
      endpointSetting: SETTING,
    }),
  listeners: (client, region, pageSize = MAX_RESULTS) => [
    tokenListing({
      client,
      product: 'NLB',
      action: 'ListListeners',
      region,
      params: { ListenerProtocol: 'TCPSSL' },
      pageSize,
      listField: 'Listeners',
      idField: 'ListenerId',
      endpointSetting: SETTING,
      about: '(TCPSSL)',
    }),
  ],
  isTlsListener: (listener) => String(listener.ListenerProtocol ?? '').toUpperCase() === 'TCPSSL',
  // ListenerId as ListListeners gives it: the docs show `lsn-…@443` here and `lsn-…` there (unconfirmed which
  // the API needs); the emulator accepts both.
  certificates: (client, region, listenerId) =>
    tokenListing({
      client,
      product: 'NLB',
      action: 'ListListenerCertificates',
      region,
      params: { ListenerId: listenerId, CertType: 'Server' },
      pageSize: MAX_CERTIFICATE_RESULTS,
      listField: 'Certificates',
      idField: 'CertificateId',
      endpointSetting: SETTING,
      method: 'POST',
      about: `for listener ${inertText(listenerId)}`,
    }),
};
