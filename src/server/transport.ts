/**
 * Which Node server fastify builds: plain HTTP/1.1 without TLS (tests, TLS terminated in front),
 * else one TLS port that speaks h2 and http/1.1 by ALPN (HTTP/1.1 only with `disableHttp2`), and
 * the per-server setup each needs once it exists.
 * @module
 */
import type { Server as NetServer } from 'node:net';
import type { Http2SecureServer } from 'node:http2';
import {
  applyHttp1Settings,
  http2ServingSupported,
  http2SessionOptions,
  limitHttp2RequestTime,
  trackHttp2Sessions,
} from './http2-serving.js';
import { nodeServerOptions, type ServerLimits } from './limits.js';
import { secureContextOptions } from './tls-options.js';

export interface TlsServing {
  readonly key: string;
  readonly cert: string;
  /** Ask for (never require) a client certificate, which the guard verifies. */
  readonly requestClientCertificates?: boolean;
  /** Serve HTTP/1.1 only, as kube-apiserver's --disable-http2-serving. */
  readonly disableHttp2?: boolean;
}

/** NB: fastify's default keep-alive timeout, which its https.Server gets and the h2 server must get by hand. */
const keepAliveTimeoutMs = 72_000;

export function servesHttp2(tls: TlsServing | undefined): boolean {
  return tls !== undefined && tls.disableHttp2 !== true && http2ServingSupported();
}

/** The fastify() options that choose the server. */
export function transportOptions(tls: TlsServing | undefined, limits: ServerLimits): Record<string, unknown> {
  const node = nodeServerOptions(limits);
  if (tls === undefined) return { http: node, forceCloseConnections: 'idle' };
  if (!servesHttp2(tls)) return { https: { ...httpsOptions(tls), ...node }, forceCloseConnections: 'idle' };
  // NB: fastify only closes idle connections itself for an http(s).Server; Http2SecureServer.close()
  // does it for its HTTP/1.1 connections, and shutdown.ts sends the h2 sessions GOAWAY.
  return { http2: true, https: { ...httpsOptions(tls), ...http2SessionOptions(limits) }, http2SessionTimeout: keepAliveTimeoutMs, forceCloseConnections: false };
}

/** Setup that needs the server object; call once right after fastify() built it. */
export function prepareTransport(server: NetServer, tls: TlsServing | undefined, limits: ServerLimits): void {
  if (!servesHttp2(tls)) return;
  const h2 = server as Http2SecureServer;
  applyHttp1Settings(h2, nodeServerOptions(limits), keepAliveTimeoutMs);
  limitHttp2RequestTime(h2, limits.requestTimeoutMs);
  trackHttp2Sessions(h2);
}

/** NB: rejectUnauthorized false: OpenSSL would check against no CA; the guard's authenticators decide (spec §7.3). */
function httpsOptions(tls: TlsServing) {
  return {
    ...secureContextOptions(tls.key, tls.cert),
    ...(tls.requestClientCertificates ? { requestCert: true, rejectUnauthorized: false } : {}),
  };
}
