/** One certificate as lib/pem read it: the fields a chain, an issuer cache and a record are made of. */
import type { CertificateFields } from './certificateFields';

export interface ParsedCertificate extends CertificateFields {
  /** Lowercase hex, no separators. */
  fingerprintSha256: string;
  /** Lowercase hex, no separators (Alibaba SLB reports this one, colon-separated). */
  fingerprintSha1: string;
  selfSigned: boolean;
}
