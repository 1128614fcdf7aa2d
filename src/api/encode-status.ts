/**
 * metav1.Status bodies for errors (spec §4) and for the write API's success answer.
 * @module
 */
import { goJson, goString } from './json.js';
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

/**
 * NB: written from its two fixed parts: every acknowledged write answers one, and a generic stringify of the object
 * cost as much as storing the value. A test checks it against `goJson` of the same object.
 */
export function encodeStatusSuccess(code: number, message: string): string {
  return `${successHead}${goString(message)},"code":${code}}\n`;
}

/**
 * A Status success whose message is a fixed head and tail around a varying part, as the text to write before and after
 * that part: `before + part + after` is `encodeStatusSuccess(code, head + part + tail)` for a well-formed head and
 * tail (no lone surrogate) and any part that JSON writes as it is (no quote, backslash, control or HTML-significant
 * character), such as a quantity's canonical text. NB: the
 * write API answers every write with one; its head and tail are escaped once per written series, not per write.
 */
export function statusSuccessAround(
  code: number,
  head: string,
  tail: string,
): { readonly before: string; readonly after: string } {
  return {
    before: `${successHead}${goString(head).slice(0, -1)}`,
    after: `${goString(tail).slice(1)},"code":${code}}\n`,
  };
}

const successHead = '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","message":';
