/**
 * A back end's state: whether it can answer (`/readyz`), and per part of a composite back end (`/debug/backends`).
 * @module
 */

export interface Readiness {
  readonly ready: boolean;
  /** Why not, for `/readyz?verbose` and the log. */
  readonly message?: string;
}

/** One back end's state, for `/debug/backends` and the status page. */
export interface BackendHealth {
  readonly name: string;
  readonly kind: string;
  readonly ready: boolean;
  readonly message?: string;
  readonly customMetrics: number;
  readonly externalMetrics: number;
}
