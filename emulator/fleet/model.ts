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

/**
 * One HTTPS domain of CDN or DCDN with its certificate, as DescribeCdnHttpsDomainList / DescribeDcdnHttpsDomainList
 * return it (reference §5). CertStatus is stored, not computed: Alibaba's verdict may disagree with the dates
 * (`mismatch` is about names), and a fleet says what Alibaba would say. Times are as the wire sends them:
 * `yyyy-MM-dd HH:mm:ss` (Beijing time, by the emulator's reading; the real zone is unconfirmed) or ISO 8601.
 */
export interface AliyunHttpsDomain {
  DomainName: string;
  CertName?: string;
  CertCommonName?: string;
  /** DCDN documents `cas` and `upload` only. */
  CertType?: 'free' | 'cas' | 'upload';
  CertStatus?: 'ok' | 'mismatch' | 'expired' | 'expire_soon';
  CertStartTime?: string;
  CertExpireTime?: string;
  CertUpdateTime?: string;
}

/**
 * A certificate of the Alibaba Certificate Management Service (CAS 2020-04-07), stored once with what
 * ListUserCertificateOrder, GetUserCertificateDetail and ListCloudResources return about it. Dates as the wire
 * sends them: StartDate/EndDate `yyyy-MM-dd`, CertStartTime/CertEndTime/NotBefore/NotAfter epoch milliseconds.
 */
export interface AliyunCasCertificate {
  CertificateId: number;
  Name: string;
  CommonName?: string;
  /** Comma-separated. */
  Sans?: string;
  Issuer?: string;
  OrgName?: string;
  StartDate?: string;
  EndDate?: string;
  CertStartTime?: number;
  CertEndTime?: number;
  /** Absent: derived from the emulator's clock and the expiry. */
  Expired?: boolean;
  /** Uploaded (true) or issued through CAS (false). */
  Upload: boolean;
  /**
   * ISSUED, WILLEXPIRED, EXPIRED, REVOKED, ... as the Status filter matches it. Absent: derived from the emulator's
   * clock and the expiry (EXPIRED past it, WILLEXPIRED within 30 days, else ISSUED).
   */
  Status?: string;
  /** SHA-1 of the leaf, upper-case hex without colons. */
  Fingerprint?: string;
  /** SHA-256 of the leaf, hex. */
  Sha2?: string;
  SerialNo?: string;
  InstanceId?: string;
  ResourceGroupId?: string;
  /** GetUserCertificateDetail only from here on. `<id>-cn-hangzhou`. */
  CertIdentifier?: string;
  /** Epoch milliseconds (the unit is unconfirmed on the real API). */
  NotBefore?: number;
  NotAfter?: number;
  Algorithm?: string;
  CertChain?: AliyunCasChainLink[];
  /** The PEM chain: returned only when CertFilter is not true. */
  Cert?: string;
  /** The private key: returned only when CertFilter is not true, as the real API does. */
  Key?: string;
  /** Where it is deployed, as ListCloudResources returns it. */
  Deployments?: AliyunCasDeployment[];
}

export interface AliyunCasChainLink {
  CommonName: string;
  IssuerCommonName?: string;
  NotBefore?: number;
  NotAfter?: number;
  RemainDay?: number;
}

/** One cloud resource a CAS certificate is deployed on (a ListCloudResources Data item without the cert fields). */
export interface AliyunCasDeployment {
  Id: number;
  /** ALB, NLB, SLB, CDN, DCDN, WAF, OSS, ... */
  CloudProduct: string;
  RegionId?: string;
  InstanceId?: string;
  ListenerId?: string;
  ListenerPort?: string;
  Domain?: string;
  DefaultResource?: number;
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

/** What one Alibaba Cloud account holds: the same fields for the main account and for each member. */
export interface AliyunAccountResources {
  cdn?: { certificates: AliyunCdnCertificate[] };
  /** CDN's HTTPS domains. Absent: none (CDN itself is always opened in the emulator). */
  cdnDomains?: { domains: AliyunHttpsDomain[] };
  /** DCDN's HTTPS domains. Absent: DCDN is not opened for the account (OperationDenied). */
  dcdnDomains?: { domains: AliyunHttpsDomain[] };
  slb?: { certificates: AliyunSlbCertificate[] };
  cas?: { certificates: AliyunCasCertificate[] };
  /** ALB (2020-06-16) load balancers with their listeners and listener certificates. */
  alb?: { loadBalancers: AliyunLoadBalancer[] };
  /** NLB (2022-04-30) load balancers with their listeners and listener certificates. */
  nlb?: { loadBalancers: AliyunLoadBalancer[] };
}

/** A RAM role of an account, which STS AssumeRole hands out temporary credentials for. */
export interface AliyunRole {
  /** Matched case-insensitively, as RAM does. */
  roleName: string;
  /** The account ids whose RAM users (and roles) the role's trust policy admits. */
  trusts: string[];
  /** Seconds, 3600..43200 (RAM's range); default 3600. AssumeRole's DurationSeconds may not exceed it. */
  maxSessionDuration?: number;
}

/** An account other than the main one: a Resource Directory member, or simply another account with roles. */
export interface AliyunMemberAccount extends AliyunAccountResources {
  /** Digits, e.g. `1000000000000002`. */
  accountId: string;
  displayName: string;
  /** Default ResourceAccount. */
  type?: 'ResourceAccount' | 'CloudAccount';
  /** Default created. */
  joinMethod?: 'created' | 'invited';
  /** As ListAccounts says it; default CreateSuccess. */
  status?: string;
  /** The account's own AccessKey pairs; none: it is reachable only through a role. */
  accounts?: AliyunAccount[];
  roles?: AliyunRole[];
}

export interface Fleet {
  /** The main account (its keys and resources at the top level), and any other accounts under `members`. */
  aliyun?: AliyunAccountResources & {
    /** Default: one account, demo-access-key-id / demo-access-key-secret. */
    accounts?: AliyunAccount[];
    /** The main account's id; default `1000000000000001`. */
    accountId?: string;
    /** Default `main`. */
    displayName?: string;
    /**
     * The main account is the management account of a Resource Directory whose members are `members`: ListAccounts
     * answers it, and every member gets a ResourceDirectoryAccountAccessRole trusting it (unless it lists one).
     * Default false: ListAccounts is refused.
     */
    resourceDirectory?: boolean;
    roles?: AliyunRole[];
    members?: AliyunMemberAccount[];
  };
  ucloud?: {
    accounts?: UcloudAccount[];
    /** Projects that exist but may hold no certificates. */
    projects?: string[];
    certificates: UcloudFleetCertificate[];
  };
}
