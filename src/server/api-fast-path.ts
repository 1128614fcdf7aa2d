/**
 * The `GET /apis/...` requests, answered on Node's own request and response before fastify sees
 * them. NB: these are the HPA's requests, every 15 s for every HPA, and fastify's routing, hooks and
 * reply pipeline cost about as much as a whole in-memory answer (bench/profile.ts shows it); so this
 * one path is hand-written and everything else (writes, health, /metrics, /ui) stays on fastify.
 * It applies what the fastify hooks apply to every other request, from the same objects: the
 * in-flight limit, the guard, the error-to-Status mapping, self-metrics and the request log.
 * fastify's own `/apis` routes stay for inject() and for methods other than GET.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { encodeStatusError } from '../api/encode-status.js';
import type { RequestGuard } from '../auth/index.js';
import type { Logger } from '../log/index.js';
import type { QueryContext } from '../providers/provider.js';
import { toStatusError } from './error-handling.js';
import { tooManyRequestsBody, tooManyRequestsRetryAfter, type InflightLimiter } from './limits.js';
import type { ApiAnswer, MetricsApi } from './metrics-api.js';
import { splitPath, splitUrl } from './paths.js';
import { writeJson } from './respond.js';

export interface ApiFastPathOptions {
  readonly metricsApi: MetricsApi;
  readonly limiter: InflightLimiter;
  readonly guard?: RequestGuard;
  readonly logger: Logger;
  /** Counts the request as the onResponse hook does for fastify's routes. */
  readonly observe: (request: IncomingMessage, code: number, group: string, version: string, milliseconds: number) => void;
  /** True once the server stopped listening: answers then carry `Connection: close`, as fastify's do. */
  readonly closing: () => boolean;
}

/** Answers a request under `/apis` from its raw URL: shared by this path and fastify's route. */
export function answerApiRequest(metricsApi: MetricsApi, url: string, accept: string | undefined, ctx: QueryContext): Promise<ApiAnswer> {
  const { path, query } = splitUrl(url);
  return metricsApi.handle(splitPath(path).slice(2), query, accept, ctx);
}

/** Whether a request belongs to this path: a GET of `/apis` or below. */
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
  const { metricsApi, limiter, guard, logger, observe, closing } = options;

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
      const status = toStatusError(error);
      code = status.code;
      if (code >= 500) logger.error({ err: status.cause ?? error, method: request.method, url: request.url, code }, status.message);
      if (response.headersSent) {
        response.destroy();
      } else {
        if (closing()) closeAfterAnswer(request, response);
        writeJson(request, response, code, encodeStatusError(status));
      }
    }
    observe(request, code, group, version, performance.now() - started);
  };

  return (request: IncomingMessage, response: ServerResponse): void => {
    if (!isApiRead(request)) return next(request, response);
    const started = performance.now();
    if (!limiter.admit(request.method, response)) {
      response.setHeader('retry-after', tooManyRequestsRetryAfter);
      writeJson(request, response, 429, tooManyRequestsBody());
      observe(request, 429, '', '', performance.now() - started);
      return;
    }
    void answer(request, response, started);
  };
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
