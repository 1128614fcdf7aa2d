/**
 * Interning of label sets and value strings. Most series share a handful of label sets (every pod of
 * a Deployment has the same labels) and values, so one shared frozen copy saves most of the
 * per-series memory. The tables are bounded: past the limit they start over, which only costs sharing.
 * @module
 */
import type { Labels } from '../../api/types.js';
import { labelSetKey } from '../../selector/index.js';

/** The one empty label set: the interner returns it for every empty set, so identity tells emptiness. */
export const emptyLabels: Labels = Object.freeze({});

/**
 * A copy of `text` that owns its characters. NB: V8 makes a substring of 13 or more characters a
 * "sliced" view that keeps its parent alive, so an object name cut from a request URL would keep the
 * whole URL in memory for as long as the series lives (measured: about 100 bytes per series).
 */
export function ownString(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

const noLabels = Object.freeze({ labels: emptyLabels, key: '' });

function isEmpty(labels: Labels): boolean {
  for (const _ in labels) return false;
  return true;
}

/** The longest value text worth sharing: longer ones rarely repeat (see {@link Interner.string}). */
const sharedStringMaxLength = 6;

export class Interner {
  private labelSets = new Map<string, Labels>();
  private strings = new Map<string, string>();
  private byIdentity = new WeakMap<Labels, { readonly labels: Labels; readonly key: string }>();

  constructor(private readonly limit = 65_536) {}

  /** The shared copy of `labels`, and its canonical key. */
  labels(labels: Labels): { readonly labels: Labels; readonly key: string } {
    // NB: most series have no metric labels; this answers them without allocating.
    if (isEmpty(labels)) return noLabels;
    // NB: the write API hands over one frozen set per distinct query, again with every write of a series; a frozen
    // set cannot change, so its answer is found by identity without building its key.
    const frozen = Object.isFrozen(labels);
    if (frozen) {
      const known = this.byIdentity.get(labels);
      if (known !== undefined) return known;
    }
    const key = labelSetKey(labels);
    let shared = this.labelSets.get(key);
    if (shared === undefined) {
      if (this.labelSets.size >= this.limit) {
        this.labelSets = new Map();
        this.byIdentity = new WeakMap();
      }
      const copy: Record<string, string> = {};
      for (const name in labels) copy[ownString(name)] = ownString(labels[name]!);
      shared = Object.freeze(copy);
      this.labelSets.set(key, shared);
    }
    const interned = { labels: shared, key };
    if (frozen) this.byIdentity.set(labels, interned);
    return interned;
  }

  /**
   * The shared copy of a short `text`; a longer one is returned as it is. NB: values that repeat across series are
   * short (`1`, `500m`, `2k`); a long one (`16666666667n`, a pushed rate) is nearly always new, so looking it up
   * cost a hash and an insert per write (a tenth of a pushed sample's time) and pushed the shared ones out.
   */
  string(text: string): string {
    if (text.length > sharedStringMaxLength) return text;
    const shared = this.strings.get(text);
    if (shared !== undefined) return shared;
    if (this.strings.size >= this.limit) this.strings = new Map();
    this.strings.set(text, text);
    return text;
  }
}
