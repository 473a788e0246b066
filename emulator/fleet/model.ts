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

export interface Fleet {
  ucloud?: {
    accounts?: UcloudAccount[];
    /** Projects that exist but may hold no certificates. */
    projects?: string[];
    certificates: UcloudFleetCertificate[];
  };
}
