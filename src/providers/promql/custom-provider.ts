/**
 * Custom metrics from Prometheus: one instant query per request, whatever the number of objects, grouped by the
 * object label, and the result mapped back to objects (prometheus-adapter custom-provider/provider.go).
 * @module
 */
import { metricNotFound, metricNotFoundFor, serviceUnavailable, StatusError } from '../../api/errors.js';
import type { LabelSelector } from '../../api/types.js';
import type { ObjectLister } from '../../kube/object-lister.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { Logger } from '../../log/index.js';
import { toLabelSelector, type Selector } from '../../selector/index.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  MetricValue,
  NamespacedName,
  QueryContext,
} from '../provider.js';
import type { PrometheusClient, Sample } from './client/index.js';
import type { Discovery } from './discovery.js';
import { isClusterScoped } from './rules/index.js';
import type { SeriesEntry, SeriesRegistry } from './series-registry.js';
import { createValueConverter, type ValueConverter } from './values.js';

export interface PrometheusProviderDeps {
  readonly client: PrometheusClient;
  readonly registry: SeriesRegistry;
  readonly discovery: Discovery;
  readonly mapper: ResourceMapper;
  readonly logger: Logger;
  /** Bounds the wait for a first discovery on a request. */
  readonly timeoutMs: number;
  /**
   * The cluster's objects, answering `*` with a labelSelector. Without it (or for a resource the cluster does not
   * serve) the labelSelector is matched against the series' own labels (see docs/prometheus.md).
   */
  readonly objects?: ObjectLister;
}

/** Finds the series entry of a metric, waiting for the first discovery if it has not completed. */
export async function findEntry<T>(
  deps: PrometheusProviderDeps,
  find: () => T | undefined,
  signal: AbortSignal,
): Promise<T | undefined> {
  const found = find();
  if (found !== undefined || deps.registry.listed) return found;
  try {
    await deps.discovery.ensureListed(AbortSignal.any([signal, AbortSignal.timeout(deps.timeoutMs)]));
  } catch (error) {
    if (signal.aborted) throw error;
    throw serviceUnavailable('unable to fetch metrics: the metrics Prometheus has are not listed yet', error);
  }
  if (!deps.registry.listed)
    throw serviceUnavailable(
      'unable to fetch metrics: the metrics Prometheus has are not listed yet (is Prometheus up?)',
    );
  return find();
}

export class PrometheusCustomProvider implements CustomMetricsProvider {
  private readonly values: ValueConverter;

  constructor(private readonly deps: PrometheusProviderDeps) {
    this.values = createValueConverter(deps.logger);
  }

  async getMetricByName(
    name: NamespacedName,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): Promise<MetricValue> {
    const entry = await this.entry(info, ctx);
    // NB: the HPA asks for cluster-scoped objects (nodes) through the namespaced form too (memory back end does the
    // same).
    const namespace = isClusterScoped(info.groupResource, this.deps.mapper) ? '' : name.namespace;
    const { query, objectLabel } = entry.rule.query.buildCustom({
      series: entry.seriesName,
      resource: info.groupResource,
      namespace,
      metricSelector,
      names: [name.name],
    });
    const samples = await this.run(query, entry, ctx);
    const selector = toLabelSelector(metricSelector);
    for (const sample of samples) {
      if (sample.labels[objectLabel] !== name.name) continue;
      const value = this.values.quantity(sample.value, info.metric);
      if (value !== undefined) return this.metricValue(info, namespace, name.name, selector, sample, value);
    }
    throw metricNotFoundFor(info.groupResource, info.metric, name.name);
  }

  async getMetricBySelector(
    namespace: string,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): Promise<MetricValue[]> {
    const entry = await this.entry(info, ctx);
    const objects = await this.deps.objects?.matching(info.groupResource, namespace, selector, ctx.signal);
    if (objects !== undefined && objects.size === 0) return [];
    // NB: with a cluster the query names no object (prometheus-adapter builds `pod=~"a|b|..."` from the listed
    // names, which fails with 414 at ~150 pods, prometheus-adapter#668): it asks for the namespace grouped by
    // the object label, and the result is intersected with the listed objects here.
    const { query, objectLabel } = entry.rule.query.buildCustom({
      series: entry.seriesName,
      resource: info.groupResource,
      namespace,
      metricSelector,
      ...(objects === undefined && !selector.isEmpty() ? { objectSelector: selector } : {}),
    });
    const samples = await this.run(query, entry, ctx);
    const seen = new Set<string>();
    const metricLabelSelector = toLabelSelector(metricSelector);
    const results: MetricValue[] = [];
    for (const sample of samples) {
      const objectName = sample.labels[objectLabel];
      if (objectName === undefined || objectName === '' || seen.has(objectName)) continue;
      if (objects !== undefined && !objects.has(objectName)) continue;
      const value = this.values.quantity(sample.value, info.metric);
      if (value === undefined) continue;
      seen.add(objectName);
      results.push(this.metricValue(info, namespace, objectName, metricLabelSelector, sample, value));
    }
    return results;
  }

  listAllMetrics(): readonly CustomMetricInfo[] {
    return this.deps.registry.listAllMetrics();
  }

  private async entry(info: CustomMetricInfo, ctx: QueryContext): Promise<SeriesEntry> {
    const entry = await findEntry(
      this.deps,
      () => this.deps.registry.findCustom(info.groupResource, info.metric),
      ctx.signal,
    );
    if (entry === undefined) throw metricNotFound(info.groupResource, info.metric);
    return entry;
  }

  private async run(query: string, entry: SeriesEntry, ctx: QueryContext): Promise<readonly Sample[]> {
    this.deps.logger.debug({ rule: entry.rule.id, query }, 'querying Prometheus');
    const result = await this.deps.client.query(query, { signal: ctx.signal });
    if (result.resultType === 'vector') return result.samples;
    throw new StatusError(
      500,
      'InternalError',
      `the metricsQuery of ${entry.rule.id} gave a ${result.resultType}; it must give an instant vector grouped by the object label`,
    );
  }

  private metricValue(
    info: CustomMetricInfo,
    namespace: string,
    name: string,
    selector: LabelSelector | null,
    sample: Sample,
    value: string,
  ): MetricValue {
    const kind = this.deps.mapper.kindFor(info.groupResource);
    return {
      describedObject:
        namespace === ''
          ? { kind: kind.kind, name, apiVersion: kind.apiVersion }
          : { kind: kind.kind, namespace, name, apiVersion: kind.apiVersion },
      metric: { name: info.metric, selector },
      timestamp: sample.timestamp,
      value,
    };
  }
}
