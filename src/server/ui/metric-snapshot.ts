/**
 * What the back end holds right now, read through the provider contract: per metric the objects
 * (or external series) with their last value and timestamp. Bounded: a few namespaces and objects per
 * metric, so a back end with 100k series costs the page what it shows.
 * @module
 */
import { groupResourceString } from '../../api/errors.js';
import type { CustomMetricsProvider, ExternalMetricsProvider, QueryContext } from '../../providers/provider.js';
import { parseQuantity } from '../../quantity/index.js';
import { everything } from '../../selector/index.js';
import { toStatusError } from '../error-handling.js';

export interface SnapshotValue {
  /** `namespace/name`, `name` (cluster-scoped) or `{k=v}` (external series). */
  readonly object: string;
  readonly value: string;
  /** The value as a float, for the plot. */
  readonly number: number;
  /** Ms since the epoch. */
  readonly timestamp: number;
  /** The object's (or the external series') namespace; '' for cluster-scoped objects and all-namespace series. */
  readonly namespace?: string;
  /** An external series' labels. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface MetricSnapshot {
  /** Stable key: `custom:pods:http_requests`, `external:queue`. */
  readonly key: string;
  readonly api: 'custom' | 'external';
  readonly title: string;
  readonly values: readonly SnapshotValue[];
  /** More objects exist than are shown. */
  readonly truncated: boolean;
  readonly error?: string;
}

export interface SnapshotLimits {
  readonly metrics: number;
  readonly namespacesPerMetric: number;
  readonly valuesPerMetric: number;
}

export const defaultLimits: SnapshotLimits = { metrics: 50, namespacesPerMetric: 10, valuesPerMetric: 20 };

function toNumber(value: string): number {
  try {
    return Number(parseQuantity(value).nano) / 1e9;
  } catch {
    return Number.NaN;
  }
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',')}}`;
}

/** Reads the back end through the provider contract. Never throws: a failing metric carries its error. */
export async function takeSnapshot(
  providers: { readonly custom?: CustomMetricsProvider; readonly external?: ExternalMetricsProvider },
  limits: SnapshotLimits = defaultLimits,
): Promise<MetricSnapshot[]> {
  // NB: one more than shown, so a metric with more values is marked truncated.
  const ctx: QueryContext = { signal: AbortSignal.timeout(5000), limit: limits.valuesPerMetric + 1 };
  const out: MetricSnapshot[] = [];
  const { custom, external } = providers;
  for (const info of custom?.listAllMetrics() ?? []) {
    if (out.length >= limits.metrics) break;
    const gr = groupResourceString(info.groupResource);
    const base = { key: `custom:${gr}:${info.metric}`, api: 'custom' as const, title: `${gr} ${info.metric}` };
    try {
      const namespaces = info.namespaced ? (custom!.listMetricNamespaces?.(info) ?? ['default']) : [''];
      const values: SnapshotValue[] = [];
      let truncated = namespaces.length > limits.namespacesPerMetric;
      for (const namespace of namespaces.slice(0, limits.namespacesPerMetric)) {
        const found = await custom!.getMetricBySelector(namespace, everything, info, everything, ctx);
        for (const v of found) {
          if (values.length >= limits.valuesPerMetric) {
            truncated = true;
            break;
          }
          const object = namespace === '' ? v.describedObject.name : `${namespace}/${v.describedObject.name}`;
          values.push({ object, value: v.value, number: toNumber(v.value), timestamp: v.timestamp, namespace });
        }
      }
      out.push({ ...base, values, truncated });
    } catch (error) {
      out.push({ ...base, values: [], truncated: false, error: toStatusError(error).message });
    }
  }
  for (const info of external?.listAllExternalMetrics() ?? []) {
    if (out.length >= limits.metrics) break;
    const base = { key: `external:${info.metric}`, api: 'external' as const, title: `external ${info.metric}` };
    try {
      const namespaces = external!.listExternalMetricNamespaces?.(info) ?? ['default'];
      const values: SnapshotValue[] = [];
      let truncated = namespaces.length > limits.namespacesPerMetric;
      for (const namespace of namespaces.slice(0, limits.namespacesPerMetric)) {
        for (const v of await external!.getExternalMetric(namespace, everything, info, ctx)) {
          if (values.length >= limits.valuesPerMetric) {
            truncated = true;
            break;
          }
          const scope = namespace === '' ? '*' : namespace;
          values.push({
            object: `${scope} ${labelsText(v.metricLabels)}`,
            value: v.value,
            number: toNumber(v.value),
            timestamp: v.timestamp,
            namespace,
            labels: v.metricLabels,
          });
        }
      }
      out.push({ ...base, values, truncated });
    } catch (error) {
      out.push({ ...base, values: [], truncated: false, error: toStatusError(error).message });
    }
  }
  return out;
}
