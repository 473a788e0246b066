/**
 * What lib/pem reads from one certificate, by either of two readers that must agree: the strict DER reader
 * (derCertificate.ts, no key decoding) and Node's X509Certificate (the reference, and the fallback).
 */
import type { X509Certificate } from 'node:crypto';

export interface CertificateFields {
  /** Node's `subject` on one line: `C=CN, O=Example, CN=www.example.com`. */
  subject: string;
  issuer: string;
  commonName: string | null;
  dnsNames: string[];
  notBeforeMs: number;
  notAfterMs: number;
  /** Node's `X509Certificate.ca`: basicConstraints cA, keyUsage (if any) allowing keyCertSign. */
  ca: boolean;
}

/** The reference reading: Node's X509Certificate, its getters' text parsed back. Throws on unreadable validity. */
export function fieldsFromX509(x509: X509Certificate): CertificateFields {
  const notBeforeMs = Date.parse(x509.validFrom);
  const notAfterMs = Date.parse(x509.validTo);
  if (!Number.isFinite(notBeforeMs) || !Number.isFinite(notAfterMs)) {
    throw new Error('unreadable validity');
  }
  return {
    subject: oneLineName(x509.subject),
    issuer: oneLineName(x509.issuer),
    commonName: commonNameOf(x509.subject),
    dnsNames: dnsNamesOf(x509.subjectAltName),
    notBeforeMs,
    notAfterMs,
    ca: x509.ca,
  };
}

/** Node prints distinguished names one attribute per line; reports want them on one. */
function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function commonNameOf(name: string): string | null {
  for (const line of name.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return null;
}

/** `subjectAltName` reads like `DNS:a.example, DNS:"b,example", IP Address:1.2.3.4`. */
function dnsNamesOf(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  for (const match of subjectAltName.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = match[1] ?? '';
    names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return names;
}
