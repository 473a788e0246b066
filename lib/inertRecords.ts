/**
 * Records made inert where they enter the scan (lib/scan.ts readFleet, the upload's reading of SLB): every string a
 * provider reported about a certificate or a failure, through lib/inert.ts.
 */
import { inertText, isInert } from './inert';
import type { AccountRef, ObservedCertificate, SourceFailure } from './model';

/**
 * The certificate with every string of its own inert: location, id, name, domains, bindings, notes, the API
 * field's name, the API's fingerprints and CAS id, its intermediates' names. Its chain is not walked: lib/pem reads certificate names inert already. The same object when
 * nothing needs escaping, which is nearly always (then it costs one test per string and allocates nothing).
 */
export function inertCertificate(cert: ObservedCertificate): ObservedCertificate {
  const clean =
    isInert(cert.provider) &&
    isInert(cert.service) &&
    isInert(cert.region) &&
    (cert.project === null || isInert(cert.project)) &&
    (!cert.account ||
      (isInert(cert.account.name) && (cert.account.id === null || isInert(cert.account.id)))) &&
    isInert(cert.id) &&
    isInert(cert.name) &&
    cert.domains.every(isInert) &&
    cert.boundTo.every(isInert) &&
    cert.notes.every(isInert) &&
    (cert.apiNotAfter === null || isInert(cert.apiNotAfter.source)) &&
    (typeof cert.apiFingerprintSha1 !== 'string' || isInert(cert.apiFingerprintSha1)) &&
    (typeof cert.apiFingerprintSha256 !== 'string' || isInert(cert.apiFingerprintSha256)) &&
    (typeof cert.casCertificateId !== 'string' || isInert(cert.casCertificateId)) &&
    (cert.apiIntermediates ?? []).every((i) => isInert(i.subject) && isInert(i.source));
  if (clean) return cert;
  return {
    ...cert,
    provider: inertText(cert.provider),
    service: inertText(cert.service),
    region: inertText(cert.region),
    project: cert.project === null ? null : inertText(cert.project),
    ...(cert.account ? { account: inertAccount(cert.account) } : {}),
    id: inertText(cert.id),
    name: inertText(cert.name),
    domains: cert.domains.map(inertText),
    boundTo: cert.boundTo.map(inertText),
    notes: cert.notes.map(inertText),
    apiNotAfter: cert.apiNotAfter && { ...cert.apiNotAfter, source: inertText(cert.apiNotAfter.source) },
    apiFingerprintSha1:
      typeof cert.apiFingerprintSha1 === 'string'
        ? inertText(cert.apiFingerprintSha1)
        : cert.apiFingerprintSha1,
    apiFingerprintSha256:
      typeof cert.apiFingerprintSha256 === 'string'
        ? inertText(cert.apiFingerprintSha256)
        : cert.apiFingerprintSha256,
    casCertificateId:
      typeof cert.casCertificateId === 'string' ? inertText(cert.casCertificateId) : cert.casCertificateId,
    apiIntermediates: cert.apiIntermediates?.map((i) => ({
      ...i,
      subject: inertText(i.subject),
      source: inertText(i.source),
    })),
  };
}

/** The failure with its location and message inert; the same object when nothing needs escaping. */
export function inertFailure(failure: SourceFailure): SourceFailure {
  const { provider, service, region, project, message, account } = failure;
  const clean =
    (!account || (isInert(account.name) && (account.id === null || isInert(account.id)))) &&
    isInert(message) &&
    isInert(provider) &&
    isInert(service) &&
    (region === null || isInert(region)) &&
    (project === null || isInert(project));
  if (clean) return failure;
  return {
    ...failure,
    provider: inertText(provider),
    service: inertText(service),
    region: region === null ? null : inertText(region),
    project: project === null ? null : inertText(project),
    ...(account ? { account: inertAccount(account) } : {}),
    message: inertText(message),
  };
}

function inertAccount(account: AccountRef): AccountRef {
  return { id: account.id === null ? null : inertText(account.id), name: inertText(account.name) };
}
