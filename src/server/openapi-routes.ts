/**
 * `/openapi/v2`, `/openapi/v3` and `/openapi/v3/apis/{group}/{version}` (spec §3.4): the documents
 * are built once, answered as JSON with a strong ETag, and 304 to a matching If-None-Match, as
 * kube-openapi's handlers do. Protobuf alone is 406: the aggregator then asks for JSON.
 * @module
 */
import { notAcceptable, routeNotFound } from '../api/errors.js';
import { createOpenApiDocuments, type OpenApiBody, type OpenApiGroup } from '../api/openapi/index.js';
import { jsonAnswer, type Answer, type Exchange } from './exchange.js';
import { acceptsJson } from './respond.js';
import { readMethods, type Routes } from './routes.js';

export function addOpenApiRoutes(routes: Routes, groups: readonly OpenApiGroup[]): void {
  const documents = createOpenApiDocuments(groups);

  const answer = (exchange: Exchange, document: OpenApiBody, extraHeaders: Record<string, string> = {}): Answer => {
    if (!acceptsJson(exchange.request.headers.accept)) throw notAcceptable(['application/json']);
    const headers = { ...extraHeaders, etag: document.etag };
    const match = exchange.request.headers['if-none-match'];
    if (match?.split(',').some((tag) => tag.trim() === document.etag)) return { code: 304, headers };
    return jsonAnswer(exchange, 200, document.body, headers);
  };

  routes.add(readMethods, '/openapi/v2', (exchange) => answer(exchange, documents.v2));
  routes.add(readMethods, '/openapi/v3', (exchange) => answer(exchange, documents.v3Discovery));
  routes.add(readMethods, '/openapi/v3/apis/:group/:version', (exchange) => {
    const { group, version } = exchange.params;
    const document = documents.v3.get(`apis/${group}/${version}`);
    if (document === undefined) throw routeNotFound();
    const hash = new URLSearchParams(exchange.query).get('hash');
    // NB: kube-openapi handler3: the hash the discovery document gave makes the answer immutable;
    // a stale one is sent to the current URL.
    if (hash !== null && hash !== document.hash)
      return { code: 301, headers: { location: `/openapi/v3/apis/${group}/${version}?hash=${document.hash}` } };
    if (hash !== null)
      return answer(exchange, document, {
        'cache-control': 'public, immutable',
        expires: new Date(Date.now() + 365 * 86_400_000).toUTCString(),
      });
    return answer(exchange, document);
  });
}
