/**
 * The answers of repeated selector queries, per metric of a memory store, bounded by the number of
 * answers and by the values they hold together. NB: a cached answer holds one value object per
 * series it returns, so a cache bounded only by its number of answers grows with the store: the
 * status page's sampler asks every namespace for all its values every 10s, and at 1M series those
 * cached answers (and their replacements, garbage after the next write) were most of the adapter's RSS.
 * An answer too large for the budget is not cached: it costs a walk of what it returns either way.
 *
 * NB: a ring of two fixed arrays searched in turn, not a Map. Queries that take turns (many HPAs, one selector each)
 * replace an answer on nearly every query; a Map then rebuilds its table every few replacements, and a table the
 * garbage collector has moved to the old generation keeps pointing at its young successor and at the answers it held.
 * Each young collection then kept those alive and promoted them, which made the next collection keep the next ones:
 * measured in-process, 100 selectors in turn over 10k pods through the metrics API took about 4 µs a query, or, once
 * in that state, 12-15 µs with most of it in garbage collection. A scan of 32 keys costs less than either.
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
  /** Cells of a ring, in the order the answers were kept from `oldest` on; empty cells hold undefined. */
  private readonly keys: (string | undefined)[] = new Array(selectionsPerMetric).fill(undefined);
  private readonly entries: (T | undefined)[] = new Array(selectionsPerMetric).fill(undefined);
  private oldest = 0;
  private count = 0;
  private heldValues = 0;

  get(key: string): T | undefined {
    const at = this.keys.indexOf(key);
    return at < 0 ? undefined : this.entries[at];
  }

  /** Keeps `entry` under `key` (replacing what was there), evicting the oldest answers to fit the budget. */
  set(key: string, entry: T): void {
    const at = this.keys.indexOf(key);
    if (at >= 0) this.remove(at);
    const size = entry.values.length;
    if (size > selectionValuesPerMetric) return;
    while (this.count > 0 && (this.count >= selectionsPerMetric || this.heldValues + size > selectionValuesPerMetric))
      this.remove(this.oldest);
    const cell = (this.oldest + this.count) % selectionsPerMetric;
    this.keys[cell] = key;
    this.entries[cell] = entry;
    this.count++;
    this.heldValues += size;
  }

  /** Empties `cell` and moves the answers kept after it back by one, so the ring stays in order without gaps. */
  private remove(cell: number): void {
    this.heldValues -= this.entries[cell]!.values.length;
    let emptied = cell;
    if (cell === this.oldest) {
      this.oldest = (this.oldest + 1) % selectionsPerMetric;
    } else {
      emptied = (this.oldest + this.count - 1) % selectionsPerMetric;
      for (let at = cell; at !== emptied; at = (at + 1) % selectionsPerMetric) {
        const next = (at + 1) % selectionsPerMetric;
        this.keys[at] = this.keys[next];
        this.entries[at] = this.entries[next];
      }
    }
    this.keys[emptied] = undefined;
    this.entries[emptied] = undefined;
    this.count--;
  }
}
