/**
 * Keeps this replica's read model (the memory back end's stores) in step with Redis, so reads never wait on Redis.
 *
 * Why a stream plus the hashes, and not keyspace notifications or pub/sub: a Redis Stream is ordered and durable (it
 * is in the AOF), so a replica that reads it with `XREAD BLOCK` from the last ID it applied sees every write exactly in
 * the order Redis accepted them, including the ones made while it was busy, and two replicas converge on the same
 * last value. Pub/sub and keyspace notifications drop whatever is published while a subscriber is disconnected and
 * must be configured on the server (`notify-keyspace-events`), which managed Redis often forbids. Each stream entry
 * is one batch of writes (see `redis-writer.ts`), so a replica applies many writes per entry it reads. The stream is
 * trimmed (`MAXLEN ~`), so it cannot be the source of truth for a replica that starts or comes back: that is the
 * hashes of the compact layout (`layout.ts`). A (re)sync reads the stream's last ID first, then loads the hashes into
 * a fresh model (`load.ts`), then applies the stream from that ID; a write made during the load is then seen twice,
 * in order, which leaves the latest value.
 *
 * While this replica writes, its writer's transactions read the stream too, up to their own entry (`stream-copy.ts`),
 * so the copy is current the moment a batch is stored; the reader then rests instead of waking
 * for every batch, and takes over again within `writerReadRestMs` of the writer's last such read.
 *
 * Staleness: while connected, a write is applied here one XREAD wake-up after Redis accepted it (measured by
 * test/redis/replicas.test.ts: a few milliseconds at the median on loopback, including one read). Each XREAD
 * returns within `blockMs` even with no writes, which proves the copy current; when Redis is unreachable the copy
 * ages from the last such proof, and past `maxStalenessMs` reads answer 503 and /readyz fails. Any error forces a
 * full resync on reconnect, because writes may have been missed or Redis may have lost data.
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { Logger } from '../../log/index.js';
import type { ObjectLister } from '../../kube/object-lister.js';
import { createMemoryModel, type MemoryModel } from '../memory/memory-model.js';
import type { RedisKeys } from './layout.js';
import { loadInto } from './load.js';
import { createStreamCopy, readStreamInto, writerReadRestMs, type StreamCopy } from './stream-copy.js';

export interface ReplicaSyncOptions {
  /** A connection of its own: XREAD BLOCK holds it. */
  readonly client: Redis;
  readonly keys: RedisKeys;
  readonly mapper: ResourceMapper;
  readonly logger: Logger;
  readonly ttlMs: number;
  /** The cluster's objects, answering label selectors instead of written `objectLabels`. */
  readonly objects?: ObjectLister;
  /**
   * Through Sentinels: after an error the connection is dropped and the master looked up again, and a load checks
   * that it reads a master, so a copy never follows a demoted one.
   */
  readonly viaSentinel?: boolean;
  /** How long one XREAD waits for writes, and so how often an idle replica proves its copy current. */
  readonly blockMs?: number;
  readonly now?: () => number;
}

export interface SyncState {
  /** Whether the model reflects Redis now (false between an error and the end of the resync that follows it). */
  readonly connected: boolean;
  /** Epoch ms up to which every write Redis accepted is in the model; 0 before the first sync. */
  readonly freshAsOf: number;
  /** How many times the model was loaded from the hashes: 1 after the first sync, one more per full resync. */
  readonly loads: number;
}

/**
 * A replica's copy of what Redis holds, one read model per partition (see `layout.ts`: one on a single Redis, several
 * in a cluster). `partition` defaults to 0, the only one on a single Redis.
 */
