/**
 * Alibaba Cloud NLB, API version 2022-04-30 (provider-apis-more.md §4; alibabacloud-go-sdk nlb-20220430):
 * ListLoadBalancers, ListListeners (items name their server CertificateIds, TCPSSL only), ListListenerCertificates
 * (MaxResults 1..50, CertType; the SDK sends its parameters in the form body, which the handler reads like the
 * query). Every listing pages with NextToken.
 */
import type { AliyunAction } from './action';
import { createLoadBalancerActions } from './loadBalancers';

export const NLB_API_VERSION = '2022-04-30';

export function createNlbActions(): Record<string, AliyunAction> {
  return createLoadBalancerActions({
    product: 'nlb',
    protocols: ['TCP', 'UDP', 'TCPSSL'],
    tlsProtocols: ['TCPSSL'],
    certificateTypeParam: 'CertType',
    maxCertificateResults: 50,
    loadBalancerItem: (lb) => ({
      LoadBalancerId: lb.LoadBalancerId,
      LoadBalancerName: lb.name,
      DNSName: lb.DNSName,
      AddressType: 'Internet',
      AddressIpVersion: 'ipv4',
      LoadBalancerStatus: 'Active',
      RegionId: lb.RegionId,
      ZoneMappings: [],
    }),
    listenerItem: (lb, listener) => ({
      ListenerId: listener.ListenerId,
      LoadBalancerId: lb.LoadBalancerId,
      ListenerPort: listener.port,
      ListenerProtocol: listener.protocol,
      ListenerStatus: 'Running',
      CertificateIds:
        listener.protocol === 'TCPSSL'
          ? listener.certificates.map((certificate) => certificate.CertificateId)
          : [],
      CaCertificateIds: [],
      CaEnabled: false,
      RegionId: lb.RegionId,
    }),
    certificatesExtra: (page) => ({ CertificateIds: page.map((certificate) => certificate.CertificateId) }),
    // The docs show `lsn-…@443` for the certificate APIs and `lsn-…` in ListListeners (unconfirmed): both name it.
    listenerIdOf: (given) => given.replace(/@\d+$/, ''),
  });
}
