/**
 * The small PromQL evaluator behind the fake upstreams that speak Prometheus' HTTP API (fake-prometheus.ts and
 * the PromQL side of fake-sysdig.ts). It evaluates the subset the adapter's rules produce, a vector selector with
 * `=`, `!=`, `=~`, `!~` matchers, optionally inside one `sum|avg|min|max|count (...) by (...)`, and answers in the
 * Prometheus HTTP API's JSON (`{status: "success", data: ...}`); a query outside the subset is `bad_data`.
 * @module
 */

export class PromqlBadData extends Error {}

export type PromLabels = Record<string, string>;

/** One series with its current value; `labels.__name__` is the metric name. */
export interface PromSeries {
  readonly labels: PromLabels;
  readonly value: number;
}

type Matcher = (labels: PromLabels) => boolean;

function unquote(text: string): string {
  return JSON.parse(text) as string;
}

/** `name{a="x",b=~"y|z"}`, `{__name__=~"^sysdig_.*",kube_pod_name!=""}`. */
function parseVectorSelector(text: string): Matcher[] {
  const match = /^\s*([A-Za-z_:][A-Za-z0-9_:]*)?\s*(?:\{(.*)\})?\s*$/s.exec(text);
  if (match === null || (match[1] === undefined && match[2] === undefined))
    throw new PromqlBadData(`parse error: unexpected input ${JSON.stringify(text)}`);
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
    const test = (labels: PromLabels) =>
      regexp !== undefined ? regexp.test(labels[label] ?? '') : (labels[label] ?? '') === value;
    matchers.push(op === '=' || op === '=~' ? test : (labels) => !test(labels));
    rest = rest.slice(m[0].length);
  }
  return matchers;
}

export function selectSeries(selector: string, all: readonly PromSeries[]): PromSeries[] {
  const matchers = parseVectorSelector(selector);
  return all.filter((series) => matchers.every((m) => m(series.labels)));
}

/** `/api/v1/series?match[]=...`: the label sets of every series any selector matches. */
export function answerSeries(match: readonly string[], all: readonly PromSeries[]): unknown {
  if (match.length === 0) throw new PromqlBadData('no match[] parameter provided');
  const seen = new Map<string, PromLabels>();
  for (const selector of match)
    for (const series of selectSeries(selector, all)) seen.set(JSON.stringify(series.labels), series.labels);
  return { status: 'success', data: [...seen.values()] };
}

/** `/api/v1/labels`: every label name, sorted. */
export function answerLabels(all: readonly PromSeries[]): unknown {
  return { status: 'success', data: [...new Set(all.flatMap((s) => Object.keys(s.labels)))].sort() };
}

const aggregators: Record<string, (values: number[]) => number> = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  avg: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  min: (v) => Math.min(...v),
  max: (v) => Math.max(...v),
  count: (v) => v.length,
};

/**
 * `/api/v1/query?query=...`: an instant vector at now. NB: a bare selector keeps `__name__`, an aggregation drops it.
 */
export function answerQuery(query: string, all: readonly PromSeries[]): unknown {
  const now = Date.now() / 1000;
  const sample = (labels: PromLabels, value: number) => ({ metric: labels, value: [now, String(value)] });
  const agg = /^\s*(sum|avg|min|max|count)\s*(?:by\s*\(([^)]*)\)\s*)?\((.*?)\)\s*(?:by\s*\(([^)]*)\))?\s*$/s.exec(
    query,
  );
  if (agg === null) {
    return {
      status: 'success',
      data: { resultType: 'vector', result: selectSeries(query, all).map((s) => sample(s.labels, s.value)) },
    };
  }
  const [, op = 'sum', byBefore, inner = '', byAfter] = agg;
  const by = (byBefore ?? byAfter ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const groups = new Map<string, { labels: PromLabels; values: number[] }>();
  for (const series of selectSeries(inner, all)) {
    const labels = Object.fromEntries(
      by.filter((l) => series.labels[l] !== undefined).map((l) => [l, series.labels[l]!]),
    );
    const key = JSON.stringify(labels);
    const group = groups.get(key) ?? { labels, values: [] };
    group.values.push(series.value);
    groups.set(key, group);
  }
  const result = [...groups.values()].map((g) => sample(g.labels, aggregators[op]!(g.values)));
  return { status: 'success', data: { resultType: 'vector', result } };
}
