/**
 * Front-proxy (request-header) authentication, spec §7.3: the aggregator's client certificate must
 * chain to the requestheader CA, allow client auth and carry an allowed CN; only then are the
 * X-Remote-User, X-Remote-Group and X-Remote-Extra-* headers believed.
 * NB: mirrors apiserver headerrequest/requestheader.go and x509request.NewDynamicCAVerifier.
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import {
  headerValues,
  type AuthenticationRequest,
  type AuthenticationResult,
  type Authenticator,
} from './authenticator.js';
import { certificateSubject } from './certificate-subject.js';
import type { UserInfo } from './user-info.js';
import { createCachedVerifier } from './verify-client-certificate.js';

export interface RequestHeaderConfig {
  /** The requestheader CA bundle (kube-apiserver --requestheader-client-ca-file). */
  readonly clientCa: readonly X509Certificate[];
  /** Allowed front-proxy certificate CNs; empty allows any CN the CA signed. */
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

export const requestHeaderDefaults = {
  usernameHeaders: ['X-Remote-User'],
  uidHeaders: [] as string[],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
} as const;

/** NB: requestheader.go unescapeExtraKey: keys are %-escaped by the proxy; a bad escape keeps the raw key. */
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** `config()` is read on every request, so a reloaded ConfigMap applies at once. */
export function createRequestHeaderAuthenticator(config: () => RequestHeaderConfig | undefined): Authenticator {
  const verify = createCachedVerifier();
  return {
    authenticate(request: AuthenticationRequest): AuthenticationResult {
      const current = config();
      if (current === undefined || request.peerCertificates.length === 0) return undefined;
      const verified = verify(request.peerCertificates, current.clientCa);
      if (!verified.ok) return { error: `requestheader: verifying certificate: ${verified.reason}` };
      if (current.allowedNames.length > 0) {
        const { commonName } = certificateSubject(verified.leaf.raw);
        if (!current.allowedNames.includes(commonName)) {
          return {
            error: `requestheader: client certificate CN "${commonName}" is not in the allowed names ${JSON.stringify(current.allowedNames)}`,
          };
        }
      }
      const values = headerValues(request.rawHeaders);
      const first = (names: readonly string[]) => {
        for (const name of names) {
          const value = values.get(name.toLowerCase())?.find((v) => v.length > 0);
          if (value !== undefined) return value;
        }
        return '';
      };
      const name = first(current.usernameHeaders);
      if (name === '') return undefined;
      const groups = current.groupHeaders.flatMap((header) => values.get(header.toLowerCase()) ?? []);
      const extra: Record<string, string[]> = {};
      const prefixes = current.extraHeaderPrefixes.map((p) => p.toLowerCase());
      for (const [header, headerList] of values) {
        const prefix = prefixes.find((p) => header.startsWith(p) && header.length > p.length);
        if (prefix === undefined) continue;
        const key = unescapeExtraKey(header.slice(prefix.length));
        (extra[key] ??= []).push(...headerList);
      }
      const user: UserInfo = { name, uid: first(current.uidHeaders), groups, extra };
      return { user };
    },
  };
}

/** Removes the identity headers, so nothing after authentication can read a forged or stale one. */
export function deleteRequestHeaders(headers: Record<string, unknown>, config: RequestHeaderConfig): void {
  for (const name of [...config.usernameHeaders, ...config.uidHeaders, ...config.groupHeaders])
    delete headers[name.toLowerCase()];
  const prefixes = config.extraHeaderPrefixes.map((p) => p.toLowerCase());
  for (const name of Object.keys(headers)) if (prefixes.some((p) => name.startsWith(p))) delete headers[name];
}
