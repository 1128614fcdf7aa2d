/**
 * A custom metrics provider backed by a plain object: the framework API, where you implement the
 * provider interface and the library does the API server, flags, TLS and discovery.
 *
 *   npx tsx examples/object-provider.ts
 * kubectl --kubeconfig .certs/kubeconfig get --raw
 * '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*\/requests_per_second'
 */
import {
  createAdapter,
  metricNotFoundFor,
  type CustomMetricInfo,
  type CustomMetricsProvider,
  type MetricValue,
} from 'metrics-adapter';

/** metric → "namespace/pod" → value. */
const values: Record<string, Record<string, string>> = {
  requests_per_second: { 'default/web-1': '12', 'default/web-2': '1500m', 'shop/cart-1': '3' },
  queue_depth: { 'default/worker-1': '40' },
};

const pods = { group: '', resource: 'pods' };
const metrics: CustomMetricInfo[] = Object.keys(values).map((metric) => ({
  groupResource: pods,
  namespaced: true,
  metric,
}));

function metricValue(namespace: string, name: string, metric: string, value: string): MetricValue {
  return {
    describedObject: { kind: 'Pod', namespace, name, apiVersion: 'v1' },
    metric: { name: metric, selector: null },
    timestamp: Date.now(),
    value,
  };
}

const provider: CustomMetricsProvider = {
  getMetricByName(name, info) {
    const value = values[info.metric]?.[`${name.namespace}/${name.name}`];
    if (info.groupResource.resource !== 'pods' || value === undefined)
      throw metricNotFoundFor(info.groupResource, info.metric, name.name);
    return metricValue(name.namespace, name.name, info.metric, value);
  },
  // NB: a plain object knows no pod labels, so the label selector is not applied; a real provider asks the cluster.
  getMetricBySelector(namespace, _selector, info) {
    if (info.groupResource.resource !== 'pods') return [];
    return Object.entries(values[info.metric] ?? {})
      .filter(([key]) => key.startsWith(`${namespace}/`))
      .map(([key, value]) => metricValue(namespace, key.slice(namespace.length + 1), info.metric, value));
  },
  listAllMetrics: () => metrics,
};

await createAdapter({ custom: provider }).run();
