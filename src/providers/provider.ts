/**
 * THE contract between the API server and a metrics back end. Method names and argument order follow
 * custom-metrics-apiserver `pkg/provider/interfaces.go`, so its Go documentation reads one-to-one.
 * Providers return version-neutral values; `api/` owns the bytes on the wire.
 * @module
 */
import type { LabelSelector, Labels, ObjectReference } from '../api/types.js';
import type { Selector } from '../selector/index.js';

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
}

/** An external metric series. `metricLabels` should hold the full label set that identifies it. */
export interface ExternalMetricValue {
  readonly metricName: string;
  readonly metricLabels: Labels;
  readonly timestamp: number;
  readonly windowSeconds?: number;
  /** A Quantity in canonical form. */
  readonly value: string;
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
