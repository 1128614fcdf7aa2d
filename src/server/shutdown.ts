/**
 * Graceful shutdown: stop accepting connections, let requests in flight finish, and after the grace
 * period cut whatever is left, so a SIGTERM always ends within a bound the kubelet can rely on.
 * @module
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
import { Server as HttpServerClass } from 'node:http';
import { destroyHttp2Sessions, drainHttp2Sessions, isHttp2Server } from './http2-serving.js';

const unusedConnections = new WeakMap<HttpServer, Set<Socket>>();

/**
 * Remembers the connections that have not sent a request yet. NB: Node counts them neither idle nor
 * busy, so close() leaves them open, and a client that dialled ahead would hold the process for the
 * whole grace period.
 */
export function trackUnusedConnections(server: HttpServer): void {
  const unused = new Set<Socket>();
  unusedConnections.set(server, unused);
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    // NB: an h2 connection is a session, closed with a GOAWAY that lets its streams finish; its
    // requests name a per-stream proxy as their socket, so this set would never forget it.
    if ((socket as TLSSocket).alpnProtocol === 'h2') return;
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  server.on('request', (request: IncomingMessage) => unused.delete(request.socket));
}

/** What closeGracefully closes: a MetricsServer, or anything with its Node server and close(). */
export interface ClosableServer {
  readonly server: HttpServer;
  close(): Promise<void>;
}

/**
 * Closes `app`: the listening socket at once (new connections are refused), idle keep-alive
 * connections at once, busy ones when their answer is sent or `graceMs` has passed; h2 sessions
 * get a GOAWAY and close when their last stream ends.
 * Resolves `true` when everything finished within the grace period.
 */
export async function closeGracefully(app: ClosableServer, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const closed = app.close().then(() => true as const);
  const h2 = isHttp2Server(app.server) ? app.server : undefined;
  if (h2) drainHttp2Sessions(h2);
  for (const socket of unusedConnections.get(app.server) ?? []) socket.destroy();
  // NB: Node closes the connections idle when close() is called, not those that become idle after
  // their last answer; without this a kept-alive client would hold the process for the whole grace period.
  const reaper = setInterval(() => app.server.closeIdleConnections(), 50);
  const inTime = await Promise.race([closed, expired]);
  clearInterval(reaper);
  clearTimeout(timer);
  if (!inTime) {
    // NB: Http2SecureServer has no closeAllConnections; http.Server's works on its HTTP/1.1 connections.
    HttpServerClass.prototype.closeAllConnections.call(app.server);
    if (h2) destroyHttp2Sessions(h2);
    await closed;
  }
  return inTime;
}
