/**
 * The push endpoints: `POST /api/v1/write` (remote-write), `POST /v1/metrics` (OTLP/HTTP) and
 * `POST /write-metrics` (batched JSON writes). Their bodies are binary or large, so they are read with
 * the receivers' own limit; other methods are 405.
 * @module
 */
import { methodNotAllowed } from '../api/errors.js';
import type { PushReceivers } from '../ingest/index.js';
import { mediaTypeOf, type Answer, type Exchange } from './exchange.js';
import type { Routes } from './routes.js';

type Endpoint = 'remoteWrite' | 'otlpMetrics' | 'batchWrite';

const endpoints: Readonly<Record<string, Endpoint>> = {
  '/api/v1/write': 'remoteWrite',
  '/v1/metrics': 'otlpMetrics',
  '/write-metrics': 'batchWrite',
};

export function addPushRoutes(routes: Routes, receivers: PushReceivers): void {
  for (const [path, endpoint] of Object.entries(endpoints)) {
    routes.add('POST', path, async (exchange: Exchange): Promise<Answer> => {
      const body = await exchange.body(receivers.maxBodyBytes);
      // NB: the client went away; whatever is answered reaches nobody.
      if (body === undefined) return { code: 499 };
      const headers = exchange.request.headers;
      const result = await receivers[endpoint]({
        body,
        contentType: mediaTypeOf(headers['content-type']),
        contentEncoding: (headers['content-encoding'] ?? '').trim().toLowerCase(),
      });
      return {
        code: result.code,
        ...(result.body !== undefined ? { body: result.body } : {}),
        ...(result.contentType !== undefined ? { headers: { 'content-type': result.contentType } } : {}),
      };
    });
    routes.add(['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], path, () => {
      throw methodNotAllowed();
    });
  }
}
