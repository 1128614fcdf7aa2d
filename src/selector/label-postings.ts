/**
 * An inverted index from `key=value` to the items whose labels have it: the part of a label index
 * that answers "which items have app=web". Items are whatever the caller indexes (object names,
 * groups of objects); a posting that empties is dropped, so memory follows the labels in use.
 * @module
 */
import type { Labels } from '../api/types.js';

export class LabelPostings<T> {
  private readonly postings = new Map<string, Set<T>>();

  /** The items with `key=value`, if any. */
  get(key: string, value: string): ReadonlySet<T> | undefined {
    return this.postings.get(postingKey(key, value));
  }

  /** Files `item` under each of `labels`. */
  add(item: T, labels: Labels): void {
    for (const key in labels) {
      const posting = postingKey(key, labels[key]!);
      let set = this.postings.get(posting);
      if (set === undefined) {
        set = new Set();
        this.postings.set(posting, set);
      }
      set.add(item);
    }
  }

  /** Takes `item` out from under each of `labels`. */
  remove(item: T, labels: Labels): void {
    for (const key in labels) {
      const posting = postingKey(key, labels[key]!);
      const set = this.postings.get(posting);
      if (set === undefined) continue;
      set.delete(item);
      if (set.size === 0) this.postings.delete(posting);
    }
  }
}

function postingKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}
