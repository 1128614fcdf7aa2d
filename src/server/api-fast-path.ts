/**
 * The `GET /apis/...` requests, and well-formed writes, answered on Node's own request and response
 * before fastify sees them. NB: reads are the HPA's requests, every 15 s for every HPA, and writes
 * come from every pod that pushes; fastify's routing, hooks and reply pipeline cost about as much as a
 * whole in-memory answer (bench/profile.ts shows it), so these two paths are hand-written and
 * everything else (health, /metrics, /ui, and any write that is not a plain JSON body with a
 * Content-Length under the limit) stays on fastify, whose answers for the odd cases (413, 415,
 * chunked bodies) stay the only ones. This applies what the fastify hooks apply to every other
 * request, from the same objects: the in-flight limits, the guard, the error-to-Status mapping,
 * self-metrics and the request log. fastify's own routes stay for inject() and other methods.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { encodeStatusError } from '../api/encode-status.js';
import type { RequestGuard } from '../auth/index.js';
import type { Logger } from '../log/index.js';
import type { QueryContext } from '../providers/provider.js';
import { encodeStatusSuccess } from '../api/encode-status.js';
import { toStatusError, writeBodyLimit } from './error-handling.js';
import { tooManyRequestsBody, tooManyRequestsRetryAfter, type InflightLimiter } from './limits.js';
import type { ApiAnswer, MetricsApi } from './metrics-api.js';
import { splitPath, splitUrl } from './paths.js';
import { writeJson } from './respond.js';
import type { WriteApi } from './write-api.js';

export interface ApiFastPathOptions {
  readonly metricsApi: MetricsApi;
  readonly limiter: InflightLimiter;
  readonly guard?: RequestGuard;
  readonly logger: Logger;
  /** Counts the request as the onResponse hook does for fastify's routes. */
  readonly observe: (request: IncomingMessage, code: number, group: string, version: string, milliseconds: number) => void;
  /** True once the server stopped listening: answers then carry `Connection: close`, as fastify's do. */
  readonly closing: () => boolean;
  /** The write API, when the back end takes writes. */
  readonly writeApi?: WriteApi;
}

/** Answers a request under `/apis` from its raw URL: shared by this path and fastify's route. */
export function answerApiRequest(metricsApi: MetricsApi, url: string, accept: string | undefined, ctx: QueryContext): Promise<ApiAnswer> {
  const { path, query } = splitUrl(url);
  return metricsApi.handle(splitPath(path).slice(2), query, accept, ctx);
}

/** Answers a write from its raw URL and body: shared by this path and fastify's routes. */
export async function answerWriteRequest(writeApi: WriteApi, url: string, body: string): Promise<string> {
  const { path, query } = splitUrl(url);
  const segments = splitPath(path);
  const message = segments[1] === 'write-metrics'
    ? await writeApi.writeCustom(segments.slice(2), query, body)
    : segments[1] === 'write-resource-metrics'
      ? await writeApi.writeResource(segments.slice(2), query, body)
      : await writeApi.writeExternal(segments.slice(2), query, body);
  return encodeStatusSuccess(200, message);
}

/**
 * Whether a write is plain enough for this path: POST under a write prefix, a JSON content type, and
 * a Content-Length within the body limit. NB: anything else (no length, chunked, too large, another
 * media type) goes to fastify, which owns the 413/415 answers and their lingering close.
 */
