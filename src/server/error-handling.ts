/**
 * One place that turns any thrown error into a metav1.Status answer: StatusErrors as they are, parse
 * errors of quantities, selectors and durations as 400, fastify's body errors as 413/415/400, and
 * anything else as a generic 500 whose detail goes only to the log.
 * @module
 */
import { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import {
  badRequest,
  internalError,
  requestEntityTooLarge,
  StatusError,
  unsupportedMediaType,
} from '../api/errors.js';
import { encodeStatusError } from '../api/encode-status.js';
import { InvalidDurationError } from '../duration/index.js';
import type { Logger } from '../log/index.js';
import { InvalidQuantityError } from '../quantity/index.js';
import { InvalidSelectorError } from '../selector/index.js';
import { routeNotFound } from '../api/errors.js';
import { answerAndLinger } from './limits.js';
import { sendJson } from './respond.js';

export const writeBodyLimit = 64 * 1024;

export function toStatusError(error: unknown): StatusError {
  if (error instanceof StatusError) return error;
  if (error instanceof InvalidQuantityError || error instanceof InvalidSelectorError || error instanceof InvalidDurationError) {
    return badRequest(error.message, { cause: error });
  }
  const code = (error as Partial<FastifyError> | undefined)?.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return requestEntityTooLarge(writeBodyLimit);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType(['application/json']);
  const statusCode = (error as Partial<FastifyError> | undefined)?.statusCode;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return badRequest((error as Error).message, { cause: error });
  }
  return internalError(error);
}

export function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error, request, reply) => {
    const status = toStatusError(error);
    if (status.code >= 500) {
      logger.error({ err: status.cause ?? error, method: request.method, url: request.url, code: status.code }, status.message);
    }
    // NB: only on a real HTTP/1 socket; inject() has none to linger on, and an h2 stream is answered on the
    // stream itself (the session's socket is shared by other streams and is no place for HTTP/1.1 bytes).
    const http1Socket = request.raw.httpVersionMajor === 1 && request.raw.socket instanceof Socket;
    if (status.code === 413 && !request.raw.complete && http1Socket) return answerAndLinger(request, reply, status);
    return sendJson(request, reply, status.code, encodeStatusError(status));
  });
  app.setNotFoundHandler((request, reply) => sendJson(request, reply, 404, encodeStatusError(routeNotFound())));
}
