/**
 * The conformance fixture (src/providers/conformance) as Prometheus holds it, and the prometheus-adapter rules that
 * serve it: for the fake of Prometheus' HTTP API and for a real Prometheus scraping it.
 * @module
 */
import type { Fixture } from '../../src/providers/conformance/index.js';
import type { PromSeries } from './promql-eval.js';

const sum = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';

/** The rules a prometheus-adapter user would write for these series. */
export const conformanceRules = {
  rules: [
    {
      seriesQuery: 'http_requests{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      metricsQuery: sum,
    },
    {
      seriesQuery: 'temperature{node!=""}',
      resources: { overrides: { node: { resource: 'node' } } },
      metricsQuery: sum,
    },
  ],
  externalRules: [
    {
      seriesQuery: 'queue{namespace!=""}',
      resources: { namespaced: true, overrides: { namespace: { resource: 'namespace' } } },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (q)',
    },
  ],
};

/** The fixture as the series a Prometheus would hold: object and metric labels are both series labels. */
export function seriesOf(fixture: Fixture): PromSeries[] {
  return [
    ...fixture.custom.map((o) => ({
      labels: {
        __name__: o.info.metric,
        ...(o.info.namespaced ? { namespace: o.name.namespace, pod: o.name.name } : { node: o.name.name }),
        ...o.objectLabels,
        ...o.metricLabels,
      },
      value: o.number,
    })),
    ...fixture.external.map((s) => ({
      labels: { __name__: s.metric, namespace: s.namespace, ...s.labels },
      value: s.number,
    })),
  ];
}
