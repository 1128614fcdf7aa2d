/**
 * The adapter's own Prometheus metrics at `/metrics`: requests by verb, API group/version and code,
 * a latency histogram, and the series the back end holds. Each adapter gets its own registry, so
 * several adapters in one process (tests, library users) never collide.
 * @module
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface SelfMetrics {
  readonly registry: Registry;
  observe(verb: string, group: string, version: string, code: number, seconds: number): void;
}

export function createSelfMetrics(seriesCount?: () => { readonly custom: number; readonly external: number }): SelfMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'metrics_adapter_requests_total',
    help: 'Requests served, by HTTP verb, API group, version and response code.',
    labelNames: ['verb', 'group', 'version', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'metrics_adapter_request_duration_seconds',
    help: 'Time to answer a request, by HTTP verb, API group and version.',
    labelNames: ['verb', 'group', 'version'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'metrics_adapter_series',
    help: 'Series held by the back end, by API (custom or external).',
    labelNames: ['api'] as const,
    registers: [registry],
    collect() {
      if (seriesCount === undefined) return;
      const counts = seriesCount();
      this.set({ api: 'custom' }, counts.custom);
      this.set({ api: 'external' }, counts.external);
    },
  });
  // NB: prom-client hashes a label object on every call; a request's labels repeat, so keep the children.
  const children = new Map<string, { count: Counter.Internal; time: Histogram.Internal<string> }>();
  return {
    registry,
    observe(verb, group, version, code, seconds) {
      const key = `${verb} ${group} ${version} ${code}`;
      let child = children.get(key);
      if (child === undefined) {
        child = { count: requests.labels(verb, group, version, String(code)), time: latency.labels(verb, group, version) };
        children.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
  };
}
