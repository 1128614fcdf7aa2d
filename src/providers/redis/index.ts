/**
 * The Redis back end: the write API of the memory back end, shared by several replicas through one Redis. Each
 * replica answers reads from its own copy (the memory back end's stores, fed from Redis by `replica-sync.ts`), so a
 * read never costs a round trip; a write is acknowledged only after Redis accepted it (`redis-writer.ts`).
 * @module
 */
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { serviceUnavailable } from '../../api/errors.js';
import type { MemoryModel } from '../memory/memory-model.js';
import { parseDuration } from '../../duration/index.js';
import type { Backend, BackendFactory } from '../backend.js';
import type { Readiness } from '../health.js';
import type { CustomMetricsProvider, ExternalMetricsProvider } from '../provider.js';
import { configSchema, connectionSettings, flags, type RedisBackendConfig } from './config.js';
import { startClusterSync } from './cluster-sync.js';
import { createKeys } from './layout.js';
import { createRedisWriter } from './redis-writer.js';
import { createRedisRemover } from './redis-removals.js';
import { createIngestWindowStore } from './ingest-windows.js';
import { connected, startReplicaSync, type ReplicaSync } from './replica-sync.js';
import { restartWhenEnded } from './restart-when-ended.js';
import { startSweeper } from './sweep.js';

export type { RedisBackendConfig } from './config.js';

/** How long `serve` waits for the first load from Redis before it starts anyway, not ready, and keeps trying. */
const startupWaitMs = 10_000;

