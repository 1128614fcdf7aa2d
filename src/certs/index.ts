/**
 * Serving certificates: a generated CA plus serving certificate kept in --cert-dir, or the user's own
 * pair checked at startup.
 * @module
 */
export { CertificateError } from './certificate-error.js';
export { requireCertificateFilePair, type CertificateFilePair } from './certificate-flags.js';
export { loadCertificateFiles, type LoadedCertificate } from './load-certificate-files.js';
export {
  ensureSelfSignedCertificate,
  type SelfSignedCertificateOptions,
  type ServingCertificate,
} from './self-signed-certificate.js';
export { defaultHosts, defaultIps } from './subject-alt-names.js';
export {
  watchCertificateFiles,
  type CertificateWatch,
  type CertificateWatchOptions,
} from './watch-certificate-files.js';
