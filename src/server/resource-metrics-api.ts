/**
 * The data paths of `metrics.k8s.io/v1beta1` (spec §10): NodeMetrics and PodMetrics, list and get, as
 * metrics-server's `pkg/api` answers them. One function per request turns the path into one provider call.
 * @module
 */
import { routeNotFound, StatusError } from '../api/errors.js';
import {
  encodeNodeMetrics,
  encodeNodeMetricsList,
  encodePodMetrics,
  encodePodMetricsList,
} from '../api/encode-resource-metrics.js';
import { resourceMetricsGroup } from '../api/types.js';
import type { NodeUsage, PodUsage, QueryContext, ResourceMetricsProvider } from '../providers/provider.js';
import { selectorParam } from './selector-params.js';

/** A request under `/apis/metrics.k8s.io/v1beta1/`. */
export type ResourceMetricsPath =
  | { readonly kind: 'nodes'; readonly name: string | undefined }
  /** `namespace` '' for `/pods`, every namespace. */
  | { readonly kind: 'pods'; readonly namespace: string; readonly name: string | undefined };

/** Parses the decoded segments after the version: `nodes[/{name}]`, `pods`, `namespaces/{ns}/pods[/{name}]`. */
export function parseResourceMetricsPath(segments: readonly string[]): ResourceMetricsPath {
  if (segments.some((s) => s === '')) throw routeNotFound();
  if (segments[0] === 'nodes' && segments.length <= 2) return { kind: 'nodes', name: segments[1] };
  if (segments[0] === 'pods' && segments.length === 1) return { kind: 'pods', namespace: '', name: undefined };
  if (segments[0] === 'namespaces' && segments[2] === 'pods' && segments.length >= 3 && segments.length <= 4) {
    return { kind: 'pods', namespace: segments[1]!, name: segments[3] };
  }
  throw routeNotFound();
}

/**
 * NB: apimachinery errors.NewNotFound(metrics.k8s.io/{kind}, name), as metrics-server returns for an object without
 * usage.
 */
function usageNotFound(kind: 'nodemetrics' | 'podmetrics', name: string): StatusError {
  return new StatusError(404, 'NotFound', `${kind}.${resourceMetricsGroup} "${name}" not found`, {
    name,
    group: resourceMetricsGroup,
    kind,
  });
}

const byName = (a: { readonly name: string }, b: { readonly name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
const byNamespaceThenName = (a: PodUsage, b: PodUsage): number =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : byName(a, b);

/**
 * Answers one request. `now` is the answer's `creationTimestamp`. NB: `fieldSelector` supports the object-meta
 * fields every storage has (`metadata.name`, `metadata.namespace`), as metrics-server's filter does.
 */
export async function answerResourceMetrics(
  provider: ResourceMetricsProvider,
  segments: readonly string[],
  query: string,
  ctx: QueryContext,
  now: number,
): Promise<string> {
  const path = parseResourceMetricsPath(segments);
  if (path.kind === 'nodes') {
    if (path.name !== undefined) {
      const node = await provider.getNodeMetricsByName(path.name, ctx);
      if (node === undefined) throw usageNotFound('nodemetrics', path.name);
      return encodeNodeMetrics(node, now);
    }
    const fields = selectorParam(query, 'fieldSelector');
    const nodes = (await provider.getNodeMetrics(selectorParam(query, 'labelSelector'), ctx)).filter(
      (node: NodeUsage) => fields.isEmpty() || fields.matches({ 'metadata.name': node.name }),
    );
    return encodeNodeMetricsList(nodes.sort(byName), now);
  }
  if (path.name !== undefined) {
    const pod = await provider.getPodMetricsByName({ namespace: path.namespace, name: path.name }, ctx);
    if (pod === undefined) throw usageNotFound('podmetrics', `${path.namespace}/${path.name}`);
    return encodePodMetrics(pod, now);
  }
  const fields = selectorParam(query, 'fieldSelector');
  const pods = (await provider.getPodMetrics(path.namespace, selectorParam(query, 'labelSelector'), ctx)).filter(
    (pod) => fields.isEmpty() || fields.matches({ 'metadata.name': pod.name, 'metadata.namespace': pod.namespace }),
  );
  return encodePodMetricsList(pods.sort(byNamespaceThenName), now);
}
