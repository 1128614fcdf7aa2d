/**
 * What a back-end folder exports (a BackendFactory) and what it builds (a Backend). A back end is one
 * folder under `providers/` plus one line in `registry.ts`.
 * @module
 */
import type { z } from 'zod';
import type { Labels } from '../api/types.js';
import type { ObjectLister } from '../kube/object-lister.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { Logger } from '../log/index.js';
import type { Quantity } from '../quantity/index.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricsProvider,
  NamespacedName,
  ResourceMetricsProvider,
  ResourceUsage,
} from './provider.js';
import type { QueryRunner } from './query-runner.js';

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

export interface Readiness {
  readonly ready: boolean;
  /** Why not, for `/readyz?verbose` and the log. */
  readonly message?: string;
}

/** One back end's state, for `/debug/backends` and the status page. */
export interface BackendHealth {
  readonly name: string;
  readonly kind: string;
  readonly ready: boolean;
  readonly message?: string;
  readonly customMetrics: number;
  readonly externalMetrics: number;
}

export interface Backend {
  readonly custom?: CustomMetricsProvider;
  readonly external?: ExternalMetricsProvider;
  /** The resource metrics API `metrics.k8s.io`, served only when a back end gives it. */
  readonly resource?: ResourceMetricsProvider;
  readonly writer?: MetricsWriter;
  /** Runs the queries of MetricQuery objects that name this back end; undefined when it cannot. */
  readonly queries?: QueryRunner;
  readiness(): Readiness;
  /** Series held, for the `metrics_adapter_series` gauge; undefined when the back end holds none. */
  seriesCount?(): { readonly custom: number; readonly external: number };
  /** Extra Prometheus text lines for `/metrics`, such as a back end's own counters. */
  selfMetrics?(): string;
  /** The parts of a composite back end and their state, for `/debug/backends`. */
  health?(): readonly BackendHealth[];
  close(): Promise<void>;
}

export interface BackendDeps {
  readonly logger: Logger;
  readonly resourceMapper: ResourceMapper;
  /**
   * The cluster's objects (an informer cache) when a cluster is connected. A back end answers `*` with a
   * labelSelector with exactly the objects this returns that have a value; undefined (standalone, or a
   * resource the cluster does not serve) means the back end uses the objectLabels given on writes.
   */
  readonly objectLister?: ObjectLister;
}

/** Settings every back end may read from the `serve` flags; the config file's section wins over none of them. */
export interface CommonBackendFlags {
  /** `--metric-ttl` in milliseconds, if given. */
  readonly metricTtlMs?: number;
}

/**
 * A `serve` flag that a back end adds, such as `--prometheus-url`. Its text is set at `configKey` (a dotted path) of
 * the back end's config section before the schema checks it, so a flag and the file's key are one setting and the flag
 * wins. NB: so that `--help` can list every back end's flags, the CLI imports every factory module: a factory imports
 * its client library inside `create()`, never at the top.
 */
export interface BackendFlag {
  /** The long name without dashes: `prometheus-url`. */
  readonly name: string;
  /** The value's placeholder in `--help`, such as `<url>`; a flag without one is a switch and sets `true`. */
  readonly value?: string;
  readonly description: string;
  readonly configKey: string;
  /**
   * For a flag that may be repeated: folds each value into the one set at `configKey`, as commander's custom
   * option processing does (`--prometheus-header A=1 --prometheus-header B=2` gives `{A: '1', B: '2'}`).
   */
  readonly accumulate?: (value: string, previous: unknown) => unknown;
}

/** What `config check` does for a back end beyond its schema. */
export interface BackendConfigCheck<Config> {
  /**
   * Flag values that stand in for settings a file may leave to the command line (a server URL), so the file alone
   * can still be validated; `run` is then called with `live` false and must not reach the upstream.
   */
  readonly standIns?: Readonly<Record<string, unknown>>;
  /** Checks the config, against the real upstream when `live`; prints what it finds; resolves false when a check failed. */
  run(label: string, config: Config, live: boolean, print: (line: string) => void): Promise<boolean>;
}

export interface BackendFactory<Config = unknown> {
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Strict schema of this back end's section of the config file; its parsed value is `Config`. */
  readonly configSchema: z.ZodType<Config>;
  readonly flags?: readonly BackendFlag[];
  /**
   * Top-level keys of the config file that belong to this back end's section, so that a peer's own file works
   * unchanged: prometheus-adapter's `rules:` is `prometheus.rules`. A key may be given in one place only.
   */
  readonly topLevelKeys?: readonly string[];
  create(config: Config, flags: CommonBackendFlags, deps: BackendDeps): Promise<Backend>;
  /** `config check`'s deeper check; without it a config is checked against `configSchema` only. */
  readonly configCheck?: BackendConfigCheck<Config>;
}
