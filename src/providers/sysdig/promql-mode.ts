/**
 * The seam for `mode: promql`: Sysdig also answers PromQL at `<url>/prometheus/api/v1/query` with the same
 * bearer token, so the Prometheus back end's rules compiler and query code can serve Sysdig unchanged. This
 * back end builds the HTTP client (base URL, token, CA, deadline) and hands it over; it holds no rules engine.
 * @module
 */
import type { Backend, BackendDeps, CommonBackendFlags } from '../backend.js';
import type { UpstreamClient } from '../http/upstream-client.js';

export interface PromqlDelegateOptions {
  /** Points at `<sysdig url>/prometheus` and sends `Authorization: Bearer <token>` on every request. */
  readonly http: UpstreamClient;
  /** The `sysdig.promql` section: prometheus-adapter rules, for the Prometheus back end's schema. */
  readonly section: Readonly<Record<string, unknown>>;
  readonly flags: CommonBackendFlags;
  readonly deps: BackendDeps;
}

/** Builds a back end from the Prometheus back end's modules over an HTTP client this back end made. */
export type PromqlDelegate = (options: PromqlDelegateOptions) => Promise<Backend>;

/** The path under the Sysdig URL where its PromQL-compatible API lives. */
export const promqlPathPrefix = '/prometheus';

/**
 * TODO(issue 10): after the Prometheus back end (src/providers/prometheus/) is merged, return a delegate
 * that validates `section` with its config schema, compiles the rules with its rules compiler and builds
 * its providers over `http` (its PromQL client must take an UpstreamClient or a base URL plus headers).
 */
export async function loadPromqlDelegate(): Promise<PromqlDelegate | undefined> {
  return undefined;
}
