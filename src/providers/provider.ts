/**
 * THE contract between the API server and a metrics back end. Method names and argument order follow
 * custom-metrics-apiserver `pkg/provider/interfaces.go`, so its Go documentation reads one-to-one.
 * Providers return version-neutral values; `api/` owns the bytes on the wire.
 * @module
 */
import type {
  GroupResource,
  ItemEncodings,
  LabelSelector,
  Labels,
  NamespacedName,
  ObjectReference,
} from '../api/types.js';
import type { Selector } from '../selector/index.js';

export type { GroupResource, NamespacedName };

/**
 * Which custom metric a request is about. For a metric that describes a namespace (form E,
 * `namespaces/{ns}/metrics/{m}`) this is `{groupResource: namespaces, namespaced: false}`, as in CMAS.
 */
export interface CustomMetricInfo {
  readonly groupResource: GroupResource;
  readonly namespaced: boolean;
  readonly metric: string;
}

export interface ExternalMetricInfo {
  readonly metric: string;
}

/** Per-request context. `signal` aborts on client disconnect or deadline. */
export interface QueryContext {
  readonly signal: AbortSignal;
  /**
   * The caller reads no more than this many values (the status page, which shows a few per metric).
   * A provider may stop there or return everything; API requests never set it.
   */
  readonly limit?: number;
}

/** The metric a value belongs to, and the metric label selector that chose it (null: all series). */
export interface MetricIdentifier {
  readonly name: string;
  readonly selector: LabelSelector | null;
}

/** A custom metric value, version-neutral (the internal custom_metrics.MetricValue). */
export interface MetricValue {
  readonly describedObject: ObjectReference;
  readonly metric: MetricIdentifier;
  /** Milliseconds since the epoch; written with second precision on the wire. */
  readonly timestamp: number;
  /** Seconds of the rate window ending at `timestamp`; omitted on the wire when undefined. */
  readonly windowSeconds?: number;
  /** A Quantity in canonical form, e.g. `Quantity.toString()` or `formatQuantity(...)`. */
  readonly value: string;
  /**
   * Optional, for a provider that answers with the same value object while its series is unchanged (the memory store
   * does): an empty object of the value's own, where the server keeps the value's encoded bytes, so an answer of
   * such values is assembled from bytes. A value that has it must never change. NB: `{ ...value }` copies it too; a
   * changed copy must leave it out.
   */
  readonly encodings?: ItemEncodings;
}

/** An external metric series. `metricLabels` should hold the full label set that identifies it. */
export interface ExternalMetricValue {
  readonly metricName: string;
  readonly metricLabels: Labels;
  readonly timestamp: number;
  readonly windowSeconds?: number;
  /** A Quantity in canonical form. */
  readonly value: string;
  /** As {@link MetricValue.encodings}. */
  readonly encodings?: ItemEncodings;
}

type MaybePromise<T> = T | Promise<T>;

export interface CustomMetricsProvider {
  /**
   * One object. `name.namespace` is '' for cluster-scoped objects. Throws a StatusError 404
   * (`metricNotFoundFor`) when there is no value; must not return anything but exactly one value.
   */
  getMetricByName(
    name: NamespacedName,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): MaybePromise<MetricValue>;

  /**
   * Every object of `info.groupResource` in `namespace` ('' for cluster-scoped) that `selector` matches.
   * Objects without a value are left out, not errors. An empty array is a valid answer.
   */
  getMetricBySelector(
    namespace: string,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): MaybePromise<readonly MetricValue[]>;

  /**
   * Feeds discovery on every request: must not throw or wait on the network. Return a cached list,
   * and the same array instance while it has not changed (the server caches the encoded document by identity).
   */
  listAllMetrics(): readonly CustomMetricInfo[];

  /**
   * Optional, for the status page: the namespaces that hold values of `info` ('' for cluster-scoped).
   * Must not throw or wait on the network. Without it the page looks in `default` only.
   */
  listMetricNamespaces?(info: CustomMetricInfo): readonly string[];
}

export interface ExternalMetricsProvider {
  /** Every series of `info.metric` visible in `namespace` whose labels `metricSelector` matches. */
  getExternalMetric(
    namespace: string,
    metricSelector: Selector,
    info: ExternalMetricInfo,
    ctx: QueryContext,
  ): MaybePromise<readonly ExternalMetricValue[]>;

  /** As `listAllMetrics`: cached, never throws, same array instance while unchanged. */
  listAllExternalMetrics(): readonly ExternalMetricInfo[];

  /** Optional, as `listMetricNamespaces`; '' stands for series visible in every namespace. */
  listExternalMetricNamespaces?(info: ExternalMetricInfo): readonly string[];
}

/**
 * CPU and memory usage, each a Quantity in canonical form: `cpu` in cores (DecimalSI: `250m`, `470087n`),
 * `memory` in bytes (BinarySI: `123456Ki`). What metrics-server and prometheus-adapter put in a ResourceList.
 */
export interface ResourceUsage {
  readonly cpu: string;
  readonly memory: string;
}

export interface ContainerUsage {
  readonly name: string;
  readonly usage: ResourceUsage;
}

/** A node's usage (k8s.io/metrics NodeMetrics, version-neutral). */
export interface NodeUsage {
  readonly name: string;
  /** The node's labels (from the cluster when connected); `{}` when unknown. */
  readonly labels: Labels;
  /** End of the sample window, milliseconds since the epoch. */
  readonly timestamp: number;
  /** Length of the sample window in milliseconds. */
  readonly windowMs: number;
  readonly usage: ResourceUsage;
}

/** A pod's usage per container (k8s.io/metrics PodMetrics, version-neutral). */
export interface PodUsage {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly timestamp: number;
  readonly windowMs: number;
  readonly containers: readonly ContainerUsage[];
}

/**
 * The resource metrics API `metrics.k8s.io` (what `kubectl top` and the HPA's Resource metrics read), in the
 * shape of metrics-server's `pkg/api` MetricsGetter. A back end that gives one gets the API served.
 */
export interface ResourceMetricsProvider {
  /** Every node `selector` matches (its labels) that has usage; nodes without are left out. Any order. */
  getNodeMetrics(selector: Selector, ctx: QueryContext): MaybePromise<readonly NodeUsage[]>;

  /** One node's usage, or undefined when it has none (the server answers 404). */
  getNodeMetricsByName(name: string, ctx: QueryContext): MaybePromise<NodeUsage | undefined>;

  /**
   * Every pod in `namespace` ('' for all namespaces) that `selector` matches and that has usage; pods
   * without are left out. Any order.
   */
  getPodMetrics(namespace: string, selector: Selector, ctx: QueryContext): MaybePromise<readonly PodUsage[]>;

  /** One pod's usage, or undefined when it has none (the server answers 404). */
  getPodMetricsByName(name: NamespacedName, ctx: QueryContext): MaybePromise<PodUsage | undefined>;
}
