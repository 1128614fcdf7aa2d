/**
 * Encoded answers by the identity of the list a provider returned. A provider that answers a repeated query with the
 * same frozen array, as the memory store does while nothing changed, gets the bytes without encoding again; any other
 * provider returns a new array each time and pays as before. Weak keys: the body goes when the provider lets go of
 * the list. An answer of one value (the named-object form) is kept by the value's identity the same way, for a
 * provider that answers with the same frozen value while its series is unchanged.
 * @module
 */
export class BodyCache<T> {
  private readonly bodies = new WeakMap<readonly T[], Buffer>();
  private readonly itemBodies = new WeakMap<T & object, Buffer>();

  get(list: readonly T[], encode: (list: readonly T[]) => Buffer): Buffer {
    if (!Object.isFrozen(list)) return encode(list);
    let body = this.bodies.get(list);
    if (body === undefined) {
      body = encode(list);
      this.bodies.set(list, body);
    }
    return body;
  }

  /** The body of a list of one `item`, by the item's identity when it is frozen. */
  one(item: T, encode: (list: readonly T[]) => Buffer): Buffer {
    if (typeof item !== 'object' || item === null || !Object.isFrozen(item)) return encode([item]);
    let body = this.itemBodies.get(item);
    if (body === undefined) {
      body = encode([item]);
      this.itemBodies.set(item, body);
    }
    return body;
  }
}
