/**
 * What the write API and push ingestion hand a back end: one value, one series, one usage sample, or a batch; and
 * the writer a back end that takes writes implements.
 * @module
 */
import type { Labels } from '../api/types.js';
import type { Quantity } from '../quantity/index.js';
import type { CustomMetricInfo, NamespacedName, ResourceUsage } from './provider.js';

/** One value written through `POST /write-metrics/...`. */
export interface CustomMetricWrite {
  readonly info: CustomMetricInfo;
  readonly name: NamespacedName;
  readonly value: Quantity;
  /** The metric's labels (what v1beta2 `metricLabelSelector` matches); replaces earlier ones. */
  readonly metricLabels: Labels;
  /** The described object's labels, answering `labelSelector` without a cluster; undefined keeps earlier ones. */
  readonly objectLabels: Labels | undefined;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

/** One series written through `POST /write-external-metrics/...`. */
export interface ExternalMetricWrite {
  /** The namespace the series is visible in, or null for every namespace. */
  readonly namespace: string | null;
  readonly metric: string;
  readonly labels: Labels;
  readonly value: Quantity;
  readonly timestamp: number;
}

/**
 * One usage sample written through `POST /write-resource-metrics/...`: a node's, or one container's of a pod
 * (`container` set). Fields not given keep their earlier value.
 */
export interface ResourceUsageWrite {
  readonly namespace: string;
  readonly name: string;
  /** The container, for a pod; undefined for a node. */
  readonly container?: string;
  readonly usage: Partial<ResourceUsage>;
  /** The object's labels, answering `labelSelector` without a cluster; undefined keeps earlier ones. */
  readonly objectLabels: Labels | undefined;
  readonly timestamp: number;
  readonly windowMs: number;
}

/** Many writes at once (push ingestion, batched writes): stored together, or the promise rejects. */
export interface WriteBatch {
  readonly custom: readonly CustomMetricWrite[];
  readonly external: readonly ExternalMetricWrite[];
}

/** A series to forget (a pushed series that stopped arriving). */
export type SeriesRemoval =
  | { readonly kind: 'custom'; readonly info: CustomMetricInfo; readonly name: NamespacedName }
  | { readonly kind: 'external'; readonly namespace: string | null; readonly metric: string; readonly labels: Labels };

/** A back end that accepts values over the write API. Resolves once the write is stored. */
export interface MetricsWriter {
  writeCustomMetric(write: CustomMetricWrite): void | Promise<void>;
  writeExternalMetric(write: ExternalMetricWrite): void | Promise<void>;
  /** Optional: CPU and memory usage of nodes and pod containers, served on `metrics.k8s.io`. */
  writeResourceUsage?(write: ResourceUsageWrite): void | Promise<void>;
  /** Optional: stores a batch in one go (one round trip for a remote store); {@link writeBatch} loops without it. */
  writeBatch?(batch: WriteBatch): void | Promise<void>;
  /**
   * Optional: forgets series at once. Without it a removed series stays until the back end's own TTL drops it,
   * so push ingestion writes what it serves with the current time and staleness needs that TTL.
   */
  removeSeries?(removals: readonly SeriesRemoval[]): void | Promise<void>;
}

/** Stores `batch` through `writer.writeBatch`, or one write at a time when the back end has no batch method. */
export async function writeBatch(writer: MetricsWriter, batch: WriteBatch): Promise<void> {
  if (writer.writeBatch !== undefined) return writer.writeBatch(batch);
  for (const write of batch.custom) await writer.writeCustomMetric(write);
  for (const write of batch.external) await writer.writeExternalMetric(write);
}
