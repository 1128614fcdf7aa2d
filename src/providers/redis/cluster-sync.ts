/**
 * A replica's copy of a Redis Cluster: one read model per partition (`layout.ts`), each fed from its own stream, so
 * a shard that is down stales only the metrics of its partitions while the others stay current.
 *
 * Why a stream per partition plus a PUBLISH, and not per-shard keyspace notifications: the stream is what makes a
 * replica's copy exact (ordered, durable, replayed from the last ID after a break, as on one Redis: see
 * `replica-sync.ts`), and a blocking XREAD cannot wait on streams in different slots, so the replica needs a wake-up.
 * Keyspace notifications would need `notify-keyspace-events` on every node (managed clusters often forbid CONFIG)
 * and one subscription per shard, followed through resharding and failover. A classic PUBLISH in a cluster is
 * broadcast to every node, so one subscriber connection to any node hears every partition, whichever shard holds it.
 * The writer publishes the partition's index inside the same MULTI as the stream entry, so the wake-up is sent only
 * for a committed batch. A lost wake-up (the subscriber reconnecting) costs only latency: every partition is also
 * polled every `pollMs`, which is what proves a partition's copy current.
 *
 * A partition's (re)load scans the master that holds its slot (`CLUSTER SLOTS` as ioredis last saw it), so it works
 * shard by shard: a shard that comes back is reloaded without touching the others.
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { ObjectLister } from '../../kube/object-lister.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { Logger } from '../../log/index.js';
import { createMemoryModel, type MemoryModel } from '../memory/memory-model.js';
import type { RedisKeys } from './layout.js';
import { loadInto } from './load.js';
import { createStreamCopy, readStreamInto, writerReadRestMs, type StreamCopy } from './stream-copy.js';
import type { ReplicaSync, SyncState } from './replica-sync.js';

export interface ClusterSyncOptions {
  /** Reads the streams (routed by slot); fails fast while a shard is unreachable. */
  readonly client: Cluster;
  /** A connection of its own for SUBSCRIBE (a subscribed connection takes no other command). */
  readonly subscriber: Cluster;
  readonly keys: RedisKeys;
  readonly mapper: ResourceMapper;
  readonly logger: Logger;
  readonly ttlMs: number;
  readonly objects?: ObjectLister;
  /** How often every partition is read even without a wake-up, and so how often an idle copy proves itself current. */
  readonly pollMs: number;
  readonly now?: () => number;
}

interface PartitionState {
  readonly copy: StreamCopy;
  everSynced: boolean;
  busy: boolean;
  again: boolean;
  /** A read put off while the writer's reads keep the copy current. */
  deferred: boolean;
  /** When this partition's stream was last read here (epoch ms). */
  readAt: number;
  failures: number;
}

