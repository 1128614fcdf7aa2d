/**
 * Label and field selectors from a request's query string.
 * @module
 */
import { everything, parseSelector, type Selector } from '../selector/index.js';
import { BoundedCache } from './bounded-cache.js';

const cachesByName = new Map<string, BoundedCache<Selector>>();

/**
 * The selector in query parameter `name`; an absent or empty parameter selects everything (spec §1.7: a nil selector is
 * sent as no parameter). NB: an HPA sends the same query for each metric every 15 s, and URLSearchParams plus the
 * selector parser cost more than the in-memory answer, so parsed selectors (immutable) are kept per distinct query.
 * A query whose selector does not parse is never kept, so it throws every time.
 */
export function selectorParam(query: string, name: string): Selector {
  if (query === '') return everything;
  let cache = cachesByName.get(name);
  if (cache === undefined) {
    cache = new BoundedCache();
    cachesByName.set(name, cache);
  }
  const hit = cache.get(query);
  if (hit !== undefined) return hit;
  const text = new URLSearchParams(query).get(name);
  const selector = text === null || text === '' ? everything : parseSelector(text);
  cache.set(query, selector);
  return selector;
}
