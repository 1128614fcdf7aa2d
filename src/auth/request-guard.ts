/**
 * The seam where authentication and authorization plug in: a guard sees each request before it
 * is routed, health paths included, and throws a StatusError (401 Unauthorized, 403 Forbidden) to
 * stop it. Without a guard every request is allowed, which `serve` permits only on loopback or with
 * --insecure-disable-auth. createDelegatedAuth (create-delegated-auth.ts) builds the Kubernetes one.
 * @module
 */
import type { IncomingMessage } from 'node:http';

export interface RequestGuard {
  /** Resolves when the request may proceed; throws a StatusError otherwise. */
  check(request: IncomingMessage): void | Promise<void>;
}

/**
 * The apiserver's default `--authorization-always-allow-paths`. A guard should let these through
 * (kubelet probes carry no credentials); the delegating guard does, as its authorizer's first rule.
 */
export const alwaysAllowedPaths: readonly string[] = ['/healthz', '/readyz', '/livez'];