export interface ReplicaSync {
  /** The copy of `partition`, which the writer's own reads of the stream feed too. */
  copy(partition?: number): StreamCopy;
  /** The current read model of `partition`; a resync replaces it. */
  model(partition?: number): MemoryModel;
  /** Every partition's current model, in partition order. */
  models(): readonly MemoryModel[];
  state(partition?: number): SyncState;
  /**
   * Resolves true once the write with stream ID `id` of `partition`'s stream is in its model, false after `timeoutMs`.
   */
  waitFor(id: string, timeoutMs: number, partition?: number): Promise<boolean>;
  /** Resolves true after the first successful sync, false after `timeoutMs`. */
  firstSync(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function startReplicaSync(options: ReplicaSyncOptions): ReplicaSync {
  const { client, keys, logger } = options;
  const blockMs = options.blockMs ?? 1000;
  const now = options.now ?? Date.now;
  const { stream } = keys.partitions[0]!;
  const createModel = (): MemoryModel =>
    createMemoryModel({
      mapper: options.mapper,
      logger,
      ttlMs: options.ttlMs,
      ...(options.objects ? { objects: options.objects } : {}),
    });
  const copy = createStreamCopy(createModel(), logger);
  let everSynced = false;
  let readAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  const firstSyncListeners: (() => void)[] = [];

  async function resync(): Promise<void> {
    const started = now();
    await connected(client, blockMs + 5000);
    if (options.viaSentinel === true) {
      const [role] = (await client.call('ROLE')) as [string];
      if (role !== 'master') throw new Error(`the redis the Sentinels named is a ${role} now`);
    }
    const tail = (await client.xrevrange(stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const startId = tail[0]?.[0] ?? '0-0';
    const fresh = createModel();
    const oldestMs = options.ttlMs > 0 ? started - options.ttlMs : Number.NEGATIVE_INFINITY;
    const { series, migrated } = await loadInto(client, keys, fresh, { logger, oldestMs });
    copy.install(fresh, startId, started);
    // NB: the server's address tells an operator which Redis a copy came from, as after a Sentinel failover.
    const server = `${client.stream?.remoteAddress}:${client.stream?.remotePort}`;
    logger.info(
      { series, streamId: startId, server, ...(migrated > 0 ? { migratedKeys: migrated } : {}) },
      'loaded the metrics from redis',
    );
  }

  async function readStream(): Promise<void> {
    readAt = now();
    const { outcome, from } = await readStreamInto(copy, client, stream, blockMs, now);
    if (outcome === 'gap')
      logger.warn(
        { lastId: from },
        'the redis write stream no longer holds what this copy missed (trimmed, deleted or replaced); reloading',
      );
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!closed) {
      try {
        if (!copy.synced) {
          await resync();
          if (!everSynced) {
            everSynced = true;
            for (const listener of firstSyncListeners.splice(0)) listener();
          }
        }
        // NB: a rest lasts at most blockMs, as a blocking XREAD does, so the connection never sits idle long enough
        // for a proxy's idle timeout to cut it (which would force a reload).
        if (copy.writerKeepsUp(now()) && now() - readAt < blockMs) {
          await sleep(writerReadRestMs);
          continue;
        }
        await readStream();
        failures = 0;
      } catch (error) {
        if (closed) break;
        copy.lost();
        // NB: ioredis asks the Sentinels again only when it reconnects; a connection that survived a failover (a
        // demoted master that came back) would keep this copy on the old master. Only a ready connection is cut: a
        // disconnect while the client asks the Sentinels ends it for good.
        if (options.viaSentinel === true && client.status === 'ready') client.disconnect(true);
        failures++;
        // NB: one line per outage, then one a minute, so a long outage does not flood the log.
        if (failures === 1 || failures % 60 === 0)
          logger.warn(
            { err: error, failures, status: client.status },
            'redis is unreachable; serving the local copy and retrying',
          );
        await sleep(Math.min(50 * 2 ** failures, 1000));
      }
    }
  }

  // NB: a lost connection may mean a Redis that restarted and lost writes. While the reader blocks in XREAD that
  // shows as its error; while it rests beside a busy writer it has no command out, so the close itself forces the
  // reload.
  client.on('close', () => {
    if (!closed) copy.lost();
  });
  const running = run();

  return {
    copy: () => copy,
    model: () => copy.model,
    models: () => [copy.model],
    state: () => ({ connected: copy.synced, freshAsOf: copy.freshAsOf, loads: copy.loads }),
    waitFor: (id, timeoutMs) => copy.waitFor(id, timeoutMs),
    firstSync(timeoutMs) {
      if (everSynced) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        firstSyncListeners.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    async close() {
      closed = true;
      client.disconnect();
      await running;
      copy.close();
    },
  };
}

/**
 * Resolves once `client` is connected (at once if it is), or rejects after `timeoutMs`. NB: with the offline queue
 * off, a command sent while ioredis is still connecting fails at once; waiting here first keeps a replica that starts
 * next to a healthy Redis from logging that Redis is unreachable.
 */
export function connected(client: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = (): void => done();
    const onEnd = (): void => done(new Error('the redis connection was closed'));
    const timer = setTimeout(() => done(new Error(`redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
