/**
 * `GET /apis` and below: the metrics APIs' discovery and data paths. Every other method there is 405.
 * @module
 */
import type { HTTPMethod } from 'find-my-way';
import { methodNotAllowed } from '../api/errors.js';
import { BoundedCache } from './bounded-cache.js';
import { jsonAnswer, type Answer, type Exchange } from './exchange.js';
import type { MetricsApi } from './metrics-api.js';
import { splitPath } from './paths.js';
import { readMethods, type Routes } from './routes.js';

const otherMethods: readonly HTTPMethod[] = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

export function addMetricsApiRoutes(routes: Routes, metricsApi: MetricsApi): void {
  // NB: decoding and splitting `pods/%2A/...` again for every request of an HPA costs more than its cached answer.
  const segmentsByPath = new BoundedCache<readonly string[]>();
  const read = async (exchange: Exchange): Promise<Answer> => {
    let segments = segmentsByPath.get(exchange.path);
    if (segments === undefined) {
      segments = Object.freeze(splitPath(exchange.path).slice(2));
      segmentsByPath.set(exchange.path, segments);
    }
    try {
      const answer = await metricsApi.handle(
        segments,
        exchange.query,
        exchange.request.headers.accept,
        exchange.queryContext,
      );
      exchange.group = answer.group;
      exchange.version = answer.version;
      return jsonAnswer(exchange, 200, answer.body);
    } catch (error) {
      ({ group: exchange.group, version: exchange.version } = metricsApi.groupVersionOf(segments));
      throw error;
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
