/**
 * Who a request comes from, as Kubernetes' authenticators describe a user (apiserver `user.Info`),
 * and the well-known names the delegating chain adds.
 * @module
 */

export interface UserInfo {
  readonly name: string;
  /** '' when the authenticator knows none. */
  readonly uid: string;
  readonly groups: readonly string[];
  /** Extra attributes (front-proxy `X-Remote-Extra-*`, TokenReview `extra`), keys lower-case. */
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export const anonymousUser = 'system:anonymous';
export const unauthenticatedGroup = 'system:unauthenticated';
export const authenticatedGroup = 'system:authenticated';
/**
 * NB: DelegatingAuthorizationOptions.AlwaysAllowGroups; the aggregator's availability probe relies on it (spec §7.8).
 */
export const mastersGroup = 'system:masters';

export const anonymous: UserInfo = { name: anonymousUser, uid: '', groups: [unauthenticatedGroup], extra: {} };

/** NB: group.NewAuthenticatedGroupAdder: every authenticated user is in system:authenticated, added once. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(authenticatedGroup) || user.groups.includes(unauthenticatedGroup)) return user;
  return { ...user, groups: [...user.groups, authenticatedGroup] };
}
