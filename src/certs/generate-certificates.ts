/**
 * Builds a fresh certificate authority and a serving certificate signed by it, all in memory.
 *
 * Why @peculiar/x509: it is maintained, typed, and signs through WebCrypto, so keys are ECDSA P-256
 * made by Node's native crypto: the whole pair takes tens of milliseconds. node-forge, the other
 * common choice, signs only with RSA in pure JavaScript: two RSA-2048 keys plus two signatures
 * cost 0.5–1 s, and the key generation time varies. The price of @peculiar/x509 is that its
 * dependency injection (tsyringe) throws at import unless a global `Reflect` metadata polyfill is
 * loaded first. Both are therefore imported here, lazily and in that order, so the global
 * `Reflect.getMetadata` and friends appear only in a process that generates certificates; a server
 * given --tls-cert-file, or one reusing certificates from --cert-dir, never loads either.
 * @module
 */
import { createCertificateAuthority } from './certificate-authority.js';
import type { SubjectAltNames } from './subject-alt-names.js';

export interface GenerateCertificatesOptions {
  readonly names: SubjectAltNames;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Subject CommonName of the serving certificate. Clients check SANs, not this. */
  readonly commonName?: string;
}

export interface GeneratedCertificates {
  readonly caPem: string;
  readonly certPem: string;
  /** PKCS#8 PEM of the serving certificate's key. The CA's key is dropped, so nothing else can be signed with it. */
  readonly keyPem: string;
}

/**
 * A new ECDSA P-256 CA (CA:true, pathlen 0, keyCertSign) and a serving certificate it signed
 * (serverAuth, SANs from `names`), both valid from `notBefore` to `notAfter`. Writes nothing.
 */
export async function generateCertificates(options: GenerateCertificatesOptions): Promise<GeneratedCertificates> {
  const { notBefore, notAfter } = options;
  // NB: client-go cert.GenerateSelfSignedCertKey names its CA "<host>-ca@<unix time>" so that two
  // generations never share an issuer name; clients that cached the old CA then fail clearly.
  const ca = await createCertificateAuthority({
    commonName: `metrics-adapter-ca@${Math.floor(Date.now() / 1000)}`,
    notBefore,
    notAfter,
  });
  const serving = await ca.issue({
    commonName: options.commonName ?? 'metrics-adapter',
    usages: ['serverAuth'],
    dnsNames: options.names.dnsNames,
    ipAddresses: options.names.ipAddresses,
    notBefore,
    notAfter,
  });
  return { caPem: ca.certPem, certPem: serving.certPem, keyPem: serving.keyPem };
}
