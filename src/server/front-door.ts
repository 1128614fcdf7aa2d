/**
 * The one request pipeline. Every request, whatever its path and whether it came from a socket or
 * from `inject()`, passes here in this order: the apiserver's headers, the route lookup, the
 * in-flight limit (429), the guard (authentication and authorization), the route's handler, the
 * answer (or the error mapped to a Status), then self-metrics and the request log.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { badRequest, routeNotFound, tooManyRequests, type StatusError } from '../api/errors.js';
import { encodeStatusError } from '../api/encode-status.js';
import type { RequestGuard } from '../auth/index.js';
import type { Logger } from '../log/index.js';
import type { QueryContext } from '../providers/provider.js';
import { auditIdOf, defaultCacheControl } from './api-headers.js';
import { toStatusError } from './error-handling.js';
import { abortSignalOf, readBody, type Answer, type Exchange, type Handler } from './exchange.js';
import type { AnswerBatch } from './answer-batch.js';
import { answerAndLinger, tooManyRequestsRetryAfter, type InflightLimiter } from './limits.js';
import { isPromiseLike } from './maybe-promise.js';
import { jsonBytes } from './respond.js';
import type { Routes } from './routes.js';

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** Counts one answered request (self-metrics and the request log). */
export type ObserveRequest = (
  request: IncomingMessage,
  code: number,
  group: string,
  version: string,
  milliseconds: number,
) => void;

export interface FrontDoorOptions {
  readonly routes: Routes;
  readonly limiter: InflightLimiter;
  readonly guard?: RequestGuard;
  readonly logger: Logger;
  readonly observe: ObserveRequest;
  /** True once the server stopped listening: HTTP/1.1 answers then carry `Connection: close`. */
  readonly closing: () => boolean;
  /**
   * Where answers are written, at the end of the turn (answer-batch.ts). NB: the server's own raw answers (its
   * `clientError` listener) flush it first, so a pipelined request's answer is never overtaken.
   */
  readonly answers: AnswerBatch;
}

const noParams: Readonly<Record<string, string | undefined>> = Object.freeze({});

/**
 * NB: a class, not an object literal with closures: one of these is made per request on the hot path. It is its own
 * QueryContext, so a request that never looks at the signal allocates nothing more.
 */
class RequestExchange implements Exchange, QueryContext {
  group = '';
  version = '';
  private abortSignal: AbortSignal | undefined;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly path: string,
    readonly query: string,
    readonly params: Readonly<Record<string, string | undefined>>,
  ) {}

  get queryContext(): QueryContext {
    return this;
  }

  get signal(): AbortSignal {
    this.abortSignal ??= abortSignalOf(this.response);
    return this.abortSignal;
  }

  body(limit: number): Promise<Buffer | undefined> {
    return readBody(this.request, limit);
  }
}

