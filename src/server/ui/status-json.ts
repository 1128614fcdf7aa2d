/**
 * `GET /debug/metrics`: the status page's data as JSON, for scripts (the same model the page renders).
 * @module
 */
import type { BackendHealth, Readiness } from '../../providers/health.js';
import type { RequestCount } from '../self-metrics.js';
import type { MetricQueryView } from '../../metric-queries/status-of.js';
import type { StatusModel } from './render-page.js';

export interface StatusJsonValue {
  /** `namespace/name`, `name` (cluster-scoped) or `namespace {k=v}` (external series). */
  readonly object: string;
  /** The Quantity as the API serves it. */
  readonly value: string;
  /** RFC 3339 with milliseconds. */
  readonly timestamp: string;
  /** Seconds between the value's timestamp and `time`, never negative. */
  readonly ageSeconds: number;
}

export interface StatusJsonMetric {
  readonly key: string;
  readonly api: 'custom' | 'external';
  readonly title: string;
  readonly values: readonly StatusJsonValue[];
  /** More objects exist than are listed. */
  readonly truncated: boolean;
  /** The back end's message when reading this metric failed. */
  readonly error?: string;
}

export interface StatusJson {
  /** When the snapshot was taken, RFC 3339 with milliseconds. */
  readonly time: string;
  readonly readiness: Readiness;
  /** Only with a routing config. */
  readonly backends?: readonly BackendHealth[];
  /** With a cluster and `--metric-queries`. */
  readonly metricQueries?: readonly MetricQueryView[];
  readonly metrics: readonly StatusJsonMetric[];
  readonly requests: {
    readonly total: number;
    /** Over the sampled window; null until two samples exist. */
    readonly perSecond: number | null;
    readonly windowSeconds: number;
    /** Most frequent first. */
    readonly counts: readonly RequestCount[];
  };
}

export function formatStatusJson(model: StatusModel): StatusJson {
  const metrics = model.metrics.map(
    (m): StatusJsonMetric => ({
      key: m.key,
      api: m.api,
      title: m.title,
      values: m.values.map((v) => ({
        object: v.object,
        value: v.value,
        timestamp: new Date(v.timestamp).toISOString(),
        ageSeconds: Math.max(0, model.now - v.timestamp) / 1000,
      })),
      truncated: m.truncated,
      ...(m.error !== undefined ? { error: m.error } : {}),
    }),
  );
  return {
    time: new Date(model.now).toISOString(),
    readiness: model.readiness,
    ...(model.backends !== undefined ? { backends: model.backends } : {}),
    ...(model.metricQueries !== undefined ? { metricQueries: model.metricQueries } : {}),
    metrics,
    requests: {
      total: model.requests.total,
      perSecond: model.requests.perSecond ?? null,
      windowSeconds: model.windowMs / 1000,
      counts: [...model.requests.counts].sort((a, b) => b.count - a.count),
    },
  };
}
