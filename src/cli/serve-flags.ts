/**
 * The flags of `metrics-adapter serve`: the serving flags every adapter takes, plus the back end, the config file
 * and the cluster connection.
 * @module
 */
import { type Command, Option } from 'commander';
import type { BackendFactory } from '../providers/backend.js';
import { backendNames } from '../providers/registry.js';
import {
  addServingFlags,
  boolean,
  count,
  duration,
  positiveDuration,
  type ServingFlags,
} from '../serving/serving-flags.js';
import { addBackendFlags } from './backend-flags.js';

/** The flags of `metrics-adapter serve`: the serving flags plus the back-end choice. */
export interface ServeFlags extends ServingFlags {
  /** undefined when neither the flag nor the config file names one (then: memory). */
  readonly backend?: string;
  readonly config?: string;
  readonly metricTtl?: number;
  /** A kubeconfig for the object lister and RESTMapper; without it, the in-cluster ServiceAccount when in a pod. */
  readonly kubeconfig?: string;
  /** `--informer-idle-timeout` in milliseconds: an object cache unused this long is dropped. */
  readonly informerIdleTimeout: number;
  /** `--metric-queries`: serve MetricQuery objects when a cluster is connected; default true. */
  readonly metricQueries?: boolean;
  /** `--metric-query-backends`: the back ends MetricQuery objects may name; undefined: all. */
  readonly metricQueryBackends?: readonly string[];
  /** `--metric-query-status-writes` per second, across all objects. */
  readonly metricQueryStatusWrites?: number;
  /** `--metric-query-evaluate-interval` in milliseconds: how often each object's query runs for its status. */
  readonly metricQueryEvaluateInterval?: number;
  /** `--metric-query-leader-elect`: only the replica holding the Lease writes MetricQuery statuses; default true. */
  readonly metricQueryLeaderElect?: boolean;
  /** `--metric-query-lease-name`. */
  readonly metricQueryLeaseName?: string;
  /** `--metric-query-lease-namespace`; default POD_NAMESPACE, the ServiceAccount's, or the kubeconfig context's. */
  readonly metricQueryLeaseNamespace?: string;
  /** `--metric-query-lease-duration`, `--metric-query-renew-deadline`, `--metric-query-retry-period`, in ms. */
  readonly metricQueryLeaseDuration?: number;
  readonly metricQueryRenewDeadline?: number;
  readonly metricQueryRetryPeriod?: number;
}

export interface AddServeFlagsOptions {
  /**
   * Add `--backend`, `--config` and `--metric-ttl`; default true. A library adapter brings its own providers, so it
   * passes false.
   */
  readonly backendFlags?: boolean;
  /** Back ends whose own flags to add, such as `--forward-url` (`loadAllBackends()` gives the built-in ones). */
  readonly backendFactories?: readonly BackendFactory<unknown>[];
}

/** Adds the serve flags to a commander command: a user's own binary gets the same flags as `metrics-adapter serve`. */
export function addServeFlags(command: Command, options: AddServeFlagsOptions = {}): Command {
  addServingFlags(command);
  if (options.backendFlags !== false) {
    command
      .addOption(
        new Option('--backend <name>', 'where metric values come from (default: memory)').choices(backendNames),
      )
      .option('--config <file>', 'YAML config file: `backend` and one section per back end, or `backends` and `routes`')
      .option(
        '--metric-ttl <duration>',
        'drop written values not updated for this long, e.g. 10m (memory and redis back ends)',
        duration,
      )
      .option(
        '--kubeconfig <file>',
        'kubeconfig of the cluster whose objects answer label selectors (default: the in-cluster service account in a pod, else none)',
      )
      .addOption(
        new Option(
          '--informer-idle-timeout <duration>',
          'drop the object cache of a resource not queried for this long',
        )
          .argParser(duration)
          .default(15 * 60_000, '15m'),
      )
      .addOption(
        new Option(
          '--metric-queries <bool>',
          'serve the MetricQuery objects of every namespace (needs a cluster and the CRD)',
        )
          .argParser(boolean)
          .default(true, 'true'),
      )
      .option(
        '--metric-query-backends <names>',
        'the back ends MetricQuery objects may use, comma-separated (default: all)',
        (text) =>
          text
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== ''),
      )
      .option('--metric-query-status-writes <n>', 'MetricQuery status writes per second, across all objects', count, 5)
      .addOption(
        new Option(
          '--metric-query-evaluate-interval <duration>',
          'how often each MetricQuery runs for its status value',
        )
          .argParser(positiveDuration)
          .default(30_000, '30s'),
      )
      .addOption(
        new Option(
          '--metric-query-leader-elect <bool>',
          'with several replicas, only the one holding a Lease writes MetricQuery statuses',
        )
          .argParser(boolean)
          .default(true, 'true'),
      )
      .option(
        '--metric-query-lease-name <name>',
        'the Lease of --metric-query-leader-elect',
        'metrics-adapter-metric-queries',
      )
      .option(
        '--metric-query-lease-namespace <namespace>',
        "the Lease's namespace (default: POD_NAMESPACE, else the service account's, else the kubeconfig context's)",
      )
      .addOption(
        new Option('--metric-query-lease-duration <duration>', 'followers take over a Lease not renewed this long')
          .argParser(positiveDuration)
          .default(15_000, '15s'),
      )
      .addOption(
        new Option('--metric-query-renew-deadline <duration>', 'the leader stops writing when not renewed this long')
          .argParser(positiveDuration)
          .default(10_000, '10s'),
      )
      .addOption(
        new Option('--metric-query-retry-period <duration>', 'between attempts to acquire or renew the Lease')
          .argParser(positiveDuration)
          .default(2_000, '2s'),
      );
    addBackendFlags(command, options.backendFactories ?? []);
  }
  return command;
}