export function createFrontDoor(options: FrontDoorOptions): RequestListener {
  const { routes, limiter, guard, logger, observe, closing, answers } = options;

  /**
   * Writes an answer with the apiserver's headers, at the end of this turn. NB: one flat header
   * list to writeHead, never setHeader: Node then skips its header map, which costs as much as the rest of writing a
   * small answer.
   */
  const write = (
    request: IncomingMessage,
    response: ServerResponse,
    code: number,
    body: Buffer | undefined,
    headers: Answer['headers'],
    close: boolean,
  ): void => {
    const flat: (string | number)[] = [];
    let cacheControl = false;
    if (headers !== undefined) {
      for (const name in headers) {
        flat.push(name, headers[name]!);
        if (name.toLowerCase() === 'cache-control') cacheControl = true;
      }
    }
    if (!cacheControl) flat.push('cache-control', defaultCacheControl);
    flat.push('audit-id', auditIdOf(request));
    if (close && request.httpVersionMajor === 1) flat.push('connection', 'close');
    // NB: 204 and 304 carry no body and must not announce one.
    if (code !== 204 && code !== 304) flat.push('content-length', body?.length ?? 0);
    answers.write(response, code, flat, body);
  };

  const send = (request: IncomingMessage, response: ServerResponse, answer: Answer): void => {
    const body =
      answer.body === undefined ? undefined : typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    write(request, response, answer.code, body, answer.headers, closing());
  };

  const writeStatus = (
    request: IncomingMessage,
    response: ServerResponse,
    status: StatusError,
    headers: Answer['headers'],
    close: boolean,
  ): void => {
    write(
      request,
      response,
      status.code,
      jsonBytes(request, encodeStatusError(status)),
      headers === undefined ? jsonHeaders : { ...headers, ...jsonHeaders },
      close,
    );
  };

  const fail = (request: IncomingMessage, response: ServerResponse, error: unknown): number => {
    const status: StatusError = toStatusError(error);
    if (status.code >= 500)
      logger.error(
        { err: status.cause ?? error, method: request.method, url: request.url, code: status.code },
        status.message,
      );
    if (response.headersSent) {
      response.destroy();
      return status.code;
    }
    const unread = request.complete === false;
    // NB: only on a real HTTP/1 socket; inject() has none to linger on, and an h2 stream is answered on the
    // stream itself (the session's socket is shared by other streams and is no place for HTTP/1.1 bytes).
    if (status.code === 413 && unread && request.httpVersionMajor === 1 && request.socket instanceof Socket) {
      // NB: the 413 goes straight to the socket; a pipelined request's answer still queued must go first.
      answers.flush();
      answerAndLinger(request, status);
      return status.code;
    }
    // NB: a body refused before it was read keeps arriving; close rather than parse it as the next request.
    if (unread) request.resume();
    writeStatus(request, response, status, undefined, unread || closing());
    return status.code;
  };

  /** Gives the in-flight slot back (`slot` undefined: none was taken) and counts the answered request. */
  const done = (
    request: IncomingMessage,
    exchange: RequestExchange,
    code: number,
    started: number,
    slot: boolean | undefined,
  ): void => {
    if (slot !== undefined) limiter.release(slot);
    observe(request, code, exchange.group, exchange.version, performance.now() - started);
  };

  const answerLater = async (
    request: IncomingMessage,
    response: ServerResponse,
    exchange: RequestExchange,
    pending: PromiseLike<Answer>,
    started: number,
    slot: boolean | undefined,
  ): Promise<void> => {
    let code: number;
    try {
      const answer = await pending;
      send(request, response, answer);
      code = answer.code;
    } catch (error) {
      code = fail(request, response, error);
    }
    done(request, exchange, code, started, slot);
  };

  const handled = (exchange: RequestExchange, handle: Handler | undefined): Answer | Promise<Answer> => {
    if (handle === undefined) throw routeNotFound();
    return handle(exchange);
  };

  /**
   * Runs the guard and the handler and answers; `slot` says which in-flight slot to give back (undefined: none). NB:
   * what answers at once is answered at once, in this turn (see maybe-promise.ts); the rest once it settles.
   */
  const serve = (
    request: IncomingMessage,
    response: ServerResponse,
    exchange: RequestExchange,
    handle: Handler | undefined,
    started: number,
    slot: boolean | undefined,
  ): void => {
    let code: number;
    try {
      const checked = guard?.check(request);
      const answer = isPromiseLike(checked)
        ? Promise.resolve(checked).then(() => handled(exchange, handle))
        : handled(exchange, handle);
      if (isPromiseLike(answer)) {
        void answerLater(request, response, exchange, answer, started, slot);
        return;
      }
      send(request, response, answer);
      code = answer.code;
    } catch (error) {
      code = fail(request, response, error);
    }
    done(request, exchange, code, started, slot);
  };

  return (request, response) => {
    const started = performance.now();
    const url = request.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    // NB: the path alone: find-my-way would otherwise parse the query string, which no route reads from it.
    const match = routes.find(request.method, path);
    if (match.kind === 'bad-url') {
      const code = fail(request, response, badRequest(`invalid request path: '${path}' is not a valid url component`));
      observe(request, code, '', '', performance.now() - started);
      return;
    }
    const exchange = new RequestExchange(
      request,
      response,
      path,
      q < 0 ? '' : url.slice(q + 1),
      match.kind === 'route' ? match.params : noParams,
    );
    const handle = match.kind === 'route' ? match.route.handler : undefined;
    if (match.kind === 'route' && match.route.unlimited === true) {
      serve(request, response, exchange, handle, started, undefined);
      return;
    }
    const mutating = request.method !== 'GET' && request.method !== 'HEAD';
    if (!limiter.acquire(mutating)) {
      writeStatus(request, response, tooManyRequests(1), retryAfter, closing());
      observe(request, 429, '', '', performance.now() - started);
      return;
    }
    serve(request, response, exchange, handle, started, mutating);
  };
}

const jsonHeaders = { 'content-type': 'application/json' } as const;
const retryAfter = { 'retry-after': tooManyRequestsRetryAfter } as const;
