/**
 * What one authenticator in the delegating chain answers, as apiserver's authenticator.Request does:
 * a user, "does not apply" (undefined), or an error (credentials were presented and are bad).
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { UserInfo } from './user-info.js';

/** The parts of a request authenticators read. `rawHeaders` keeps repeated headers apart, as Go's http.Header does. */
export interface AuthenticationRequest {
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly peerCertificates: readonly X509Certificate[];
}

export type AuthenticationResult = { readonly user: UserInfo } | { readonly error: string } | undefined;

export interface Authenticator {
  authenticate(request: AuthenticationRequest): AuthenticationResult | Promise<AuthenticationResult>;
}

/** Every value of each header, keyed by lower-case name, in order; a repeated header gives several values. */
export function headerValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = values.get(name);
    if (list === undefined) values.set(name, [rawHeaders[i + 1]!]);
    else list.push(rawHeaders[i + 1]!);
  }
  return values;
}
