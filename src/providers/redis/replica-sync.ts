/**
 * Keeps this replica's read model (the memory back end's stores) in step with Redis, so reads never wait on Redis.
 *
 * Why a stream plus one key per series, and not keyspace notifications or pub/sub: a Redis Stream is ordered and
 * durable (it is in the AOF), so a replica that reads it with `XREAD BLOCK` from the last ID it applied sees every
 * write exactly in the order Redis accepted them, including the ones made while it was busy, and two replicas
 * converge on the same last value. Pub/sub and keyspace notifications drop whatever is published while a subscriber
 * is disconnected and must be configured on the server (`notify-keyspace-events`), which managed Redis often
 * forbids. The stream is trimmed (`MAXLEN ~`), so it cannot be the source of truth for a replica that starts or
 * comes back: that is the series keys, which also carry the metric TTL as key expiry. A (re)sync reads the stream's
 * last ID first, then SCANs the keys into a fresh model, then applies the stream from that ID; a write made during
 * the scan is then seen twice, in order, which leaves the latest value.
 *
 * Staleness: while connected, a write is applied here one XREAD wake-up after Redis accepted it (measured by
 * test/redis/replicas.test.ts: a few milliseconds at the median on loopback, including one read). Each XREAD
 * returns within `blockMs` even with no writes, which proves the copy current; when Redis is unreachable the copy
 * ages from the last such proof, and past `maxStalenessMs` reads answer 503 and /readyz fails. Any error forces a
 * full resync on reconnect, because writes may have been missed or Redis may have lost data.
 * @module
 */
import type { Redis } from 'ioredis';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { Logger } from '../../log/index.js';
import type { Labels } from '../../api/types.js';
import type { ObjectLister } from '../../kube/object-lister.js';
import { createMemoryModel, type MemoryModel } from '../memory/memory-model.js';
import { compareStreamIds, decodeLabels, decodeRecord, type DecodedWrite, type RedisKeys } from './records.js';

export interface ReplicaSyncOptions {
  /** A connection of its own: XREAD BLOCK holds it. */
  readonly client: Redis;
  readonly keys: RedisKeys;
  readonly mapper: ResourceMapper;
  readonly logger: Logger;
  readonly ttlMs: number;
  /** The cluster's objects, answering label selectors instead of written `objectLabels`. */
  readonly objects?: ObjectLister;
  /** How long one XREAD waits for writes, and so how often an idle replica proves its copy current. */
  readonly blockMs?: number;
  readonly now?: () => number;
}

export interface SyncState {
  /** Whether the model reflects Redis now (false between an error and the end of the resync that follows it). */
  readonly connected: boolean;
  /** Epoch ms up to which every write Redis accepted is in the model; 0 before the first sync. */
  readonly freshAsOf: number;
}

