/**
 * In-memory external metrics: one series per (scope, metric, label set), where the scope is a
 * namespace or every namespace. A namespaced series shadows a global one with the same labels, so
 * the HPA, which sums all items, never counts one series twice.
 * @module
 */
import { externalMetricNotFound } from '../../api/errors.js';
import type { Labels } from '../../api/types.js';
import type { Selector } from '../../selector/index.js';
import type { ExternalMetricWrite } from '../backend.js';
import type { ExternalMetricInfo, ExternalMetricsProvider, ExternalMetricValue } from '../provider.js';
import type { Interner } from './intern.js';

interface ExternalSeries {
  value: string;
  /** Epoch seconds. */
  ts: number;
  readonly labels: Labels;
}

/** The scope key of series visible in every namespace; '' is never a namespace name. */
const everyNamespace = '';

export interface ExternalStoreOptions {
  readonly interner: Interner;
  readonly ttlMs: number;
  readonly now?: () => number;
}

export class ExternalStore implements ExternalMetricsProvider {
  private readonly scopes = new Map<string, Map<string, Map<string, ExternalSeries>>>();
  /** Metric name → scopes holding it, for discovery. */
  private readonly listed = new Map<string, number>();
  private listCache: readonly ExternalMetricInfo[] | undefined;
  private seriesTotal = 0;
  private readonly now: () => number;

  constructor(private readonly options: ExternalStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get seriesCount(): number {
    return this.seriesTotal;
  }

  write(write: ExternalMetricWrite): void {
    const scopeName = write.namespace ?? everyNamespace;
    let metrics = this.scopes.get(scopeName);
    if (metrics === undefined) {
      metrics = new Map();
      this.scopes.set(scopeName, metrics);
    }
    let series = metrics.get(write.metric);
    if (series === undefined) {
      series = new Map();
      metrics.set(write.metric, series);
      this.listed.set(write.metric, (this.listed.get(write.metric) ?? 0) + 1);
      this.listCache = undefined;
    }
    const { labels, key } = this.options.interner.labels(write.labels);
    const value = this.options.interner.string(write.value.toString());
    const ts = Math.floor(write.timestamp / 1000);
    const existing = series.get(key);
    if (existing === undefined) {
      series.set(key, { value, ts, labels });
      this.seriesTotal++;
    } else {
      existing.value = value;
      existing.ts = ts;
    }
  }

  getExternalMetric(namespace: string, metricSelector: Selector, info: ExternalMetricInfo): ExternalMetricValue[] {
    const own = this.scopes.get(namespace)?.get(info.metric);
    const global = this.scopes.get(everyNamespace)?.get(info.metric);
    const oldest = this.oldestLiveSecond();
    const results: ExternalMetricValue[] = [];
    let seen = false;
    const collect = (series: Map<string, ExternalSeries>, shadow: Map<string, ExternalSeries> | undefined): void => {
      for (const [key, s] of series) {
        if (s.ts < oldest || shadow?.has(key) === true) continue;
        seen = true;
        if (!metricSelector.matches(s.labels)) continue;
        results.push({ metricName: info.metric, metricLabels: s.labels, timestamp: s.ts * 1000, value: s.value });
      }
    };
    if (own !== undefined) collect(own, undefined);
    if (global !== undefined) collect(global, own);
    // NB: an unknown metric is a 404; a known one whose series the selector filters out is an empty
    // list (CMAS test adapter). The HPA treats both as "no metrics".
    if (!seen) throw externalMetricNotFound(info.metric);
    return results;
  }

  listAllExternalMetrics(): readonly ExternalMetricInfo[] {
    this.listCache ??= [...this.listed.keys()].map((metric) => ({ metric }));
    return this.listCache;
  }

  sweep(): number {
    if (this.options.ttlMs <= 0) return 0;
    const oldest = this.oldestLiveSecond();
    let dropped = 0;
    for (const [scopeName, metrics] of this.scopes) {
      for (const [metric, series] of metrics) {
        for (const [key, s] of series) {
          if (s.ts >= oldest) continue;
          series.delete(key);
          dropped++;
        }
        if (series.size > 0) continue;
        metrics.delete(metric);
        const scopesLeft = (this.listed.get(metric) ?? 1) - 1;
        if (scopesLeft > 0) this.listed.set(metric, scopesLeft);
        else this.listed.delete(metric);
        this.listCache = undefined;
      }
      if (metrics.size === 0) this.scopes.delete(scopeName);
    }
    this.seriesTotal -= dropped;
    return dropped;
  }

  private oldestLiveSecond(): number {
    return this.options.ttlMs > 0 ? Math.floor((this.now() - this.options.ttlMs) / 1000) : Number.NEGATIVE_INFINITY;
  }
}
