/**
 * metav1.Status bodies for errors (spec §4) and for the write API's success answer.
 * @module
 */
import { goJson } from './json.js';
import type { StatusError } from './errors.js';
import type { Status } from './types.js';

/** NB: field order is Go's: kind, apiVersion, metadata, status, message, reason, details, code. */
export function encodeStatusError(error: StatusError): string {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    ...(error.details ? { details: error.details } : {}),
    code: error.code,
  };
  return goJson(status);
}

export function encodeStatusSuccess(code: number, message: string): string {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message, code };
  return goJson(status);
}
