/**
 * A bounded TTL cache of answers from the Kubernetes API (TokenReview, SubjectAccessReview), with
 * a TTL chosen per answer (allowed vs denied) and one request in flight per key, so N concurrent
 * identical requests cost one review. Failed lookups are not cached: the next request asks again.
 * @module
 */

export interface DecisionCache<T> {
  /** The cached answer, or `lookup()`'s; `ttlMs(answer)` says how long to keep it (0: do not keep). */
  get(key: string, lookup: () => Promise<T>): Promise<T>;
  readonly size: number;
}

/**
 * NB: the apiserver's webhook caches are LRU with 1024 (authn) and 8192 (authz) entries; oldest-first eviction is close
 * enough.
 */
export function createDecisionCache<T>(
  ttlMs: (answer: T) => number,
  maxEntries = 8192,
  now: () => number = Date.now,
): DecisionCache<T> {
  const entries = new Map<string, { readonly value: T; readonly expires: number }>();
  const inFlight = new Map<string, Promise<T>>();
  return {
    get size() {
      return entries.size;
    },
    get(key, lookup) {
      const entry = entries.get(key);
      if (entry !== undefined) {
        if (entry.expires > now()) return Promise.resolve(entry.value);
        entries.delete(key);
      }
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const started = lookup().then(
        (value) => {
          inFlight.delete(key);
          const ttl = ttlMs(value);
          if (ttl > 0) {
            if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
            entries.set(key, { value, expires: now() + ttl });
          }
          return value;
        },
        (error: unknown) => {
          inFlight.delete(key);
          throw error;
        },
      );
      inFlight.set(key, started);
      return started;
    },
  };
}
