/**
 * What a back-end folder exports (a BackendFactory) and what it builds (a Backend). A back end is one
 * folder under `providers/` plus one line in `registry.ts`.
 * @module
 */
import type { z } from 'zod';
import type { ObjectLister } from '../kube/object-lister.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { Logger } from '../log/index.js';
import type { BackendFlag, CommonBackendFlags } from './backend-flag.js';
import type { BackendHealth, Readiness } from './health.js';
import type { CustomMetricsProvider, ExternalMetricsProvider, ResourceMetricsProvider } from './provider.js';
import type { QueryRunner } from './query-runner.js';
import type { MetricsWriter } from './write.js';

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

/** What `config check` does for a back end beyond its schema. */
export interface BackendConfigCheck<Config> {
  /**
   * Flag values that stand in for settings a file may leave to the command line (a server URL), so the file alone
   * can still be validated; `run` is then called with `live` false and must not reach the upstream.
   */
  readonly standIns?: Readonly<Record<string, unknown>>;
  /**
   * Checks the config, against the real upstream when `live`; prints what it finds; resolves false when a check failed.
   */
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
