/**
 * A small client for Prometheus' HTTP API (`/api/v1/query`, `/api/v1/series`), shared by every back end that speaks
 * PromQL (Prometheus, Sysdig): base URL, auth headers, TLS, a deadline per call, and one error mapping. Prometheus
 * down or slow is a 503; Prometheus refusing a query (a bad rule) is a 500 that carries Prometheus' own text.
 * Hand-written on node:http(s) (no library): two GET/POST endpoints, and a custom CA needs an https.Agent.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { StatusError, serviceUnavailable } from '../../../api/errors.js';
import type { Labels } from '../../../api/types.js';
import { createAuthHeaders, type PrometheusAuth } from './auth.js';

export interface PrometheusClientOptions {
  /** Base URL; paths such as `/api/v1/query` are appended to its path (a prefix like `/prometheus` is kept). */
  readonly url: string;
  /** Deadline of one call in milliseconds. */
  readonly timeoutMs: number;
  readonly auth?: PrometheusAuth;
  /** Extra headers on every request (the peer's `--prometheus-header`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** GET (default, like the peer) or POST with a form body, for long queries. */
  readonly verb?: 'GET' | 'POST';
  /**
   * Read on every request and sent as `Authorization: Bearer`, over `auth`'s: a token the caller holds rather than a
   * file (Sysdig's `SDC_TOKEN`). Never logged: errors name the path, not the headers.
   */
  readonly bearerToken?: () => Promise<string>;
  /** Who answers, in error messages: `Prometheus` (default), `Sysdig's PromQL API`. */
  readonly name?: string;
  /** Added to the message of a 401/403, such as where the token comes from. */
  readonly credentialsHint?: string;
}

/** One sample of an instant vector. `value` is a float; NaN and ±Inf are possible. */
export interface Sample {
  readonly labels: Labels;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly value: number;
}

export type QueryResult =
  | { readonly resultType: 'vector'; readonly samples: readonly Sample[] }
  | { readonly resultType: 'scalar'; readonly sample: Sample }
  | { readonly resultType: 'matrix' | 'string' };

export interface CallOptions {
  /** Aborted when the caller gives up (client disconnect); the deadline applies on top. */
  readonly signal?: AbortSignal;
}

export interface PrometheusClient {
  /** An instant query at the current time. */
  query(expr: string, options?: CallOptions): Promise<QueryResult>;
  /** `/api/v1/series` for each selector in `match`, from `startMs` to now: each series' label set with `__name__`. */
  series(match: readonly string[], startMs: number, options?: CallOptions): Promise<Labels[]>;
}

/** The client of a Prometheus server itself, which also answers `/api/v1/status/buildinfo`. */
export interface PrometheusServerClient extends PrometheusClient {
  /** Resolves when the server answers; throws the error a query would (503 when unreachable). */
  ping(options?: CallOptions): Promise<void>;
}

interface ApiBody {
  status?: string;
  data?: unknown;
  errorType?: string;
  error?: string;
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusServerClient {
  const base = new URL(options.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error(`the Prometheus URL must be http or https, got ${options.url}`);
  const authHeaders = createAuthHeaders(options.auth ?? {});
  const agent = base.protocol === 'https:' ? authHeaders.httpsAgent() : new http.Agent({ keepAlive: true });
  const verb = options.verb ?? 'GET';
  const name = options.name ?? 'Prometheus';

  async function call(
    path: string,
    params: URLSearchParams,
    callOptions: CallOptions = {},
    method = verb,
  ): Promise<unknown> {
    const url = new URL(base.href.replace(/\/?$/, '/') + path.replace(/^\//, ''));
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = callOptions.signal === undefined ? deadline : AbortSignal.any([callOptions.signal, deadline]);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...options.headers,
      ...(await authHeaders.headers()),
    };
    if (options.bearerToken !== undefined) headers.authorization = `Bearer ${(await options.bearerToken()).trim()}`;
    let body: string | undefined;
    if (method === 'POST') {
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      url.search = params.toString();
    }
    let response: { status: number; text: string };
    try {
      response = await send(url, { method, headers, agent, signal }, body);
    } catch (error) {
      if (callOptions.signal?.aborted === true) throw callOptions.signal.reason;
      const why = deadline.aborted
        ? `did not answer within ${options.timeoutMs / 1000}s`
        : `is unreachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      throw serviceUnavailable(`unable to fetch metrics: ${name} ${why}`, error);
    }
    let parsed: ApiBody | undefined;
    try {
      parsed = JSON.parse(response.text) as ApiBody;
    } catch {
      parsed = undefined;
    }
    if (response.status === 200 && parsed?.status === 'success') return parsed.data;
    if (parsed?.status === 'error' && (parsed.errorType === 'bad_data' || parsed.errorType === 'execution')) {
      throw new StatusError(
        500,
        'InternalError',
        `${name} rejected the query: ${parsed.errorType}: ${parsed.error ?? ''}`,
        undefined,
        { cause: parsed },
      );
    }
    const detail = parsed?.error ?? response.text.slice(0, 200);
    const credentials =
      response.status === 401 || response.status === 403
        ? ` (the credentials were refused${options.credentialsHint !== undefined ? `: ${options.credentialsHint}` : ''})`
        : '';
    throw serviceUnavailable(
      `unable to fetch metrics: ${name} answered HTTP ${response.status}${credentials}`,
      new Error(`${url.pathname}: HTTP ${response.status}: ${detail}`),
    );
  }

  return {
    async ping(callOptions) {
      // NB: a status endpoint, GET only, so the probe is no query to count or to pay for.
      await call('api/v1/status/buildinfo', new URLSearchParams(), callOptions, 'GET');
    },
    async query(expr, callOptions) {
      const data = (await call('api/v1/query', new URLSearchParams({ query: expr }), callOptions)) as {
        resultType?: string;
        result?: unknown;
      };
      return toQueryResult(data);
    },
    async series(match, startMs, callOptions) {
      const params = new URLSearchParams();
      for (const selector of match) params.append('match[]', selector);
      params.set('start', (startMs / 1000).toFixed(3));
      const data = await call('api/v1/series', params, callOptions);
      return Array.isArray(data) ? (data as Labels[]) : [];
    },
  };
}

function send(
  url: URL,
  request: http.RequestOptions & { signal: AbortSignal },
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, request, (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function sampleOf(labels: unknown, pair: unknown): Sample {
  const [ts, text] = Array.isArray(pair) ? (pair as [number, string]) : [0, 'NaN'];
  return {
    labels: (labels ?? {}) as Labels,
    timestamp: Math.round(Number(ts) * 1000),
    value: parseSampleValue(String(text)),
  };
}

/** Prometheus writes sample values as strings: `"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function toQueryResult(data: { resultType?: string; result?: unknown }): QueryResult {
  switch (data.resultType) {
    case 'vector':
      return {
        resultType: 'vector',
        samples: ((data.result ?? []) as { metric?: unknown; value?: unknown }[]).map((s) =>
          sampleOf(s.metric, s.value),
        ),
      };
    case 'scalar':
      return { resultType: 'scalar', sample: sampleOf({}, data.result) };
    case 'matrix':
    case 'string':
      return { resultType: data.resultType };
    default:
      throw serviceUnavailable(
        'unable to fetch metrics: Prometheus answered in an unknown shape',
        new Error(JSON.stringify(data).slice(0, 200)),
      );
  }
}
