/**
 * The RequestGuard of a delegating server: authenticate (front proxy, client certificate, bearer
 * token, else anonymous), then authorize (always-allowed paths and groups, else a cached
 * SubjectAccessReview). Fails closed: an authorizer that cannot reach the cluster denies.
 * NB: mirrors apiserver authenticatorfactory/delegating.go: unionauth.NewFailOnError, so a rejected
 * credential is a 401 even though anonymous requests are allowed.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { StatusError, unauthorized } from '../api/errors.js';
import type { Logger } from '../log/index.js';
import type { AuthenticationRequest, Authenticator } from './authenticator.js';
import type { Authorizer } from './authorizer.js';
import { forbidden } from './forbidden-error.js';
import { connectionOf, peerCertificates } from './peer-certificates.js';
import { requestAttributes } from './request-attributes.js';
import type { RequestGuard } from './request-guard.js';
import { anonymous, withAuthenticatedGroup, type UserInfo } from './user-info.js';

export interface DelegatingGuardOptions {
  /** Tried in order; the first user wins. */
  readonly authenticators: readonly Authenticator[];
  readonly authorizer: Authorizer;
  /** Called with the request after an authenticator at `index` succeeded, to strip headers it trusted. */
  readonly onAuthenticated?: (index: number, request: IncomingMessage) => void;
  readonly logger?: Logger;
}

/** The user a request authenticates as; throws 401 when credentials were presented and all were rejected. */
export async function authenticate(
  authenticators: readonly Authenticator[],
  request: AuthenticationRequest,
): Promise<{ user: UserInfo; index: number; errors: readonly string[] }> {
  const errors: string[] = [];
  for (let index = 0; index < authenticators.length; index++) {
    const result = await authenticators[index]!.authenticate(request);
    if (result === undefined) continue;
    if ('user' in result) return { user: withAuthenticatedGroup(result.user), index, errors };
    errors.push(result.error);
  }
  return { user: anonymous, index: -1, errors };
}

export function createDelegatingGuard(options: DelegatingGuardOptions): RequestGuard {
  const { logger } = options;
  return {
    async check(request: IncomingMessage) {
      const input: AuthenticationRequest = {
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        peerCertificates: peerCertificates(connectionOf(request)),
      };
      const { user, index, errors } = await authenticate(options.authenticators, input);
      if (index < 0 && errors.length > 0) {
        logger?.debug({ url: request.url, errors }, 'Unable to authenticate the request');
        throw unauthorized();
      }
      if (index >= 0) options.onAuthenticated?.(index, request);
      const attributes = requestAttributes(request.method ?? 'GET', request.url ?? '/');
      let decision;
      try {
        decision = await options.authorizer.authorize({ user, attributes });
      } catch (error) {
        // NB: the apiserver answers an authorizer error with a plain-text 500; a Status 503 says the
        // same thing (try again later) in the shape every Kubernetes client decodes.
        logger?.warn({ err: error, url: request.url, user: user.name }, 'cannot authorize the request');
        throw new StatusError(
          503,
          'ServiceUnavailable',
          'the request cannot be authorized now: the Kubernetes API server did not answer the SubjectAccessReview',
          undefined,
          { cause: error },
        );
      }
      if (!decision.allowed) {
        logger?.debug({ url: request.url, user: user.name, reason: decision.reason }, 'Forbidden');
        throw forbidden(user.name, attributes, decision.reason);
      }
    },
  };
}
