/**
 * The route table behind the front door: method and path pattern to a handler, on find-my-way (the
 * router fastify itself uses). Patterns take `:name` parameters and a trailing `*`.
 * @module
 */
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { BoundedCache } from './bounded-cache.js';
import type { Handler } from './exchange.js';

export interface Route {
  readonly handler: Handler;
  /** Answered even when the in-flight budget is spent (health and /metrics, as kube-apiserver exempts them). */
  readonly unlimited?: boolean;
}

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly params: Readonly<Record<string, string | undefined>> }
  | { readonly kind: 'bad-url' }
  | { readonly kind: 'none' };

/** The methods a GET route answers: HEAD gets the same headers without the body (Node drops it). */
export const readMethods: readonly HTTPMethod[] = ['GET', 'HEAD'];

const noMatch: RouteMatch = { kind: 'none' };
const badUrl: RouteMatch = { kind: 'bad-url' };
const unusedHandler = (): void => undefined;

export class Routes {
  /**
   * Matches by method and exact path. NB: an HPA asks the same few paths over and over, and find-my-way's percent
   * scan of a path such as `pods/%2A/...` costs more than the in-memory answer behind it. Cleared when a route is
   * added.
   */
  private readonly remembered = new Map<string, BoundedCache<RouteMatch>>();
  private readonly router = FindMyWay({
    // NB: a Kubernetes name is at most 253 characters; the default of 100 would 404 a long one.
    maxParamLength: 1024,
    onBadUrl: unusedHandler,
  });

  /** Adds a route; a later route for the same method and pattern is an error, as in fastify. */
  add(methods: HTTPMethod | readonly HTTPMethod[], path: string, route: Route | Handler): void {
    const stored: Route = typeof route === 'function' ? { handler: route } : route;
    this.router.on(typeof methods === 'string' ? methods : [...methods], path, unusedHandler, stored);
    this.remembered.clear();
  }

  /** The route for `method` and `path` (the URL without its query). */
  find(method: string | undefined, path: string): RouteMatch {
    const verb = method ?? 'GET';
    let byPath = this.remembered.get(verb);
    const hit = byPath?.get(path);
    if (hit !== undefined) return hit;
    const match = this.lookUp(verb, path);
    // NB: only known methods are remembered, so a caller cannot grow the outer map with made-up verbs.
    if (match.kind !== 'none') {
      if (byPath === undefined) {
        byPath = new BoundedCache();
        this.remembered.set(verb, byPath);
      }
      byPath.set(path, match);
    }
    return match;
  }

  private lookUp(method: string, path: string): RouteMatch {
    const found = this.router.find(method as HTTPMethod, path);
    if (found === null) return noMatch;
    // NB: find-my-way answers an undecodable URL with onBadUrl's handler and no store.
    if (found.store === null || found.store === undefined) return badUrl;
    return { kind: 'route', route: found.store as Route, params: Object.freeze(found.params) };
  }
}
