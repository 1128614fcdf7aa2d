/**
 * Custom and external metrics from Sysdig's Data API. One object is one query scoped to it; every object of
 * a selector (the HPA's `Pods` metrics) is ONE query segmented by the resource's name label
 * (`kubernetes.pod.name`), mapped back to objects, those without data left out.
 * @module
 */
import { metricNotFound, metricNotFoundFor, externalMetricNotFound, badRequest } from '../../api/errors.js';
import { parseDuration } from '../../duration/index.js';
import type { ObjectLister } from '../../kube/object-lister.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import { Quantity } from '../../quantity/index.js';
import { toLabelSelector, type Selector } from '../../selector/index.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricInfo,
  ExternalMetricsProvider,
  ExternalMetricValue,
  MetricValue,
  NamespacedName,
  QueryContext,
} from '../provider.js';
import type { SysdigConfig, SysdigMetricConfig } from './config.js';
import type { MetricCatalog } from './metric-catalog.js';
import {
  clusterLabel,
  entityFor,
  equals,
  joinFilters,
  nameLabel,
  namespaceLabel,
  objectFilters,
  objectLabel,
  selectorFilters,
  type SysdigEntity,
} from './scope.js';
import type { DataMetric, DataRequest, DataResponse, SysdigClient } from './sysdig-client.js';

/** How one metric is asked, after the metric's entry, `defaults` and the built-in defaults. */
interface Query {
  readonly windowSeconds: number;
  readonly time: string;
  readonly group: string;
  readonly dataSourceType?: 'container' | 'host';
  readonly onNoData: 'notFound' | 'zero';
}

/**
 * NB: the Data API answers the top 10 segments unless `paging` says otherwise (sysdig-sdk-python `get_data`);
 * an HPA target rarely has more pods than this.
 */
export const maxSegments = 1000;

export interface SysdigDataProviderOptions {
  readonly client: SysdigClient;
  readonly catalog: MetricCatalog;
  readonly mapper: ResourceMapper;
  readonly config: Pick<SysdigConfig, 'defaults' | 'clusterName'>;
  /** The cluster's objects, answering `*` with a labelSelector; without it Sysdig's object labels do. */
  readonly objects?: ObjectLister;
}

export class SysdigDataProvider implements CustomMetricsProvider, ExternalMetricsProvider {
  constructor(private readonly options: SysdigDataProviderOptions) {}

  listAllMetrics(): readonly CustomMetricInfo[] {
    return this.options.catalog.listCustom();
  }

  listAllExternalMetrics(): readonly ExternalMetricInfo[] {
    return this.options.catalog.listExternal();
  }

  async getMetricByName(
    name: NamespacedName,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): Promise<MetricValue> {
    const entity = this.entity(info);
    const query = this.query(info.metric);
    const filters = [
      ...this.cluster(),
      ...objectFilters(entity, name.namespace, name.name),
      ...selectorFilters(metricSelector, (key) => key),
    ];
    const response = await this.options.client.data(this.request(info.metric, query, [], filters), ctx.signal);
    const row = response.data[0];
    const value = row?.d[0];
    let number = typeof value === 'number' ? value : undefined;
    if (number === undefined && query.onNoData === 'zero') number = 0;
    if (number === undefined) throw metricNotFoundFor(info.groupResource, info.metric, name.name);
    return this.value(info, name.namespace, name.name, number, timestampOf(response, row?.t), query, metricSelector);
  }

  /**
   * NB: with a cluster, the objects the label selector matches come from the cluster's cache and the query asks for
   * the whole namespace segmented by name, intersected here: a scope naming every listed pod would grow with the
   * deployment, as prometheus-adapter's `pod=~"a|b|..."` does (prometheus-adapter#668). Without one, the label
   * selector is asked of Sysdig itself as the object's labels (`app=web` → `kubernetes.pod.label.app = 'web'`).
   * Either way the objects answered are those with data.
   */
  async getMetricBySelector(
    namespace: string,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): Promise<readonly MetricValue[]> {
    const entity = this.entity(info);
    const query = this.query(info.metric);
    const objects = await this.options.objects?.matching(info.groupResource, namespace, selector, ctx.signal);
    if (objects !== undefined && objects.size === 0) return [];
    const filters = [
      ...this.cluster(),
      ...(entity.namespaced && namespace !== '' ? [equals(namespaceLabel, namespace)] : []),
      ...(objects === undefined ? selectorFilters(selector, (key) => objectLabel(entity, key)) : []),
      ...selectorFilters(metricSelector, (key) => key),
    ];
    const response = await this.options.client.data(
      this.request(info.metric, query, [nameLabel(entity)], filters),
      ctx.signal,
    );
    const values: MetricValue[] = [];
    const seen = new Set<string>();
    for (const row of response.data) {
      const [object, value] = row.d;
      if (typeof object !== 'string' || typeof value !== 'number' || seen.has(object)) continue;
      if (objects !== undefined && !objects.has(object)) continue;
      seen.add(object);
      values.push(this.value(info, namespace, object, value, timestampOf(response, row.t), query, metricSelector));
    }
    return values;
  }