export function isPlainWrite(request: IncomingMessage): boolean {
  const url = request.url;
  if (request.method !== 'POST' || url === undefined) return false;
  if (!url.startsWith('/write-metrics/') && !url.startsWith('/write-external-metrics/') && !url.startsWith('/write-resource-metrics/')) return false;
  const length = request.headers['content-length'];
  if (length === undefined || request.headers['transfer-encoding'] !== undefined || !/^\d{1,6}$/.test(length) || Number(length) > writeBodyLimit) return false;
  const type = request.headers['content-type'];
  if (type === undefined) return false;
  const semicolon = type.indexOf(';');
  return (semicolon < 0 ? type : type.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/** Whether a request belongs to the read path: a GET of `/apis` or below. */
export function isApiRead(request: IncomingMessage): boolean {
  const url = request.url;
  if (request.method !== 'GET' || url === undefined || !url.startsWith('/apis')) return false;
  const next = url.charCodeAt(5);
  // NB: `/apis`, `/apis/...` and `/apis?...`, never `/apisx`.
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

/**
 * Returns the request listener for the fast path. It answers what `isApiRead` accepts and
 * hands the rest to `next` (fastify's own listener).
 */
export function createApiFastPath(options: ApiFastPathOptions, next: (request: IncomingMessage, response: ServerResponse) => void) {
  const { metricsApi, limiter, guard, logger, observe, closing, writeApi } = options;

  const fail = (request: IncomingMessage, response: ServerResponse, error: unknown): number => {
    const status = toStatusError(error);
    if (status.code >= 500) logger.error({ err: status.cause ?? error, method: request.method, url: request.url, code: status.code }, status.message);
    if (response.headersSent) {
      response.destroy();
    } else {
      if (closing()) closeAfterAnswer(request, response);
      writeJson(request, response, status.code, encodeStatusError(status));
    }
    return status.code;
  };

  const write = async (request: IncomingMessage, response: ServerResponse, api: WriteApi, started: number): Promise<void> => {
    let code = 200;
    try {
      if (guard !== undefined) await guard.check(request);
      const body = await readBody(request);
      if (body === undefined) return;
      const answer = await answerWriteRequest(api, request.url!, body);
      if (closing()) closeAfterAnswer(request, response);
      writeJson(request, response, 200, answer);
    } catch (error) {
      code = fail(request, response, error);
    }
    observe(request, code, '', '', performance.now() - started);
  };

  const answer = async (request: IncomingMessage, response: ServerResponse, started: number): Promise<void> => {
    let code = 200;
    let group = '';
    let version = '';
    try {
      if (guard !== undefined) await guard.check(request);
      const answer = await answerApiRequest(metricsApi, request.url!, request.headers.accept, lazyQueryContext(response));
      group = answer.group;
      version = answer.version;
      if (closing()) closeAfterAnswer(request, response);
      writeJson(request, response, 200, answer.body);
    } catch (error) {
      code = fail(request, response, error);
    }
    observe(request, code, group, version, performance.now() - started);
  };

  return (request: IncomingMessage, response: ServerResponse): void => {
    const read = isApiRead(request);
    if (!read && (writeApi === undefined || !isPlainWrite(request))) return next(request, response);
    const started = performance.now();
    if (!limiter.admit(request.method, response)) {
      response.setHeader('retry-after', tooManyRequestsRetryAfter);
      writeJson(request, response, 429, tooManyRequestsBody());
      observe(request, 429, '', '', performance.now() - started);
      return;
    }
    void (read ? answer(request, response, started) : write(request, response, writeApi!, started));
  };
}

/**
 * The body as UTF-8 text; undefined when the client went away first. NB: Node stops at
 * Content-Length, which isPlainWrite has checked against the limit.
 */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
    request.once('close', () => {
      if (!request.complete) resolve(undefined);
    });
  });
}

/** NB: HTTP/1.1 only: h2 forbids the Connection header, and its sessions get GOAWAY from shutdown.ts instead. */
function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  if (request.httpVersionMajor === 1) response.setHeader('connection', 'close');
}

/**
 * A QueryContext whose signal aborts when the client goes away before the answer is written. NB: the
 * AbortController is made on first use: creating one per request costs more than a whole in-memory
 * answer, and most providers never look at it.
 */
export function lazyQueryContext(response: ServerResponse): QueryContext {
  let signal: AbortSignal | undefined;
  return {
    get signal() {
      if (signal === undefined) {
        const controller = new AbortController();
        signal = controller.signal;
        if (response.writableFinished || response.destroyed) controller.abort();
        else response.once('close', () => {
          if (!response.writableFinished) controller.abort();
        });
      }
      return signal;
    },
  };
}
