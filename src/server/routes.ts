/**
 * The route table behind the front door: method and path pattern to a handler, on find-my-way (the
 * router fastify itself uses). Patterns take `:name` parameters and a trailing `*`.
 * @module
 */
import FindMyWay, { type HTTPMethod } from 'find-my-way';
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
  private readonly router = FindMyWay({
    // NB: a Kubernetes name is at most 253 characters; the default of 100 would 404 a long one.
    maxParamLength: 1024,
    onBadUrl: unusedHandler,
  });

  /** Adds a route; a later route for the same method and pattern is an error, as in fastify. */
  add(methods: HTTPMethod | readonly HTTPMethod[], path: string, route: Route | Handler): void {
    const stored: Route = typeof route === 'function' ? { handler: route } : route;
    this.router.on(typeof methods === 'string' ? methods : [...methods], path, unusedHandler, stored);
  }

  find(method: string | undefined, url: string): RouteMatch {
    const found = this.router.find((method ?? 'GET') as HTTPMethod, url);
    if (found === null) return noMatch;
    // NB: find-my-way answers an undecodable URL with onBadUrl's handler and no store.
    if (found.store === null || found.store === undefined) return badUrl;
    return { kind: 'route', route: found.store as Route, params: found.params };
  }
}
