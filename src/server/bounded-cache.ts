/**
 * A string-keyed cache for what the hot path would otherwise recompute for every request: route matches, parsed paths
 * and selectors. Clients ask the same few URLs over and over (an HPA every 15 s per metric), but a caller could send
 * endlessly many distinct ones, so entries are capped and long keys are never kept.
 * @module
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly maxEntries = 1024,
    private readonly maxKeyLength = 1024,
  ) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Keeps `value` unless its key is too long. NB: cleared whole when full: no order is worth the bookkeeping. */
  set(key: string, value: V): void {
    if (key.length > this.maxKeyLength) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}
