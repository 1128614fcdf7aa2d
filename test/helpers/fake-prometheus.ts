/**
 * A loopback fake of Prometheus' HTTP API for tests that need an upstream Prometheus without its timing (scrapes,
 * staleness): `/api/v1/query`, `/api/v1/series`, `/api/v1/labels` (GET with a query string or POST with a form,
 * as Prometheus takes both) and `/api/v1/status/buildinfo`, over series the test sets. Answers follow the HTTP API
 * documentation's JSON (`{status, data}`, errors `{status: "error", errorType: "bad_data", error}` with HTTP 400);
 * queries are evaluated by promql-eval.ts. Real Prometheus runs in test/e2e (prometheus-process.ts).
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerLabels, answerQuery, answerSeries, PromqlBadData, type PromSeries } from './promql-eval.js';

export interface FakePrometheus {
  readonly url: string;
  readonly port: number;
  series: PromSeries[];
  /** The `query` of every instant query, oldest first. */
  readonly queries: string[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakePrometheus(series: PromSeries[] = []): Promise<FakePrometheus> {
  const queries: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const params = req.method === 'POST' ? new URLSearchParams(text) : url.searchParams;
      try {
        switch (url.pathname) {
          case '/api/v1/query':
            queries.push(params.get('query') ?? '');
            return send(res, 200, answerQuery(params.get('query') ?? '', fake.series));
          case '/api/v1/series':
            return send(res, 200, answerSeries(params.getAll('match[]'), fake.series));
          case '/api/v1/labels':
            return send(res, 200, answerLabels(fake.series));
          case '/api/v1/status/buildinfo':
            return send(res, 200, {
              status: 'success',
              data: { version: '0.0.0-fake', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: '' },
            });
          default:
            return send(res, 404, { status: 'error', errorType: 'not_found', error: `no route ${url.pathname}` });
        }
      } catch (error) {
        if (error instanceof PromqlBadData)
          return send(res, 400, { status: 'error', errorType: 'bad_data', error: error.message });
        return send(res, 500, { status: 'error', errorType: 'internal', error: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakePrometheus = {
    url: `http://127.0.0.1:${port}`,
    port,
    series,
    queries,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
