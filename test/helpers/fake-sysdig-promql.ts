/**
 * The PromQL side of the fake Sysdig (test/helpers/fake-sysdig.ts): `/prometheus/api/v1/query` and
 * `/prometheus/api/v1/series` over the same entities as the Data API, answering in the Prometheus HTTP API's JSON
 * (`{status: "success", data: ...}`, errors `{status: "error", errorType: "bad_data", error}` with HTTP 400).
 * It evaluates the subset the adapter's rules produce: a vector selector with `=`, `!=`, `=~`, `!~` matchers, optionally
 * inside one `sum|avg|min|max|count (...) by (...)`.
 *
 * Names follow Sysdig's PromQL mapping (Sysdig docs "Using PromQL" and its metric dictionary): a metric id
 * `net.http.request.count` is `sysdig_container_net_http_request_count`, a label `kubernetes.pod.name` is
 * `kube_pod_name`, other dots become underscores.
 * @module
 */
import type { FakeEntity } from './fake-sysdig.js';

export class PromqlBadData extends Error {}

type Labels = Record<string, string>;
type Matcher = (labels: Labels) => boolean;

/** `net.http.request.count` → `sysdig_container_net_http_request_count`. */
export function promqlMetricName(id: string): string {
  return `sysdig_container_${id.replace(/\./g, '_')}`;
}

/** `kubernetes.pod.name` → `kube_pod_name`. */
export function promqlLabelName(label: string): string {
  return label.replace(/^kubernetes\./, 'kube.').replace(/[^A-Za-z0-9_]/g, '_');
}

interface Series {
  readonly labels: Labels;
  readonly value: number;
}

function allSeries(entities: readonly FakeEntity[]): Series[] {
  return entities.flatMap((entity) =>
    Object.entries(entity.values).map(([id, value]) => ({
      labels: { __name__: promqlMetricName(id), ...Object.fromEntries(Object.entries(entity.labels).map(([k, v]) => [promqlLabelName(k), v])) },
      value,
    })),
  );
}

function unquote(text: string): string {
  return JSON.parse(text) as string;
}

/** `name{a="x",b=~"y|z"}`, `{__name__=~"^sysdig_.*",kube_pod_name!=""}`. */
function parseSelector(text: string): Matcher[] {
  const match = /^\s*([A-Za-z_:][A-Za-z0-9_:]*)?\s*(?:\{(.*)\})?\s*$/s.exec(text);
  if (match === null || (match[1] === undefined && match[2] === undefined)) throw new PromqlBadData(`parse error: unexpected input ${JSON.stringify(text)}`);
  const matchers: Matcher[] = [];
  if (match[1] !== undefined) matchers.push((labels) => labels.__name__ === match[1]);
  let rest = (match[2] ?? '').trim();
  const one = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")\s*(?:,\s*|$)/;
  while (rest !== '') {
    const m = one.exec(rest);
    if (m === null) throw new PromqlBadData(`parse error: bad matcher near ${JSON.stringify(rest)}`);
    const [, label = '', op, quoted = '""'] = m;
    const value = unquote(quoted);
    const regexp = op === '=~' || op === '!~' ? new RegExp(`^(?:${value})$`) : undefined;
    const test = (labels: Labels) => (regexp !== undefined ? regexp.test(labels[label] ?? '') : (labels[label] ?? '') === value);
    matchers.push(op === '=' || op === '=~' ? test : (labels) => !test(labels));
    rest = rest.slice(m[0].length);
  }
  return matchers;
}

function select(selector: string, entities: readonly FakeEntity[]): Series[] {
  const matchers = parseSelector(selector);
  return allSeries(entities).filter((series) => matchers.every((m) => m(series.labels)));
}

/** `/api/v1/series?match[]=...`: the label sets of every series any selector matches. */
export function answerSeries(match: readonly string[], entities: readonly FakeEntity[]): unknown {
  if (match.length === 0) throw new PromqlBadData('no match[] parameter provided');
  const seen = new Map<string, Labels>();
  for (const selector of match) for (const series of select(selector, entities)) seen.set(JSON.stringify(series.labels), series.labels);
  return { status: 'success', data: [...seen.values()] };
}

const aggregators: Record<string, (values: number[]) => number> = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  avg: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  min: (v) => Math.min(...v),
  max: (v) => Math.max(...v),
  count: (v) => v.length,
};

/** `/api/v1/query?query=...`: an instant vector at now. */
export function answerQuery(query: string, entities: readonly FakeEntity[]): unknown {
  const now = Date.now() / 1000;
  const sample = (labels: Labels, value: number) => ({ metric: labels, value: [now, String(value)] });
  const agg = /^\s*(sum|avg|min|max|count)\s*(?:by\s*\(([^)]*)\)\s*)?\((.*?)\)\s*(?:by\s*\(([^)]*)\))?\s*$/s.exec(query);
  if (agg === null) {
    return { status: 'success', data: { resultType: 'vector', result: select(query, entities).map((s) => sample(s.labels, s.value)) } };
  }
  const [, op = 'sum', byBefore, inner = '', byAfter] = agg;
  const by = (byBefore ?? byAfter ?? '').split(',').map((l) => l.trim()).filter((l) => l !== '');
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const series of select(inner, entities)) {
    const labels = Object.fromEntries(by.filter((l) => series.labels[l] !== undefined).map((l) => [l, series.labels[l]!]));
    const key = JSON.stringify(labels);
    const group = groups.get(key) ?? { labels, values: [] };
    group.values.push(series.value);
    groups.set(key, group);
  }
  const result = [...groups.values()].map((g) => sample(g.labels, aggregators[op]!(g.values)));
  return { status: 'success', data: { resultType: 'vector', result } };
}
