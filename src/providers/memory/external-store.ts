/**
 * In-memory external metrics: one series per (scope, metric, label set), where the scope is a
 * namespace or every namespace. A namespaced series shadows a global one with the same labels, so
 * the HPA, which sums all items, never counts one series twice. Each metric's series are indexed by
 * label like objects are (the series' label-set key stands for the object name), so a selector
 * query costs what it returns, not the number of series the metric has.
 * @module
 */
import { externalMetricNotFound } from '../../api/errors.js';
import type { Labels } from '../../api/types.js';
import { labelSetKey, ObjectIndex, type Selector } from '../../selector/index.js';
import type { ExternalMetricWrite } from '../write.js';
import type { ExternalMetricInfo, ExternalMetricsProvider, ExternalMetricValue, QueryContext } from '../provider.js';
import { heldItemsLimit } from './held-items.js';
import type { Interner } from './intern.js';
import { SelectionCache } from './selection-cache.js';

interface ExternalSeries {
  value: string;
  /** Epoch seconds. */
  ts: number;
  readonly labels: Labels;
  /**
   * The series as an answer item (frozen, with `encodings`), made when it is first read and dropped when it changes.
   * NB: the server keeps the item's bytes in it, so an answer that misses the selection cache is assembled from bytes.
   */
  item: ExternalMetricValue | undefined;
}

/** One metric's series in one scope, with their label index. */
class SeriesSet {
  readonly series = new Map<string, ExternalSeries>();
  readonly index = new ObjectIndex();
  /** The store's write clock at the last change of these series. */
  generation = 0;
  /**
   * Answers of repeated queries, keyed by namespace and selector; kept in the set the query reads first.
   * NB: as in the custom store: the same answer again lets the server reuse the encoded body.
   */
  selections: SelectionCache<Selection> | undefined;
}

/** What a query returned, reused while neither series set it read has changed. */
interface Selection {
  readonly own: number;
  readonly global: number;
  readonly oldest: number;
  readonly values: readonly ExternalMetricValue[];
}

/** NB: an expired namespaced series is gone for readers, so it no longer hides the global one. */
function isLive(series: ExternalSeries | undefined, oldest: number): boolean {
  return series !== undefined && series.ts >= oldest;
}

/** The scope key of series visible in every namespace; '' is never a namespace name. */
const everyNamespace = '';

export interface ExternalStoreOptions {
  readonly interner: Interner;
  readonly ttlMs: number;
  readonly now?: () => number;
}

export class ExternalStore implements ExternalMetricsProvider {
  private readonly scopes = new Map<string, Map<string, SeriesSet>>();
  /** Metric name → scopes holding it, for discovery. */
  private readonly listed = new Map<string, number>();
  private listCache: readonly ExternalMetricInfo[] | undefined;
  private seriesTotal = 0;
  /** Series that hold an answer item, at most {@link heldItemsLimit}. */
  private itemsHeld = 0;
  /**
   * Store-wide, so that a series set swept away and made anew never repeats a generation a cached
   * answer remembers.
   */
  private writeClock = 0;
  private readonly now: () => number;

