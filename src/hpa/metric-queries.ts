/**
 * The requests the HPA controller sends for each metric of an `autoscaling/v2` HPA (spec §1.7, §2.1):
 * the same paths (`%2A` for the wildcard, the namespaced form even for cluster-scoped kinds, the HPA's
 * own namespace for Namespace objects) and the same query strings (Go's `url.Values.Encode`).
 * @module
 */
import {
  customMetricsGroup,
  externalMetricsGroup,
  externalMetricsVersion,
  type CustomMetricsVersion,
} from '../api/types.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { GroupResource } from '../providers/provider.js';
import { labelSelectorToSelector } from '../selector/index.js';
import type { HpaLabelSelector, HpaMetricSpec } from './hpa-schema.js';

/** Go `url.PathEscape` for one segment: unlike encodeURIComponent it escapes `*` (spec §1.3) and `!'()`. */
export function escapeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Go `url.Values.Encode`: keys sorted, `QueryEscape` (space → `+`), empty values left out as the HPA's ParameterCodec
 * does.
 */
export function encodeQuery(params: Readonly<Record<string, string>>): string {
  const parts = Object.keys(params)
    .filter((k) => params[k] !== '')
    .sort()
    .map((k) => `${escapeSegment(k).replace(/%20/g, '+')}=${escapeSegment(params[k]!).replace(/%20/g, '+')}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/**
 * `metav1.LabelSelectorAsSelector(s).String()`: `''` for a nil or empty selector, so the parameter is omitted (spec
 * §1.7).
 */
export function selectorText(selector: HpaLabelSelector): string {
  return labelSelectorToSelector(selector ?? null).toString();
}

/** NB: apimachinery `meta.UnsafeGuessKindToResource`, what a RESTMapper falls back to for a kind it cannot look up. */
export function guessResource(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular.endsWith('endpoints')) return singular;
  if (singular.endsWith('s')) return `${singular}es`;
  if (singular.endsWith('y')) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

/** The group-qualified resource of a `describedObject` (METRICS `versioned_client.go` `qualResourceForKind`). */
export function groupResourceOf(
  ref: { readonly apiVersion: string; readonly kind: string },
  mapper: ResourceMapper,
): GroupResource {
  const slash = ref.apiVersion.indexOf('/');
  // Stryker disable next-line EqualityOperator: equivalent, a slash at 0 slices the same empty group.
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const mapped = mapper.resourceFor(group === '' ? ref.kind : `${ref.kind}.${group}`);
  if (mapped.group === group && mapped.resource.toLowerCase() !== ref.kind.toLowerCase()) return mapped;
  return { group, resource: guessResource(ref.kind) };
}

function grString(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

export interface MetricQuery {
  /** Path and query, escaped, as sent. */
  readonly url: string;
  readonly api: 'custom' | 'external';
  /** Named forms must return exactly one item (spec §1.6). */
  readonly single: boolean;
  /** The metric label selector as Go prints it (`''` for all series), for error messages. */
  readonly metricSelector: string;
}

export interface QueryContext {
  readonly namespace: string;
  readonly customVersion: CustomMetricsVersion;
  /** `scale.status.selector` as text; `''` sends no labelSelector. */
  readonly podSelector: string;
  readonly resourceMapper: ResourceMapper;
}

/**
 * The request for one Pods, Object or External metric; undefined for Resource metrics (metrics.k8s.io, not this API).
 */
export function queryFor(metric: HpaMetricSpec, ctx: QueryContext): MetricQuery | undefined {
  const ns = escapeSegment(ctx.namespace);
  const custom = `/apis/${customMetricsGroup}/${ctx.customVersion}/namespaces/${ns}`;
  if (metric.type === 'Pods' && metric.pods) {
    const metricSelector = selectorText(metric.pods.metric.selector);
    return {
      url: `${custom}/pods/%2A/${escapeSegment(metric.pods.metric.name)}${encodeQuery({ labelSelector: ctx.podSelector, metricLabelSelector: metricSelector })}`,
      api: 'custom',
      single: false,
      metricSelector,
    };
  }
  if (metric.type === 'Object' && metric.object) {
    const { describedObject, metric: id } = metric.object;
    const metricSelector = selectorText(id.selector);
    const query = encodeQuery({ metricLabelSelector: metricSelector });
    // NB: K8S metrics/client.go: a Namespace object is always the HPA's own namespace; its name is ignored.
    if (describedObject.kind === 'Namespace' && describedObject.apiVersion === 'v1') {
      return {
        url: `${custom}/metrics/${escapeSegment(id.name)}${query}`,
        api: 'custom',
        single: true,
        metricSelector,
      };
    }
    const gr = groupResourceOf(describedObject, ctx.resourceMapper);
    return {
      url: `${custom}/${escapeSegment(grString(gr))}/${escapeSegment(describedObject.name)}/${escapeSegment(id.name)}${query}`,
      api: 'custom',
      single: true,
      metricSelector,
    };
  }
  if (metric.type === 'External' && metric.external) {
    const metricSelector = selectorText(metric.external.metric.selector);
    return {
      url: `/apis/${externalMetricsGroup}/${externalMetricsVersion}/namespaces/${ns}/${escapeSegment(metric.external.metric.name)}${encodeQuery({ labelSelector: metricSelector })}`,
      api: 'external',
      single: false,
      metricSelector,
    };
  }
  return undefined;
}
