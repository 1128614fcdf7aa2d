/**
 * metrics-adapter: serve the Kubernetes Custom Metrics and External Metrics APIs from TypeScript.
 * Implement a provider (./providers/provider.ts) and hand it to createAdapter().
 * @module
 */
export {
  createAdapter,
  type Adapter,
  type AdapterOptions,
  type ListenOptions,
  type RunningAdapter,
} from './adapter.js';
export type { Answer, Exchange, Handler, MetricsServer, ServerOptions } from './server/index.js';
export {
  createFunctionProvider,
  value,
  variants,
  MetricResult,
  createManualClock,
  systemClock,
  backoffDelay,
  type AddMetricOptions,
  type BackoffOptions,
  type Clock,
  type Duration,
  type FunctionProvider,
  type FunctionProviderOptions,
  type ManualClock,
  type MetricContext,
  type MetricFunction,
  type MetricFunctionResult,
  type MetricHandle,
  type MetricLogger,
  type MetricSeries,
  type MetricTrigger,
  type QuantityInput,
  type RetryOptions,
  type Timer,
} from './providers/function/index.js';
export { closeGracefully, defaultServerLimits, jsonAnswer, type ServerLimits } from './server/index.js';
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
  ContainerUsage,
  NodeUsage,
  PodUsage,
  ResourceMetricsProvider,
  ResourceUsage,
} from './providers/provider.js';
export type { Backend, BackendConfigCheck, BackendDeps, BackendFactory } from './providers/backend.js';
export type { BackendFlag, CommonBackendFlags } from './providers/backend-flag.js';
export type { BackendHealth, Readiness } from './providers/health.js';
export type {
  CustomMetricWrite,
  ExternalMetricWrite,
  MetricsWriter,
  ResourceUsageWrite,
  SeriesRemoval,
  WriteBatch,
} from './providers/write.js';
export { writeBatch } from './providers/write.js';
export { ingestConfigSchema, type IngestConfig, type IngestRule } from './ingest/index.js';
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
export type {
  LabelSelector,
  LabelSelectorRequirement,
  Labels,
  ObjectReference,
  Status,
  StatusDetails,
} from './api/types.js';
export {
  Quantity,
  parseQuantity,
  formatQuantity,
  InvalidQuantityError,
  type QuantityFormat,
} from './quantity/index.js';
export {
  parseSelector,
  everything,
  selectorFromSet,
  toLabelSelector,
  InvalidSelectorError,
  type Selector,
  type Requirement,
  type Operator,
} from './selector/index.js';
export type { ResourceMapper, ResourceKind } from './kube/resource-mapper.js';
export { createStaticResourceMapper } from './kube/static-resource-mapper.js';
export type { ObjectLister, ObjectMatches } from './kube/object-lister.js';
export { createKubeDeps, type KubeDeps, type KubeDepsOptions } from './kube/kube-deps.js';
export type { KubeClient } from './kube/kube-client.js';
export {
  LeaderElector,
  defaultIdentity,
  defaultLeaseNamespace,
  type Lease,
  type LeaseSpec,
  type LeaderElectorOptions,
} from './kube/leader-election.js';
// NB: MetricQuery values are the light ones; createMetricQueryFeature loads the rest (client-node, PromQL) on call.
export { createMetricQueryFeature } from './metric-queries/create-metric-query-feature.js';
export {
  metricQuerySpecSchema,
  metricQueryApiVersion,
  metricQueryKind,
  metricQueryPath,
  metricQueriesPath,
} from './metric-queries/metric-query.js';
export type {
  ConditionStatus,
  MetricQueryCondition,
  MetricQueryFeature,
  MetricQueryFeatureOptions,
  MetricQueryLeaderElection,
  MetricQueryObject,
  MetricQuerySpec,
  MetricQueryStatus,
  MetricQueryView,
} from './metric-queries/index.js';
export { addServeFlags, type AddServeFlagsOptions, type ServeFlags } from './cli/serve-flags.js';
export { addServingFlags, type ServingFlags } from './serving/serving-flags.js';
export { serve } from './cli/serve.js';
export { createLogger, type Logger, type LogFormat, type LoggerOptions } from './log/index.js';
export {
  calculateReplicas,
  parseHistory,
  type History,
  type Behavior,
  type MetricInput,
  type MetricResult as HpaMetricResult,
  type PodInfo,
  type ReplicaDecision,
  type ReplicaInputs,
} from './hpa/index.js';
export {
  createDelegatedAuth,
  createDelegatingGuard,
  alwaysAllowedPaths,
  type Authenticator,
  type Authorizer,
  type DelegatedAuth,
  type DelegatedAuthOptions,
  type RequestGuard,
  type UserInfo,
} from './auth/index.js';
export {
  createFakeProvider,
  type FakeCustomValue,
  type FakeExternalValue,
  type FakeProvider,
  type FakeProviderOptions,
  type FakeRequest,
} from './providers/fake/index.js';
