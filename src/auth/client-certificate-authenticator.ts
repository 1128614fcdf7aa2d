/**
 * x509 client-certificate users (--client-ca-file), spec §7.4: CN is the user name, each O a group.
 * NB: mirrors apiserver authentication/request/x509 CommonNameUserConversion: an empty CN does not apply.
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import type { AuthenticationRequest, AuthenticationResult, Authenticator } from './authenticator.js';
import { certificateSubject } from './certificate-subject.js';
import { createCachedVerifier } from './verify-client-certificate.js';

export function createClientCertificateAuthenticator(
  clientCa: () => readonly X509Certificate[] | undefined,
): Authenticator {
  const verify = createCachedVerifier();
  return {
    authenticate(request: AuthenticationRequest): AuthenticationResult {
      const roots = clientCa();
      if (roots === undefined || request.peerCertificates.length === 0) return undefined;
      const verified = verify(request.peerCertificates, roots);
      if (!verified.ok) return { error: `verifying certificate: ${verified.reason}` };
      const { commonName, organizations } = certificateSubject(verified.leaf.raw);
      if (commonName === '') return undefined;
      return { user: { name: commonName, uid: '', groups: organizations, extra: {} } };
    },
  };
}
