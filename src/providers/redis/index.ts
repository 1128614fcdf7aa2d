/**
 * The Redis back end: the write API of the memory back end, shared by several replicas through one Redis. Each
 * replica answers reads from its own copy (the memory back end's stores, fed from Redis by `replica-sync.ts`), so a
 * read never costs a round trip; a write is acknowledged only after Redis accepted it (`redis-writer.ts`).
 * @module
 */
import type { Redis, RedisOptions } from 'ioredis';
import { serviceUnavailable } from '../../api/errors.js';
import { parseDuration } from '../../duration/index.js';
import type { Backend, BackendFactory } from '../backend.js';
import type { Readiness } from '../health.js';
import type { CustomMetricsProvider, ExternalMetricsProvider } from '../provider.js';
import { configSchema, connectionSettings, flags, type RedisBackendConfig } from './config.js';
import { createKeys } from './layout.js';
import { createRedisWriter } from './redis-writer.js';
import { connected, startReplicaSync } from './replica-sync.js';
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
    const { Redis } = await import('ioredis');
    const blockMs = Math.max(100, Math.min(1000, maxStalenessMs / 4));
    const connect = (name: string, commandTimeout: number): Redis => {
      const options: RedisOptions = {
        ...settings,
        // NB: failoverDetector subscribes to the Sentinels' +switch-master, so a failover is followed at once rather
        // than when the old master's connection times out.
        ...(settings.sentinels !== undefined ? { sentinels: [...settings.sentinels], failoverDetector: true } : {}),
        ...(settings.tls !== undefined ? { tls: { ...settings.tls } } : {}),
        connectionName: `metrics-adapter-${name}`,
        // NB: no offline queue and no retries: a command fails at once while disconnected, so a write answers 503
        // instead of waiting, and a reply lost with the connection is never replayed behind the client's back.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 5000,
        commandTimeout,
        retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      };
      const client = new Redis(options);
      client.on('error', (error: Error) => deps.logger.debug({ err: error, connection: name }, 'redis connection error'));
      return client;
    };
    const writerClient = connect('writer', 5000);
    const keys = createKeys(config.keyPrefix);
    const sync = startReplicaSync({ client: connect('reader', blockMs + 5000), viaSentinel: settings.sentinels !== undefined, keys, mapper: deps.resourceMapper, logger: deps.logger, ttlMs, blockMs, ...(deps.objectLister ? { objects: deps.objectLister } : {}) });
    const writer = createRedisWriter({
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
    const sweeper = ttlMs > 0 ? startSweeper(writerClient, keys, ttlMs, deps.logger) : undefined;

    if (!(await sync.firstSync(startupWaitMs))) {
      deps.logger.warn(`redis is not reachable yet; not ready until the metrics are loaded from it`);
    }
    void warnWithoutPersistence(writerClient, deps.logger);

    const staleness = (): Readiness => {
      const { freshAsOf } = sync.state();
      if (freshAsOf === 0) return { ready: false, message: 'the metrics are not loaded from redis yet' };
      const age = Date.now() - freshAsOf;
      if (age <= maxStalenessMs) return { ready: true };
      return { ready: false, message: `redis is unreachable and the local copy is ${Math.round(age / 1000)}s old (max staleness ${config.maxStaleness})` };
    };
    const checkFresh = (): void => {
      const readiness = staleness();
      if (!readiness.ready) throw serviceUnavailable('the metrics store is unavailable', new Error(readiness.message));
    };
    const custom: CustomMetricsProvider = {
      getMetricByName(name, info, metricSelector) {
        checkFresh();
        return sync.model().custom.getMetricByName(name, info, metricSelector);
      },
      getMetricBySelector(namespace, selector, info, metricSelector, ctx) {
        checkFresh();
        return sync.model().custom.getMetricBySelector(namespace, selector, info, metricSelector, ctx);
      },
      listAllMetrics: () => sync.model().custom.listAllMetrics(),
    };
    const external: ExternalMetricsProvider = {
      getExternalMetric(namespace, metricSelector, info, ctx) {
        checkFresh();
        return sync.model().external.getExternalMetric(namespace, metricSelector, info, ctx);
      },
      listAllExternalMetrics: () => sync.model().external.listAllExternalMetrics(),
    };
    return {
      custom,
      external,
      writer,
      readiness: staleness,
      seriesCount: () => sync.model().seriesCount(),
      async close() {
        sweeper?.stop();
        await sync.close();
        writerClient.disconnect();
      },
    };
  },
};

/** NB: without AOF (or RDB) a Redis restart loses every value; say so once, since managed Redis may forbid CONFIG. */
async function warnWithoutPersistence(client: Redis, logger: { warn(obj: object, msg: string): void }): Promise<void> {
  try {
    await connected(client, 10_000);
    const [, appendonly] = (await client.config('GET', 'appendonly')) as string[];
    if (appendonly === 'no') logger.warn({ appendonly }, 'redis runs without AOF (appendonly no): a Redis restart loses the values written since its last snapshot');
  } catch {
    // CONFIG is often disabled on managed Redis; persistence is then the provider's promise.
  }
}

export default redisBackend;
