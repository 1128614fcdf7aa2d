/**
 * Delegated authorization, spec §7.5: always-allowed paths and groups first, then a
 * SubjectAccessReview to the cluster, with allowed and denied answers cached for their own TTLs.
 * NB: mirrors apiserver DelegatingAuthorizationOptions: a path authorizer, a privileged-group
 * authorizer (system:masters) and the webhook authorizer, in that order.
 * @module
 */
import type { V1SubjectAccessReviewSpec } from '@kubernetes/client-node';
import { createDecisionCache } from './decision-cache.js';
import type { KubeApi } from './kube-api.js';
import type { AuthorizationRequest } from './request-attributes.js';
import { mastersGroup } from './user-info.js';

export interface Decision {
  readonly allowed: boolean;
  /** The SAR's reason, appended to the 403 message. */
  readonly reason: string;
}

export interface Authorizer {
  /** Rejects when the cluster cannot be asked; the caller fails closed. */
  authorize(request: AuthorizationRequest): Promise<Decision>;
}

export interface SubjectAccessReviewOptions {
  readonly api: KubeApi;
  readonly allowedTtlMs: number;
  readonly deniedTtlMs: number;
  /** `--authorization-always-allow-paths`: exact paths, or prefixes when they end in `*`. */
  readonly alwaysAllowPaths: readonly string[];
  readonly alwaysAllowGroups?: readonly string[];
}

/** NB: apiserver authorizerfactory path authorizer: `/livez/*` covers `/livez/ping`, `/livez` covers only itself. */
export function matchesPathPattern(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern));
}

export function subjectAccessReviewSpec(request: AuthorizationRequest): V1SubjectAccessReviewSpec {
  const { user, attributes } = request;
  const spec: V1SubjectAccessReviewSpec = {
    user: user.name,
    ...(user.uid === '' ? {} : { uid: user.uid }),
    groups: [...user.groups],
    ...(Object.keys(user.extra).length === 0
      ? {}
      : { extra: Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]])) }),
  };
  if (!attributes.resourceRequest) return { ...spec, nonResourceAttributes: { ...attributes.nonResource } };
  // NB: Go omits empty attribute strings (omitempty), so a cluster-scoped request carries no namespace.
  const resource = Object.fromEntries(Object.entries(attributes.resource).filter(([, value]) => value !== ''));
  return { ...spec, resourceAttributes: resource };
}

export function createSubjectAccessReviewAuthorizer(options: SubjectAccessReviewOptions): Authorizer {
  const groups = options.alwaysAllowGroups ?? [mastersGroup];
  const cache = createDecisionCache<Decision>((d) => (d.allowed ? options.allowedTtlMs : options.deniedTtlMs));
  return {
    async authorize(request) {
      const { attributes, user } = request;
      if (!attributes.resourceRequest && matchesPathPattern(attributes.nonResource.path, options.alwaysAllowPaths)) {
        return { allowed: true, reason: '' };
      }
      if (user.groups.some((g) => groups.includes(g))) return { allowed: true, reason: '' };
      const spec = subjectAccessReviewSpec(request);
      return cache.get(JSON.stringify(spec), async () => {
        const status = await options.api.createSubjectAccessReview(spec);
        // NB: webhook.go: allowed together with denied is an error, not an allow.
        if (status.allowed && status.denied === true)
          throw new Error('the SubjectAccessReview answered both allowed and denied');
        return { allowed: status.allowed === true, reason: status.reason ?? '' };
      });
    },
  };
}
