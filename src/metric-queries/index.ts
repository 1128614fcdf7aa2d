/** MetricQuery objects: metrics that teams define in their own namespaces. */
export * from './metric-query.js';
export {
  compileMetricQuery,
  MetricQueryInvalid,
  type CompiledMetricQuery,
  type BackendLookup,
} from './compile-metric-query.js';
export { scopePromQL, PromQLSyntaxError } from './scope-promql.js';
export { MetricQueryRegistry, type MetricQueryEntry } from './metric-query-registry.js';
export { withMetricQueries } from './serve-metric-queries.js';
export type { MetricQueryView } from './status-of.js';
export {
  startMetricQueries,
  type MetricQueryFeature,
  type MetricQueryFeatureOptions,
  type MetricQueryLeaderElection,
} from './start-metric-queries.js';
export { createMetricQueryFeature } from './create-metric-query-feature.js';
