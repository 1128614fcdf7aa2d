/**
 * Encoded answers by the identity of the list a provider returned. A provider that answers a repeated query with the
 * same frozen array, as the memory store does while nothing changed, gets the bytes without encoding again; any other
 * provider returns a new array each time and pays as before. Weak keys: the body goes when the provider lets go of
 * the list. An answer of one value (the named-object form) is kept by the value's identity the same way, for a
 * provider that answers with the same frozen value while its series is unchanged.
 *
 * NB: a list's body is kept from its second request on. The first is encoded into the answer pool's memory (`pooled`),
 * which is reused once written: a list asked once, such as one of many selectors in turn or one between two writes,
 * then allocates no body of its own (see api/body-pool.ts), and a list asked again costs one more assembly.
 * @module
 */

/** Encodes a list; with `pooled`, into the answer pool's memory, for an answer written once and then released. */
export type EncodeList<T> = (list: readonly T[], pooled: boolean) => Buffer;

/** The mark of a list encoded once, not yet kept. */
const seenOnce = Buffer.alloc(0);

export class BodyCache<T> {
  private readonly bodies = new WeakMap<readonly T[], Buffer>();
  private readonly itemBodies = new WeakMap<T & object, Buffer>();

  get(list: readonly T[], encode: EncodeList<T>): Buffer {
    if (!Object.isFrozen(list)) return encode(list, true);
    const body = this.bodies.get(list);
    if (body === undefined) {
      this.bodies.set(list, seenOnce);
      return encode(list, true);
    }
    if (body !== seenOnce) return body;
    const kept = encode(list, false);
    this.bodies.set(list, kept);
    return kept;
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
