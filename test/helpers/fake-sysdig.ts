/**
 * A loopback fake of the Sysdig Monitor API for tests, over real TLS with its own CA: the Data API
 * (`POST /api/data`), metric descriptors (`GET /api/v2/metrics/descriptors`) and the PromQL API
 * (`/prometheus/api/v1/query` and `/series`, see fake-sysdig-promql.ts), with bearer-token checks, scripted 429/5xx
 * answers and delays. It evaluates `filter` scopes, segments by the label-only `metrics` entries, applies the
 * group aggregation and `paging` (top 10 by default), so what the adapter sends decides what it gets back.
 *
 * The JSON shapes follow, read but not copied:
 * - Sysdig's Data API documentation ("Working with the Data API"; the older sysdig-cloud-api gitbook page
 *   `rest_api/data`): `last`/`start`/`end`/`sampling` in seconds, `metrics: [{id, aggregations: {time, group}}]`,
 *   label entries without aggregations segment the answer, `filter` scope strings, `dataSourceType`, answer
 *   `{data: [{t, d: [...]}], start, end}`;
 * - sysdiglabs/sysdig-sdk-python `sdcclient/_common.py` before the removal of `get_data` (`get_data`: the
 *   request body, `paging {from, to}` defaulting to the top 10; `_checkResponse`: error bodies
 *   `{errors: [{message, reason}]}`; `get_data_promql_instant`: `/prometheus/api/v1/query` with the bearer token);
 * - draios/kubernetes-sysdig-metrics-apiserver (k8s-sysdig-adapter) `internal/sdc/data.go`, `data_test.go`:
 *   `GET api/v2/metrics/descriptors?limit&offset` → `{total, offset, metricDescriptors: [{id, metricType,
 *   type, namespaces, timeAggregations, groupAggregations, ...}]}`, `Authorization: Bearer`, samples' `t` in seconds;
 * - the Prometheus HTTP API for the PromQL answers (`{status, data: {resultType: vector, result}}`, series
 *   `{status, data: [labels]}`), GET with the query string or POST with a form body.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSelfSignedCertificate } from '../../src/certs/index.js';
import { answerQuery, answerSeries, PromqlBadData } from './fake-sysdig-promql.js';

/** One monitored thing (a container, say) with its labels and its current value per metric id. */
export interface FakeEntity {
  readonly labels: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, number>>;
}

