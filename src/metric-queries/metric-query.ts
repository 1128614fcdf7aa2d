/**
 * The MetricQuery custom resource (`metricqueries.metrics-adapter.io`, v1alpha1): one metric a team defines in its
 * own namespace, as a query against a back end of the adapter. The same shape as the CRD's structural schema in
 * `charts/metrics-adapter/crds/metricqueries.yaml`; the adapter checks it again, since a watch may deliver
 * anything the schema let through.
 * @module
 */
import { z } from 'zod';
import { durationString } from '../duration/index.js';

export const metricQueryGroup = 'metrics-adapter.io';
export const metricQueryVersion = 'v1alpha1';
export const metricQueryResource = 'metricqueries';
export const metricQueryKind = 'MetricQuery';
export const metricQueryApiVersion = `${metricQueryGroup}/${metricQueryVersion}`;

/** The collection path across all namespaces, and one object's path. */
export const metricQueriesPath = `/apis/${metricQueryGroup}/${metricQueryVersion}/${metricQueryResource}`;
export function metricQueryPath(namespace: string, name: string): string {
  return `/apis/${metricQueryGroup}/${metricQueryVersion}/namespaces/${encodeURIComponent(namespace)}/${metricQueryResource}/${encodeURIComponent(name)}`;
}

export const metricQuerySpecSchema = z.object({
  /** A back end of the adapter: a name under `backends:` of the routing config, or the single back end's kind. */
  backend: z.string().min(1),
  /** In the back end's language; PromQL may use `<<.LabelMatchers>>`, `<<.GroupBy>>` as prometheus-adapter rules do. */
  query: z.string().min(1),
  /**
   * `External` (default): an external metric named as the object. `Custom`: a custom metric of `resource`'s objects.
   */
  servedAs: z.enum(['External', 'Custom']).default('External'),
  /** For `Custom`: the resource the values describe, such as `pods` or `deployments.apps`. */
  resource: z.string().min(1).optional(),
  /** For `Custom`: the series label naming the object; default the resource's singular (`pod`, `deployment`). */
  objectLabel: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name')
    .optional(),
  /** Values older than this are missing. */
  maxAge: durationString.optional(),
  /** What a missing value becomes: an error (default), 0, or the last value while younger than maxAge. */
  onMissing: z.enum(['Error', 'Zero', 'Last']).default('Error'),
});

export type MetricQuerySpec = z.infer<typeof metricQuerySpecSchema>;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface MetricQueryCondition {
  readonly type: 'Valid' | 'Active';
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

export interface MetricQueryStatus {
  readonly observedGeneration?: number;
  /** What an HPA sees now: the sum of an external metric's series, the average over a custom metric's objects. */
  readonly currentValue?: string;
  /** How many series (External) or objects (Custom) the last evaluation gave. */
  readonly series?: number;
  readonly lastUpdated?: string;
  /**
   * When a client last read the object through any replica, moved forward at most every half Active window: how
   * replicas that do not write statuses tell the one that does (docs/metric-queries.md, High availability).
   */
  readonly lastReadTime?: string;
  readonly conditions?: readonly MetricQueryCondition[];
}

/** A MetricQuery as the API server sends it. */
export interface MetricQueryObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly creationTimestamp?: string;
  };
  readonly spec?: unknown;
  readonly status?: MetricQueryStatus;
}
