/**
 * Encoded answer items kept by item number in one buffer, each followed by a comma, so that a list of items is
 * assembled with one copy per run of neighbours instead of one per item.
 *
 * NB: why not a buffer per item: an answer that misses every cache (many HPAs whose selectors take turns) then reaches
 * each item's bytes through three or four objects spread over the heap, and those loads miss the CPU cache; that
 * memory latency was most of such an answer's cost. Items first encoded for one answer sit together here, so the next
 * answer with the same items copies them as one run, and it finds each item's bytes in one typed array.
 * @module
 */
import type { CustomMetricsVersion } from './types.js';

const comma = 0x2c;
/** NB: small: a store has an arena for each metric and scope that was read. */
const initialBytes = 2048;

export class ItemArena {
  private bytes = Buffer.allocUnsafe(initialBytes);
  private used = 0;
  /** Bytes of items no longer kept, reclaimed by compaction. */
  private garbage = 0;
  /**
   * Per item number, its start and its length with its comma (0 where none is kept), side by side. NB: one array, so
   * an item costs one cache line to find: an answer's items are spread over the numbers (a workload's pods among all).
   */
  private spans = new Int32Array(128);

  /** Whether `number`'s bytes are kept. */
  has(number: number): boolean {
    return 2 * number < this.spans.length && this.spans[2 * number + 1] !== 0;
  }

  /** Keeps `json` (one item, no comma) as `number`'s bytes; returns their length with the comma. */
  put(number: number, json: string): number {
    this.drop(number);
    const need = json.length * 3 + 1;
    if (this.used + need > this.bytes.length) this.makeRoom(need);
    const written = this.bytes.write(json, this.used, 'utf8');
    this.bytes[this.used + written] = comma;
    if (2 * number >= this.spans.length) this.growNumbers(number);
    this.spans[2 * number] = this.used;
    this.spans[2 * number + 1] = written + 1;
    this.used += written + 1;
    return written + 1;
  }

  /** Forgets `number`'s bytes. */
  drop(number: number): void {
    if (!this.has(number)) return;
    this.garbage += this.spans[2 * number + 1]!;
    this.spans[2 * number + 1] = 0;
  }

  /** Forgets every item's bytes. */
  clear(): void {
    this.used = 0;
    this.garbage = 0;
    this.spans.fill(0);
  }

  /** The length of `number`'s bytes with the comma; 0 when none are kept. */
  lengthOf(number: number): number {
    return 2 * number < this.spans.length ? this.spans[2 * number + 1]! : 0;
  }

  /**
   * Writes the kept `numbers`' bytes, each with its comma, into `out` from `offset`, in that order; returns the offset
   * after the last comma. Every number must be kept.
   */
  copyTo(numbers: readonly number[], out: Buffer, offset: number): number {
    const { spans, bytes } = this;
    let at = offset;
    let runStart = 0;
    let runEnd = 0;
    for (let i = 0; i < numbers.length; i++) {
      const number = numbers[i]!;
      const start = spans[2 * number]!;
      const length = spans[2 * number + 1]!;
      if (start === runEnd && runEnd > runStart) {
        runEnd += length;
        continue;
      }
      if (runEnd > runStart) at += bytes.copy(out, at, runStart, runEnd);
      runStart = start;
      runEnd = start + length;
    }
    if (runEnd > runStart) at += bytes.copy(out, at, runStart, runEnd);
    return at;
  }

  /** Bytes this arena holds, kept or not. */
  get size(): number {
    return this.bytes.length;
  }

  /**
   * Moves the kept items to the front, in their order, into a buffer at least twice what they and the next item need
   * (this one, when it is large enough), so a series of writes and reads compacts rarely.
   */
  private makeRoom(need: number): void {
    const live = this.used - this.garbage;
    let capacity = this.bytes.length;
    while ((live + need) * 2 > capacity) capacity *= 2;
    const target = capacity === this.bytes.length ? this.bytes : Buffer.allocUnsafe(capacity);
    const { spans } = this;
    const kept: number[] = [];
    for (let n = 0; 2 * n < spans.length; n++) if (spans[2 * n + 1] !== 0) kept.push(n);
    kept.sort((a, b) => spans[2 * a]! - spans[2 * b]!);
    let used = 0;
    // NB: in start order every item moves toward the front, so compacting in place never overwrites one not yet moved.
    for (const n of kept) {
      const start = spans[2 * n]!;
      const length = spans[2 * n + 1]!;
      this.bytes.copy(target, used, start, start + length);
      spans[2 * n] = used;
      used += length;
    }
    this.bytes = target;
    this.used = used;
    this.garbage = 0;
  }

  private growNumbers(number: number): void {
    let size = this.spans.length;
    while (size <= 2 * number + 1) size *= 2;
    const spans = new Int32Array(size);
    spans.set(this.spans);
    this.spans = spans;
  }
}

/**
 * One arena per API version, for a provider's values that answer in either, and the count of their changes.
 *
 * NB: bytes are kept by item number, which a write gives a new value. A list selected before a write and encoded after
 * it holds the old value; its bytes must not be kept for that number. A list therefore carries the `changes` count of
 * its selection, and the encoder uses the arenas only while it is unchanged: a provider drops a number's bytes
 * whenever its value changes, so bytes kept then are the current value's.
 */
export class ItemArenas {
  private readonly byVersion: { [V in CustomMetricsVersion]?: ItemArena } = {};
  /** Drops and clears so far. */
  changes = 0;

  of(version: CustomMetricsVersion): ItemArena {
    return (this.byVersion[version] ??= new ItemArena());
  }

  drop(number: number): void {
    this.changes++;
    this.byVersion.v1beta1?.drop(number);
    this.byVersion.v1beta2?.drop(number);
  }

  clear(): void {
    this.changes++;
    this.byVersion.v1beta1?.clear();
    this.byVersion.v1beta2?.clear();
  }
}

/** The property of a list of values whose items' bytes a provider keeps in arenas ({@link HeldBytes}). */
export const heldBytes: unique symbol = Symbol('heldBytes');

/** Where a list's item bytes are kept: the arenas, each value's item number, and the arenas' changes when selected. */
export interface HeldBytes {
  readonly arenas: ItemArenas;
  readonly numbers: readonly number[];
  readonly changes: number;
}

/** A list of values that may say where its items' bytes are kept. */
export type HeldList<T> = readonly T[] & { readonly [heldBytes]?: HeldBytes };
