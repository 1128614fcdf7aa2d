/**
 * NodeMetrics and PodMetrics (`metrics.k8s.io/v1beta1`) as metrics-server's generic apiserver writes them: Go's
 * struct field order (`metadata` with `name`, `namespace`, `creationTimestamp`, `labels`; `timestamp`, `window`,
 * then `usage` or `containers`), items of a list without `kind`/`apiVersion` (TypeMeta is omitempty), ResourceList
 * keys sorted, labels omitted when empty, and the APIResourceList of the group version.
 * @module
 */
import { formatGoDuration } from './go-duration.js';
import { goJson } from './json.js';
import { formatTimestamp } from './timestamp.js';
import type {
  APIResourceList,
  Labels,
  NodeMetricsList,
  NodeMetricsWire,
  PodMetricsList,
  PodMetricsWire,
  ResourceMetricsObjectMeta,
} from './types.js';

/** What the encoder needs of a node's usage (the provider's NodeUsage has this shape). */
export interface NodeMetricsSource {
  readonly name: string;
  readonly labels: Labels;
  readonly timestamp: number;
  readonly windowMs: number;
  readonly usage: { readonly cpu: string; readonly memory: string };
}

/** What the encoder needs of a pod's usage. */
export interface PodMetricsSource {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly timestamp: number;
  readonly windowMs: number;
  readonly containers: readonly {
    readonly name: string;
    readonly usage: { readonly cpu: string; readonly memory: string };
  }[];
}

const apiVersion = 'metrics.k8s.io/v1beta1' as const;

/** NB: Go marshals a map with its keys sorted; an empty `labels` map is left out (omitempty). */
function sortedLabels(labels: Labels): Labels | undefined {
  const keys = Object.keys(labels);
  if (keys.length === 0) return undefined;
  const sorted: Record<string, string> = {};
  for (const key of keys.sort()) sorted[key] = labels[key]!;
  return sorted;
}

function metadata(name: string, namespace: string | undefined, labels: Labels, now: number): ResourceMetricsObjectMeta {
  const sorted = sortedLabels(labels);
  return {
    name,
    // Stryker disable next-line ConditionalExpression: equivalent, JSON.stringify leaves out an undefined namespace.
    ...(namespace !== undefined ? { namespace } : {}),
    creationTimestamp: formatTimestamp(now),
    // Stryker disable next-line ConditionalExpression: equivalent, JSON.stringify leaves out undefined labels.
    ...(sorted !== undefined ? { labels: sorted } : {}),
  };
}

function nodeBody(node: NodeMetricsSource, now: number): NodeMetricsWire {
  return {
    metadata: metadata(node.name, undefined, node.labels, now),
    timestamp: formatTimestamp(node.timestamp),
    window: formatGoDuration(node.windowMs),
    usage: { cpu: node.usage.cpu, memory: node.usage.memory },
  };
}

function podBody(pod: PodMetricsSource, now: number): PodMetricsWire {
  return {
    metadata: metadata(pod.name, pod.namespace, pod.labels, now),
    timestamp: formatTimestamp(pod.timestamp),
    window: formatGoDuration(pod.windowMs),
    containers: pod.containers.map((c) => ({ name: c.name, usage: { cpu: c.usage.cpu, memory: c.usage.memory } })),
  };
}

/** One NodeMetrics; `now` is its `creationTimestamp` (metrics-server stamps the time of the answer). */
export function encodeNodeMetrics(node: NodeMetricsSource, now: number): string {
  const body: NodeMetricsWire = { kind: 'NodeMetrics', apiVersion, ...nodeBody(node, now) };
  return goJson(body);
}

export function encodePodMetrics(pod: PodMetricsSource, now: number): string {
  const body: PodMetricsWire = { kind: 'PodMetrics', apiVersion, ...podBody(pod, now) };
  return goJson(body);
}

/** A NodeMetricsList; the caller sorts the items (metrics-server: by name). */
export function encodeNodeMetricsList(nodes: readonly NodeMetricsSource[], now: number): string {
  const list: NodeMetricsList = {
    kind: 'NodeMetricsList',
    apiVersion,
    metadata: {},
    items: nodes.map((n) => nodeBody(n, now)),
  };
  return goJson(list);
}

/** A PodMetricsList; the caller sorts the items (metrics-server: by namespace, then name). */
export function encodePodMetricsList(pods: readonly PodMetricsSource[], now: number): string {
  const list: PodMetricsList = {
    kind: 'PodMetricsList',
    apiVersion,
    metadata: {},
    items: pods.map((p) => podBody(p, now)),
  };
  return goJson(list);
}

/**
 * NB: metrics-server's storages give `node` as the singular name of nodes and none for pods (pkg/api node.go, pod.go).
 */
export function encodeResourceMetricsResourceList(): string {
  const list: APIResourceList = {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersion,
    resources: [
      { name: 'nodes', singularName: 'node', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  };
  return goJson(list);
}
