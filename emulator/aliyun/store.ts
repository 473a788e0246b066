/**
 * What one emulated Alibaba Cloud account holds, indexed once per emulator: CDN certificates in fleet order and by
 * CertId, CDN and DCDN HTTPS domains, SLB server certificates by region, CAS certificates, ALB and NLB listeners.
 * Which account a request is served from is ./accounts.ts's business. The fleet is copied, never changed: uploads
 * and a test's edits go to this store only, so one fleet object can serve several emulators.
 */
import type {
  AliyunAccount,
  AliyunAccountResources,
  AliyunCasCertificate,
  AliyunCdnCertificate,
  AliyunHttpsDomain,
  AliyunListener,
  AliyunListenerCertificate,
  AliyunLoadBalancer,
  AliyunSlbCertificate,
} from '../fleet/model';

/** The products whose load balancers hold listeners with certificates. */
export type LoadBalancerProduct = 'alb' | 'nlb';
/** The products with an HTTPS domain list. */
export type HttpsDomainProduct = 'cdn' | 'dcdn';

/** The account used when the fleet names none (the demo's credentials). */
export const DEFAULT_ALIYUN_ACCOUNT: Readonly<AliyunAccount> = Object.freeze({
  AccessKeyId: 'demo-access-key-id',
  AccessKeySecret: 'demo-access-key-secret',
});

export interface AliyunStore {
  /** Every CDN certificate, in fleet order (stable across calls). */
  cdnCertificates(): readonly AliyunCdnCertificate[];
  /** The CDN certificate whose CertId reads as `certId` (`"1644"` finds CertId 1644), if any. */
  cdnCertificate(certId: string): AliyunCdnCertificate | undefined;
  /** CDN's HTTPS domains, in fleet order. */
  cdnDomains(): readonly AliyunHttpsDomain[];
  /** DCDN's HTTPS domains, in fleet order; null when DCDN is not opened for the account. */
  dcdnDomains(): readonly AliyunHttpsDomain[] | null;
  /** The SLB server certificates of one region: fleet order, then uploads in upload order. */
  slbCertificates(region: string): readonly AliyunSlbCertificate[];
  /** Adds an uploaded certificate to its region. */
  addSlbCertificate(certificate: AliyunSlbCertificate): void;
  /** Adds a CDN certificate at the front or the end of the list (a test's list shifting between pages). */
  addCdnCertificate(certificate: AliyunCdnCertificate, at?: 'first' | 'last'): void;
  /** Removes the CDN certificate whose CertId reads as `certId`; false when there is none. */
  removeCdnCertificate(certId: string): boolean;
  /** Every CAS certificate, in fleet order. */
  casCertificates(): readonly AliyunCasCertificate[];
  /** The CAS certificate whose CertificateId reads as `certId` (`"18382705"`), if any. */
  casCertificate(certId: string): AliyunCasCertificate | undefined;
  /** The ALB or NLB load balancers of one region, in fleet order. */
  loadBalancers(product: LoadBalancerProduct, region: string): readonly AliyunLoadBalancer[];
  /** An ALB or NLB listener by its id, with its load balancer; undefined when there is none. */
  listener(
    product: LoadBalancerProduct,
    listenerId: string,
  ): { loadBalancer: AliyunLoadBalancer; listener: AliyunListener } | undefined;
  /** Adds a CAS certificate at the front or the end of the list (a test's list shifting between pages). */
  addCasCertificate(certificate: AliyunCasCertificate, at?: 'first' | 'last'): void;
  /** Removes the CAS certificate whose CertificateId reads as `certId`; false when there is none. */
  removeCasCertificate(certId: string): boolean;
  /** Adds an HTTPS domain to CDN's or DCDN's list, at the front or the end (DCDN: only when it is opened). */
  addHttpsDomain(product: HttpsDomainProduct, domain: AliyunHttpsDomain, at?: 'first' | 'last'): void;
  /** Removes the product's HTTPS domain of this name; false when there is none. */
  removeHttpsDomain(product: HttpsDomainProduct, domainName: string): boolean;
  /** Adds a certificate to a listener, at the front or the end; false when there is no such listener. */
  addListenerCertificate(
    product: LoadBalancerProduct,
    listenerId: string,
    certificate: AliyunListenerCertificate,
    at?: 'first' | 'last',
  ): boolean;
  /** Removes the listener's certificate of this id; false when the listener does not hold it. */
  removeListenerCertificate(product: LoadBalancerProduct, listenerId: string, certificateId: string): boolean;
}

/** Puts `item` at the front or the end of `list`. */
function place<T>(list: T[], item: T, at: 'first' | 'last'): void {
  if (at === 'first') list.unshift(item);
  else list.push(item);
}

