/**
 * The object names of one scope, by slot and slot by name, kept as bytes in typed arrays: an open-addressing table of
 * slots over one byte arena. A million names then cost their bytes plus about 20 bytes each, outside the V8 heap's
 * small objects. As a `Map<string, number>` and one string per name they cost about 65 bytes each on the heap, and,
 * being a million small long-lived objects promoted among the garbage of the requests that wrote them, they pinned
 * partly filled heap pages that the process never gave back (measured: RSS about twice the heap in use at 1M series).
 * NB: our own table, not a library one, because the point is to keep names out of the heap as objects.
 *
 * Names of Latin-1 characters (every Kubernetes object name) live in the arena; any other name, or one longer than
 * 65,535 characters, is kept as a string in a side map, so every name round-trips exactly.
 * @module
 */
import { ownString } from './intern.js';

const noName = -1;
const longestStored = 0xffff;

export class NameTable {
  private bytes = Buffer.alloc(1024);
  /** Bytes of the arena in use, removed names' included. */
  private used = 0;
  /** Bytes of removed names still in the arena; compacted away once they are half of it. */
  private dead = 0;
  /** Slot → offset of its name in the arena, or `noName`. */
  private starts = new Int32Array(16).fill(noName);
  private lengths = new Uint16Array(16);
  /** Open addressing, linear probing: slot + 1, 0 for an empty cell; at most half full. */
  private table = new Int32Array(32);
  private stored = 0;
  /** One past the highest slot ever added. */
  private limit = 0;
  private readonly others = new Map<string, number>();
  private readonly otherNames = new Map<number, string>();

  get size(): number {
    return this.stored + this.others.size;
  }

  /** The slot of `name`, or undefined. */
  slot(name: string): number | undefined {
    if (this.others.size > 0) {
      const other = this.others.get(name);
      if (other !== undefined) return other;
    }
    const hash = hashOf(name);
    if (hash === wide) return undefined;
    const table = this.table;
    const mask = table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const cell = table[i]!;
      if (cell === 0) return undefined;
      if (this.holds(cell - 1, name)) return cell - 1;
    }
  }

  /** The name at `slot`, which must hold one. */
  nameOf(slot: number): string {
    const start = this.starts[slot]!;
    if (start === noName) return this.otherNames.get(slot)!;
    return this.bytes.toString('latin1', start, start + this.lengths[slot]!);
  }

  /** Gives `slot` the name `name`, which no slot holds; `slot` must hold none. */
  add(name: string, slot: number): void {
    if (slot >= this.starts.length) this.growSlots(slot + 1);
    if (slot >= this.limit) this.limit = slot + 1;
    const hash = hashOf(name);
    if (hash === wide || name.length > longestStored) {
      const own = ownString(name);
      this.others.set(own, slot);
      this.otherNames.set(slot, own);
      return;
    }
    if (this.used + name.length > this.bytes.length) this.makeRoom(name.length);
    const bytes = this.bytes;
    const start = this.used;
    for (let i = 0; i < name.length; i++) bytes[start + i] = name.charCodeAt(i);
    this.used += name.length;
    this.starts[slot] = start;
    this.lengths[slot] = name.length;
    if ((this.stored + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    this.place(slot, hash);
    this.stored++;
  }

  /** Takes the name away from `slot`, which must hold one. */
  remove(slot: number): void {
    const start = this.starts[slot]!;
    if (start === noName) {
      this.others.delete(this.otherNames.get(slot)!);
      this.otherNames.delete(slot);
      return;
    }
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hashAt(slot) & mask;
    while (table[i] !== slot + 1) i = (i + 1) & mask;
    // NB: backward-shift deletion: later cells of the same run move up, so no tombstones accumulate.
    for (let next = (i + 1) & mask; table[next] !== 0; next = (next + 1) & mask) {
      const home = this.hashAt(table[next]! - 1) & mask;
      const movable = i <= next ? home <= i || home > next : home <= i && home > next;
      if (movable) {
        table[i] = table[next]!;
        i = next;
      }
    }
    table[i] = 0;
    this.starts[slot] = noName;
    this.dead += this.lengths[slot]!;
    this.stored--;
  }

  private holds(slot: number, name: string): boolean {
    if (this.lengths[slot] !== name.length) return false;
    const bytes = this.bytes;
    const start = this.starts[slot]!;
    for (let i = name.length - 1; i >= 0; i--) if (bytes[start + i] !== name.charCodeAt(i)) return false;
    return true;
  }

  private hashAt(slot: number): number {
    const start = this.starts[slot]!;
    const end = start + this.lengths[slot]!;
    let hash = fnvOffset;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ this.bytes[i]!, fnvPrime);
    return hash >>> 1;
  }

  private place(slot: number, hash: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = hash & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = slot + 1;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    for (let slot = 0; slot < this.limit; slot++) if (this.starts[slot] !== noName) this.place(slot, this.hashAt(slot));
  }

  /** Compacts the arena when removed names are half of it, else grows it, so `needed` more bytes fit. */
  private makeRoom(needed: number): void {
    const live = this.used - this.dead;
    let size = this.bytes.length;
    while (size < (live + needed) * 2) size *= 2;
    const old = this.bytes;
    const bytes = Buffer.alloc(size);
    let used = 0;
    for (let slot = 0; slot < this.limit; slot++) {
      const start = this.starts[slot]!;
      if (start === noName) continue;
      const length = this.lengths[slot]!;
      old.copy(bytes, used, start, start + length);
      this.starts[slot] = used;
      used += length;
    }
    this.bytes = bytes;
    this.used = used;
    this.dead = 0;
  }

  private growSlots(needed: number): void {
    let length = this.starts.length * 2;
    while (length < needed) length *= 2;
    const starts = new Int32Array(length).fill(noName);
    starts.set(this.starts);
    const lengths = new Uint16Array(length);
    lengths.set(this.lengths);
    this.starts = starts;
    this.lengths = lengths;
  }
}

const fnvOffset = 0x811c9dc5 | 0;
const fnvPrime = 0x01000193;
/** `hashOf`'s answer for a name with a character past Latin-1, which the arena cannot hold. */
const wide = -1;

/** FNV-1a over the name's characters, as the arena's bytes hash, made non-negative; `wide` past Latin-1. */
function hashOf(name: string): number {
  let hash = fnvOffset;
  let all = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    all |= c;
    hash = Math.imul(hash ^ c, fnvPrime);
  }
  return all > 0xff ? wide : hash >>> 1;
}
