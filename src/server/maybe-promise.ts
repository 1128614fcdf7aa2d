/**
 * Values that are there now or later. The request path runs synchronously as far as its parts answer at once (the
 * memory store always does), because every `await` costs a turn of the microtask queue, and on a named query the
 * awaits of four async functions measured about 5-8% of its CPU (alternating runs, docs/performance.md).
 * @module
 */
export type MaybePromise<T> = T | Promise<T>;

export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** `next(value)` at once when `value` is there, else once it is; a throw of `next` is a throw or a rejection alike. */
export function whenReady<T, R>(value: T | PromiseLike<T>, next: (value: T) => R): MaybePromise<R> {
  return isPromiseLike(value) ? Promise.resolve(value).then(next) : next(value);
}