export interface FakeDescriptor {
  readonly id: string;
  readonly metricType: 'counter' | 'gauge' | 'segmentBy' | 'none';
  readonly namespaces: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface FakeSysdig {
  readonly url: string;
  readonly caFile: string;
  readonly token: string;
  entities: FakeEntity[];
  descriptors: FakeDescriptor[];
  /** Every request, oldest first. */
  readonly requests: RecordedRequest[];
  /** Answers given, in order, before any real one (for 429/5xx tests). */
  readonly script: ScriptedAnswer[];
  /** Wait this long before answering. */
  delayMs: number;
  /** Data API requests only. */
  dataRequests(): Record<string, unknown>[];
  /** The `query` of every PromQL instant query, oldest first. */
  promqlQueries(): string[];
  close(): Promise<void>;
}

const timeAggregations = new Set(['avg', 'timeAvg', 'sum', 'min', 'max', 'rateOfChange']);
const groupAggregations = new Set(['avg', 'sum', 'min', 'max']);

class BadRequest extends Error {}

type Clause = (labels: Readonly<Record<string, string>>) => boolean;

/** Sysdig scope strings as the adapter writes them: `a = 'x' and b != 'y' and c in ('p', 'q') and d not in ('r')`. */
export function parseScope(filter: string): Clause[] {
  const clauses: Clause[] = [];
  const clause =
    /^\s*([A-Za-z0-9_.\-/]+)\s+(=|!=|in|not in)\s+('([^'\\]*)'|\(\s*'[^'\\]*'(?:\s*,\s*'[^'\\]*')*\s*\))\s*(?:and\s+|$)/;
  let rest = filter;
  while (rest.trim() !== '') {
    const match = clause.exec(rest);
    if (match === null) throw new BadRequest(`cannot parse the scope near "${rest}"`);
    const [, label = '', operator, operand = ''] = match;
    const values = operand.startsWith('(') ? [...operand.matchAll(/'([^']*)'/g)].map((m) => m[1]!) : [match[4]!];
    if ((operator === '=' || operator === '!=') && values.length !== 1) throw new BadRequest('= takes one value');
    const has = (labels: Readonly<Record<string, string>>) =>
      labels[label] !== undefined && values.includes(labels[label]!);
    clauses.push(operator === '=' || operator === 'in' ? has : (labels) => !has(labels));
    rest = rest.slice(match[0].length);
  }
  return clauses;
}

function aggregate(group: string, values: readonly number[]): number {
  if (group === 'sum') return values.reduce((a, b) => a + b, 0);
  if (group === 'min') return Math.min(...values);
  if (group === 'max') return Math.max(...values);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

interface MetricEntry {
  id: string;
  aggregations?: { time: string; group: string };
}

function answerData(body: unknown, entities: readonly FakeEntity[]): unknown {
  const request = body as {
    metrics?: MetricEntry[];
    last?: number;
    start?: number;
    end?: number;
    filter?: string | null;
    paging?: { from: number; to: number };
  };
  if (!Array.isArray(request.metrics) || request.metrics.length === 0) throw new BadRequest('metrics is required');
  if (request.last === undefined && (request.start === undefined || request.end === undefined))
    throw new BadRequest('last or start and end are required');
  if (request.last !== undefined && (!Number.isInteger(request.last) || request.last <= 0))
    throw new BadRequest('last must be a positive number of seconds');
  for (const m of request.metrics) {
    if (typeof m.id !== 'string') throw new BadRequest('every metric needs an id');
    if (
      m.aggregations !== undefined &&
      (!timeAggregations.has(m.aggregations.time) || !groupAggregations.has(m.aggregations.group))
    ) {
      throw new BadRequest(`invalid aggregations for ${m.id}`);
    }
  }
  const keys = request.metrics.filter((m) => m.aggregations === undefined).map((m) => m.id);
  const clauses = parseScope(request.filter ?? '');
  const matching = entities.filter((e) => clauses.every((c) => c(e.labels)));
  const groups = new Map<string, FakeEntity[]>();
  for (const entity of matching) {
    const key = JSON.stringify(keys.map((k) => entity.labels[k] ?? null));
    groups.set(key, [...(groups.get(key) ?? []), entity]);
  }
  const end = Math.floor(Date.now() / 10_000) * 10;
  const rows: { t: number; d: (string | number | null)[] }[] = [];
  for (const [key, members] of groups) {
    const keyValues = JSON.parse(key) as (string | null)[];
    const d: (string | number | null)[] = [];
    let any = false;
    let k = 0;
    for (const m of request.metrics) {
      if (m.aggregations === undefined) {
        d.push(keyValues[k++] ?? null);
        continue;
      }
      const values = members.map((e) => e.values[m.id]).filter((v): v is number => v !== undefined);
      any ||= values.length > 0;
      d.push(values.length === 0 ? null : aggregate(m.aggregations.group, values));
    }
    if (any) rows.push({ t: end, d });
  }
  const firstValue = request.metrics.findIndex((m) => m.aggregations !== undefined);
  rows.sort((a, b) => Number(b.d[firstValue] ?? 0) - Number(a.d[firstValue] ?? 0));
  const paging = request.paging ?? { from: 0, to: 9 };
  return { data: rows.slice(paging.from, paging.to + 1), start: end - (request.last ?? 0), end };
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

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

export async function startFakeSysdig(options: { token?: string } = {}): Promise<FakeSysdig> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-sysdig-'));
  const cert = await ensureSelfSignedCertificate({ certDir: dir, hosts: ['localhost'] });
  const token = options.token ?? 'sysdig-test-token-5f3c9a';
  const state = {
    entities: [] as FakeEntity[],
    descriptors: [] as FakeDescriptor[],
    requests: [] as RecordedRequest[],
    script: [] as ScriptedAnswer[],
    delayMs: 0,
  };
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    void (async () => {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      const url = new URL(req.url ?? '/', 'https://localhost');
      state.requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        authorization: req.headers.authorization,
        body,
      });
      if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
      if (res.destroyed) return;
      if (req.headers.authorization !== `Bearer ${token}`) {
        return send(res, 401, { errors: [{ reason: 'Unauthorized', message: 'Bad credentials' }] });
      }
      const scripted = state.script.shift();
      if (scripted !== undefined)
        return send(
          res,
          scripted.status,
          scripted.body ?? { errors: [{ reason: 'scripted', message: `scripted HTTP ${scripted.status}` }] },
          scripted.headers,
        );
      try {
        if (req.method === 'POST' && (url.pathname === '/api/data' || url.pathname === '/api/data/'))
          return send(res, 200, answerData(body, fake.entities));
        if (req.method === 'GET' && url.pathname === '/api/v2/metrics/descriptors') {
          const limit = Number(url.searchParams.get('limit') ?? '100');
          const offset = Number(url.searchParams.get('offset') ?? '0');
          const page = fake.descriptors.slice(offset, offset + limit).map((d) => ({
            ...d,
            type: 'number',
            scale: 1,
            category: 'custom',
            scopes: [],
            timeAggregations: [...timeAggregations],
            groupAggregations: [...groupAggregations],
            identity: false,
            canMonitor: true,
            canGroupBy: d.metricType === 'segmentBy',
            canFilter: true,
            heuristic: false,
          }));
          return send(res, 200, { total: fake.descriptors.length, offset, metricDescriptors: page });
        }
        if (url.pathname === '/prometheus/api/v1/query' || url.pathname === '/prometheus/api/v1/series') {
          // NB: Prometheus takes the parameters from the query string (GET) or a form body (POST).
          const params = req.method === 'POST' ? new URLSearchParams(text) : url.searchParams;
          if (url.pathname.endsWith('/query'))
            return send(res, 200, answerQuery(params.get('query') ?? '', fake.entities));
          return send(res, 200, answerSeries(params.getAll('match[]'), fake.entities));
        }
        return send(res, 404, { errors: [{ reason: 'Not Found', message: `no route ${req.method} ${url.pathname}` }] });
      } catch (error) {
        if (error instanceof PromqlBadData)
          return send(res, 400, { status: 'error', errorType: 'bad_data', error: error.message });
        if (error instanceof BadRequest)
          return send(res, 400, { errors: [{ reason: 'Bad Request', message: error.message }] });
        return send(res, 500, { errors: [{ reason: 'Internal Server Error', message: (error as Error).message }] });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeSysdig = {
    url: `https://127.0.0.1:${port}`,
    caFile: cert.caFile,
    token,
    get entities() {
      return state.entities;
    },
    set entities(value) {
      state.entities = value;
    },
    get descriptors() {
      return state.descriptors;
    },
    set descriptors(value) {
      state.descriptors = value;
    },
    requests: state.requests,
    script: state.script,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value) {
      state.delayMs = value;
    },
    dataRequests: () =>
      state.requests.filter((r) => r.path.startsWith('/api/data')).map((r) => r.body as Record<string, unknown>),
    promqlQueries: () =>
      state.requests
        .filter((r) => r.path.startsWith('/prometheus/api/v1/query'))
        .map(
          (r) =>
            new URLSearchParams(r.method === 'POST' ? String(r.body) : r.path.slice(r.path.indexOf('?') + 1)).get(
              'query',
            ) ?? '',
        ),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fake;
}
