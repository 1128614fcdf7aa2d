/**
 * Starts the MetricQuery feature beside a running back end: the informer feeds the registry, the registry
 * compiles each object against the back ends of the moment (again after a config reload), the wrapped back
 * end serves them, and the status loop writes their statuses: with `leaderElection`, only while this replica holds
 * the Lease.
 * @module
 */
import type { KubeClient } from '../kube/kube-client.js';
import { LeaderElector, type LeaderElectorOptions } from '../kube/leader-election.js';
import type { ObjectLister } from '../kube/object-lister.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { Logger } from '../log/index.js';
import type { Backend } from '../providers/backend.js';
import type { BackendLookup } from './compile-metric-query.js';
import { MetricQueryInformer } from './metric-query-informer.js';
import { MetricQueryRegistry } from './metric-query-registry.js';
import { withMetricQueries } from './serve-metric-queries.js';
import { viewOf, type MetricQueryView } from './status-of.js';
import { MetricQueryStatusLoop, type StatusLoopOptions } from './status-loop.js';

export interface MetricQueryFeatureOptions {
  readonly client: KubeClient;
  readonly backend: Backend;
  /** The back end a MetricQuery names. */
  readonly backends: BackendLookup;
  /** Changes identity when the set of back ends does (a config reload); checked every second. */
  readonly backendsVersion?: () => unknown;
  readonly allowedBackends?: readonly string[];
  readonly mapper: ResourceMapper;
  readonly objectLister?: ObjectLister;
  readonly logger: Logger;
  readonly status?: Pick<
    StatusLoopOptions,
    'evaluateEveryMs' | 'writesPerSecond' | 'minValueWriteIntervalMs' | 'activeWindowMs'
  >;
  /**
   * With several replicas: the Lease that picks the one replica writing statuses (every replica serves).
   * Without it this replica always writes.
   */
  readonly leaderElection?: MetricQueryLeaderElection;
}

/** Where the Lease is and its timings; the defaults are client-go's (15 s, 10 s, 2 s). */
export type MetricQueryLeaderElection = Pick<
  LeaderElectorOptions,
  'namespace' | 'name' | 'identity' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'
>;

export interface MetricQueryFeature {
  /** The back end with MetricQuery objects in front. */
  readonly backend: Backend;
  readonly registry: MetricQueryRegistry;
  readonly informer: MetricQueryInformer;
  readonly statusLoop: MetricQueryStatusLoop;
  /** With `leaderElection`. */
  readonly elector: LeaderElector | undefined;
  render(): string;
  /** Every object as the status page shows it: invalid ones first, then by namespace and name. */
  views(): MetricQueryView[];
  /** Stops watching and writing; a leader releases the Lease so another replica takes over at once. */
  close(): Promise<void>;
}

export function startMetricQueries(options: MetricQueryFeatureOptions): MetricQueryFeature {
  const logger = options.logger.child({ component: 'metric-queries' });
  const registry = new MetricQueryRegistry({
    backends: options.backends,
    mapper: options.mapper,
    ...(options.allowedBackends !== undefined ? { allowedBackends: new Set(options.allowedBackends) } : {}),
  });
  const informer = new MetricQueryInformer(
    options.client,
    { upsert: (o) => registry.upsert(o), remove: (o) => registry.remove(o) },
    logger,
  );
  const elector =
    options.leaderElection === undefined
      ? undefined
      : new LeaderElector({ ...options.leaderElection, client: options.client, logger });
  const statusLoop = new MetricQueryStatusLoop({
    registry,
    client: options.client,
    mapper: options.mapper,
    logger,
    ...options.status,
    ...(elector !== undefined ? { isLeader: () => elector.isLeader() } : {}),
  });
  const backend = withMetricQueries(options.backend, {
    registry,
    mapper: options.mapper,
    ...(options.objectLister !== undefined ? { objectLister: options.objectLister } : {}),
  });
  let version = options.backendsVersion?.();
  const reloadCheck = setInterval(() => {
    const next = options.backendsVersion?.();
    if (next === version) return;
    version = next;
    registry.recompileAll();
  }, 1000);
  reloadCheck.unref();
  informer.start();
  statusLoop.start();
  elector?.start();
  logger.info(
    {
      allowedBackends: options.allowedBackends ?? 'all',
      ...(options.leaderElection !== undefined
        ? { lease: `${options.leaderElection.namespace}/${options.leaderElection.name}`, identity: elector!.identity }
        : {}),
    },
    'serving MetricQuery objects',
  );
  return {
    backend,
    registry,
    informer,
    statusLoop,
    elector,
    render: () => statusLoop.render(),
    views() {
      const now = Date.now();
      const stored = elector !== undefined && !elector.isLeader();
      const views = [...registry.all()].map((entry) => viewOf(entry, statusLoop.activeWindowMs, now, stored));
      return views.sort(
        (a, b) => Number(a.valid === 'True') - Number(b.valid === 'True') || a.object.localeCompare(b.object),
      );
    },
    async close() {
      clearInterval(reloadCheck);
      statusLoop.stop();
      informer.stop();
      await elector?.stop();
    },
  };
}
