/**
 * Decides whether certificates already in --cert-dir can be served again, so that a restart keeps
 * the CA that an APIService caBundle or a user's --certificate-authority already trusts.
 * @module
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { SubjectAltNames } from './subject-alt-names.js';
import { validityOf } from './validity.js';

/** Certificates with less time than this left are replaced rather than served until they expire mid-run. */
export const minimumRemainingMs = 24 * 60 * 60 * 1000;

const serverAuth = '1.3.6.1.5.5.7.3.1';

export interface StoredCertificates {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Why the stored set cannot be reused, or undefined when it can: the serving certificate chains to
 * the CA, its key matches, both are valid now and for `minimumRemainingMs` more, and its SANs cover
 * every name in `names`. Never throws; a file that does not parse is a reason.
 */
export function findReuseProblem(
  stored: StoredCertificates,
  names: SubjectAltNames,
  now: Date = new Date(),
): string | undefined {
  let ca: X509Certificate;
  let cert: X509Certificate;
  try {
    ca = new X509Certificate(stored.caPem);
  } catch {
    return 'ca.crt does not hold a certificate';
  }
  try {
    cert = new X509Certificate(stored.certPem);
  } catch {
    return 'apiserver.crt does not hold a certificate';
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(stored.keyPem))) return 'apiserver.key does not match apiserver.crt';
  } catch {
    return 'apiserver.key does not hold a usable private key';
  }
  if (!ca.ca) return 'ca.crt is not a CA certificate';
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'apiserver.crt is not signed by ca.crt';
  for (const [file, certificate] of [
    ['ca.crt', ca],
    ['apiserver.crt', cert],
  ] as const) {
    const { notBefore, notAfter } = validityOf(certificate);
    if (notBefore.getTime() > now.getTime()) return `${file} is not valid yet`;
    if (notAfter.getTime() - now.getTime() < minimumRemainingMs) return `${file} expires at ${notAfter.toISOString()}`;
  }
  // NB: Node names the extended key usage list `keyUsage`; undefined means the extension is absent (any usage).
  if (cert.keyUsage !== undefined && !cert.keyUsage.includes(serverAuth))
    return 'apiserver.crt is not for server authentication';
  for (const name of names.dnsNames) {
    if (cert.checkHost(name, { subject: 'never', wildcards: false }) === undefined)
      return `apiserver.crt does not cover ${name}`;
  }
  for (const ip of names.ipAddresses) {
    if (cert.checkIP(ip) === undefined) return `apiserver.crt does not cover ${ip}`;
  }
  return undefined;
}
