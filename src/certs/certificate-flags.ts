/**
 * The rule that --tls-cert-file and --tls-private-key-file come as a pair, in one place, so every
 * command that takes them words the mistake the same way.
 * @module
 */
import { CertificateError } from './certificate-error.js';

export interface CertificateFilePair {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Both files, or undefined when neither flag was given (serve then generates its own certificate).
 * Throws CertificateError naming both flags when only one was given; an empty string counts as given.
 */
export function requireCertificateFilePair(
  certFile: string | undefined,
  keyFile: string | undefined,
): CertificateFilePair | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    const missing = certFile === undefined ? '--tls-cert-file' : '--tls-private-key-file';
    throw new CertificateError(
      `--tls-cert-file and --tls-private-key-file must be given together (${missing} is missing)`,
    );
  }
  return { certFile, keyFile };
}
