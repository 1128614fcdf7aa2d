/**
 * In-memory custom metrics: one value per (object, metric), written over HTTP like the CMAS test
 * adapter. Series live in per-(namespace, resource) scopes with a label index, so the HPA's
 * selector query costs what it returns, not what the store holds. Hand-written because the layout is
 * the point: no general-purpose store gives that cost or this memory per series.
 * @module
 */
import { metricNotFoundFor, metricNotFoundForSelector, groupResourceString } from '../../api/errors.js';
import type { Labels, LabelSelector } from '../../api/types.js';
import type { ObjectLister, ObjectMatches } from '../../kube/object-lister.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import { ObjectIndex, toLabelSelector, type Selector } from '../../selector/index.js';
import type { CustomMetricWrite } from '../backend.js';
import type { CustomMetricInfo, CustomMetricsProvider, GroupResource, MetricValue, NamespacedName, QueryContext } from '../provider.js';
import { ownString, type Interner } from './intern.js';

/** One stored value. `ts` is epoch seconds: the wire has second precision, and a small integer is cheap. */
interface Series {
  value: string;
  ts: number;
  labels: Labels;
}

/** What a selector query returned, reused while neither the values nor the objects' labels changed. */
interface Selection {
  readonly generation: number;
  readonly objectsGeneration: number;
  readonly oldest: number;
  readonly values: readonly MetricValue[];
}

/**
 * NB: the HPA, the status page and kubectl ask the same selector query again and again between writes;
 * answering with the same array lets the server reuse the encoded body too (it caches by identity).
 */
const selectionsPerMetric = 32;

/** The values of one metric in one scope. */
class MetricSeries {
  readonly byName = new Map<string, Series>();
  /** Bumped on every write or sweep of these values: a cached selection of an older generation is stale. */
  generation = 0;
  selections: Map<string, Selection> | undefined;
}

class ResourceScope {
  readonly objects = new ObjectIndex();
  readonly metrics = new Map<string, MetricSeries>();
  constructor(
    readonly namespace: string,
    readonly groupResource: GroupResource,
  ) {}
}

interface ListedMetric {
  readonly info: CustomMetricInfo;
  /** Scopes holding this metric; the entry goes when none does. */
  scopes: number;
}

export interface CustomStoreOptions {
  readonly mapper: ResourceMapper;
  /** The cluster's objects, answering label selectors; without it the objectLabels given on writes do. */
  readonly objects?: ObjectLister;
  readonly interner: Interner;
  /** Values older than this are not served and are swept; 0 keeps them forever. */
  readonly ttlMs: number;
  readonly now?: () => number;
}

export class CustomStore implements CustomMetricsProvider {
  private readonly scopes = new Map<string, ResourceScope>();
  private readonly listed = new Map<string, ListedMetric>();
  private listCache: readonly CustomMetricInfo[] | undefined;
  private seriesTotal = 0;
  private readonly now: () => number;