/** Indexes what one account of a fleet holds (the main account's fields, or a member's). */
export function createAliyunStore(aliyun: AliyunAccountResources | undefined): AliyunStore {
  const cdn = [...(aliyun?.cdn?.certificates ?? [])];
  const byCertId = new Map<string, AliyunCdnCertificate>();
  for (const certificate of cdn) {
    const key = String(certificate.CertId);
    if (!byCertId.has(key)) byCertId.set(key, certificate);
  }

  const byRegion = new Map<string, AliyunSlbCertificate[]>();
  const addSlbCertificate = (certificate: AliyunSlbCertificate) => {
    const list = byRegion.get(certificate.RegionId);
    if (list) list.push(certificate);
    else byRegion.set(certificate.RegionId, [certificate]);
  };
  for (const certificate of aliyun?.slb?.certificates ?? []) addSlbCertificate(certificate);

  const loadBalancersByRegion = {
    alb: new Map<string, AliyunLoadBalancer[]>(),
    nlb: new Map<string, AliyunLoadBalancer[]>(),
  };
  const listenersById = {
    alb: new Map<string, { loadBalancer: AliyunLoadBalancer; listener: AliyunListener }>(),
    nlb: new Map<string, { loadBalancer: AliyunLoadBalancer; listener: AliyunListener }>(),
  };
  for (const product of ['alb', 'nlb'] as const) {
    // Copied down to each listener's certificate list, which a test may edit.
    for (const fleetLoadBalancer of aliyun?.[product]?.loadBalancers ?? []) {
      const loadBalancer: AliyunLoadBalancer = {
        ...fleetLoadBalancer,
        listeners: fleetLoadBalancer.listeners.map((listener) => ({
          ...listener,
          certificates: [...listener.certificates],
        })),
      };
      const list = loadBalancersByRegion[product].get(loadBalancer.RegionId);
      if (list) list.push(loadBalancer);
      else loadBalancersByRegion[product].set(loadBalancer.RegionId, [loadBalancer]);
      for (const listener of loadBalancer.listeners) {
        listenersById[product].set(listener.ListenerId, { loadBalancer, listener });
      }
    }
  }

  const cdnDomains = [...(aliyun?.cdnDomains?.domains ?? [])];
  const dcdnDomains = aliyun?.dcdnDomains ? [...aliyun.dcdnDomains.domains] : null;
  const cas = [...(aliyun?.cas?.certificates ?? [])];
  const byCasId = new Map<string, AliyunCasCertificate>();
  for (const certificate of cas) {
    const key = String(certificate.CertificateId);
    if (!byCasId.has(key)) byCasId.set(key, certificate);
  }
  const domainsOf = (product: HttpsDomainProduct) => (product === 'cdn' ? cdnDomains : dcdnDomains);

  return {
    cdnDomains: () => cdnDomains,
    dcdnDomains: () => dcdnDomains,
    casCertificates: () => cas,
    casCertificate: (certId) => byCasId.get(certId),
    loadBalancers: (product, region) => loadBalancersByRegion[product].get(region) ?? [],
    listener: (product, listenerId) => listenersById[product].get(listenerId),
    cdnCertificates: () => cdn,
    cdnCertificate: (certId) => byCertId.get(certId),
    slbCertificates: (region) => byRegion.get(region) ?? [],
    addSlbCertificate,
    addCdnCertificate(certificate, at = 'last') {
      if (at === 'first') cdn.unshift(certificate);
      else cdn.push(certificate);
      const key = String(certificate.CertId);
      if (!byCertId.has(key)) byCertId.set(key, certificate);
    },
    removeCdnCertificate(certId) {
      const index = cdn.findIndex((certificate) => String(certificate.CertId) === certId);
      if (index < 0) return false;
      cdn.splice(index, 1);
      const next = cdn.find((certificate) => String(certificate.CertId) === certId);
      if (next) byCertId.set(certId, next);
      else byCertId.delete(certId);
      return true;
    },
    addCasCertificate(certificate, at = 'last') {
      place(cas, certificate, at);
      const key = String(certificate.CertificateId);
      if (!byCasId.has(key)) byCasId.set(key, certificate);
    },
    removeCasCertificate(certId) {
      const index = cas.findIndex((certificate) => String(certificate.CertificateId) === certId);
      if (index < 0) return false;
      cas.splice(index, 1);
      const next = cas.find((certificate) => String(certificate.CertificateId) === certId);
      if (next) byCasId.set(certId, next);
      else byCasId.delete(certId);
      return true;
    },
    addHttpsDomain(product, domain, at = 'last') {
      const list = domainsOf(product);
      if (list) place(list, domain, at);
    },
    removeHttpsDomain(product, domainName) {
      const list = domainsOf(product);
      const index = list?.findIndex((domain) => domain.DomainName === domainName) ?? -1;
      if (index < 0) return false;
      list!.splice(index, 1);
      return true;
    },
    addListenerCertificate(product, listenerId, certificate, at = 'last') {
      const found = listenersById[product].get(listenerId);
      if (!found) return false;
      place(found.listener.certificates, certificate, at);
      return true;
    },
    removeListenerCertificate(product, listenerId, certificateId) {
      const certificates = listenersById[product].get(listenerId)?.listener.certificates;
      const index =
        certificates?.findIndex((certificate) => certificate.CertificateId === certificateId) ?? -1;
      if (index < 0) return false;
      certificates!.splice(index, 1);
      return true;
    },
  };
}
