/**
 * The headers kube-apiserver's filter chain puts on every answer (spec §11): `Cache-Control:
 * no-cache, private` (APISERVER filters/cachecontrol.go) and `Audit-Id`, the request's own when it
 * sent one (the aggregator does), else a new UUID (APISERVER filters/audit_init.go).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Sets both headers on `response`; the front door calls it first for every request. */
export function setApiServerHeaders(request: IncomingMessage, response: ServerResponse): void {
  const sent = request.headers['audit-id'];
  response.setHeader('cache-control', 'no-cache, private');
  response.setHeader('audit-id', typeof sent === 'string' && sent !== '' ? sent : randomUUID());
}