  constructor(private readonly options: ExternalStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get seriesCount(): number {
    return this.seriesTotal;
  }

  /** Series of `metric` in one scope (null: every namespace), live or not yet swept. */
  seriesIn(namespace: string | null, metric: string): number {
    return this.scopes.get(namespace ?? everyNamespace)?.get(metric)?.series.size ?? 0;
  }

  write(write: ExternalMetricWrite): void {
    const scopeName = write.namespace ?? everyNamespace;
    let metrics = this.scopes.get(scopeName);
    if (metrics === undefined) {
      metrics = new Map();
      this.scopes.set(scopeName, metrics);
    }
    let set = metrics.get(write.metric);
    if (set === undefined) {
      set = new SeriesSet();
      metrics.set(write.metric, set);
      this.listed.set(write.metric, (this.listed.get(write.metric) ?? 0) + 1);
      this.listCache = undefined;
    }
    set.generation = ++this.writeClock;
    // NB: answers kept here of an older generation never serve again; drop them rather than hold their values.
    set.selections = undefined;
    const { labels, key } = this.options.interner.labels(write.labels);
    const value = this.options.interner.string(write.value.toString());
    const ts = Math.floor(write.timestamp / 1000);
    const existing = set.series.get(key);
    if (existing === undefined) {
      set.series.set(key, { value, ts, labels, item: undefined });
      set.index.retain(key, labels);
      this.seriesTotal++;
    } else {
      existing.value = value;
      existing.ts = ts;
      if (existing.item !== undefined) {
        existing.item = undefined;
        this.itemsHeld--;
      }
    }
  }

  getExternalMetric(
    namespace: string,
    metricSelector: Selector,
    info: ExternalMetricInfo,
    ctx?: QueryContext,
  ): readonly ExternalMetricValue[] {
    const own = this.scopes.get(namespace)?.get(info.metric);
    const global = this.scopes.get(everyNamespace)?.get(info.metric);
    // NB: an unknown metric is a 404; a known one whose series the selector filters out is an empty
    // list (CMAS test adapter). The HPA treats both as "no metrics".
    if (!this.hasLiveSeries(own) && !this.hasLiveSeries(global)) throw externalMetricNotFound(info.metric);
    const oldest = this.oldestLiveSecond();
    // NB: as in the custom store: a limited read is neither cached nor built past its limit.
    if (ctx?.limit !== undefined) return this.select(own, global, metricSelector, info, oldest, ctx.limit);
    const home = (own ?? global)!;
    const key = `${namespace}\u0000${metricSelector.toString()}`;
    const ownGeneration = own?.generation ?? -1;
    const globalGeneration = global?.generation ?? -1;
    const hit = home.selections?.get(key);
    if (hit !== undefined && hit.own === ownGeneration && hit.global === globalGeneration && hit.oldest === oldest)
      return hit.values;
    const values = Object.freeze(this.select(own, global, metricSelector, info, oldest));
    (home.selections ??= new SelectionCache()).set(key, {
      own: ownGeneration,
      global: globalGeneration,
      oldest,
      values,
    });
    return values;
  }

  private select(
    own: SeriesSet | undefined,
    global: SeriesSet | undefined,
    metricSelector: Selector,
    info: ExternalMetricInfo,
    oldest: number,
    limit = Number.POSITIVE_INFINITY,
  ): ExternalMetricValue[] {
    const results: ExternalMetricValue[] = [];
    const collect = (set: SeriesSet, shadow: SeriesSet | undefined): void => {
      const emit = (key: string, s: ExternalSeries): void => {
        if (results.length >= limit) return;
        if (s.ts < oldest || isLive(shadow?.series.get(key), oldest) || !metricSelector.matches(s.labels)) return;
        let item = s.item;
        if (item === undefined) {
          if (this.itemsHeld >= heldItemsLimit) this.dropItems();
          item = Object.freeze({
            metricName: info.metric,
            metricLabels: s.labels,
            timestamp: s.ts * 1000,
            value: s.value,
            encodings: {},
          });
          s.item = item;
          this.itemsHeld++;
        }
        results.push(item);
      };
      const candidates = metricSelector.isEmpty() ? undefined : set.index.candidates(metricSelector, set.series.size);
      if (candidates === undefined) {
        for (const [key, s] of set.series) emit(key, s);
        return;
      }
      for (const keys of candidates) {
        for (const key of keys) {
          const s = set.series.get(key);
          if (s !== undefined) emit(key, s);
        }
      }
    };
    if (own !== undefined) collect(own, undefined);
    if (global !== undefined) collect(global, own);
    return results;
  }

  /** Whether `set` has a series within the TTL: usually the first one looked at answers. */
  private hasLiveSeries(set: SeriesSet | undefined): boolean {
    if (set === undefined) return false;
    const oldest = this.oldestLiveSecond();
    for (const s of set.series.values()) if (s.ts >= oldest) return true;
    return false;
  }

  listAllExternalMetrics(): readonly ExternalMetricInfo[] {
    this.listCache ??= [...this.listed.keys()].map((metric) => ({ metric }));
    return this.listCache;
  }

  listExternalMetricNamespaces(info: ExternalMetricInfo): string[] {
    const namespaces: string[] = [];
    for (const [scopeName, metrics] of this.scopes) if (metrics.has(info.metric)) namespaces.push(scopeName);
    return namespaces.sort();
  }

  /** Forgets one series; false when there was none. */
  remove(namespace: string | null, metric: string, labels: Labels): boolean {
    const scopeName = namespace ?? everyNamespace;
    const metrics = this.scopes.get(scopeName);
    const set = metrics?.get(metric);
    if (metrics === undefined || set === undefined) return false;
    const key = labelSetKey(labels);
    const removed = set.series.get(key);
    if (removed === undefined) return false;
    set.series.delete(key);
    if (removed.item !== undefined) this.itemsHeld--;
    set.index.release(key);
    set.generation = ++this.writeClock;
    set.selections = undefined;
    this.seriesTotal--;
    if (set.series.size === 0) {
      metrics.delete(metric);
      const scopesLeft = (this.listed.get(metric) ?? 1) - 1;
      if (scopesLeft > 0) this.listed.set(metric, scopesLeft);
      else this.listed.delete(metric);
      this.listCache = undefined;
      if (metrics.size === 0) this.scopes.delete(scopeName);
    }
    return true;
  }

  sweep(): number {
    if (this.options.ttlMs <= 0) return 0;
    const oldest = this.oldestLiveSecond();
    let dropped = 0;
    for (const [scopeName, metrics] of this.scopes) {
      for (const [metric, set] of metrics) {
        for (const [key, s] of set.series) {
          if (s.ts >= oldest) continue;
          set.series.delete(key);
          if (s.item !== undefined) this.itemsHeld--;
          set.index.release(key);
          set.generation = ++this.writeClock;
          // NB: answers kept here of an older generation never serve again; drop them rather than hold their values.
          set.selections = undefined;
          dropped++;
        }
        if (set.series.size > 0) continue;
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

  private dropItems(): void {
    for (const metrics of this.scopes.values())
      for (const set of metrics.values()) for (const s of set.series.values()) s.item = undefined;
    this.itemsHeld = 0;
  }

  private oldestLiveSecond(): number {
    return this.options.ttlMs > 0 ? Math.floor((this.now() - this.options.ttlMs) / 1000) : Number.NEGATIVE_INFINITY;
  }
}
