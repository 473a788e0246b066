/**
 * Checking a renewed certificate before it is uploaded: read it (PEM pair or PKCS#12), then validate it against
 * the clock and the certificate it replaces. Nothing here calls a cloud API.
 */
export type { BundleCertificate, CertificateBundle } from './bundle';
export { RotationError } from './errors';
export { nameCovers } from './hostnames';
export { readCertificateBundle } from './pemBundle';
export { readPkcs12 } from './pkcs12';
export type { ReplacedCertificate, RotationCheck, RotationOptions, RotationSummary } from './validate';
export { validateRotation } from './validate';
