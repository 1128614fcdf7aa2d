/**
 * How hard the reliability suite pushes, from the environment, so the same files run small under
 * `npm test` and large under `npm run test:reliability` (which sets RELIABILITY_RUNS=100000).
 * @module
 */

function fromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return value;
}

/** fast-check cases in all, split across the in-process properties (inject) by `share`. */
export const fuzzRuns = fromEnv('RELIABILITY_RUNS', 2000);
/** This property's part of `fuzzRuns`; at least 100 so a small run still means something. */
export function share(fraction: number): number {
  return Math.max(100, Math.round(fuzzRuns * fraction));
}
/** Cases over real TLS sockets to the CLI process: a smaller share, as each is a round trip. */
export const tlsFuzzRuns = fromEnv('RELIABILITY_TLS_RUNS', Math.max(100, Math.round(fuzzRuns / 50)));
/** Idle TLS connections held open while other clients are served. */
export const idleConnections = fromEnv('RELIABILITY_IDLE_CONNECTIONS', 500);
/** Seconds of the soak run, and its fixed request rate per second. */
export const soakSeconds = fromEnv('RELIABILITY_SOAK_SECONDS', 3);
export const soakRate = fromEnv('RELIABILITY_SOAK_RATE', 200);
/** A fixed seed reproduces a run; fast-check prints the seed and path of any failure. */
export const fuzzSeed = process.env.RELIABILITY_SEED === undefined ? undefined : fromEnv('RELIABILITY_SEED', 0);
