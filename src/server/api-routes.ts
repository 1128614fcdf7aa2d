/**
 * `GET /apis` and below: the metrics APIs' discovery and data paths. Every other method there is 405.
 * @module
 */
import type { HTTPMethod } from 'find-my-way';
import { methodNotAllowed } from '../api/errors.js';
import { BoundedCache } from './bounded-cache.js';
import { jsonAnswer, type Answer, type Exchange } from './exchange.js';
import { isPromiseLike } from './maybe-promise.js';
import type { ApiAnswer, MetricsApi } from './metrics-api.js';
import { splitPath } from './paths.js';
import { readMethods, type Routes } from './routes.js';

const otherMethods: readonly HTTPMethod[] = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

export function addMetricsApiRoutes(routes: Routes, metricsApi: MetricsApi): void {
  // NB: decoding and splitting `pods/%2A/...` again for every request of an HPA costs more than its cached answer.
  const segmentsByPath = new BoundedCache<readonly string[]>();
  const read = (exchange: Exchange): Answer | Promise<Answer> => {
    let segments = segmentsByPath.get(exchange.path);
    if (segments === undefined) {
      segments = Object.freeze(splitPath(exchange.path).slice(2));
      segmentsByPath.set(exchange.path, segments);
    }
    const known = segments;
    const answered = (answer: ApiAnswer): Answer => {
      exchange.group = answer.group;
      exchange.version = answer.version;
      return jsonAnswer(exchange, 200, answer.body);
    };
    const failed = (error: unknown): never => {
      ({ group: exchange.group, version: exchange.version } = metricsApi.groupVersionOf(known));
      throw error;
    };
    try {
      const answer = metricsApi.handle(known, exchange.query, exchange.request.headers.accept, exchange.queryContext);
      return isPromiseLike(answer) ? Promise.resolve(answer).then(answered).catch(failed) : answered(answer);
    } catch (error) {
      return failed(error);
    }
  };
  const refuse = (): never => {
    throw methodNotAllowed();
  };
  routes.add(readMethods, '/apis', read);
  routes.add(readMethods, '/apis/*', read);
  routes.add(otherMethods, '/apis', refuse);
  routes.add(otherMethods, '/apis/*', refuse);
}
