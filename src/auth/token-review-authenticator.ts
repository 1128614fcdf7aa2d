/**
 * Bearer tokens checked with a TokenReview (spec §7.4), cached for the TTL whether the token was
 * accepted or rejected (apiserver token cache: the same TTL for both). Failed calls are not cached.
 * NB: mirrors apiserver bearertoken.go: a header that is not `Bearer <token>` does not apply.
 * @module
 */
import { createHash } from 'node:crypto';
import type { AuthenticationRequest, AuthenticationResult, Authenticator } from './authenticator.js';
import { createDecisionCache } from './decision-cache.js';
import type { KubeApi } from './kube-api.js';

export interface TokenReviewOptions {
  readonly api: KubeApi;
  readonly cacheTtlMs: number;
  readonly audiences?: readonly string[];
}

export function createTokenReviewAuthenticator(options: TokenReviewOptions): Authenticator {
  const cache = createDecisionCache<AuthenticationResult>(() => options.cacheTtlMs, 1024);
  return {
    async authenticate(request: AuthenticationRequest): Promise<AuthenticationResult> {
      const header = request.headers.authorization;
      if (header === undefined) return undefined;
      const parts = header.split(' ');
      if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer' || parts[1] === '') return undefined;
      const token = parts[1]!;
      // NB: the cache is keyed by a hash, so no token stays in memory longer than its request.
      const key = createHash('sha256').update(token).digest('base64');
      try {
        return await cache.get(key, async () => {
          const status = await options.api.createTokenReview(token, options.audiences ?? []);
          if (status.authenticated !== true || status.user?.username === undefined) {
            return { error: `invalid bearer token${status.error ? `: ${status.error}` : ''}` };
          }
          const { user } = status;
          return {
            user: {
              name: user.username ?? '',
              uid: user.uid ?? '',
              groups: user.groups ?? [],
              extra: user.extra ?? {},
            },
          };
        });
      } catch (error) {
        return { error: `TokenReview failed: ${(error as Error).message}` };
      }
    },
  };
}
