/**
 * Retry delays: capped exponential backoff with jitter, as client-go's `wait.Backoff` (Duration,
 * Factor 2, Jitter, Cap) computes them.
 * @module
 */

export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  readonly initialMs: number;
  /** No delay exceeds this, in ms. */
  readonly maxMs: number;
  /** Each delay is stretched by up to this fraction, at random (0 to 1). */
  readonly jitter: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): `initialMs * 2^(attempt-1)`, capped at
 * `maxMs`, plus up to `jitter` of itself, and capped again. `random` returns [0, 1) like Math.random.
 * NB: jitter spreads the retries of many replicas so a recovering back end is not hit by all at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const base = Math.min(options.initialMs * 2 ** exponent, options.maxMs);
  return Math.min(base * (1 + options.jitter * random()), options.maxMs);
}