  constructor(private readonly options: CustomStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get seriesCount(): number {
    return this.seriesTotal;
  }

  write(write: CustomMetricWrite): void {
    const { info, name } = write;
    const key = scopeKey(name.namespace, info.groupResource);
    let scope = this.scopes.get(key);
    if (scope === undefined) {
      scope = new ResourceScope(name.namespace, info.groupResource);
      this.scopes.set(key, scope);
    }
    let metricSeries = scope.metrics.get(info.metric);
    if (metricSeries === undefined) {
      metricSeries = new MetricSeries();
      scope.metrics.set(info.metric, metricSeries);
      this.addListed(info);
    }
    metricSeries.generation++;
    const byName = metricSeries.byName;
    const interner = this.options.interner;
    const metricLabels = interner.labels(write.metricLabels).labels;
    const objectLabels = write.objectLabels === undefined ? undefined : interner.labels(write.objectLabels);
    const value = interner.string(write.value.toString());
    const ts = Math.floor(write.timestamp / 1000);
    const existing = byName.get(name.name);
    if (existing === undefined) {
      const objectName = ownString(name.name);
      byName.set(objectName, { value, ts, labels: metricLabels });
      scope.objects.retain(objectName, objectLabels?.labels);
      this.seriesTotal++;
    } else {
      existing.value = value;
      existing.ts = ts;
      existing.labels = metricLabels;
      scope.objects.update(name.name, objectLabels?.labels);
    }
  }

  getMetricByName(name: NamespacedName, info: CustomMetricInfo, metricSelector: Selector): MetricValue {
    let namespace = name.namespace;
    let series = this.lookup(namespace, info, name.name);
    // NB: the HPA asks for Object metrics of cluster-scoped kinds (nodes) through the namespaced form
    // (K8S metrics/client.go GetObjectMetric), so fall back to the cluster-scoped value for those.
    if (series === undefined && namespace !== '' && this.options.mapper.kindFor(info.groupResource).namespaced === false) {
      namespace = '';
      series = this.lookup('', info, name.name);
    }
    if (series === undefined) throw metricNotFoundFor(info.groupResource, info.metric, name.name);
    if (!metricSelector.matches(series.labels)) {
      throw metricNotFoundForSelector(info.groupResource, info.metric, name.name, metricSelector.toString());
    }
    const kind = this.options.mapper.kindFor(info.groupResource);
    return {
      describedObject: namespace === ''
        ? { kind: kind.kind, name: name.name, apiVersion: kind.apiVersion }
        : { kind: kind.kind, namespace, name: name.name, apiVersion: kind.apiVersion },
      metric: { name: info.metric, selector: toLabelSelector(metricSelector) },
      timestamp: series.ts * 1000,
      value: series.value,
    };
  }

  getMetricBySelector(
    namespace: string,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx?: QueryContext,
  ): readonly MetricValue[] | Promise<readonly MetricValue[]> {
    const scope = this.scopes.get(scopeKey(namespace, info.groupResource));
    const metricSeries = scope?.metrics.get(info.metric);
    if (scope === undefined || metricSeries === undefined) return [];
    const lister = this.options.objects;
    if (lister === undefined) return this.cachedSelection(scope, metricSeries, selector, info, metricSelector);
    return lister.matching(info.groupResource, namespace, selector, ctx?.signal).then((objects) => objects === undefined
      ? this.cachedSelection(scope, metricSeries, selector, info, metricSelector)
      : this.selectFrom(scope, metricSeries.byName, info, metricSelector, objects));
  }

  /** A selection by written labels, from the cache while nothing it depends on has changed. */
  private cachedSelection(scope: ResourceScope, metricSeries: MetricSeries, selector: Selector, info: CustomMetricInfo, metricSelector: Selector): readonly MetricValue[] {
    const key = `${selector.toString()}\u0000${metricSelector.toString()}`;
    const oldest = this.oldestLiveSecond();
    const hit = metricSeries.selections?.get(key);
    if (hit !== undefined && hit.generation === metricSeries.generation && hit.objectsGeneration === scope.objects.generation && hit.oldest === oldest) {
      return hit.values;
    }
    const values = Object.freeze(this.selectByWrittenLabels(scope, metricSeries.byName, selector, info, metricSelector));
    const selections = (metricSeries.selections ??= new Map());
    selections.delete(key);
    if (selections.size >= selectionsPerMetric) selections.delete(selections.keys().next().value!);
    selections.set(key, { generation: metricSeries.generation, objectsGeneration: scope.objects.generation, oldest, values });
    return values;
  }

  /** The objects the cluster has that match: walk whichever is smaller, the matches or the values. */
  private selectFrom(scope: ResourceScope, byName: Map<string, Series>, info: CustomMetricInfo, metricSelector: Selector, objects: ObjectMatches): MetricValue[] {
    const { results, emit } = this.collector(scope.namespace, info, metricSelector);
    if (objects.size < byName.size) {
      for (const objectName of objects) {
        const series = byName.get(objectName);
        if (series !== undefined) emit(objectName, series);
      }
    } else {
      for (const [objectName, series] of byName) if (objects.has(objectName)) emit(objectName, series);
    }
    return results;
  }

  /** Without a cluster: the objectLabels given on writes answer the selector. */
  private selectByWrittenLabels(scope: ResourceScope, byName: Map<string, Series>, selector: Selector, info: CustomMetricInfo, metricSelector: Selector): MetricValue[] {
    const { results, emit } = this.collector(scope.namespace, info, metricSelector);
    const matchesObject = (objectName: string) => selector.isEmpty() || selector.matches(scope.objects.labelsOf(objectName) ?? {});
    const candidates = selector.isEmpty() ? undefined : scope.objects.candidates(selector, byName.size);
    if (candidates === undefined) {
      for (const [objectName, series] of byName) if (matchesObject(objectName)) emit(objectName, series);
    } else {
      for (const set of candidates) {
        for (const objectName of set) {
          const series = byName.get(objectName);
          if (series !== undefined && matchesObject(objectName)) emit(objectName, series);
        }
      }
    }
    return results;
  }

  private collector(namespace: string, info: CustomMetricInfo, metricSelector: Selector) {
    const kind = this.options.mapper.kindFor(info.groupResource);
    const metric: { name: string; selector: LabelSelector | null } = { name: info.metric, selector: toLabelSelector(metricSelector) };
    const oldest = this.oldestLiveSecond();
    const results: MetricValue[] = [];
    const emit = (objectName: string, series: Series): void => {
      if (series.ts < oldest || !metricSelector.matches(series.labels)) return;
      results.push({
        describedObject: namespace === ''
          ? { kind: kind.kind, name: objectName, apiVersion: kind.apiVersion }
          : { kind: kind.kind, namespace, name: objectName, apiVersion: kind.apiVersion },
        metric,
        timestamp: series.ts * 1000,
        value: series.value,
      });
    };
    return { results, emit };
  }

  listAllMetrics(): readonly CustomMetricInfo[] {
    this.listCache ??= [...this.listed.values()].map((entry) => entry.info);
    return this.listCache;
  }

  listMetricNamespaces(info: CustomMetricInfo): string[] {
    const namespaces = new Set<string>();
    for (const scope of this.scopes.values()) {
      if (scope.groupResource.resource === info.groupResource.resource && scope.groupResource.group === info.groupResource.group && scope.metrics.has(info.metric)) {
        namespaces.add(scope.namespace);
      }
    }
    return [...namespaces].sort();
  }

  /** Drops values older than the TTL; returns how many went. */
  sweep(): number {
    if (this.options.ttlMs <= 0) return 0;
    const oldest = this.oldestLiveSecond();
    let dropped = 0;
    for (const [key, scope] of this.scopes) {
      for (const [metric, metricSeries] of scope.metrics) {
        const byName = metricSeries.byName;
        for (const [objectName, series] of byName) {
          if (series.ts >= oldest) continue;
          byName.delete(objectName);
          scope.objects.release(objectName);
          metricSeries.generation++;
          dropped++;
        }
        if (byName.size === 0) {
          scope.metrics.delete(metric);
          this.removeListed({ groupResource: scope.groupResource, namespaced: scope.namespace !== '', metric });
        }
      }
      if (scope.metrics.size === 0) this.scopes.delete(key);
    }
    this.seriesTotal -= dropped;
    return dropped;
  }

  private lookup(namespace: string, info: CustomMetricInfo, name: string): Series | undefined {
    const series = this.scopes.get(scopeKey(namespace, info.groupResource))?.metrics.get(info.metric)?.byName.get(name);
    return series !== undefined && series.ts >= this.oldestLiveSecond() ? series : undefined;
  }

  private oldestLiveSecond(): number {
    return this.options.ttlMs > 0 ? Math.floor((this.now() - this.options.ttlMs) / 1000) : Number.NEGATIVE_INFINITY;
  }

  private addListed(info: CustomMetricInfo): void {
    const key = listedKey(info);
    const entry = this.listed.get(key);
    if (entry !== undefined) {
      entry.scopes++;
      return;
    }
    this.listed.set(key, { info: { groupResource: info.groupResource, namespaced: info.namespaced, metric: info.metric }, scopes: 1 });
    this.listCache = undefined;
  }

  private removeListed(info: CustomMetricInfo): void {
    const key = listedKey(info);
    const entry = this.listed.get(key);
    if (entry === undefined || --entry.scopes > 0) return;
    this.listed.delete(key);
    this.listCache = undefined;
  }
}

function scopeKey(namespace: string, gr: GroupResource): string {
  return `${namespace}\u0000${groupResourceString(gr)}`;
}

function listedKey(info: CustomMetricInfo): string {
  return `${info.namespaced ? 1 : 0}\u0000${groupResourceString(info.groupResource)}\u0000${info.metric}`;
}
