/**
 * The rule set prometheus-adapter's Helm chart renders with `rules.default: true`: cadvisor's `container_*` series
 * per pod (counters as rates over 5m, `_seconds_total` ones named without the suffix), and every other namespaced
 * series by its labels (`<<.Resource>>`). `--default-rules` (or `prometheus.defaultRules: true`) puts them before
 * the config file's own rules, as the chart does.
 * @module
 */
import type { DiscoveryRule } from './rules-schema.js';

const containerSeries = '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}';
const otherSeries = '{namespace!="",__name__!~"^container_.*"}';
const podOverrides = { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } };
const byTemplate = { template: '<<.Resource>>' };

export const defaultRules: readonly DiscoveryRule[] = [
  {
    seriesQuery: containerSeries,
    seriesFilters: [],
    resources: podOverrides,
    name: { matches: '^container_(.*)_seconds_total$', as: '' },
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[5m])) by (<<.GroupBy>>)',
  },
  {
    seriesQuery: containerSeries,
    seriesFilters: [{ isNot: '^container_.*_seconds_total$' }],
    resources: podOverrides,
    name: { matches: '^container_(.*)_total$', as: '' },
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[5m])) by (<<.GroupBy>>)',
  },
  {
    seriesQuery: containerSeries,
    seriesFilters: [{ isNot: '^container_.*_total$' }],
    resources: podOverrides,
    name: { matches: '^container_(.*)$', as: '' },
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>,container!="POD"}) by (<<.GroupBy>>)',
  },
  {
    seriesQuery: otherSeries,
    seriesFilters: [{ isNot: '.*_total$' }],
    resources: byTemplate,
    name: { matches: '', as: '' },
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
  },
  {
    seriesQuery: otherSeries,
    seriesFilters: [{ isNot: '.*_seconds_total' }],
    resources: byTemplate,
    name: { matches: '^(.*)_total$', as: '' },
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[5m])) by (<<.GroupBy>>)',
  },
  {
    seriesQuery: otherSeries,
    seriesFilters: [],
    resources: byTemplate,
    name: { matches: '^(.*)_seconds_total$', as: '' },
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[5m])) by (<<.GroupBy>>)',
  },
];
