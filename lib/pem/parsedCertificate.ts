/** One certificate as lib/pem read it: the fields a chain, an issuer cache and a record are made of. */
export interface ParsedCertificate {
  subject: string;
  issuer: string;
  commonName: string | null;
  dnsNames: string[];
  notBeforeMs: number;
  notAfterMs: number;
  /** Lowercase hex, no separators. */
  fingerprintSha256: string;
  /** Lowercase hex, no separators (Alibaba SLB reports this one, colon-separated). */
  fingerprintSha1: string;
  selfSigned: boolean;
  ca: boolean;
}
