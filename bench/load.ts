/**
 * The load generator in its own process, so it never competes with the bench's event loop:
 * runs autocannon with the JSON options in argv[2] and prints its summary as JSON on stdout.
 * @module
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  /** Paths asked in turn on each connection, instead of the URL's own. */
  readonly paths?: readonly string[];
  readonly connections: number;
  readonly durationSeconds: number;
  readonly ca: string;
  /** Requests per second over all connections; as fast as possible when undefined. */
  readonly rate?: number;
}

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

const options = JSON.parse(process.argv[2]!) as LoadOptions;
const result = await autocannon({
  url: options.url,
  method: options.method,
  ...(options.body !== undefined ? { body: options.body, headers: { 'content-type': 'application/json' } } : {}),
  ...(options.paths !== undefined ? { requests: options.paths.map((path) => ({ path })) } : {}),
  connections: options.connections,
  duration: options.durationSeconds,
  ...(options.rate !== undefined ? { overallRate: options.rate } : {}),
  tlsOptions: { ca: options.ca },
});
const summary: LoadResult = {
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.non2xx,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
