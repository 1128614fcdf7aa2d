/**
 * HTTP/2 and HTTP/1.1 on one TLS port, chosen by ALPN, as kube-apiserver serves (and kubectl and the
 * aggregator speak h2 to it). Node's Http2SecureServer hands an `http/1.1` connection to the same
 * HTTP/1 code an https.Server runs, but reads that code's settings (header size, timeouts, keep-alive)
 * from itself, where nothing sets them; so they are copied here, and the h2 side gets the session
 * limits the generic apiserver gives Go's http2.Server (secure_serving.go).
 * @module
 */
import {
  constants as http2Constants,
  createSecureServer,
  type Http2SecureServer,
  type Http2Session,
  type Http2Stream,
  type SecureServerOptions,
} from 'node:http2';
import type { nodeServerOptions, ServerLimits } from './limits.js';

let supported: boolean | undefined;

/**
 * NB: Node 20 gave Http2SecureServer HTTP/1 connection tracking (and with it headersTimeout,
 * requestTimeout and closeIdleConnections) in a minor release; without it an HTTP/1.1 client would
 * get none of the limits, so such a Node serves HTTP/1.1 only. The class is not exported, hence the probe.
 */
export function http2ServingSupported(): boolean {
  if (supported === undefined) {
    const probe = createSecureServer({ allowHTTP1: true });
    supported = typeof (probe as { closeIdleConnections?: unknown }).closeIdleConnections === 'function';
    probe.close();
  }
  return supported;
}

/**
 * NB: the generic apiserver's MaxConcurrentStreams when --http2-max-streams-per-connection is 0 (Go clients' initial
 * value).
 */
export const defaultHttp2MaxStreams = 100;

/** NB: HPACK counts 32 bytes per header on top of name and value, so this many pairs always fit the byte limit. */
const hpackEntryOverhead = 32;

/** What Http2SecureServer takes besides the TLS options. */
export function http2SessionOptions(limits: ServerLimits): SecureServerOptions {
  const maxConcurrentStreams =
    limits.http2MaxStreamsPerConnection > 0 ? limits.http2MaxStreamsPerConnection : defaultHttp2MaxStreams;
  return {
    allowHTTP1: true,
    // NB: https.Server turns Nagle off for HTTP/1.1; Http2SecureServer does not by itself.
    noDelay: true,
    settings: { maxConcurrentStreams, maxHeaderListSize: limits.maxRequestHeaderBytes },
    // NB: Node's default of 128 header pairs would refuse a front-proxied user in 150 groups (one
    // X-Remote-Group header each); the byte limit above is the one that should bind, as in Go.
    maxHeaderListPairs: Math.ceil(limits.maxRequestHeaderBytes / hpackEntryOverhead) + 4,
    // Rapid reset (CVE-2023-44487) and friends: Node's nghttp2 rate-limits client RST_STREAMs itself;
    // these end a session that keeps opening streams past the limit or sends broken frames.
    maxSessionRejectedStreams: maxConcurrentStreams,
    maxSessionInvalidFrames: 100,
  };
}

/** The http.Server fields Node's HTTP/1 code reads from the server object, which Http2SecureServer leaves unset. */
export function applyHttp1Settings(
  server: Http2SecureServer,
  node: ReturnType<typeof nodeServerOptions>,
  keepAliveTimeoutMs: number,
): void {
  Object.assign(server, {
    maxHeaderSize: node.maxHeaderSize,
    headersTimeout: node.headersTimeout,
    requestTimeout: node.requestTimeout,
    connectionsCheckingInterval: node.connectionsCheckingInterval,
    keepAliveTimeout: keepAliveTimeoutMs,
    requireHostHeader: true,
    maxHeadersCount: null,
    maxRequestsPerSocket: 0,
  });
}

/**
 * An HTTP/2 request whose body has not all arrived within `requestTimeoutMs` is reset, as an
 * HTTP/1.1 one gets 408. NB: only streams that carry a body need the timer; a GET ends with its HEADERS frame.
 */
export function limitHttp2RequestTime(server: Http2SecureServer, requestTimeoutMs: number): void {
  server.on('stream', (stream: Http2Stream, _headers: unknown, flags: number) => {
    if ((flags & http2Constants.NGHTTP2_FLAG_END_STREAM) !== 0) return;
    const timer = setTimeout(() => {
      if (!stream.readableEnded && !stream.destroyed) stream.close(http2Constants.NGHTTP2_CANCEL);
    }, requestTimeoutMs).unref();
    stream.once('end', () => clearTimeout(timer));
    stream.once('close', () => clearTimeout(timer));
  });
}

const sessionsOf = new WeakMap<Http2SecureServer, Set<Http2Session>>();

/** Remembers the open h2 sessions, so shutdown can send each a GOAWAY. */
export function trackHttp2Sessions(server: Http2SecureServer): void {
  const sessions = new Set<Http2Session>();
  sessionsOf.set(server, sessions);
  server.on('session', (session: Http2Session) => {
    if (draining.has(server)) {
      session.close();
      return;
    }
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
}

const draining = new WeakSet<Http2SecureServer>();

/**
 * GOAWAY to every session: clients open no new streams, the ones in flight finish, then the
 * session closes. A session that completes its handshake later is closed the same way.
 */
export function drainHttp2Sessions(server: Http2SecureServer): void {
  draining.add(server);
  for (const session of sessionsOf.get(server) ?? []) session.close();
}

export function isHttp2Server(server: object): server is Http2SecureServer {
  return sessionsOf.has(server as Http2SecureServer);
}

/** After the grace period: cut every session, streams in flight included. */
export function destroyHttp2Sessions(server: Http2SecureServer): void {
  for (const session of sessionsOf.get(server) ?? []) session.destroy();
}
