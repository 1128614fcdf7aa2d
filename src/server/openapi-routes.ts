/**
 * `/openapi/v2`, `/openapi/v3` and `/openapi/v3/apis/{group}/{version}` (spec §3.4): the documents
 * are built once, answered as JSON with a strong ETag, and 304 to a matching If-None-Match, as
 * kube-openapi's handlers do. Protobuf alone is 406: the aggregator then asks for JSON.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notAcceptable, routeNotFound } from '../api/errors.js';
import { createOpenApiDocuments, type OpenApiBody, type OpenApiGroup } from '../api/openapi/index.js';
import { acceptsJson, sendJson } from './respond.js';

export function registerOpenApiRoutes(app: FastifyInstance, groups: readonly OpenApiGroup[]): void {
  const documents = createOpenApiDocuments(groups);

  const answer = (request: FastifyRequest, reply: FastifyReply, document: OpenApiBody): FastifyReply => {
    if (!acceptsJson(request.headers.accept)) throw notAcceptable(['application/json']);
    reply.header('etag', document.etag);
    const match = request.headers['if-none-match'];
    if (match !== undefined && match.split(',').some((tag) => tag.trim() === document.etag)) return reply.code(304).send();
    return sendJson(request, reply, 200, document.body);
  };

  app.get('/openapi/v2', (request, reply) => answer(request, reply, documents.v2));
  app.get('/openapi/v3', (request, reply) => answer(request, reply, documents.v3Discovery));
  app.get<{ Params: { group: string; version: string }; Querystring: { hash?: string } }>('/openapi/v3/apis/:group/:version', (request, reply) => {
    const document = documents.v3.get(`apis/${request.params.group}/${request.params.version}`);
    if (document === undefined) throw routeNotFound();
    const hash = request.query.hash;
    // NB: kube-openapi handler3: the hash the discovery document gave makes the answer immutable;
    // a stale one is sent to the current URL.
    if (hash !== undefined && hash !== document.hash) return reply.redirect(`/openapi/v3/apis/${request.params.group}/${request.params.version}?hash=${document.hash}`, 301);
    if (hash !== undefined) reply.header('cache-control', 'public, immutable').header('expires', new Date(Date.now() + 365 * 86_400_000).toUTCString());
    return answer(request, reply, document);
  });
}