  async getExternalMetric(
    namespace: string,
    metricSelector: Selector,
    info: ExternalMetricInfo,
    ctx: QueryContext,
  ): Promise<readonly ExternalMetricValue[]> {
    if (!this.options.catalog.serves(info.metric, undefined)) throw externalMetricNotFound(info.metric);
    const entry = this.options.catalog.settingsFor(info.metric);
    const query = this.query(info.metric);
    const segments = entry?.segmentBy ?? [];
    const filters = [
      ...this.cluster(),
      ...(entry?.namespaced === true ? [equals(namespaceLabel, namespace)] : []),
      ...selectorFilters(metricSelector, (key) => key),
    ];
    const response = await this.options.client.data(this.request(info.metric, query, segments, filters), ctx.signal);
    // NB: an unsegmented answer is labelled with what the selector pinned, so the series reads as the one asked for.
    const pinned: Record<string, string> = {};
    for (const r of metricSelector.requirements)
      if (
        (r.operator === '=' || r.operator === '==' || (r.operator === 'in' && r.values.length === 1)) &&
        r.values[0] !== undefined
      )
        pinned[r.key] = r.values[0];
    const values: ExternalMetricValue[] = [];
    for (const row of response.data) {
      const value = row.d[segments.length];
      if (typeof value !== 'number') continue;
      const labels: Record<string, string> = { ...pinned };
      segments.forEach((label, i) => {
        const segment = row.d[i];
        if (typeof segment === 'string') labels[label] = segment;
      });
      values.push({
        metricName: info.metric,
        metricLabels: labels,
        timestamp: timestampOf(response, row.t),
        windowSeconds: query.windowSeconds,
        value: Quantity.fromNumber(value).toString(),
      });
    }
    if (values.length === 0 && query.onNoData === 'zero') {
      values.push({
        metricName: info.metric,
        metricLabels: pinned,
        timestamp: Date.now(),
        windowSeconds: query.windowSeconds,
        value: '0',
      });
    }
    return values;
  }

  private entity(info: CustomMetricInfo): SysdigEntity {
    const entity = entityFor(info.groupResource);
    if (entity === undefined || !this.options.catalog.serves(info.metric, info.groupResource))
      throw metricNotFound(info.groupResource, info.metric);
    return entity;
  }

  private cluster(): string[] {
    const cluster = this.options.config.clusterName;
    return cluster === undefined ? [] : [equals(clusterLabel, cluster)];
  }

  private query(metric: string): Query {
    const entry: Partial<SysdigMetricConfig> = this.options.catalog.settingsFor(metric) ?? {};
    const defaults = this.options.config.defaults;
    const window = entry.window ?? defaults.window ?? '60s';
    const windowSeconds = Math.round(parseDuration(window) / 1000);
    if (windowSeconds < 1) throw badRequest(`the window of ${metric} is under one second`);
    const dataSourceType = entry.dataSourceType ?? defaults.dataSourceType;
    return {
      windowSeconds,
      time: entry.timeAggregation ?? defaults.timeAggregation ?? 'avg',
      group: entry.groupAggregation ?? defaults.groupAggregation ?? 'avg',
      ...(dataSourceType !== undefined ? { dataSourceType } : {}),
      onNoData: entry.onNoData ?? defaults.onNoData ?? 'notFound',
    };
  }

  private request(metric: string, query: Query, segmentBy: readonly string[], filters: readonly string[]): DataRequest {
    const metrics: DataMetric[] = [
      ...segmentBy.map((id) => ({ id })),
      { id: metric, aggregations: { time: query.time, group: query.group } },
    ];
    const filter = joinFilters(filters);
    return {
      metrics,
      last: query.windowSeconds,
      ...(filter !== undefined ? { filter } : {}),
      ...(query.dataSourceType !== undefined ? { dataSourceType: query.dataSourceType } : {}),
      ...(segmentBy.length > 0 ? { paging: { from: 0, to: maxSegments - 1 } } : {}),
    };
  }

  private value(
    info: CustomMetricInfo,
    namespace: string,
    name: string,
    value: number,
    timestamp: number,
    query: Query,
    metricSelector: Selector,
  ): MetricValue {
    const kind = this.options.mapper.kindFor(info.groupResource);
    return {
      describedObject: {
        kind: kind.kind,
        ...(namespace !== '' ? { namespace } : {}),
        name,
        apiVersion: kind.apiVersion,
      },
      metric: { name: info.metric, selector: toLabelSelector(metricSelector) },
      timestamp,
      windowSeconds: query.windowSeconds,
      value: Quantity.fromNumber(value).toString(),
    };
  }
}

/** A sample's `t` (seconds), else the answer's `end`, else now; in milliseconds. */
function timestampOf(response: DataResponse, t: number | undefined): number {
  const seconds = t ?? response.end;
  return seconds === undefined || seconds <= 0 ? Date.now() : seconds * 1000;
}
