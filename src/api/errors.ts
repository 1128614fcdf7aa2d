/**
 * Typed errors that carry a Kubernetes reason and HTTP code, and the constructors for the cases the
 * metrics APIs produce. The server turns a StatusError into a metav1.Status body (spec §4).
 * @module
 */
import type { StatusDetails } from './types.js';

/** The metav1.StatusReason values this server uses. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'TooManyRequests';

/** An error with a Kubernetes Status shape. `message` is what the client sees; `cause` stays in the log. */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The GroupResource string form: `resource` for the core group, `resource.group` otherwise. */
export function groupResourceString(gr: { readonly group: string; readonly resource: string }): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

type GroupResourceLike = { readonly group: string; readonly resource: string };

/** NB: CMAS provider/errors.go NewMetricNotFoundError: no details, just the message. */
export function metricNotFound(gr: GroupResourceLike, metric: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `the server could not find the metric ${metric} for ${groupResourceString(gr)}`,
  );
}

/** NB: CMAS provider/errors.go NewMetricNotFoundForError. */
export function metricNotFoundFor(gr: GroupResourceLike, metric: string, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `the server could not find the metric ${metric} for ${groupResourceString(gr)} ${name}`,
  );
}

/** The per-object list found no metric for the object (an extension; worded as the errors above). */
export function noMetricsFor(gr: GroupResourceLike, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `the server could not find any metric for ${groupResourceString(gr)} ${name}`,
  );
}

/** NB: CMAS provider/errors.go NewMetricNotFoundForSelectorError. */
export function metricNotFoundForSelector(
  gr: GroupResourceLike,
  metric: string,
  name: string,
  selector: string,
): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `the server could not find the metric ${metric} for ${groupResourceString(gr)} ${name} with selector ${selector}`,
  );
}

/** External metric with no series for the namespace and selector. */
export function externalMetricNotFound(metric: string): StatusError {
  return new StatusError(404, 'NotFound', `the server could not find the external metric ${metric}`);
}

/** NB: the generic apiserver's not-found answer carries an empty details object (`"details":{}`). */
export function routeNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function badRequest(message: string, options?: { cause?: unknown }): StatusError {
  return new StatusError(400, 'BadRequest', message, undefined, options);
}

/** NB: CMAS handlers/get.go answers a short path under namespaces/{ns} with this exact text. */
export function invalidRequestPath(): StatusError {
  return badRequest('invalid request path');
}

export function methodNotAllowed(): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function notAcceptable(accepted: readonly string[]): StatusError {
  return new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

export function unsupportedMediaType(accepted: readonly string[]): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** A body sent with a content coding (`Content-Encoding`) the endpoint does not take; RFC 9110 §15.5.16. */
export function unsupportedContentEncoding(coding: string, expected: string): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `unsupported Content-Encoding ${JSON.stringify(coding)}: ${expected}`,
  );
}

/** NB: apimachinery NewRequestEntityTooLargeError text. */
export function requestEntityTooLarge(limitBytes: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);
}

/**
 * A back end that cannot answer now. The detail goes to `cause`, never to the client (prometheus-adapter convention).
 */
export function serviceUnavailable(message: string, cause?: unknown): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message, undefined, { cause });
}

export function internalError(cause?: unknown): StatusError {
  return new StatusError(
    500,
    'InternalError',
    'Internal error occurred: the adapter failed to handle the request; see its log',
    undefined,
    { cause },
  );
}

/** NB: apiserver filters/maxinflight.go text; it sends it as plain text, we send it as a Status. */
export function tooManyRequests(retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds });
}

/** A client that did not send its whole request within the request timeout. */
export function requestTimeout(): StatusError {
  return new StatusError(408, 'Timeout', 'the client did not send the whole request in time');
}

/** NB: no metav1 reason names a 431; BadRequest is the category a client can act on. */
export function requestHeaderFieldsTooLarge(limitBytes: number): StatusError {
  return new StatusError(431, 'BadRequest', `request header fields too large: limit is ${limitBytes} bytes`);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}
