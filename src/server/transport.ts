/**
 * The Node server: plain HTTP/1.1 without TLS (tests, TLS terminated in front), else one TLS port that
 * speaks h2 and http/1.1 by ALPN (HTTP/1.1 only with `disableHttp2`), with the limits of limits.ts.
 * @module
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import {
  applyHttp1Settings,
  http2ServingSupported,
  http2SessionOptions,
  limitHttp2RequestTime,
  trackHttp2Sessions,
} from './http2-serving.js';
import { createClientErrorHandler, createConnectHandler, nodeServerOptions, type ServerLimits } from './limits.js';
import { secureContextOptions } from './tls-options.js';

export interface TlsServing {
  readonly key: string;
  readonly cert: string;
  /** Ask for (never require) a client certificate, which the guard verifies. */
  readonly requestClientCertificates?: boolean;
  /** Serve HTTP/1.1 only, as kube-apiserver's --disable-http2-serving. */
  readonly disableHttp2?: boolean;
}

/** NB: how long an idle kept-alive connection stays open; the h2 sessions get the same. */
const keepAliveTimeoutMs = 72_000;

export function servesHttp2(tls: TlsServing | undefined): boolean {
  return tls !== undefined && tls.disableHttp2 !== true && http2ServingSupported();
}

/** An http.Server, https.Server or Http2SecureServer (which also serves HTTP/1.1 with the http.Server methods). */
export type NodeServer = HttpServer;

/** Builds the server for `tls` with `listener` as its only request listener. */
export function createNodeServer(
  tls: TlsServing | undefined,
  limits: ServerLimits,
  listener: (request: IncomingMessage, response: ServerResponse) => void,
  /** Writes the answers the listener queued; called before the server answers a broken request on its own. */
  flushAnswers: () => void = () => undefined,
): NodeServer {
  const node = nodeServerOptions(limits);
  let server: NodeServer;
  if (tls === undefined) {
    server = createHttpServer(node, listener);
  } else if (!servesHttp2(tls)) {
    server = createHttpsServer({ ...httpsOptions(tls), ...node }, listener);
  } else {
    const h2: Http2SecureServer = createSecureServer(
      { ...httpsOptions(tls), ...http2SessionOptions(limits) },
      listener as never,
    );
    // NB: an idle h2 session is closed (GOAWAY) as an idle HTTP/1.1 connection is.
    h2.on('session', (session) => session.setTimeout(keepAliveTimeoutMs, () => session.close()));
    applyHttp1Settings(h2, node, keepAliveTimeoutMs);
    limitHttp2RequestTime(h2, limits.requestTimeoutMs);
    trackHttp2Sessions(h2);
    // NB: Http2SecureServer serves HTTP/1.1 connections with http.Server's code and has its methods at run time.
    server = h2 as unknown as NodeServer;
  }
  server.keepAliveTimeout = keepAliveTimeoutMs;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  server.on('clientError', createClientErrorHandler(limits, flushAnswers));
  server.on('connect', createConnectHandler(flushAnswers));
  return server;
}

/** NB: rejectUnauthorized false: OpenSSL would check against no CA; the guard's authenticators decide (spec §7.3). */
function httpsOptions(tls: TlsServing) {
  return {
    ...secureContextOptions(tls.key, tls.cert),
    ...(tls.requestClientCertificates ? { requestCert: true, rejectUnauthorized: false } : {}),
  };
}
