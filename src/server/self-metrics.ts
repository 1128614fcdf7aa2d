/**
 * The adapter's own Prometheus metrics at `/metrics`: requests by verb, API group/version and code,
 * a latency histogram, the series the back end holds, and Node's process metrics. Request counting is
 * hand-written: prom-client hashes a label object on every observation, which cost more per request
 * than answering an in-memory query, so requests are counted in plain per-label-set records and
 * rendered in the text format at scrape time. Each adapter has its own registry, so several adapters
 * in one process (tests, library users) never collide.
 * @module
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Requests answered so far with one verb, API group, version and code. */
export interface RequestCount {
  readonly verb: string;
  readonly group: string;
  readonly version: string;
  readonly code: number;
  readonly count: number;
}

export interface SelfMetrics {
  observe(verb: string, group: string, version: string, code: number, seconds: number): void;
  /** The request counters, for the status page. */
  requestCounts(): readonly RequestCount[];
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface RequestRecord {
  readonly key: { readonly verb: string; readonly group: string; readonly version: string; readonly code: number };
  readonly labels: string;
  readonly latencyLabels: string;
  count: number;
  sum: number;
  readonly bucketCounts: number[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function createSelfMetrics(
  seriesCount?: () => { readonly custom: number; readonly external: number },
  extraText?: () => string,
): SelfMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'metrics_adapter_series',
    help: 'Series held by the back end, by API (custom or external).',
    labelNames: ['api'] as const,
    registers: [registry],
    collect() {
      if (seriesCount === undefined) return;
      const counts = seriesCount();
      this.set({ api: 'custom' }, counts.custom);
      this.set({ api: 'external' }, counts.external);
    },
  });
  const records = new Map<string, RequestRecord>();
  const recordsByVerb = new Map<string, Map<string, Map<string, Map<number, RequestRecord>>>>();

  function renderRequests(): string {
    const all = [...records.values()];
    const lines = [
      '# HELP metrics_adapter_requests_total Requests served, by HTTP verb, API group, version and response code.',
      '# TYPE metrics_adapter_requests_total counter',
      ...all.map((r) => `metrics_adapter_requests_total{${r.labels}} ${r.count}`),
      '# HELP metrics_adapter_request_duration_seconds Time to answer a request, by HTTP verb, API group and version.',
      '# TYPE metrics_adapter_request_duration_seconds histogram',
    ];
    // NB: the histogram has no code label, so records that differ only in code are summed.
    const latency = new Map<string, { count: number; sum: number; buckets: number[] }>();
    for (const r of all) {
      const entry = latency.get(r.latencyLabels) ?? { count: 0, sum: 0, buckets: buckets.map(() => 0) };
      entry.count += r.count;
      entry.sum += r.sum;
      r.bucketCounts.forEach((n, i) => {
        entry.buckets[i]! += n;
      });
      latency.set(r.latencyLabels, entry);
    }
    for (const [labels, entry] of latency) {
      let cumulative = 0;
      buckets.forEach((le, i) => {
        cumulative += entry.buckets[i]!;
        lines.push(`metrics_adapter_request_duration_seconds_bucket{le="${le}",${labels}} ${cumulative}`);
      });
      lines.push(`metrics_adapter_request_duration_seconds_bucket{le="+Inf",${labels}} ${entry.count}`);
      lines.push(`metrics_adapter_request_duration_seconds_sum{${labels}} ${entry.sum}`);
      lines.push(`metrics_adapter_request_duration_seconds_count{${labels}} ${entry.count}`);
    }
    return `${lines.join('\n')}\n`;
  }

  return {
    contentType: registry.contentType,
    observe(verb, group, version, code, seconds) {
      // NB: nested maps rather than one joined key: the parts are strings the request path already hashed, and joining
      // them into a new string to hash again cost more than the rest of counting.
      let byGroup = recordsByVerb.get(verb);
      if (byGroup === undefined) recordsByVerb.set(verb, (byGroup = new Map()));
      let byVersion = byGroup.get(group);
      if (byVersion === undefined) byGroup.set(group, (byVersion = new Map()));
      let byCode = byVersion.get(version);
      if (byCode === undefined) byVersion.set(version, (byCode = new Map()));
      let record = byCode.get(code);
      if (record === undefined) {
        const key = `${verb} ${group} ${version} ${code}`;
        const latencyLabels = `verb="${escapeLabel(verb)}",group="${escapeLabel(group)}",version="${escapeLabel(version)}"`;
        record = {
          key: { verb, group, version, code },
          labels: `${latencyLabels},code="${code}"`,
          latencyLabels,
          count: 0,
          sum: 0,
          bucketCounts: buckets.map(() => 0),
        };
        records.set(key, record);
        byCode.set(code, record);
      }
      record.count++;
      record.sum += seconds;
      // NB: non-cumulative here, made cumulative when rendered; observations past the last bucket only count in +Inf.
      for (let i = 0; i < buckets.length; i++) {
        if (seconds <= buckets[i]!) {
          record.bucketCounts[i]!++;
          break;
        }
      }
    },
    requestCounts() {
      return [...records.values()].map((r) => ({ ...r.key, count: r.count }));
    },
    async render() {
      return `${renderRequests()}${extraText?.() ?? ''}${await registry.metrics()}`;
    },
  };
}
