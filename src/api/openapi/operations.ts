/**
 * The GET operations of each served group version, in a form both OpenAPI documents are written
 * from: the discovery document, the metric paths of spec §1.2 and §2.1 (with the per-object
 * list extension of docs/api-compatibility.md), and the resource metrics paths of spec §10.
 * @module
 */
import { names } from './schemas.js';

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly description: string;
}

export interface Operation {
  readonly path: string;
  readonly operationId: string;
  readonly description: string;
  readonly parameters: readonly Parameter[];
  /** The definition name of the 200 answer. */
  readonly response: string;
  /** `x-kubernetes-action`: `get` when absent. */
  readonly action?: 'get' | 'list';
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
}

const path = (name: string, description: string): Parameter => ({ name, in: 'path', description });
const query = (name: string, description: string): Parameter => ({ name, in: 'query', description });
const pretty = query('pretty', "If 'true', the output is pretty printed.");
const labelSelector = query('labelSelector', 'Selects the objects (custom) or series (external) by label.');
const metricLabelSelector = query('metricLabelSelector', 'Selects the series of the metric by label.');
const namespace = path('namespace', 'The namespace of the objects.');
const resource = path(
  'resource',
  'The resource of the described objects, group-qualified outside the core group (`pods`, `deployments.apps`).',
);
const name = path('name', 'The object name, or `*` for every object the labelSelector matches.');
const metric = path('metric', 'The metric name.');

/** `custom.metrics.k8s.io` → `CustomMetrics`, as Kubernetes names operations. */
function operationGroup(group: string): string {
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function operationsFor(group: string, version: string): Operation[] {
  const base = `/apis/${group}/${version}`;
  const id = `${operationGroup(group)}${version.charAt(0).toUpperCase()}${version.slice(1)}`;
  const discovery: Operation = {
    path: `${base}/`,
    operationId: `get${id}APIResources`,
    description: 'get available resources (the served metrics)',
    parameters: [],
    response: names.apiResourceList,
    kind: { group: '', version: 'v1', kind: 'APIResourceList' },
  };
  if (group === 'metrics.k8s.io') return [discovery, ...resourceOperations(base, id, { group, version })];
  if (group === 'external.metrics.k8s.io') {
    const kind = { group, version, kind: 'ExternalMetricValueList' };
    return [
      discovery,
      {
        path: `${base}/namespaces/{namespace}/{metric}`,
        operationId: `read${id}NamespacedMetric`,
        description: 'read the series of an external metric visible in a namespace',
        parameters: [namespace, metric, labelSelector, pretty],
        response: names.externalMetricValueList,
        kind,
      },
    ];
  }
  const kind = { group, version, kind: 'MetricValueList' };
  const list = names.metricValueList(version);
  const objectParameters = [labelSelector, metricLabelSelector, pretty];
  return [
    discovery,
    {
      path: `${base}/namespaces/{namespace}/{resource}/{name}/{metric}`,
      operationId: `read${id}NamespacedMetricValue`,
      description: 'read a metric of one namespaced object, or (name `*`) of every object the labelSelector matches',
      parameters: [namespace, resource, name, metric, ...objectParameters],
      response: list,
      kind,
    },
    {
      path: `${base}/{resource}/{name}/{metric}`,
      operationId: `read${id}MetricValue`,
      description:
        'read a metric of one cluster-scoped object, or (name `*`) of every object the labelSelector matches',
      parameters: [resource, name, metric, ...objectParameters],
      response: list,
      kind,
    },
    {
      path: `${base}/namespaces/{namespace}/metrics/{metric}`,
      operationId: `read${id}NamespaceMetricValue`,
      description: 'read a metric that describes the namespace itself',
      parameters: [path('namespace', 'The namespace the metric describes.'), metric, metricLabelSelector, pretty],
      response: list,
      kind,
    },
    {
      path: `${base}/namespaces/{namespace}/{resource}/{name}/`,
      operationId: `list${id}NamespacedObjectMetricValues`,
      description: 'list every metric of one namespaced object (a metrics-adapter extension)',
      parameters: [namespace, resource, path('name', 'The object name.'), metricLabelSelector, pretty],
      response: list,
      kind,
    },
    {
      path: `${base}/{resource}/{name}/`,
      operationId: `list${id}ObjectMetricValues`,
      description: 'list every metric of one cluster-scoped object (a metrics-adapter extension)',
      parameters: [resource, path('name', 'The object name.'), metricLabelSelector, pretty],
      response: list,
      kind,
    },
  ];
}

/** NB: metrics-server's paths (spec §10), named as Kubernetes names its list and read operations. */
function resourceOperations(
  base: string,
  id: string,
  gv: { readonly group: string; readonly version: string },
): Operation[] {
  const listParameters = [
    query('labelSelector', 'Selects the objects by label.'),
    query('fieldSelector', 'Selects the objects by metadata.name or metadata.namespace.'),
    pretty,
  ];
  const nodes = { ...gv, kind: 'NodeMetrics' };
  const pods = { ...gv, kind: 'PodMetrics' };
  const podNamespace = path('namespace', 'The namespace of the pods.');
  return [
    {
      path: `${base}/nodes`,
      operationId: `list${id}NodeMetrics`,
      description: 'list the resource usage of nodes',
      parameters: listParameters,
      response: names.nodeMetricsList,
      kind: nodes,
      action: 'list',
    },
    {
      path: `${base}/nodes/{name}`,
      operationId: `read${id}NodeMetrics`,
      description: 'read the resource usage of one node',
      parameters: [path('name', 'The node name.'), pretty],
      response: names.nodeMetrics,
      kind: nodes,
    },
    {
      path: `${base}/pods`,
      operationId: `list${id}PodMetricsForAllNamespaces`,
      description: 'list the resource usage of the pods of every namespace',
      parameters: listParameters,
      response: names.podMetricsList,
      kind: pods,
      action: 'list',
    },
    {
      path: `${base}/namespaces/{namespace}/pods`,
      operationId: `list${id}NamespacedPodMetrics`,
      description: 'list the resource usage of the pods of a namespace',
      parameters: [podNamespace, ...listParameters],
      response: names.podMetricsList,
      kind: pods,
      action: 'list',
    },
    {
      path: `${base}/namespaces/{namespace}/pods/{name}`,
      operationId: `read${id}NamespacedPodMetrics`,
      description: 'read the resource usage of one pod, per container',
      parameters: [podNamespace, path('name', 'The pod name.'), pretty],
      response: names.podMetrics,
      kind: pods,
    },
  ];
}
