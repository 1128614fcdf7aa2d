/**
 * The push endpoints on Node's own request and response, ahead of fastify: `POST /api/v1/write` (remote-write),
 * `POST /v1/metrics` (OTLP/HTTP) and `POST /write-metrics` (batched JSON writes). Their bodies are binary or
 * large, so they are read here with their own limit, under the same in-flight budget, guard, error mapping and
 * self-metrics as the write API; anything else goes on to `next`.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { methodNotAllowed, requestEntityTooLarge } from '../api/errors.js';
import { encodeStatusError } from '../api/encode-status.js';
import type { RequestGuard } from '../auth/index.js';
import type { PushAnswer, PushReceivers, PushRequest } from '../ingest/index.js';
import type { Logger } from '../log/index.js';
import { toStatusError } from './error-handling.js';
import { tooManyRequestsBody, tooManyRequestsRetryAfter, type InflightLimiter } from './limits.js';
import { writeJson } from './respond.js';

export interface PushApiOptions {
  readonly receivers: PushReceivers;
  readonly limiter: InflightLimiter;
  readonly guard?: RequestGuard;
  readonly logger: Logger;
  readonly observe: (request: IncomingMessage, code: number, group: string, version: string, milliseconds: number) => void;
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;
type Endpoint = 'remoteWrite' | 'otlpMetrics' | 'batchWrite';

const endpoints: Readonly<Record<string, Endpoint>> = { '/api/v1/write': 'remoteWrite', '/v1/metrics': 'otlpMetrics', '/write-metrics': 'batchWrite' };

function endpointOf(url: string | undefined): Endpoint | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  return endpoints[q < 0 ? url : url.slice(0, q)];
}

/** The listener serving the push endpoints, handing every other request to `next`. */
export function createPushListener(options: PushApiOptions, next: Listener): Listener {
  const { receivers, limiter, guard, logger, observe } = options;

  const answer = async (request: IncomingMessage, response: ServerResponse, endpoint: Endpoint, started: number): Promise<void> => {
    let code = 200;
    try {
      if (request.method !== 'POST') throw methodNotAllowed();
      if (guard !== undefined) await guard.check(request);
      const body = await readBody(request, receivers.maxBodyBytes);
      if (body === undefined) return;
      const push: PushRequest = { body, contentType: mediaType(request.headers['content-type']), contentEncoding: (request.headers['content-encoding'] ?? '').trim().toLowerCase() };
      const result: PushAnswer = await receivers[endpoint](push);
      code = result.code;
      const headers: Record<string, string | number> = {};
      if (result.contentType !== undefined) headers['content-type'] = result.contentType;
      const bytes = result.body === undefined ? undefined : Buffer.from(result.body);
      headers['content-length'] = bytes?.length ?? 0;
      response.writeHead(code, headers);
      response.end(bytes);
    } catch (error) {
      const status = toStatusError(error);
      code = status.code;
      if (code >= 500) logger.error({ err: status.cause ?? error, method: request.method, url: request.url, code }, status.message);
      if (response.headersSent) {
        response.destroy();
      } else {
        // NB: a body refused before it was read keeps arriving; close rather than parse it as the next request.
        if (!request.complete && request.httpVersionMajor === 1) response.setHeader('connection', 'close');
        writeJson(request, response, code, encodeStatusError(status));
        if (!request.complete) request.resume();
      }
    }
    observe(request, code, '', '', performance.now() - started);
  };

  return (request, response) => {
    const endpoint = endpointOf(request.url);
    if (endpoint === undefined) return next(request, response);
    const started = performance.now();
    if (!limiter.admit(request.method, response)) {
      response.setHeader('retry-after', tooManyRequestsRetryAfter);
      writeJson(request, response, 429, tooManyRequestsBody());
      observe(request, 429, '', '', performance.now() - started);
      return;
    }
    void answer(request, response, endpoint, started);
  };
}

function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semicolon = header.indexOf(';');
  return (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * The whole body, or a 413 once it passes `limit` (by its Content-Length, or as it arrives when chunked);
 * undefined when the client went away first.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(requestEntityTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        chunks.length = 0;
        reject(requestEntityTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    request.once('error', reject);
    request.once('close', () => {
      if (!request.complete) resolve(undefined);
    });
  });
}
