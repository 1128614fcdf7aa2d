/**
 * Encoded answers by the identity of the list a provider returned. A provider that answers a repeated query with the
 * same frozen array, as the memory store does while nothing changed, gets the bytes without encoding again; any other
 * provider returns a new array each time and pays as before. Weak keys: the body goes when the provider lets go of
 * the list.
 * @module
 */
export class BodyCache<T> {
  private readonly bodies = new WeakMap<readonly T[], Buffer>();

  get(list: readonly T[], encode: (list: readonly T[]) => Buffer): Buffer {
    if (!Object.isFrozen(list)) return encode(list);
    let body = this.bodies.get(list);
    if (body === undefined) {
      body = encode(list);
      this.bodies.set(list, body);
    }
    return body;
  }
}
