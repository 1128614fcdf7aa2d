/**
 * The answers of repeated selector queries, per metric of a memory store, bounded by the number of
 * answers and by the values they hold together. NB: a cached answer holds one value object per
 * series it returns, so a cache bounded only by its number of answers grows with the store: the
 * status page's sampler asks every namespace for all its values every 10s, and at 1M series those
 * cached answers (and their replacements, garbage after the next write) were most of the adapter's RSS.
 * An answer too large for the budget is not cached: it costs a walk of what it returns either way.
 * @module
 */

/** Answers kept per metric. */
export const selectionsPerMetric = 32;
/**
 * Values kept per metric over all its answers: about 100 bytes each, so at most about 400 KiB per
 * queried metric, while the HPA's answers (a workload's pods) fit many times over.
 */
export const selectionValuesPerMetric = 4096;

export class SelectionCache<T extends { readonly values: readonly unknown[] }> {
  private readonly entries = new Map<string, T>();
  private heldValues = 0;

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  /** Keeps `entry` under `key` (replacing what was there), evicting the oldest answers to fit the budget. */
  set(key: string, entry: T): void {
    this.delete(key);
    const size = entry.values.length;
    if (size > selectionValuesPerMetric) return;
    while (this.entries.size >= selectionsPerMetric || this.heldValues + size > selectionValuesPerMetric) {
      this.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, entry);
    this.heldValues += size;
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.heldValues -= old.values.length;
  }
}