export interface ReplicaSync {
  /** The current read model; a resync replaces it. */
  model(): MemoryModel;
  state(): SyncState;
  /** Resolves true once the write with stream ID `id` is in the model, false after `timeoutMs`. */
  waitFor(id: string, timeoutMs: number): Promise<boolean>;
  /** Makes the next loop turn a full resync (used when a write had to be applied out of order). */
  requestResync(): void;
  /** Resolves true after the first successful sync, false after `timeoutMs`. */
  firstSync(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

const batchSize = 1000;
const mgetBatch = 500;

export function startReplicaSync(options: ReplicaSyncOptions): ReplicaSync {
  const { client, keys, logger } = options;
  const blockMs = options.blockMs ?? 1000;
  const now = options.now ?? Date.now;
  let current = createMemoryModel({ mapper: options.mapper, logger, ttlMs: options.ttlMs, ...(options.objects ? { objects: options.objects } : {}) });
  let lastId = '0-0';
  let synced = false;
  let everSynced = false;
  let freshAsOf = 0;
  let closed = false;
  let waiters: { id: string; resolve: (ok: boolean) => void }[] = [];
  const firstSyncListeners: (() => void)[] = [];

  const apply = (model: MemoryModel, decoded: DecodedWrite): void => {
    if (decoded.kind === 'custom') model.writeCustom(decoded.write);
    else model.writeExternal(decoded.write);
  };

  const releaseWaiters = (): void => {
    if (waiters.length === 0) return;
    const pending: typeof waiters = [];
    for (const waiter of waiters) {
      if (compareStreamIds(waiter.id, lastId) <= 0) waiter.resolve(true);
      else pending.push(waiter);
    }
    waiters = pending;
  };

  async function resync(): Promise<void> {
    const started = now();
    const tail = (await client.xrevrange(keys.stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const startId = tail[0]?.[0] ?? '0-0';
    const byKind = { custom: [] as string[], object: [] as string[], external: [] as string[] };
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', keys.pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of found) {
        const kind = keys.kindOf(key);
        if (kind !== undefined) byKind[kind].push(key);
      }
    } while (cursor !== '0');
    const objects = new Map<string, Labels>();
    await eachValue(byKind.object, (key, json) => objects.set(key, decodeLabels(json)));
    const fresh = createMemoryModel({ mapper: options.mapper, logger, ttlMs: options.ttlMs, ...(options.objects ? { objects: options.objects } : {}) });
    let series = 0;
    await eachValue([...byKind.custom, ...byKind.external], (_key, json) => {
      const decoded = decodeRecord(json);
      if (decoded.kind === 'custom') {
        fresh.writeCustom({ ...decoded.write, objectLabels: objects.get(keys.object(decoded.write)) });
      } else {
        fresh.writeExternal(decoded.write);
      }
      series++;
    });
    current.close();
    current = fresh;
    lastId = startId;
    synced = true;
    freshAsOf = started;
    logger.info({ series, streamId: startId }, 'loaded the metrics from redis');
  }

  async function eachValue(all: readonly string[], use: (key: string, json: string) => void): Promise<void> {
    for (let i = 0; i < all.length; i += mgetBatch) {
      const batch = all.slice(i, i + mgetBatch);
      const values = await client.mget(...batch);
      values.forEach((json, j) => {
        if (json === null) return; // NB: expired between SCAN and MGET.
        try {
          use(batch[j]!, json);
        } catch (error) {
          logger.warn({ key: batch[j], err: error }, 'skipped a redis key this version cannot read');
        }
      });
    }
  }

  async function readStream(): Promise<void> {
    // NB: XRANGE runs before XREAD blocks, in one round trip. If the stream's first entry is past the last one
    // applied, MAXLEN trimmed entries this replica never saw: only a resync can recover them.
    const replies = await client
      .pipeline()
      .xrange(keys.stream, '-', '+', 'COUNT', 1)
      .xread('COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', keys.stream, lastId)
      .exec();
    if (replies === null) throw new Error('redis pipeline was discarded');
    for (const [error] of replies) if (error) throw error;
    const first = (replies[0]![1] as [string, string[]][])[0]?.[0];
    if (first !== undefined && lastId !== '0-0' && compareStreamIds(first, lastId) > 0) {
      logger.warn({ lastId, first }, 'fell behind the redis write stream; resyncing');
      synced = false;
      return;
    }
    const streams = replies[1]![1] as [string, [string, string[]][]][] | null;
    const entries = streams?.[0]?.[1] ?? [];
    for (const [id, fields] of entries) {
      lastId = id;
      const json = fields[1];
      if (json === undefined) continue;
      try {
        apply(current, decodeRecord(json));
      } catch (error) {
        logger.warn({ id, err: error }, 'skipped a redis write this version cannot read');
      }
    }
    if (entries.length < batchSize) freshAsOf = now();
    releaseWaiters();
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!closed) {
      try {
        if (!synced) {
          await resync();
          if (!everSynced) {
            everSynced = true;
            for (const listener of firstSyncListeners.splice(0)) listener();
          }
          releaseWaiters();
        }
        await readStream();
        failures = 0;
      } catch (error) {
        if (closed) break;
        synced = false;
        failures++;
        // NB: one line per outage, then one a minute, so a long outage does not flood the log.
        if (failures === 1 || failures % 60 === 0) logger.warn({ err: error, failures }, 'redis is unreachable; serving the local copy and retrying');
        await sleep(Math.min(50 * 2 ** failures, 1000));
      }
    }
  }

  const running = run();

  return {
    model: () => current,
    state: () => ({ connected: synced, freshAsOf }),
    waitFor(id, timeoutMs) {
      if (compareStreamIds(id, lastId) <= 0 && synced) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w.resolve !== done);
          resolve(false);
        }, timeoutMs);
        const done = (ok: boolean): void => {
          clearTimeout(timer);
          resolve(ok);
        };
        waiters.push({ id, resolve: done });
      });
    },
    requestResync() {
      synced = false;
    },
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
      for (const waiter of waiters) waiter.resolve(false);
      waiters = [];
      current.close();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
