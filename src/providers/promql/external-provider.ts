/**
 * External metrics from Prometheus' externalRules: one instant query per request; every sample of the result is one
 * series with its labels (prometheus-adapter external-provider/metric_converter.go).
 * @module
 */
import { externalMetricNotFound, StatusError } from '../../api/errors.js';
import type { Selector } from '../../selector/index.js';
import type { ExternalMetricInfo, ExternalMetricsProvider, ExternalMetricValue, QueryContext } from '../provider.js';
import type { Sample } from './client/index.js';
import { findEntry, type PrometheusProviderDeps } from './custom-provider.js';
import { createValueConverter, type ValueConverter } from './values.js';

export class PrometheusExternalProvider implements ExternalMetricsProvider {
  private readonly values: ValueConverter;

  constructor(private readonly deps: PrometheusProviderDeps) {
    this.values = createValueConverter(deps.logger);
  }

  async getExternalMetric(
    namespace: string,
    metricSelector: Selector,
    info: ExternalMetricInfo,
    ctx: QueryContext,
  ): Promise<ExternalMetricValue[]> {
    const entry = await findEntry(this.deps, () => this.deps.registry.findExternal(info.metric), ctx.signal);
    if (entry === undefined) throw externalMetricNotFound(info.metric);
    const query = entry.rule.query.buildExternal({ series: entry.seriesName, namespace, metricSelector });
    this.deps.logger.debug({ rule: entry.rule.id, query }, 'querying Prometheus');
    const result = await this.deps.client.query(query, { signal: ctx.signal });
    let samples: readonly Sample[];
    if (result.resultType === 'vector') samples = result.samples;
    else if (result.resultType === 'scalar') samples = [result.sample];
    else
      throw new StatusError(
        500,
        'InternalError',
        `the metricsQuery of ${entry.rule.id} gave a ${result.resultType}; it must give an instant vector or a scalar`,
      );
    const values: ExternalMetricValue[] = [];
    for (const sample of samples) {
      const value = this.values.quantity(sample.value, info.metric);
      if (value !== undefined)
        values.push({ metricName: info.metric, metricLabels: sample.labels, timestamp: sample.timestamp, value });
    }
    return values;
  }

  listAllExternalMetrics(): readonly ExternalMetricInfo[] {
    return this.deps.registry.listAllExternalMetrics();
  }
}
