/**
 * The objects of one resource in one namespace, with an inverted index from `key=value` to names.
 * It answers the HPA's question "which pods match this selector" in time proportional to the
 * matching objects, not to all objects: the most selective `=`/`in` requirement picks the candidates.
 * @module
 */
import type { Labels } from '../api/types.js';
import { LabelPostings } from './label-postings.js';
import type { Selector } from './selector.js';

interface ObjectRecord {
  /** Interned by the caller, so an unchanged label set is the same object. */
  labels: Labels;
  /** Series that refer to this object; the record goes when the last one does. */
  series: number;
}

const noLabels: Labels = Object.freeze({});

export class ObjectIndex {
  private readonly objects = new Map<string, ObjectRecord>();
  private readonly postings = new LabelPostings<string>();
  /** Bumped whenever an object comes, goes or changes labels, so callers can tell a cached answer is stale. */
  generation = 0;

  get size(): number {
    return this.objects.size;
  }

  /** Every object's name. */
  names(): IterableIterator<string> {
    return this.objects.keys();
  }

  labelsOf(name: string): Labels | undefined {
    return this.objects.get(name)?.labels;
  }

  /**
   * Adds a series reference to `name`, setting its labels when given (undefined keeps them). Labels
   * must be interned: they are compared by identity.
   */
  retain(name: string, labels: Labels | undefined): void {
    const record = this.objects.get(name);
    if (record === undefined) {
      const initial = labels ?? noLabels;
      this.generation++;
      this.objects.set(name, { labels: initial, series: 1 });
      this.postings.add(name, initial);
      return;
    }
    record.series++;
    this.relabel(record, name, labels);
  }

  /** Updates labels of an object that already has a series, without adding a reference. */
  update(name: string, labels: Labels | undefined): void {
    const record = this.objects.get(name);
    if (record !== undefined) this.relabel(record, name, labels);
  }

  release(name: string): void {
    const record = this.objects.get(name);
    if (record === undefined) return;
    if (--record.series > 0) return;
    this.generation++;
    this.objects.delete(name);
    this.postings.remove(name, record.labels);
  }

  /**
   * Names that may match `selector`, as sets to walk one after another, or undefined when no
   * requirement narrows the search (the caller then walks its own, smaller, collection).
   * `limit`: a candidate list larger than this is not worth it.
   */
  candidates(selector: Selector, limit: number): readonly ReadonlySet<string>[] | undefined {
    return mostSelectiveCandidates(
      selector,
      limit,
      (key, value) => {
        const set = this.postings.get(key, value);
        return set === undefined ? undefined : [set];
      },
      (set) => set.size,
    );
  }

  private relabel(record: ObjectRecord, name: string, labels: Labels | undefined): void {
    if (labels === undefined || labels === record.labels) return;
    this.generation++;
    this.postings.remove(name, record.labels);
    record.labels = labels;
    this.postings.add(name, labels);
  }
}

/**
 * The candidates of the most selective `=`/`in` requirement of `selector`: for each of its values the
 * posting items `postings` gives, counted by `size`; undefined when no requirement gets under `limit`.
 * NB: one object has one value per key, so the postings of an `in` list are disjoint and their sizes add up.
 */
export function mostSelectiveCandidates<T>(
  selector: Selector,
  limit: number,
  postings: (key: string, value: string) => Iterable<T> | undefined,
  size: (item: T) => number,
): T[] | undefined {
  let best: T[] | undefined;
  let bestSize = limit;
  for (const requirement of selector.requirements) {
    const op = requirement.operator;
    if (op !== '=' && op !== '==' && op !== 'in') continue;
    const items: T[] = [];
    let total = 0;
    for (const value of requirement.values) {
      const found = postings(requirement.key, value);
      if (found === undefined) continue;
      for (const item of found) {
        items.push(item);
        total += size(item);
      }
    }
    if (total < bestSize) {
      best = items;
      bestSize = total;
    }
  }
  return best;
}
