/** Authentication and authorization: the RequestGuard seam and the Kubernetes delegating guard. */
export * from './request-guard.js';
export {
  AuthConfigError,
  createDelegatedAuth,
  delegatedAuthRequested,
  type DelegatedAuth,
  type DelegatedAuthOptions,
} from './create-delegated-auth.js';
export { createDelegatingGuard, type DelegatingGuardOptions } from './delegating-guard.js';
export type { Authenticator, AuthenticationRequest, AuthenticationResult } from './authenticator.js';
export type { Authorizer, Decision } from './authorizer.js';
export type { UserInfo } from './user-info.js';
