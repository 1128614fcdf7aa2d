/**
 * The objects of one custom-metrics scope (namespace × resource), each under a small integer slot that
 * every metric of the scope indexes its values by, with a label index over the slots. This is
 * {@link ObjectIndex}'s job laid out for a million series: per object its name's bytes and a few typed-array cells
 * ({@link NameTable}), instead of a record object plus one Set entry per label.
 *
 * The label index is two-level. Objects with the same (interned) label set form a group whose member
 * slots sit in one Int32Array (swap-removed, each slot remembering its position; the first member in
 * the group itself); `key=value` maps to the groups whose labels have it. Pods of one workload share
 * their labels, so the per-object cost of the index is two Int32 cells, and a selector still walks
 * only the objects of the groups its most selective `=`/`in` requirement names. Where every object has
 * labels of its own, a group per object costs about what the old record and postings did (measured
 * at 200k such objects: about 600 bytes a series with both layouts, most of it the label sets).
 * @module
 */
import type { Labels } from '../../api/types.js';
import { LabelPostings, mostSelectiveCandidates, type Selector } from '../../selector/index.js';
import { emptyLabels } from './intern.js';
import { NameTable } from './name-table.js';

const noMembers = new Int32Array(0);

/** Objects sharing one label set. */
export class LabelGroup {
  /**
   * The first member, kept in the group: where every object has labels of its own (a StatefulSet pod's
   * name is one of them) a group of one then costs no array (measured: about 140 bytes less per object).
   */
  private first = -1;
  /** Members 1 to size-1. */
  private rest: Int32Array<ArrayBuffer> = noMembers;
  size = 0;
  constructor(
    readonly labels: Labels,
    readonly id: number,
  ) {}

  /** The member at `index`, in `[0, size)`. */
  member(index: number): number {
    return index === 0 ? this.first : this.rest[index - 1]!;
  }

  setMember(index: number, slot: number): void {
    if (index === 0) this.first = slot;
    else this.rest[index - 1] = slot;
  }

  /** Adds `slot`; returns its index. */
  add(slot: number): number {
    if (this.size > 0) this.rest = grown(this.rest, this.size);
    this.setMember(this.size, slot);
    return this.size++;
  }
}

function grown(array: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  if (needed <= array.length) return array;
  let length = Math.max(4, array.length * 2);
  while (length < needed) length *= 2;
  const bigger = new Int32Array(length);
  bigger.set(array);
  return bigger;
}

function grownBytes(array: Uint8Array<ArrayBuffer>, needed: number): Uint8Array<ArrayBuffer> {
  if (needed <= array.length) return array;
  let length = array.length * 2;
  while (length < needed) length *= 2;
  const bigger = new Uint8Array(length);
  bigger.set(array);
  return bigger;
}

export class ObjectSlots {
  /** Bumped whenever an object comes, goes or changes labels, so callers can tell a cached answer is stale. */
  generation = 0;
  private readonly names = new NameTable();
  /** Slot → id of its label group. */
  private groupOf = new Int32Array(16);
  /** Slot → its index in the group's members. */
  private positionOf = new Int32Array(16);
  /**
   * Slot → how many metrics hold a value for it; the slot is freed when none does. NB: one byte, as
   * few objects have 255 metrics; from 255 on the count lives in `manyRefs`.
   */
  private refs = new Uint8Array(16);
  private readonly manyRefs = new Map<number, number>();
  /** One past the highest slot ever handed out. */
  private highWater = 0;
  private readonly freeSlots: number[] = [];
  private readonly groups: (LabelGroup | undefined)[] = [];
  private readonly freeGroups: number[] = [];
  /** NB: by identity: labels are interned, and an interner reset only splits a group in two, which selects the same. */
  private readonly groupByLabels = new Map<Labels, LabelGroup>();
  private readonly postings = new LabelPostings<LabelGroup>();

  get size(): number {
    return this.names.size;
  }

  /** One past the highest slot in use so far: metric columns are at most this long. */
  get slotLimit(): number {
    return this.highWater;
  }

  slot(name: string): number | undefined {
    return this.names.slot(name);
  }

  nameOf(slot: number): string {
    return this.names.nameOf(slot);
  }

  labelsOf(slot: number): Labels {
    return this.groups[this.groupOf[slot]!]!.labels;
  }

  /** The slot of `name`, made (with `labels`, or none) if new; does not add a reference. */
  slotFor(name: string, labels: Labels | undefined): number {
    const existing = this.names.slot(name);
    if (existing !== undefined) {
      if (labels !== undefined) this.relabel(existing, labels);
      return existing;
    }
    const slot = this.freeSlots.pop() ?? this.highWater++;
    if (slot >= this.refs.length) {
      this.groupOf = grown(this.groupOf, slot + 1);
      this.positionOf = grown(this.positionOf, slot + 1);
      this.refs = grownBytes(this.refs, slot + 1);
    }
    this.names.add(name, slot);
    this.refs[slot] = 0;
    this.join(slot, labels ?? emptyLabels);
    this.generation++;
    return slot;
  }

  retain(slot: number): void {
    if (this.refs[slot]! < 255) this.refs[slot]!++;
    else this.manyRefs.set(slot, (this.manyRefs.get(slot) ?? 255) + 1);
  }

  /** Drops one reference; the object goes with the last. */
  release(slot: number): void {
    const many = this.manyRefs.get(slot);
    if (many !== undefined) {
      if (many > 256) this.manyRefs.set(slot, many - 1);
      else this.manyRefs.delete(slot);
      return;
    }
    if (--this.refs[slot]! > 0) return;
    this.names.remove(slot);
    this.leave(slot);
    this.freeSlots.push(slot);
    this.generation++;
  }

  /**
   * Groups whose members may match `selector`, to walk one after another, or undefined when no
   * requirement narrows the search below `limit` objects (the caller then walks its own collection).
   */
  candidates(selector: Selector, limit: number): readonly LabelGroup[] | undefined {
    return mostSelectiveCandidates(
      selector,
      limit,
      (key, value) => this.postings.get(key, value),
      (group) => group.size,
    );
  }

  private relabel(slot: number, labels: Labels): void {
    if (this.groups[this.groupOf[slot]!]!.labels === labels) return;
    this.leave(slot);
    this.join(slot, labels);
    this.generation++;
  }

  private join(slot: number, labels: Labels): void {
    let group = this.groupByLabels.get(labels);
    if (group === undefined) {
      const id = this.freeGroups.pop() ?? this.groups.length;
      group = new LabelGroup(labels, id);
      this.groups[id] = group;
      this.groupByLabels.set(labels, group);
      this.postings.add(group, labels);
    }
    this.positionOf[slot] = group.add(slot);
    this.groupOf[slot] = group.id;
  }

  private leave(slot: number): void {
    const group = this.groups[this.groupOf[slot]!]!;
    // NB: swap-remove: the last member takes the leaver's place, so removal is O(1) at any group size.
    const position = this.positionOf[slot]!;
    const last = group.member(--group.size);
    group.setMember(position, last);
    this.positionOf[last] = position;
    if (group.size > 0) return;
    this.groups[group.id] = undefined;
    this.freeGroups.push(group.id);
    this.groupByLabels.delete(group.labels);
    this.postings.remove(group, group.labels);
  }
}
