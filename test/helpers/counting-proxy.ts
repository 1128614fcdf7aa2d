/**
 * An HTTP proxy in front of Prometheus that counts the calls per API path, so a test can assert how many PromQL
 * queries one adapter request caused. When Prometheus is down it answers 503, as a load balancer would.
 * @module
 */
import { createServer, request, type Server } from 'node:http';

export interface CountingProxy {
  readonly url: string;
  /** Calls to `path` (such as `/api/v1/query`) so far. */
  count(path: string): number;
  close(): Promise<void>;
}

/** `onRequest` sees every call's URL as it arrives, for counting only some queries (the bench counts one selector's). */
export async function startCountingProxy(upstream: string, onRequest?: (url: URL) => void): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    onRequest?.(url);
    const forward = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('upstream unavailable\n');
    });
    req.pipe(forward);
  });
  // NB: Node's 5s idle timeout would close kept-alive sockets just as the adapter reuses them (ECONNRESET, a 503);
  // Prometheus itself keeps idle connections for minutes.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    count: (path) => counts.get(path) ?? 0,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
