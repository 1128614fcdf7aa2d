/**
 * The seam where authentication and authorization plug in: a guard sees each request before it
 * is routed and throws a StatusError (401 Unauthorized, 403 Forbidden) to stop it. Without a guard
 * every request is allowed, which `serve` permits only on loopback or with --insecure-disable-auth.
 * @module
 */
import type { IncomingMessage } from 'node:http';

export interface RequestGuard {
  /** Resolves when the request may proceed; throws a StatusError otherwise. */
  check(request: IncomingMessage): void | Promise<void>;
}

/** Paths served to everyone, as the apiserver's default `--authorization-always-allow-paths`. */
export const alwaysAllowedPaths: readonly string[] = ['/healthz', '/readyz', '/livez'];
