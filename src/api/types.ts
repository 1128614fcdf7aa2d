/**
 * Wire types of custom.metrics.k8s.io, external.metrics.k8s.io and the metav1 objects they use.
 * Field names and optionality follow the Go structs (spec §1.5, §2.2, §3.2, §4): a field Go marks
 * omitempty is optional here, one it always writes is required.
 * @module
 */

/** metav1.LabelSelectorRequirement. */
/** A resource and its API group; `group` is '' for the core group (pods, services, nodes, namespaces). */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** An object's name. `namespace` is '' for cluster-scoped objects (nodes, namespaces themselves). */
export interface NamespacedName {
  readonly namespace: string;
  readonly name: string;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** metav1.LabelSelector: both fields omitempty. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** A set of Kubernetes labels (object labels or metric labels). */
export type Labels = Readonly<Record<string, string>>;

/** core/v1 ObjectReference as used in `describedObject`; `namespace` is omitted for cluster-scoped objects. */
export interface ObjectReference {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly apiVersion: string;
}

export type CustomMetricsVersion = 'v1beta1' | 'v1beta2';

/**
 * Where the encoder keeps the bytes of a value that never changes, one entry per API version (external metrics are
 * `v1beta1`), for the next answer that holds the same value object. A provider opts in by giving such a value an
 * empty object of its own.
 */
export type ItemEncodings = { [V in CustomMetricsVersion]?: Buffer };
export const customMetricsGroup = 'custom.metrics.k8s.io';
export const externalMetricsGroup = 'external.metrics.k8s.io';
export const customMetricsVersions: readonly CustomMetricsVersion[] = ['v1beta1', 'v1beta2'];
export const externalMetricsVersion = 'v1beta1';

/** custom_metrics/v1beta1 MetricValue. NB: the window's JSON name is `window` in v1beta1. */
export interface MetricValueV1Beta1 {
  readonly describedObject: ObjectReference;
  readonly metricName: string;
  readonly timestamp: string;
  readonly window?: number;
  readonly value: string;
  readonly selector: LabelSelector | null;
}

/** custom_metrics/v1beta2 MetricValue. NB: the window's JSON name is `windowSeconds` in v1beta2. */
export interface MetricValueV1Beta2 {
  readonly describedObject: ObjectReference;
  readonly metric: { readonly name: string; readonly selector: LabelSelector | null };
  readonly timestamp: string;
  readonly windowSeconds?: number;
  readonly value: string;
}

export interface MetricValueList<V extends CustomMetricsVersion = CustomMetricsVersion> {
  readonly kind: 'MetricValueList';
  readonly apiVersion: `custom.metrics.k8s.io/${V}`;
  readonly metadata: Record<string, never>;
  readonly items: readonly (V extends 'v1beta1' ? MetricValueV1Beta1 : MetricValueV1Beta2)[];
}

/** external_metrics/v1beta1 ExternalMetricValue: `metricLabels` is always written (`{}` when empty). */
export interface ExternalMetricValueWire {
  readonly metricName: string;
  readonly metricLabels: Labels;
  readonly timestamp: string;
  readonly window?: number;
  readonly value: string;
}

export interface ExternalMetricValueList {
  readonly kind: 'ExternalMetricValueList';
  readonly apiVersion: 'external.metrics.k8s.io/v1beta1';
  readonly metadata: Record<string, never>;
  readonly items: readonly ExternalMetricValueWire[];
}

/** The ObjectMeta fields a NodeMetrics or PodMetrics carries (metrics/v1beta1): `labels` left out when empty. */
export interface ResourceMetricsObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly creationTimestamp: string;
  readonly labels?: Labels;
}

/** A ResourceList: `cpu` and `memory` Quantity strings. */
export interface ResourceUsageWire {
  readonly cpu: string;
  readonly memory: string;
}

/**
 * metrics/v1beta1 NodeMetrics; `kind`/`apiVersion` only outside a list (TypeMeta is omitempty). `window` is a Go
 * duration.
 */
export interface NodeMetricsWire {
  readonly kind?: 'NodeMetrics';
  readonly apiVersion?: 'metrics.k8s.io/v1beta1';
  readonly metadata: ResourceMetricsObjectMeta;
  readonly timestamp: string;
  readonly window: string;
  readonly usage: ResourceUsageWire;
}

export interface ContainerMetricsWire {
  readonly name: string;
  readonly usage: ResourceUsageWire;
}

/** metrics/v1beta1 PodMetrics. */
export interface PodMetricsWire {
  readonly kind?: 'PodMetrics';
  readonly apiVersion?: 'metrics.k8s.io/v1beta1';
  readonly metadata: ResourceMetricsObjectMeta;
  readonly timestamp: string;
  readonly window: string;
  readonly containers: readonly ContainerMetricsWire[];
}

export interface NodeMetricsList {
  readonly kind: 'NodeMetricsList';
  readonly apiVersion: 'metrics.k8s.io/v1beta1';
  readonly metadata: Record<string, never>;
  readonly items: readonly NodeMetricsWire[];
}

export interface PodMetricsList {
  readonly kind: 'PodMetricsList';
  readonly apiVersion: 'metrics.k8s.io/v1beta1';
  readonly metadata: Record<string, never>;
  readonly items: readonly PodMetricsWire[];
}

/** metav1.APIResource as used in a metrics APIResourceList. `singularName` is always written. */
export interface APIResource {
  readonly name: string;
  readonly singularName: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly verbs: readonly string[];
}

export interface APIResourceList {
  readonly kind: 'APIResourceList';
  readonly apiVersion: 'v1';
  readonly groupVersion: string;
  readonly resources: readonly APIResource[];
}

export interface GroupVersionForDiscovery {
  readonly groupVersion: string;
  readonly version: string;
}

export interface APIGroup {
  readonly kind: 'APIGroup';
  readonly apiVersion: 'v1';
  readonly name: string;
  readonly versions: readonly GroupVersionForDiscovery[];
  readonly preferredVersion: GroupVersionForDiscovery;
}

export interface APIGroupList {
  readonly kind: 'APIGroupList';
  readonly apiVersion: 'v1';
  readonly groups: readonly Omit<APIGroup, 'kind' | 'apiVersion'>[];
}

/** metav1.StatusDetails: every field omitempty. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly { readonly reason?: string; readonly message?: string; readonly field?: string }[];
  readonly retryAfterSeconds?: number;
}

/** metav1.Status as written on failure (spec §4). */
export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** The resource metrics API (k8s.io/metrics `pkg/apis/metrics/v1beta1`), served when a back end provides it. */
export const resourceMetricsGroup = 'metrics.k8s.io';
export const resourceMetricsVersion = 'v1beta1';
