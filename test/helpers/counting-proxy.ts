/**
 * An HTTP proxy in front of Prometheus that counts the calls per API path, so a test can assert how many PromQL
 * queries one adapter request caused. When Prometheus is down it answers 503, as a load balancer would. With
 * `maxRequestBytes` it refuses larger requests (URL plus body) as a front proxy with a request limit does.
 * @module
 */
import { createServer, request, type Server } from 'node:http';

export interface CountingProxyOptions {
  /**
   * Requests whose URL and body together exceed this many bytes are refused without reaching Prometheus: 414 URI Too
   * Long when the URL alone is over, else 413 Content Too Large.
   */
  readonly maxRequestBytes?: number;
  /** Sees every call's URL as it arrives, for counting only some queries (the bench counts one selector's). */
  readonly onRequest?: (url: URL) => void;
}

export interface CountingProxy {
  readonly url: string;
  /** Calls to `path` (such as `/api/v1/query`) so far, refused ones included. */
  count(path: string): number;
  /** Requests refused for their size so far. */
  readonly refused: number;
  /** The size (URL plus body, in bytes) of the largest request passed on to Prometheus so far. */
  readonly largestRequestBytes: number;
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string, options: CountingProxyOptions = {}): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const target = new URL(upstream);
  const limit = options.maxRequestBytes ?? Infinity;
  let refused = 0;
  let largest = 0;
  // NB: Node refuses request lines over 16 KiB itself with a 431; a larger cap lets the limit above decide.
  const server: Server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    options.onRequest?.(url);
    // NB: the body is read whole before forwarding, so its size is known; Prometheus' requests are small.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const urlBytes = Buffer.byteLength(req.url ?? '');
      const size = urlBytes + body.length;
      if (size > limit) {
        refused++;
        res
          .writeHead(urlBytes > limit ? 414 : 413, { 'content-type': 'text/plain', connection: 'close' })
          .end('request too large\n');
        return;
      }
      largest = Math.max(largest, size);
      const forward = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => {
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('upstream unavailable\n');
      });
      forward.end(body);
    });
  });
  // NB: Node's 5s idle timeout would close kept-alive sockets just as the adapter reuses them (ECONNRESET, a 503);
  // Prometheus itself keeps idle connections for minutes.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    count: (path) => counts.get(path) ?? 0,
    get refused() {
      return refused;
    },
    get largestRequestBytes() {
      return largest;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
