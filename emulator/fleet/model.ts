/**
 * The emulator's fleet: what the fake clouds hold. A fleet file (JSON) has exactly this shape; the README
 * documents it. Each UCloud entry is an SSLInfo as DescribeSSLV2 returns it on the wire, plus where it lives.
 */

/** A UCloud ULB SSL certificate as stored by the emulator. Wire field names, wire types. */
export interface UcloudFleetCertificate {
  /** Region the certificate lives in, e.g. "cn-bj2". */
  Region: string;
  /** Project the certificate belongs to, e.g. "org-abc123". */
  ProjectId: string;
  SSLId: string;
  SSLName: string;
  SSLType?: string;
  /** PEM: leaf first, then intermediates; may also contain the private key block (as UCloud allows). */
  SSLContent: string;
  /** Seconds since the epoch. */
  CreateTime?: number;
  HashValue?: string;
  SSLSource?: number;
  USSLId?: string;
  /** The wire sends strings; comma-separated when there are several. */
  Domains?: string;
  DNSNames?: string;
  /** Seconds or milliseconds since the epoch (both are seen on the wire); absent or 0 when UCloud did not say. */
  NotBefore?: number;
  NotAfter?: number;
  Relations?: UcloudRelation[];
}

export interface UcloudRelation {
  LoadBalancerId: string;
  LoadBalancerName: string;
  ListenerId: string;
  ListenerName: string;
  IsDefault: boolean;
}

export interface UcloudAccount {
  PublicKey: string;
  PrivateKey: string;
  /** Projects this account may read; a ProjectId outside it (and outside the fleet) answers RetCode 292. */
  Projects?: string[];
}

/** An Alibaba Cloud AccessKey pair the emulator accepts (RPC signature V1, HMAC-SHA1). */
export interface AliyunAccount {
  AccessKeyId: string;
  AccessKeySecret: string;
}

/**
 * An Alibaba Cloud CDN certificate. The fields DescribeCdnSSLCertificateList (CertId as an integer, CertName,
 * Common, Fingerprint, Issuer, CertRegion, LastTime) and DescribeCertificateInfoByID (CertId as a string,
 * CertName, CertType, CreateTime, CertExpireTime, DomainList, HttpsCrt) return, stored once.
 */
export interface AliyunCdnCertificate {
  CertId: number;
  CertName: string;
  /** Common name of the certificate. */
  Common?: string;
  /** Hex SHA-1 of the certificate (case varies on the wire). */
  Fingerprint?: string;
  Issuer?: string;
  CertRegion?: string;
  /** Documented as milliseconds; examples look like seconds (UNVERIFIED). */
  LastTime?: number;
  CertType?: 'free' | 'cas' | 'upload';
  CreateTime?: string;
  /**
   * As the wire sends it; the layout is UNVERIFIED: `2098-02-08 08:02:07 +0000 UTC` (documented),
   * `2018-06-03T22:03:39Z`, or `2018-06-03 22:03:39`. Absent when unknown.
   */
  CertExpireTime?: string;
  /** Domains using the certificate: comma-separated (documented example `[""]`); "" when bound to none. */
  DomainList?: string;
  /** PEM: leaf first, then intermediates. */
  HttpsCrt: string;
}

/** An Alibaba Cloud SLB server certificate, as DescribeServerCertificates returns it, plus its PEM. */
export interface AliyunSlbCertificate {
  RegionId: string;
  ServerCertificateId: string;
  ServerCertificateName: string;
  /** SHA-1 of the certificate, colon-separated lowercase (`68:08:1a:...`). */
  Fingerprint: string;
  ResourceGroupId?: string;
  CommonName?: string;
  SubjectAlternativeNames?: string[];
  /** ISO 8601 UTC, e.g. `2026-12-01T08:00:00Z`. */
  CreateTime?: string;
  CreateTimeStamp?: number;
  /** ISO 8601 UTC. Absent on older API versions (then only the Fingerprint identifies it). */
  ExpireTime?: string;
  /** Milliseconds since the epoch. */
  ExpireTimeStamp?: number;
  IsAliCloudCertificate?: number;
  AliCloudCertificateId?: string;
  AliCloudCertificateName?: string;
  /**
   * The PEM it was uploaded with. Never returned by the API (which returns no certificate or key content); the
   * emulator keeps it to answer consistently, e.g. the Fingerprint of an upload.
   */
  ServerCertificate?: string;
}

/** A server certificate on an ALB or NLB listener, as ListListenerCertificates names it. */
export interface AliyunListenerCertificate {
  /** `<casId>-cn-hangzhou` for a CAS certificate, or an opaque product-local id. */
  CertificateId: string;
  /** The listener's default certificate (one per listener), else an extra (SNI) one. */
  IsDefault: boolean;
}

/** A listener of an ALB or NLB load balancer. */
export interface AliyunListener {
  /** `lsr-…` (ALB) or `lsn-…` (NLB). */
  ListenerId: string;
  port: number;
  /** ALB: HTTP, HTTPS or QUIC; NLB: TCP, UDP or TCPSSL. Only HTTPS, QUIC and TCPSSL hold certificates. */
  protocol: string;
  certificates: AliyunListenerCertificate[];
}

/** An ALB or NLB load balancer (ListLoadBalancers) and its listeners (ListListeners). */
export interface AliyunLoadBalancer {
  RegionId: string;
  /** `alb-…` or `nlb-…`. */
  LoadBalancerId: string;
  name: string;
  /** `alb-….cn-hangzhou.alb.aliyuncs.com`. */
  DNSName: string;
  listeners: AliyunListener[];
}

export interface Fleet {
  aliyun?: {
    /** Default: one account, demo-access-key-id / demo-access-key-secret. */
    accounts?: AliyunAccount[];
    cdn?: { certificates: AliyunCdnCertificate[] };
    slb?: { certificates: AliyunSlbCertificate[] };
    /** ALB (2020-06-16) load balancers with their listeners and listener certificates. */
    alb?: { loadBalancers: AliyunLoadBalancer[] };
    /** NLB (2022-04-30) load balancers with their listeners and listener certificates. */
    nlb?: { loadBalancers: AliyunLoadBalancer[] };
  };
  ucloud?: {
    accounts?: UcloudAccount[];
    /** Projects that exist but may hold no certificates. */
    projects?: string[];
    certificates: UcloudFleetCertificate[];
  };
}
