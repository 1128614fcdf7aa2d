/**
 * The validity window of a parsed certificate as Dates. Node 20's X509Certificate only has the
 * OpenSSL text form ("Nov 23 02:46:41 2027 GMT"); validFromDate/validToDate arrive in later Node versions.
 * @module
 */
import type { X509Certificate } from 'node:crypto';

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** notBefore and notAfter of `certificate`, to the second as X.509 stores them. */
export function validityOf(certificate: X509Certificate): Validity {
  return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) };
}
