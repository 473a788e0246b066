/**
 * What ALB and NLB share: a load balancer's TLS listeners each hold server certificates (a default and extra SNI
 * ones) named by id only — no PEM, no expiry. The id names a CAS certificate when it reads `<casId>-<region>`
 * (provider-apis-more.md "How other products name a CAS certificate"): the scan takes the expiry from that CAS
 * certificate. Any other id is product-local and its expiry stays unknown.
 */
import { inertText } from '../../inert';
import type { ObservedCertificate } from '../../model';
import type { Listing } from '../listing';
import { wireText } from '../wire';
import type { AliyunRpcClient, AliyunTarget } from './client';
import type { WireObject } from './tokenListing';

/** One of the listener products, as the source and doctor read it (./alb/listings.ts, ./nlb/listings.ts). */
export interface ListenerService {
  service: 'alb' | 'nlb';
  product: Extract<AliyunTarget['product'], 'ALB' | 'NLB'>;
  /** ListLoadBalancers of a region: names and DNS names of the load balancers. */
  loadBalancers(client: AliyunRpcClient, region: string, pageSize?: number): Listing<WireObject>;
  /** ListListeners of a region, one listing per protocol that carries server certificates. */
  listeners(client: AliyunRpcClient, region: string, pageSize?: number): Listing<WireObject>[];
  /** Whether a listed listener carries server certificates (a server may ignore the protocol filter). */
  isTlsListener(listener: WireObject): boolean;
  /** ListListenerCertificates of one listener: its server certificates. */
  certificates(client: AliyunRpcClient, region: string, listenerId: string): Listing<WireObject>;
}

/** `18382705-cn-hangzhou`: a CAS certificate id and the CAS region (the only form read as CAS). */
const CAS_CERTIFICATE_ID = /^(\d+)-([a-z0-9-]+)$/;

/** The CAS certificate an ALB or NLB CertificateId names, or null for a product-local id. */
export function casCertificateIdOf(certificateId: string): { id: string; region: string } | null {
  const match = CAS_CERTIFICATE_ID.exec(certificateId);
  return match ? { id: match[1]!, region: match[2]! } : null;
}

/** The listener's port as people say it: `443`, or `8000-8100` for an NLB port-range listener. */
function portOf(listener: WireObject): string {
  const port = wireText(listener.ListenerPort);
  if (port !== '' && port !== '0') return port;
  const start = wireText(listener.StartPort);
  const end = wireText(listener.EndPort);
  return start !== '' && end !== '' ? `${start}-${end}` : port || '?';
}

/** IsDefault is a JSON boolean in the docs; "true"/"false" text is read too (unconfirmed on the wire). */
function isDefaultOf(certificate: WireObject): boolean | null {
  const value = certificate.IsDefault;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return null;
}

/** Whether an entry of ListListenerCertificates is a CA certificate (mutual TLS), not one the listener serves. */
export function isCaCertificate(certificate: WireObject): boolean {
  const type = wireText(certificate.CertificateType ?? certificate.CertType);
  return type.toLowerCase() === 'ca';
}

export interface ListenerCertificateContext {
  service: ListenerService['service'];
  product: ListenerService['product'];
  region: string;
  /** The ListLoadBalancers entry of the listener's load balancer; undefined when it was not listed. */
  loadBalancer: WireObject | undefined;
  listener: WireObject;
  certificate: WireObject;
}

/** One listener certificate as an ObservedCertificate: id `<ListenerId>/<CertificateId>`, in use on its listener. */
export function mapListenerCertificate(context: ListenerCertificateContext): ObservedCertificate {
  const { product, listener, certificate, loadBalancer } = context;
  const listenerId = wireText(listener.ListenerId);
  const loadBalancerId = wireText(listener.LoadBalancerId) || wireText(loadBalancer?.LoadBalancerId);
  const certificateId = wireText(certificate.CertificateId);
  const port = portOf(listener);
  const isDefault = isDefaultOf(certificate);
  const role = isDefault === null ? '' : isDefault ? ' (default)' : ' (extra)';
  const cas = casCertificateIdOf(certificateId);
  const notes: string[] = [];
  if (!cas) {
    notes.push(
      `its CertificateId is not a CAS certificate id (<casId>-<region>): ${product} states no expiry for it, so ` +
        'its expiry is unknown',
    );
  }
  const status = wireText(certificate.Status);
  if (status !== '' && status !== 'Associated') {
    notes.push(`the listener's certificate Status is ${inertText(status)}, not Associated`);
  }
  return {
    provider: 'aliyun',
    service: context.service,
    region: context.region,
    project: null,
    id: `${listenerId}/${certificateId}`,
    name: `${wireText(loadBalancer?.LoadBalancerName) || loadBalancerId || listenerId} :${port}`,
    // ListListenerCertificates names no domains; the CAS certificate it names does.
    domains: [],
    apiNotAfter: null,
    chain: null,
    casCertificateId: cas?.id ?? null,
    inUse: true,
    boundTo: [`${product} ${loadBalancerId || '(unknown load balancer)'} ${listenerId}:${port}${role}`],
    notes,
  };
}
