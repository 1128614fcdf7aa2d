/**
 * The values of one metric in one scope, indexed by the scope's object slots ({@link ObjectSlots}).
 * Dense columns (a value array, a seconds array, metric labels only once some series has any) cost
 * about 16 bytes a series where the metric covers most of the scope's slots. A metric that covers few
 * of many slots (one of many metrics, each written for a few objects) would waste most of a dense
 * column, so it keeps a Map from slot to entry instead, and turns dense once it is dense enough.
 * @module
 */
import type { Labels } from '../../api/types.js';
import { emptyLabels } from './intern.js';

interface SparseEntry {
  value: string;
  ts: number;
  labels: Labels;
}

/** A sparse column turns dense at this many values, if it would fill at least 1/`densityFactor` of its slots. */
const denseFrom = 32;
/** NB: a dense column is at least 1/8 full, so its empty cells cost at most 8× the 16 bytes of a value. */
const densityFactor = 8;

export class MetricColumn {
  /** Bumped on every write or sweep of these values: a cached selection of an older generation is stale. */
  generation = 0;
  count = 0;
  /** Dense: slot → interned value string, undefined where the metric has no value. */
  private values: (string | undefined)[] | undefined;
  /**
   * Dense: slot → epoch seconds. Int32 holds every second until 2038; a library caller may write any
   * timestamp, so the first one that does not fit widens the column to Float64.
   */
  private seconds: Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | undefined;
  /** Dense: slot → metric labels, made only when a series has some (most have none). */
  private labels: Labels[] | undefined;
  private sparse: Map<number, SparseEntry> | undefined = new Map();

  has(slot: number): boolean {
    return this.sparse === undefined ? this.values![slot] !== undefined : this.sparse.has(slot);
  }

  /** The value at `slot`, which must be present. */
  valueAt(slot: number): string {
    return this.sparse === undefined ? this.values![slot]! : this.sparse.get(slot)!.value;
  }

  secondsAt(slot: number): number {
    return this.sparse === undefined ? this.seconds![slot]! : this.sparse.get(slot)!.ts;
  }

  labelsAt(slot: number): Labels {
    return this.sparse === undefined ? (this.labels?.[slot] ?? emptyLabels) : this.sparse.get(slot)!.labels;
  }

  /** Sets the value at `slot`; true when the slot had none. `slotLimit` bounds the slots in use in the scope. */
  set(slot: number, value: string, ts: number, labels: Labels, slotLimit: number): boolean {
    const sparse = this.sparse;
    if (sparse !== undefined) {
      const entry = sparse.get(slot);
      if (entry !== undefined) {
        entry.value = value;
        entry.ts = ts;
        entry.labels = labels;
        return false;
      }
      sparse.set(slot, { value, ts, labels });
      this.count++;
      if (this.count >= denseFrom && this.count * densityFactor >= slotLimit) this.toDense(slotLimit);
      return true;
    }
    if (slot >= this.values!.length) {
      if ((this.count + 1) * densityFactor < slot + 1) {
        this.toSparse();
        return this.set(slot, value, ts, labels, slotLimit);
      }
      this.grow(slot + 1);
    }
    const added = this.values![slot] === undefined;
    if ((ts | 0) !== ts && this.seconds instanceof Int32Array) this.seconds = Float64Array.from(this.seconds);
    this.values![slot] = value;
    this.seconds![slot] = ts;
    if (labels !== emptyLabels || this.labels !== undefined)
      (this.labels ??= new Array<Labels>(this.values!.length).fill(emptyLabels))[slot] = labels;
    if (added) this.count++;
    return added;
  }

  delete(slot: number): void {
    if (this.sparse !== undefined) {
      if (this.sparse.delete(slot)) this.count--;
      return;
    }
    if (this.values![slot] === undefined) return;
    this.values![slot] = undefined;
    if (this.labels !== undefined) this.labels[slot] = emptyLabels;
    this.count--;
  }

  /**
   * Calls `visit` with every slot that has a value. `visit` may delete the slot it is given (the sweep does), not set.
   */
  forEachSlot(visit: (slot: number) => void): void {
    if (this.sparse !== undefined) {
      for (const slot of this.sparse.keys()) visit(slot);
      return;
    }
    const values = this.values!;
    for (let slot = 0; slot < values.length; slot++) if (values[slot] !== undefined) visit(slot);
  }

  /** The slots that have a value, as a list one may delete from while walking it. */
  slots(): number[] {
    const slots: number[] = [];
    this.forEachSlot((slot) => slots.push(slot));
    return slots;
  }

  private grow(needed: number): void {
    let length = Math.max(16, this.values!.length);
    while (length < needed) length *= 2;
    const values = this.values!;
    // NB: `new Array(n).fill(undefined)` is a packed array of undefined, so `values[slot] === undefined`
    // stays a plain load (a holey array would check the prototype chain).
    const bigger = new Array<string | undefined>(length).fill(undefined);
    for (let i = 0; i < values.length; i++) bigger[i] = values[i];
    this.values = bigger;
    const seconds = this.seconds instanceof Float64Array ? new Float64Array(length) : new Int32Array(length);
    seconds.set(this.seconds!);
    this.seconds = seconds;
    if (this.labels !== undefined) {
      const labels = new Array<Labels>(length).fill(emptyLabels);
      for (let i = 0; i < this.labels.length; i++) labels[i] = this.labels[i]!;
      this.labels = labels;
    }
  }

  private toDense(slotLimit: number): void {
    const sparse = this.sparse!;
    this.sparse = undefined;
    this.values = [];
    let wide = false;
    for (const entry of sparse.values()) wide ||= (entry.ts | 0) !== entry.ts;
    this.seconds = wide ? new Float64Array(0) : new Int32Array(0);
    this.grow(slotLimit);
    for (const [slot, entry] of sparse) {
      this.values[slot] = entry.value;
      this.seconds[slot] = entry.ts;
      if (entry.labels !== emptyLabels)
        (this.labels ??= new Array<Labels>(this.values.length).fill(emptyLabels))[slot] = entry.labels;
    }
  }

  private toSparse(): void {
    const sparse = new Map<number, SparseEntry>();
    this.forEachSlot((slot) =>
      sparse.set(slot, { value: this.values![slot]!, ts: this.seconds![slot]!, labels: this.labelsAt(slot) }),
    );
    this.sparse = sparse;
    this.values = undefined;
    this.seconds = undefined;
    this.labels = undefined;
  }
}
