/**
 * The one-function API: external metrics computed by functions, with triggers, retries and caching.
 * @module
 */
export {
  createFunctionProvider,
  type AddMetricOptions,
  type Duration,
  type FunctionProvider,
  type FunctionProviderOptions,
  type MetricHandle,
  type RetryOptions,
} from './function-provider.js';
export type { MetricContext, MetricFunction, MetricLogger, MetricTrigger } from './scheduled-metric.js';
export {
  value,
  variants,
  MetricResult,
  type MetricFunctionResult,
  type MetricSeries,
  type QuantityInput,
} from './metric-value.js';
export { createManualClock, systemClock, type Clock, type ManualClock, type Timer } from './clock.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
