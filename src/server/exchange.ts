/**
 * What a route handler is given and what it returns. One request and its response travel through the
 * front door as an `Exchange`; a handler reads from it and returns an `Answer`, which the front door
 * writes. Handlers never write to the response themselves, so headers, error mapping and counting
 * happen in one place.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestEntityTooLarge } from '../api/errors.js';
import type { QueryContext } from '../providers/provider.js';
import { jsonBytes } from './respond.js';

export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** The path as sent (percent-encoded), without the query. */
  readonly path: string;
  /** The raw query string without `?` ('' when none). */
  readonly query: string;
  /** Named parameters of the route's pattern (`/things/:name`), decoded. */
  readonly params: Readonly<Record<string, string | undefined>>;
  /** The served API group and version the request is under, for self-metrics; handlers that know them set them. */
  group: string;
  version: string;
  /** A context whose signal aborts when the client goes away before the answer is written. */
  readonly queryContext: QueryContext;
  /** The whole body, at most `limit` bytes (413 beyond); undefined when the client went away first. */
  body(limit: number): Promise<Buffer | undefined>;
}

export interface Answer {
  readonly code: number;
  /** NB: a Buffer or a string sent as UTF-8 bytes exactly; no charset is appended to the media type. */
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string | number>>;
}

export type Handler = (exchange: Exchange) => Answer | Promise<Answer>;

/** A JSON answer as the apiserver writes one: `application/json`, pretty-printed when the caller asks. */
export function jsonAnswer(
  exchange: Pick<Exchange, 'request'>,
  code: number,
  body: string | Buffer,
  headers?: Readonly<Record<string, string | number>>,
): Answer {
  return {
    code,
    body: jsonBytes(exchange.request, body),
    headers: headers === undefined ? jsonHeaders : { ...headers, ...jsonHeaders },
  };
}

const jsonHeaders = { 'content-type': 'application/json' } as const;

/**
 * Reads the whole body, rejecting with 413 as soon as it passes `limit` (by its Content-Length, or as
 * it arrives when chunked); undefined when the client went away first.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
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
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    // NB: no 'error' listener. Node emits a request's error (a client gone mid-body, a body the parser refused) only
    // to listeners, and each ends the request, so 'close' tells it; a rejection would be answered as a 500 and logged
    // as the adapter's failure. After 'end' the resolve does nothing; before it the body will never be whole, even
    // when it all arrived (a request destroyed with its body unread emits no more data).
    request.on('close', () => resolve(undefined));
  });
}

/**
 * The signal of a request's QueryContext: it aborts when the client goes away before the answer is written. NB: made on
 * first use: an AbortController per request costs more than a whole in-memory answer, and most providers never look.
 */
export function abortSignalOf(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (response.writableFinished || response.destroyed) controller.abort();
  else
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
  return controller.signal;
}

/** The media type of a Content-Type header, lower case, without parameters ('' when none). */
export function mediaTypeOf(header: string | undefined): string {
  if (header === undefined) return '';
  const semicolon = header.indexOf(';');
  return (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}
