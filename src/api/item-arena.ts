/**
 * Encoded answer items kept by item number in one buffer, each followed by a comma, so that a list of items is
 * assembled with one copy per run of neighbours instead of one per item.
 *
 * NB: why not a buffer per item: an answer that misses every cache (many HPAs whose selectors take turns) then reaches
 * each item's bytes through three or four objects spread over the heap, and those loads miss the CPU cache; that
 * memory latency was most of such an answer's cost. Items first encoded for one answer sit together here, so the next
 * answer with the same items copies them as one run, and the item numbers and lengths it reads are two small arrays.
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
  private starts = new Int32Array(64);
  /** Each kept item's length with its comma; 0 where none is kept. */
  private lengths = new Int32Array(64);
  /**
   * The value each kept item's bytes were encoded from. NB: an item number is a provider's slot, which a write gives a
   * new value; a list selected before that write and encoded after it must not leave its old bytes for the new value.
   */
  private owners: unknown[] = [];

  /** Whether `number`'s bytes are kept, encoded from `owner`. */
  has(number: number, owner: unknown): boolean {
    return number < this.owners.length && this.owners[number] === owner && this.lengths[number] !== 0;
  }

  /** Keeps `json` (one item, no comma) as `number`'s bytes, encoded from `owner`. */
  put(number: number, owner: unknown, json: string): void {
    this.drop(number);
    const need = json.length * 3 + 1;
    if (this.used + need > this.bytes.length) this.makeRoom(need);
    const written = this.bytes.write(json, this.used, 'utf8');
    this.bytes[this.used + written] = comma;
    if (number >= this.lengths.length) this.growNumbers(number);
    // NB: grown one cell at a time, never by writing past the end: a far write would turn the array into a dictionary.
    while (this.owners.length <= number) this.owners.push(undefined);
    this.starts[number] = this.used;
    this.lengths[number] = written + 1;
    this.owners[number] = owner;
    this.used += written + 1;
  }

  /** Forgets `number`'s bytes. */
  drop(number: number): void {
    if (number >= this.owners.length || this.lengths[number] === 0) return;
    this.garbage += this.lengths[number]!;
    this.lengths[number] = 0;
    this.owners[number] = undefined;
  }

  /** Forgets every item's bytes. */
  clear(): void {
    this.used = 0;
    this.garbage = 0;
    this.lengths.fill(0);
    this.owners.length = 0;
  }

  /** The bytes of the kept `numbers` joined by commas, with the last comma: what {@link copyTo} writes. */
  lengthOf(numbers: readonly number[]): number {
    let length = 0;
    for (let i = 0; i < numbers.length; i++) length += this.lengths[numbers[i]!]!;
    return length;
  }

  /**
   * Writes the kept `numbers`' bytes, each with its comma, into `out` from `offset`, in that order; returns the offset
   * after the last comma. Every number must be kept.
   */
  copyTo(numbers: readonly number[], out: Buffer, offset: number): number {
    const { starts, lengths, bytes } = this;
    let at = offset;
    let runStart = 0;
    let runEnd = 0;
    for (let i = 0; i < numbers.length; i++) {
      const number = numbers[i]!;
      const start = starts[number]!;
      if (start === runEnd && runEnd > runStart) {
        runEnd += lengths[number]!;
        continue;
      }
      if (runEnd > runStart) at += bytes.copy(out, at, runStart, runEnd);
      runStart = start;
      runEnd = start + lengths[number]!;
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
    const kept: number[] = [];
    for (let n = 0; n < this.owners.length; n++) if (this.lengths[n] !== 0) kept.push(n);
    kept.sort((a, b) => this.starts[a]! - this.starts[b]!);
    let used = 0;
    // NB: in start order every item moves toward the front, so compacting in place never overwrites one not yet moved.
    for (const n of kept) {
      const start = this.starts[n]!;
      const length = this.lengths[n]!;
      this.bytes.copy(target, used, start, start + length);
      this.starts[n] = used;
      used += length;
    }
    this.bytes = target;
    this.used = used;
    this.garbage = 0;
  }

  private growNumbers(number: number): void {
    let size = this.lengths.length;
    while (size <= number) size *= 2;
    const starts = new Int32Array(size);
    starts.set(this.starts);
    const lengths = new Int32Array(size);
    lengths.set(this.lengths);
    this.starts = starts;
    this.lengths = lengths;
  }
}

/** One arena per API version, for a provider's values that answer in either. */
export class ItemArenas {
  private readonly byVersion: { [V in CustomMetricsVersion]?: ItemArena } = {};

  of(version: CustomMetricsVersion): ItemArena {
    return (this.byVersion[version] ??= new ItemArena());
  }

  drop(number: number): void {
    this.byVersion.v1beta1?.drop(number);
    this.byVersion.v1beta2?.drop(number);
  }

  clear(): void {
    this.byVersion.v1beta1?.clear();
    this.byVersion.v1beta2?.clear();
  }
}

/** The property of a list of values whose items' bytes a provider keeps in arenas ({@link HeldBytes}). */
export const heldBytes: unique symbol = Symbol('heldBytes');

/** Where a list's item bytes are kept: the arenas, and each value's item number in them. */
export interface HeldBytes {
  readonly arenas: ItemArenas;
  readonly numbers: readonly number[];
}

/** A list of values that may say where its items' bytes are kept. */
export type HeldList<T> = readonly T[] & { readonly [heldBytes]?: HeldBytes };
