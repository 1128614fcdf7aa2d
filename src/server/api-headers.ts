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
 * from the cache. The count is two 24-bit halves, each a small integer written from a table: a 48-bit number is a
 * double, which `toString(16)` formats through a slow path (about 0.2 µs a request). A new random prefix is drawn
 * before the count could wrap.
 */
export function newAuditId(): string {
  if (auditLow > lowMask) {
    auditLow = 0;
    if (++auditHigh > lowMask) restartAuditIds();
    else auditHighHex = hex24(auditHigh);
  }
  const low = auditLow++;
  return auditPrefix + auditHighHex + hexBytes[low >>> 16]! + hexBytes[(low >>> 8) & 0xff]! + hexBytes[low & 0xff]!;
}

const lowMask = 0xffffff;
const hexBytes = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const hex24 = (n: number): string => hexBytes[n >>> 16]! + hexBytes[(n >>> 8) & 0xff]! + hexBytes[n & 0xff]!;
let auditPrefix = '';
let auditHigh = lowMask;
let auditHighHex = '';
let auditLow = lowMask + 1;

function restartAuditIds(): void {
  const uuid = randomUUID();
  auditPrefix = uuid.slice(0, 24);
  // NB: a random start, so two processes started together do not hand out the same IDs.
  auditHigh = Number.parseInt(uuid.slice(24, 30), 16) >>> 1;
  auditHighHex = hex24(auditHigh);
  auditLow = Number.parseInt(uuid.slice(30, 36), 16);
}

/** The Audit-Id of the answer to `request`. */
export function auditIdOf(request: IncomingMessage): string {
  const sent = request.headers['audit-id'];
  return typeof sent === 'string' && sent !== '' ? sent : newAuditId();
}
