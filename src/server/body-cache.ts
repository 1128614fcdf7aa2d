/**
 * Encoded answers by the identity of the list a provider returned. A provider that answers a repeated query with the
 * same frozen array, as the memory store does while nothing changed, gets the bytes without encoding again; any other
 * provider returns a new array each time and pays as before. Weak keys: the body goes when the provider lets go of
 * the list. An answer of one value (the named-object form) is kept by the value's identity the same way, for a
 * provider that answers with the same frozen value while its series is unchanged.
 *
 * NB: a list's body is kept from its second request on. The first is encoded into the answer pool's memory (`pooled`),
 * which is reused once written: a list asked once, such as one of many selectors in turn or one between two writes,
 * then allocates no body of its own (see api/body-pool.ts), and a list asked again costs one more assembly. A list
 * asked again only after {@link ringOfLists} other lists were asked once is taken for a new one.
 * @module
 */

/** Encodes a list; with `pooled`, into the answer pool's memory, for an answer written once and then released. */
export type EncodeList<T> = (list: readonly T[], pooled: boolean) => Buffer;

/** The mark, in `bodies`, of a long list read once, not yet kept. */
const seenOnce = Buffer.alloc(0);

/** Lists the ring remembers as read once: a list asked again after this many others is assembled once more. */
export const ringOfLists = 64;
/**
 * Longer lists are marked in the weak map instead: the ring holds its lists strongly, so this bounds what it can keep
 * alive (64 lists of 1,024 values: a few MB at most, where the status page's whole-namespace answers could be GBs).
 */
export const longestInRing = 1024;

export class BodyCache<T> {
  private readonly bodies = new WeakMap<readonly T[], Buffer>();
  private readonly itemBodies = new WeakMap<T & object, Buffer>();
  /**
   * Lists read once and not yet kept, oldest overwritten first. NB: not marks in `bodies`: with queries that take
   * turns nearly every answer is read once, and a weak entry for each costs its insertion and work in every young
   * collection (the garbage collector treats it as an ephemeron; a slot of an array is a plain pointer). Measured
   * in-process, 100 selectors in turn over 10k pods: 4.4 against 4.2 µs an uncached query.
   */
  private readonly ring: (readonly T[] | undefined)[] = new Array(ringOfLists).fill(undefined);
  private next = 0;

  get(list: readonly T[], encode: EncodeList<T>): Buffer {
    if (!Object.isFrozen(list)) return encode(list, true);
    const body = this.bodies.get(list);
    if (body !== undefined && body !== seenOnce) return body;
    if (body === undefined) {
      const seen = list.length <= longestInRing ? this.ring.indexOf(list) : -1;
      if (seen < 0) {
        this.remember(list);
        return encode(list, true);
      }
      this.ring[seen] = undefined;
    }
    const kept = encode(list, false);
    this.bodies.set(list, kept);
    return kept;
  }

  private remember(list: readonly T[]): void {
    if (list.length > longestInRing) {
      this.bodies.set(list, seenOnce);
      return;
    }
    this.ring[this.next] = list;
    this.next = (this.next + 1) % ringOfLists;
  }

  /** The body of a list of one `item`, by the item's identity when it is frozen. */
  one(item: T, encode: EncodeList<T>): Buffer {
    if (typeof item !== 'object' || item === null || !Object.isFrozen(item)) return encode([item], false);
    let body = this.itemBodies.get(item);
    if (body === undefined) {
      body = encode([item], false);
      this.itemBodies.set(item, body);
    }
    return body;
  }
}
