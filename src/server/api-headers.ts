/**
 * The headers kube-apiserver's filter chain puts on every answer (spec §11): `Cache-Control:
 * no-cache, private` (APISERVER filters/cachecontrol.go) and `Audit-Id`, the request's own when it
 * sent one (the aggregator does), else a new UUID (APISERVER filters/audit_init.go).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const defaultCacheControl = 'no-cache, private';

/**
 * A new request's Audit-Id: a random version-4 UUID whose last 48 bits count up from a random start. NB: an ID only has
 * to be unique, and this costs a string concatenation where a fresh random UUID per request cost as much as answering
 * from the cache; a new random prefix is drawn before the counter could wrap.
 */
export function newAuditId(): string {
  if (auditCounter >= auditCounterLimit) restartAuditIds();
  const suffix = (auditCounter++).toString(16).padStart(12, '0');
  return auditPrefix + suffix;
}

const auditCounterLimit = 2 ** 48;
let auditPrefix = '';
let auditCounter = auditCounterLimit;

function restartAuditIds(): void {
  const uuid = randomUUID();
  auditPrefix = uuid.slice(0, 24);
  // NB: a random start, so two processes started together do not hand out the same IDs.
  auditCounter = Number.parseInt(uuid.slice(24, 32), 16) * 2 ** 8;
}

/** The Audit-Id of the answer to `request`. */
export function auditIdOf(request: IncomingMessage): string {
  const sent = request.headers['audit-id'];
  return typeof sent === 'string' && sent !== '' ? sent : newAuditId();
}
