/**
 * What protects the server from slow, greedy and hostile clients: header size and receive timeouts
 * for Node's HTTP parser, a connection cap, kube-apiserver's in-flight request limits (429), and a
 * client-error handler that answers a broken request with a Status instead of closing silently.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import {
  badRequest,
  methodNotAllowed,
  requestHeaderFieldsTooLarge,
  requestTimeout,
  type StatusError,
} from '../api/errors.js';
import { encodeStatusError } from '../api/encode-status.js';

export interface ServerLimits {
  /** The request line plus all headers, in bytes; a larger request gets 431. */
  readonly maxRequestHeaderBytes: number;
  /** Time a client has to send a whole request (headers and body), in ms; a slower one gets 408. */
  readonly requestTimeoutMs: number;
  /** Reads (GET, HEAD) served at once; more get 429 with Retry-After. 0 for no limit. */
  readonly maxRequestsInflight: number;
  /** Writes served at once; more get 429. 0 for no limit. */
  readonly maxMutatingRequestsInflight: number;
  /** Open connections; the server refuses more. 0 for no limit. */
  readonly maxConnections: number;
  /** Concurrent streams one HTTP/2 connection may open (SETTINGS_MAX_CONCURRENT_STREAMS); 0 for the apiserver's 100. */
  readonly http2MaxStreamsPerConnection: number;
}

/**
 * NB: in-flight defaults are kube-apiserver's (400 and 200). Go's MaxHeaderBytes is 1 MiB; 64 KiB still
 * fits the front proxy's X-Remote-Group list of a user in hundreds of groups.
 */
export const defaultServerLimits: ServerLimits = {
  maxRequestHeaderBytes: 64 * 1024,
  requestTimeoutMs: 60_000,
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  maxConnections: 0,
  http2MaxStreamsPerConnection: 0,
};

/** NB: generic apiserver secure_serving.go sets ReadHeaderTimeout to 32 s against slowloris. */
const headerTimeoutCapMs = 32_000;

/** Options for node:http(s) createServer. */
export function nodeServerOptions(limits: ServerLimits) {
  const headersTimeout = Math.min(headerTimeoutCapMs, limits.requestTimeoutMs);
  return {
    maxHeaderSize: limits.maxRequestHeaderBytes,
    headersTimeout,
    requestTimeout: limits.requestTimeoutMs,
    // NB: Node checks the two timeouts only this often (default 30 s); a timeout must be felt near when it is due.
    connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(headersTimeout / 4))),
  };
}

/**
 * kube-apiserver's two in-flight budgets, reads and writes. A slot is held from admission until the handler has
 * answered (or failed), as the apiserver's MaxInFlight filter holds it until its handler returns.
 */
export class InflightLimiter {
  private reads = 0;
  private writes = 0;

  constructor(private readonly limits: Pick<ServerLimits, 'maxRequestsInflight' | 'maxMutatingRequestsInflight'>) {}

  /** Takes a slot; false when the budget is spent and the request must be answered 429. */
  acquire(mutating: boolean): boolean {
    const limit = mutating ? this.limits.maxMutatingRequestsInflight : this.limits.maxRequestsInflight;
    if (limit <= 0) return true;
    if ((mutating ? this.writes : this.reads) >= limit) return false;
    if (mutating) this.writes++;
    else this.reads++;
    return true;
  }

  /** Gives back a slot `acquire` took. */
  release(mutating: boolean): void {
    const limit = mutating ? this.limits.maxMutatingRequestsInflight : this.limits.maxRequestsInflight;
    if (limit <= 0) return;
    if (mutating) this.writes--;
    else this.reads--;
  }
}

/** The Retry-After of a request over the in-flight budget, in seconds. */
export const tooManyRequestsRetryAfter = '1';

/**
 * The server's `clientError` listener: Node's parser rejected the request (bad syntax, headers over the
 * limit, too slow) before any route ran. Answers with a Status and closes the connection.
 */
export function createClientErrorHandler(limits: ServerLimits, flushAnswers: () => void = () => undefined) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // NB: a pipelined request before the broken one may have its answer queued: it goes first, as it was sent first.
    flushAnswers();
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    answerAndClose(socket, clientErrorStatus(error, limits));
  };
}

/**
 * The server's `connect` listener. NB: Node hands a CONNECT to this event, never to the request listener: over
 * HTTP/1.1 with the socket, which it closes without a word when nothing listens; over h2 with a response on the
 * CONNECT's own stream, which it answers with a bare 405 when nothing listens. No path here takes a CONNECT.
 */
export function createConnectHandler(flushAnswers: () => void = () => undefined) {
  return (request: { readonly httpVersionMajor: number }, target: Duplex | Http2ServerResponse): void => {
    if (request.httpVersionMajor === 2) {
      const response = target as Http2ServerResponse;
      response.writeHead(405, { 'content-type': 'application/json' });
      response.end(encodeStatusError(methodNotAllowed()));
      return;
    }
    const socket = target as Duplex;
    if (socket.destroyed) return;
    flushAnswers();
    answerAndClose(socket, methodNotAllowed());
  };
}

/** Writes `status` as a whole HTTP/1.1 answer straight to the socket and closes it. */
function answerAndClose(socket: Duplex, status: StatusError): void {
  socket.end(rawAnswer(status));
  // NB: end() waits for the peer to close its side too; a hostile peer never does.
  setTimeout(() => socket.destroy(), 1000).unref();
}

function rawAnswer(status: StatusError): string {
  const body = encodeStatusError(status);
  return `HTTP/1.1 ${status.code} ${reasonPhrases[status.code] ?? 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

const reasonPhrases: Partial<Record<number, string>> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

function clientErrorStatus(error: Error & { code?: string }, limits: ServerLimits): StatusError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return requestTimeout();
    case 'HPE_HEADER_OVERFLOW':
      return requestHeaderFieldsTooLarge(limits.maxRequestHeaderBytes);
    default:
      return badRequest(`malformed HTTP request: ${(error as { reason?: string }).reason ?? error.message}`);
  }
}

/** NB: Go's net/http waits this long after a half-close (rstAvoidanceDelay is 500 ms) for the same reason. */
const lingerMs = 2000;

/**
 * Answers `status` for a request whose body is still arriving, then closes without losing the answer.
 * NB: closing a socket with unread input makes the kernel send RST, and a client still writing a
 * 10 MB body then loses the 413 it was sent; so we half-close, discard what keeps coming, and
 * close once the client has read the answer and gone, or after `lingerMs`.
 */
export function answerAndLinger(request: IncomingMessage, status: StatusError): void {
  const socket = request.socket;
  request.resume();
  socket.end(rawAnswer(status));
  setTimeout(() => socket.destroy(), lingerMs).unref();
}