const redisBackend: BackendFactory<RedisBackendConfig> = {
  name: 'redis',
  description: 'values written over the write API, shared by several replicas through Redis',
  configSchema,
  flags,
  async create(config, common, deps): Promise<Backend> {
    const ttlMs = common.metricTtlMs ?? (config.metricTTL === undefined ? 0 : parseDuration(config.metricTTL));
    const maxStalenessMs = parseDuration(config.maxStaleness);
    const settings = await connectionSettings(config);
    // NB: imported here, not at the top: the CLI loads every factory for --help (see BackendFlag).
    const { Redis, Cluster } = await import('ioredis');
    const blockMs = Math.max(100, Math.min(1000, maxStalenessMs / 4));
    const nodeOptions = (name: string, commandTimeout: number): RedisOptions => {
      const { cluster: _seeds, sentinels, tls, ...rest } = settings;
      return {
        ...rest,
        // NB: failoverDetector subscribes to the Sentinels' +switch-master, so a failover is followed at once rather
        // than when the old master's connection times out.
        ...(sentinels !== undefined ? { sentinels: [...sentinels], failoverDetector: true } : {}),
        ...(tls !== undefined ? { tls: { ...tls } } : {}),
        connectionName: `metrics-adapter-${name}`,
        // NB: no offline queue and no retries: a command fails at once while disconnected, so a write answers 503
        // instead of waiting, and a reply lost with the connection is never replayed behind the client's back.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 5000,
        commandTimeout,
        retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
        // NB: after a failover a reconnect can land on a node that is (or is being turned into) a replica; its
        // READONLY answers would refuse every write until a restart. A reconnect asks the Sentinels for the master.
        reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
      };
    };
    let closing = false;
    const supervise = (client: Redis | Cluster, name: string): void => {
      client.on('error', (error: Error) =>
        deps.logger.debug({ err: error, connection: name }, 'redis connection error'),
      );
      restartWhenEnded(client, { name, isClosing: () => closing, logger: deps.logger });
    };
    const connect = (name: string, commandTimeout: number): Redis => {
      const client = new Redis(nodeOptions(name, commandTimeout));
      supervise(client, name);
      return client;
    };
    const connectCluster = (name: string, commandTimeout: number): Cluster => {
      const client = new Cluster([...settings.cluster!], {
        redisOptions: nodeOptions(name, commandTimeout),
        enableOfflineQueue: false,
        // NB: ioredis drops a node that stopped answering until a MOVED names it again; a shard that restarts with
        // the same slots never sends one, so its node is reconnected here instead.
        clusterNodeRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
        clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
        slotsRefreshInterval: 2000,
        retryDelayOnClusterDown: 100,
        retryDelayOnFailover: 100,
      });
      supervise(client, name);
      return client;
    };
    const clustered = settings.cluster !== undefined;
    const writerClient = clustered ? connectCluster('writer', 5000) : connect('writer', 5000);
    const keys = createKeys(config.keyPrefix, clustered ? (await import('cluster-key-slot')).default : undefined);
    const syncDeps = {
      keys,
      mapper: deps.resourceMapper,
      logger: deps.logger,
      ttlMs,
      ...(deps.objectLister ? { objects: deps.objectLister } : {}),
    };
    const sync: ReplicaSync = clustered
      ? startClusterSync({
          ...syncDeps,
          client: connectCluster('reader', 5000),
          subscriber: connectCluster('subscriber', 5000),
          pollMs: blockMs,
        })
      : startReplicaSync({
          ...syncDeps,
          client: connect('reader', blockMs + 5000),
          viaSentinel: settings.sentinels !== undefined,
          blockMs,
        });
    const redisWriter = createRedisWriter({
      client: writerClient,
      keys,
      sync,
      logger: deps.logger,
      ttlMs,
      streamMaxLength: config.streamMaxLength,
      streamRetentionMs: parseDuration(config.streamRetention),
      minReplicasToAck: config.minReplicasToAck,
      replicaAckTimeoutMs: parseDuration(config.replicaAckTimeout),
    });
    const removeSeries = createRedisRemover({ client: writerClient, keys, sync, logger: deps.logger });
    // NB: push ingestion finds the window store as an extra property of the writer (src/ingest/shared-windows.ts).
    const writer = Object.assign(
      { ...redisWriter, removeSeries },
      { ingestWindows: createIngestWindowStore(writerClient, keys) },
    );
    const sweeper = ttlMs > 0 ? startSweeper(writerClient, keys, ttlMs, deps.logger) : undefined;

    if (!(await sync.firstSync(startupWaitMs))) {
      deps.logger.warn(`redis is not reachable yet; not ready until the metrics are loaded from it`);
    }
    void warnWithoutPersistence(writerClient, deps.logger);

    /** Why `partition`'s copy may not answer, or undefined when it may. */
    const staleReason = (partition: number): string | undefined => {
      const { freshAsOf } = sync.state(partition);
      if (freshAsOf === 0) return 'the metrics are not loaded from redis yet';
      const age = Date.now() - freshAsOf;
      if (age <= maxStalenessMs) return undefined;
      const where = clustered ? `the redis cluster shard of partition ${partition}` : 'redis';
      return `${where} is unreachable and the local copy is ${Math.round(age / 1000)}s old (max staleness ${config.maxStaleness})`;
    };
    /**
     * NB: in a cluster the replica stays ready while any shard's copy is current: a lost shard makes only its own
     * metrics answer 503, where failing /readyz would take every metric away.
     */
    const readiness = (): Readiness => {
      const reasons = keys.partitions.map((p) => staleReason(p.index));
      const unloaded = reasons.find((reason) => reason === 'the metrics are not loaded from redis yet');
      if (unloaded !== undefined) return { ready: false, message: unloaded };
      if (reasons.some((reason) => reason === undefined)) return { ready: true };
      return { ready: false, message: reasons[0]! };
    };
    /** The model that holds `metric`, once its copy is current enough to answer. */
    const modelFor = (metric: string): MemoryModel => {
      const partition = keys.partitionOf(metric);
      const reason = staleReason(partition);
      if (reason !== undefined) throw serviceUnavailable('the metrics store is unavailable', new Error(reason));
      return sync.model(partition);
    };
    const listCustom = mergedList(() => sync.models().map((model) => model.custom.listAllMetrics()));
    const listExternal = mergedList(() => sync.models().map((model) => model.external.listAllExternalMetrics()));
    const custom: CustomMetricsProvider = {
      getMetricByName: (name, info, metricSelector) =>
        modelFor(info.metric).custom.getMetricByName(name, info, metricSelector),
      getMetricBySelector: (namespace, selector, info, metricSelector, ctx) =>
        modelFor(info.metric).custom.getMetricBySelector(namespace, selector, info, metricSelector, ctx),
      listAllMetrics: listCustom,
    };
    const external: ExternalMetricsProvider = {
      getExternalMetric: (namespace, metricSelector, info, ctx) =>
        modelFor(info.metric).external.getExternalMetric(namespace, metricSelector, info, ctx),
      listAllExternalMetrics: listExternal,
    };
    return {
      custom,
      external,
      writer,
      readiness,
      seriesCount: () =>
        sync.models().reduce(
          (sum, model) => {
            const count = model.seriesCount();
            return { custom: sum.custom + count.custom, external: sum.external + count.external };
          },
          { custom: 0, external: 0 },
        ),
      async close() {
        closing = true;
        sweeper?.stop();
        await sync.close();
        writerClient.disconnect();
      },
    };
  },
};

/**
 * The partitions' lists as one, rebuilt only when a partition's list changed (the stores cache theirs), since
 * discovery asks on every request.
 */
function mergedList<T>(parts: () => readonly (readonly T[])[]): () => readonly T[] {
  let last: readonly (readonly T[])[] = [];
  let merged: readonly T[] = [];
  return () => {
    const now = parts();
    if (now.length === 1) return now[0]!;
    if (now.length !== last.length || now.some((part, i) => part !== last[i])) {
      last = now;
      merged = now.flat();
    }
    return merged;
  };
}

/** NB: without AOF (or RDB) a Redis restart loses every value; say so once, since managed Redis may forbid CONFIG. */
async function warnWithoutPersistence(
  client: Redis | Cluster,
  logger: { warn(obj: object, msg: string): void },
): Promise<void> {
  try {
    await connected(client, 10_000);
    const node = client.isCluster ? (client as Cluster).nodes('master')[0] : (client as Redis);
    if (node === undefined) return;
    const [, appendonly] = (await node.config('GET', 'appendonly')) as string[];
    if (appendonly === 'no')
      logger.warn(
        { appendonly },
        'redis runs without AOF (appendonly no): a Redis restart loses the values written since its last snapshot',
      );
  } catch {
    // CONFIG is often disabled on managed Redis; persistence is then the provider's promise.
  }
}

export default redisBackend;