export function startClusterSync(options: ClusterSyncOptions): ReplicaSync {
  const { client, subscriber, keys, logger } = options;
  const now = options.now ?? Date.now;
  const createModel = (): MemoryModel =>
    createMemoryModel({
      mapper: options.mapper,
      logger,
      ttlMs: options.ttlMs,
      ...(options.objects ? { objects: options.objects } : {}),
    });
  const states: PartitionState[] = keys.partitions.map(() => ({
    copy: createStreamCopy(createModel(), logger),
    everSynced: false,
    busy: false,
    again: false,
    deferred: false,
    readAt: Number.NEGATIVE_INFINITY,
    failures: 0,
  }));
  let closed = false;
  let loadedSeries = 0;
  const firstSyncListeners: (() => void)[] = [];

  /** The master that holds `slot`, as ioredis last saw the cluster. */
  const masterFor = (slot: number): Redis => {
    const key = client.slots[slot]?.[0];
    const node =
      key === undefined ? undefined : client.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === key);
    if (node === undefined) throw new Error(`no reachable master holds slot ${slot}`);
    return node;
  };

  async function resync(index: number, state: PartitionState): Promise<void> {
    const started = now();
    const partition = keys.partitions[index]!;
    const node = masterFor(partition.slot);
    const tail = (await node.xrevrange(partition.stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const fresh = createModel();
    const oldestMs = options.ttlMs > 0 ? started - options.ttlMs : Number.NEGATIVE_INFINITY;
    const { series } = await loadInto(node, keys, (p) => (p === index ? fresh : undefined), {
      logger,
      oldestMs,
      pattern: `${partition.keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
    });
    state.copy.install(fresh, tail[0]?.[0] ?? '0-0', started);
    if (state.everSynced)
      logger.info(
        { partition: index, series, streamId: state.copy.lastId },
        'reloaded a partition of the metrics from the redis cluster',
      );
    if (!state.everSynced) {
      state.everSynced = true;
      loadedSeries += series;
      if (states.every((s) => s.everSynced)) {
        logger.info({ series: loadedSeries, partitions: states.length }, 'loaded the metrics from the redis cluster');
        for (const listener of firstSyncListeners.splice(0)) listener();
      }
    }
  }

  /** Applies what `index`'s stream holds past the last entry applied; returns whether more may be waiting. */
  async function read(index: number, state: PartitionState): Promise<boolean> {
    const { stream } = keys.partitions[index]!;
    state.readAt = now();
    const { outcome, from } = await readStreamInto(state.copy, client, stream, undefined, now);
    if (outcome === 'gap')
      logger.warn(
        { partition: index, lastId: from },
        'a redis write stream no longer holds what this copy missed (trimmed, deleted or replaced); reloading its partition',
      );
    return outcome === 'gap' || outcome === 'more';
  }

  /**
   * NB: while the writer's reads keep a partition current, its wake-ups (this replica's own PUBLISH among them) are
   * put off to one read once they stop, so other replicas' last writes are not left to the next poll.
   */
  const defer = (index: number, state: PartitionState): void => {
    if (state.deferred) return;
    state.deferred = true;
    setTimeout(() => {
      state.deferred = false;
      void pump(index);
    }, writerReadRestMs).unref();
  };

  /** Brings one partition up to date; a call while it runs makes it run once more, so no wake-up is lost. */
  async function pump(index: number): Promise<void> {
    const state = states[index]!;
    if (state.busy) {
      state.again = true;
      return;
    }
    state.busy = true;
    try {
      do {
        state.again = false;
        if (closed || client.status !== 'ready') break;
        try {
          if (!state.copy.synced) await resync(index, state);
          // NB: still read once per pollMs, so the connection never sits idle long enough for a proxy to cut it.
          if (state.copy.writerKeepsUp(now()) && now() - state.readAt < options.pollMs) {
            defer(index, state);
            break;
          }
          if (await read(index, state)) state.again = true;
          state.failures = 0;
        } catch (error) {
          if (closed) break;
          state.copy.lost();
          state.failures++;
          // NB: one line per outage of a partition, then one a minute, so a long outage does not flood the log.
          if (state.failures === 1 || state.failures % Math.max(1, Math.round(60_000 / options.pollMs)) === 0) {
            logger.warn(
              { err: error, partition: index, failures: state.failures },
              'a redis cluster shard is unreachable; serving the local copy of its metrics and retrying',
            );
          }
          break;
        }
      } while (state.again);
    } finally {
      state.busy = false;
    }
  }

  const pumpAll = (): void => {
    for (let i = 0; i < states.length; i++) void pump(i);
  };
  subscriber.on('message', (channel: string, message: string) => {
    const index = Number(message);
    if (channel === keys.channel && Number.isInteger(index) && index >= 0 && index < states.length) void pump(index);
  });
  // NB: with the offline queue off, SUBSCRIBE fails until the cluster is ready; ioredis subscribes again by itself
  // after a reconnect, and a partition may have missed wake-ups meanwhile, hence the pump.
  let subscribed = false;
  const subscribe = (): void => {
    pumpAll();
    if (subscribed) return;
    subscriber.subscribe(keys.channel).then(
      () => (subscribed = true),
      (error: unknown) => logger.debug({ err: error }, 'redis cluster subscribe failed; polling meanwhile'),
    );
  };
  if (subscriber.status === 'ready') subscribe();
  subscriber.on('ready', subscribe);
  client.on('ready', pumpAll);
  const timer = setInterval(pumpAll, options.pollMs);
  timer.unref();
  pumpAll();

  return {
    copy: (partition = 0) => states[partition]!.copy,
    model: (partition = 0) => states[partition]!.copy.model,
    models: () => states.map((state) => state.copy.model),
    state(partition?: number): SyncState {
      const of = ({ copy }: PartitionState): SyncState => ({
        connected: copy.synced,
        freshAsOf: copy.freshAsOf,
        loads: copy.loads,
      });
      if (partition !== undefined) return of(states[partition]!);
      return {
        connected: states.every((s) => s.copy.synced),
        freshAsOf: Math.min(...states.map((s) => s.copy.freshAsOf)),
        loads: states.reduce((sum, s) => sum + s.copy.loads, 0),
      };
    },
    waitFor: (id, timeoutMs, partition = 0) => states[partition]!.copy.waitFor(id, timeoutMs),
    firstSync(timeoutMs) {
      if (states.every((s) => s.everSynced)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timeout = setTimeout(() => resolve(false), timeoutMs);
        firstSyncListeners.push(() => {
          clearTimeout(timeout);
          resolve(true);
        });
      });
    },
    async close() {
      closed = true;
      clearInterval(timer);
      subscriber.disconnect();
      client.disconnect();
      for (const state of states) state.copy.close();
    },
  };
}
