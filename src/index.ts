/**
 * metrics-adapter: serve the Kubernetes Custom Metrics and External Metrics APIs from TypeScript.
 * Implement a provider (./providers/provider.ts) and hand it to createAdapter().
 * @module
 */
export { createAdapter, type Adapter, type AdapterOptions, type ListenOptions } from './adapter.js';
export { closeGracefully, defaultServerLimits, type ServerLimits } from './server/index.js';
export type {
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricInfo,
  ExternalMetricsProvider,
  ExternalMetricValue,
  GroupResource,
  MetricIdentifier,
  MetricValue,
  NamespacedName,
  QueryContext,
} from './providers/provider.js';
export type {
  Backend,
  BackendDeps,
  BackendFactory,
  BackendFlag,
  CustomMetricWrite,
  ExternalMetricWrite,
  MetricsWriter,
  Readiness,
} from './providers/backend.js';
export {
  StatusError,
  badRequest,
  metricNotFound,
  metricNotFoundFor,
  metricNotFoundForSelector,
  externalMetricNotFound,
  serviceUnavailable,
  type StatusReason,
} from './api/errors.js';
export type { LabelSelector, Labels, ObjectReference, Status } from './api/types.js';
export { Quantity, parseQuantity, formatQuantity, InvalidQuantityError, type QuantityFormat } from './quantity/index.js';
export {
  parseSelector,
  everything,
  selectorFromSet,
  toLabelSelector,
  InvalidSelectorError,
  type Selector,
  type Requirement,
} from './selector/index.js';
export type { ResourceMapper, ResourceKind } from './kube/resource-mapper.js';
export { createStaticResourceMapper } from './kube/static-resource-mapper.js';
export type { RequestGuard } from './auth/index.js';
export { addServeFlags, type ServeFlags } from './cli/serve-flags.js';
export { serve, type RunningAdapter } from './cli/serve.js';
export { createLogger, type Logger, type LogFormat } from './log/index.js';
