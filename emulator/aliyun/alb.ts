/**
 * Alibaba Cloud ALB, API version 2020-06-16 (provider-apis-more.md §3; alibabacloud-go-sdk alb-20200616):
 * ListLoadBalancers, ListListeners, ListListenerCertificates, each paged with NextToken, MaxResults 1..100.
 */
import type { AliyunAction } from './action';
import { createLoadBalancerActions } from './loadBalancers';

export const ALB_API_VERSION = '2020-06-16';

export function createAlbActions(): Record<string, AliyunAction> {
  return createLoadBalancerActions({
    product: 'alb',
    protocols: ['HTTP', 'HTTPS', 'QUIC'],
    tlsProtocols: ['HTTPS', 'QUIC'],
    certificateTypeParam: 'CertificateType',
    maxCertificateResults: 100,
    loadBalancerItem: (lb) => ({
      LoadBalancerId: lb.LoadBalancerId,
      LoadBalancerName: lb.name,
      DNSName: lb.DNSName,
      AddressType: 'Internet',
      AddressIpVersion: 'IPv4',
      LoadBalancerStatus: 'Active',
      // sic: the API spells it so.
      LoadBalancerBussinessStatus: 'Normal',
      VpcId: `vpc-${lb.LoadBalancerId.slice(4, 16)}`,
    }),
    // ALB's ListListeners names no certificates: ListListenerCertificates does.
    listenerItem: (lb, listener) => ({
      ListenerId: listener.ListenerId,
      LoadBalancerId: lb.LoadBalancerId,
      ListenerPort: listener.port,
      ListenerProtocol: listener.protocol,
      ListenerStatus: 'Running',
      ListenerDescription: `${listener.protocol.toLowerCase()}_${listener.port}`,
      ...(listener.protocol === 'HTTP' ? {} : { SecurityPolicyId: 'tls_cipher_policy_1_0' }),
      Http2Enabled: listener.protocol !== 'HTTP',
    }),
  });
}
