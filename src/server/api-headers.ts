/**
 * The headers kube-apiserver's filter chain puts on every answer (spec §11): `Cache-Control:
 * no-cache, private` (APISERVER filters/cachecontrol.go) and `Audit-Id`, the request's own when it
 * sent one (the aggregator does), else a new UUID (APISERVER filters/audit_init.go).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const defaultCacheControl = 'no-cache, private';

/** The Audit-Id of the answer to `request`. */
export function auditIdOf(request: IncomingMessage): string {
  const sent = request.headers['audit-id'];
  return typeof sent === 'string' && sent !== '' ? sent : randomUUID();
}
