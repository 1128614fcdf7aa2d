/**
 * A Prometheus scrape target on 127.0.0.1 whose exposition text is computed per scrape, for tests that have a real
 * Prometheus scrape known values.
 * @module
 */
import { createServer, type Server } from 'node:http';

export interface ScrapeTarget {
  /** `host:port`, as a scrape config's target. */
  readonly target: string;
  scrapes(): number;
  close(): Promise<void>;
}

/** Serves `exposition(scrape, timestampMs)` for the 1st, 2nd, ... scrape, stamped one second apart from now. */
export function startScrapeTarget(exposition: (scrape: number, timestampMs: number) => string): Promise<ScrapeTarget> {
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  let scrapes = 0;
  const server: Server = createServer((_request, response) => {
    scrapes++;
    response
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      .end(exposition(scrapes, t0 + scrapes * 1000));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        target: `127.0.0.1:${port}`,
        scrapes: () => scrapes,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    }),
  );
}
