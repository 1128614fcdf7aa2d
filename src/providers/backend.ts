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
} from './provider.js';

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

/** A back end that accepts values over the write API. Resolves once the write is stored. */
export interface MetricsWriter {
  writeCustomMetric(write: CustomMetricWrite): void | Promise<void>;
  writeExternalMetric(write: ExternalMetricWrite): void | Promise<void>;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not, for `/readyz?verbose` and the log. */
  readonly message?: string;
}

export interface Backend {
  readonly custom?: CustomMetricsProvider;
  readonly external?: ExternalMetricsProvider;
  readonly writer?: MetricsWriter;
  readiness(): Readiness;
  /** Series held, for the `metrics_adapter_series` gauge; undefined when the back end holds none. */
  seriesCount?(): { readonly custom: number; readonly external: number };
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

export interface BackendFactory<Config = unknown> {
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Strict schema of this back end's section of the config file; its parsed value is `Config`. */
  readonly configSchema: z.ZodType<Config>;
  create(config: Config, flags: CommonBackendFlags, deps: BackendDeps): Promise<Backend>;
}
