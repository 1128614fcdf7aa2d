/**
 * The Prometheus HTTP API client shared by PromQL back ends (Prometheus, Sysdig).
 * @module
 */
export {
  createPrometheusClient,
  parseSampleValue,
  type PrometheusClient,
  type PrometheusServerClient,
  type PrometheusClientOptions,
  type QueryResult,
  type Sample,
  type CallOptions,
} from './prometheus-client.js';
export type { PrometheusAuth } from './auth.js';
