/**
 * Writes to Redis, acknowledged only once Redis has accepted them. Writes that arrive while a transaction is on its
 * way join the next one (group commit): each batch is one MULTI/EXEC holding every value's hash field, its object's
 * labels and one stream entry for the whole batch, so a replica never sees one without the others and many series
 * cost one round trip. Every write of the batch is answered when EXEC is (and, with `minReplicasToAck`, when WAIT
 * says enough replicas have it): a 2xx still means this write is in Redis.
 * Each write then waits until this replica's own copy has applied its batch from the stream, so a read right after a
 * 2xx through the same replica sees the value, in the order Redis accepted the writes.
 * @module
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { serviceUnavailable } from '../../api/errors.js';
import type { Logger } from '../../log/index.js';
import type { CustomMetricWrite, ExternalMetricWrite, MetricsWriter, WriteBatch } from '../write.js';
import { customScope, externalScope, levelFor, neighbourLevels, objectScope, packCustomRest, packLabels, packValue, type HashKind, type RedisKeys } from './layout.js';
import { batchField, encodeBatch, type DecodedWrite } from './records.js';
import type { ReplicaSync } from './replica-sync.js';

export interface RedisWriterOptions {
  /** Fails fast while disconnected (no offline queue), so a write is never held and never falsely acknowledged. */
  readonly client: Redis;
  readonly keys: RedisKeys;
  readonly sync: ReplicaSync;
  readonly logger: Logger;
  readonly ttlMs: number;
  readonly streamMaxLength: number;
  /** How long the stream keeps a batch, by Redis's clock (the IDs it gives). */
  readonly streamRetentionMs: number;
  /** How long a write waits for this replica's copy before applying itself directly. */
  readonly applyTimeoutMs?: number;
  /** Acknowledge only once WAIT says this many Redis replicas have the batch; 0 does not wait. */
  readonly minReplicasToAck?: number;
  readonly replicaAckTimeoutMs?: number;
}

export interface RedisWriter extends MetricsWriter {
  /**
   * Writes every value in one transaction (with whatever else is waiting), in order; resolves once all are stored.
   * A batch method of the writer contract maps onto this in one line.
   */
  writeMany(writes: readonly DecodedWrite[]): Promise<void>;
}

interface Pending {
  readonly writes: readonly DecodedWrite[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Writes per transaction at most: bounds one EXEC's time in Redis, which blocks every other client meanwhile. */
const maxBatchWrites = 1000;

export function createRedisWriter(options: RedisWriterOptions): RedisWriter {
  const { client, keys, sync, ttlMs, logger } = options;
  const minReplicas = options.minReplicasToAck ?? 0;
  const queue: Pending[] = [];
  let flushing = false;
  /** Redis's clock minus this host's, from the last stream ID Redis gave, so trimming never trusts this host's clock. */
  let clockOffsetMs: number | undefined;
  let batches = 0;

  function submit(writes: readonly DecodedWrite[]): Promise<void> {
    return new Promise((resolve, reject) => {
      queue.push({ writes, resolve, reject });
      if (!flushing) {
        flushing = true;
        // NB: setImmediate, not a microtask: requests parsed in the same turn of the event loop join this batch.
        setImmediate(flush);
      }
    });
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch: Pending[] = [];
      const writes: DecodedWrite[] = [];
      while (queue.length > 0 && (batch.length === 0 || writes.length + queue[0]!.writes.length <= maxBatchWrites)) {
        const next = queue.shift()!;
        batch.push(next);
        writes.push(...next.writes);
      }
      let id: string;
      try {
        id = await commit(writes);
      } catch (error) {
        // NB: the reply may have been lost after Redis applied the batch; a 503 for a stored value is safe (the client
        // retries an idempotent write), a 2xx for a lost one is not.
        const refused = serviceUnavailable('cannot store the value: the metrics store is unavailable', error);
        for (const pending of batch) pending.reject(refused);
        continue;
      }
      // NB: not awaited, so the next batch goes to Redis while this one reaches the copy.
      void settle(batch, writes, id);
    }
    flushing = false;
  }

  async function commit(writes: readonly DecodedWrite[]): Promise<string> {
    const tx = client.multi();
    const expiring = new Set<string>();
    for (const decoded of writes) {
      if (decoded.kind === 'custom') addCustom(tx, decoded.write, expiring);
      else addExternal(tx, decoded.write, expiring);
    }
    if (ttlMs > 0) for (const key of expiring) tx.pexpire(key, ttlMs);
    const payload = encodeBatch(writes);
    if (clockOffsetMs !== undefined) tx.xadd(keys.stream, 'MINID', '~', Date.now() + clockOffsetMs - options.streamRetentionMs, '*', batchField, payload);
    else tx.xadd(keys.stream, '*', batchField, payload);
    // NB: XADD takes one trimming rule; the length cap is applied every few batches, which is all it needs.
    const capped = ++batches % 64 === 1;
    if (capped) tx.xtrim(keys.stream, 'MAXLEN', '~', options.streamMaxLength);
    const executed = tx.exec();
    // NB: queued right behind EXEC on the same connection, so it waits for exactly this batch (Redis WAIT semantics).
    const acknowledged = minReplicas > 0 ? client.wait(minReplicas, options.replicaAckTimeoutMs ?? 1000) : undefined;
    // NB: when EXEC fails, WAIT fails too and nobody awaits it: without this the rejection would end the process.
    acknowledged?.catch(() => undefined);
    const results = await executed;
    if (results === null) throw new Error('the transaction was discarded');
    for (const [error] of results) if (error) throw error;
    if (acknowledged !== undefined) {
      const replicas = await acknowledged;
      if (replicas < minReplicas) throw new Error(`only ${replicas} of ${minReplicas} Redis replicas acknowledged the write in time`);
    }
    const id = results[results.length - (capped ? 2 : 1)]![1] as string;
    clockOffsetMs = Number(id.slice(0, id.indexOf('-'))) - Date.now();
    return id;
  }

  /** HSET at the scope's level, HDEL of the copies a level change may have left, PEXPIRE once per key. */
  function put(tx: ChainableCommander, kind: HashKind, scope: string, level: number, field: string, value: string, expiring: Set<string>): void {
    const key = keys.bucket(kind, scope, field, level);
    tx.hset(key, field, value);
    for (const other of neighbourLevels(field, level)) tx.hdel(keys.bucket(kind, scope, field, other), field);
    if (ttlMs > 0) expiring.add(key);
  }

  function addCustom(tx: ChainableCommander, write: CustomMetricWrite, expiring: Set<string>): void {
    const { info, name } = write;
    const { group, resource } = info.groupResource;
    const sizes = sync.model().custom.scopeSizes(name.namespace, info.groupResource, info.metric);
    const scope = customScope(name.namespace, group, resource, info.metric);
    put(tx, 'custom', scope, levelFor(sizes.series), name.name, packValue(write.timestamp, packCustomRest(write.value.toString(), write.metricLabels)), expiring);
    const objects = objectScope(name.namespace, group, resource);
    const objectLevel = levelFor(sizes.objects);
    if (write.objectLabels !== undefined) {
      put(tx, 'object', objects, objectLevel, name.name, packValue(write.timestamp, packLabels(write.objectLabels)), expiring);
    } else if (ttlMs > 0) {
      // NB: the object's labels live as long as its newest series; PEXPIRE of a missing key does nothing.
      expiring.add(keys.bucket('object', objects, name.name, objectLevel));
      for (const other of neighbourLevels(name.name, objectLevel)) expiring.add(keys.bucket('object', objects, name.name, other));
    }
  }

  function addExternal(tx: ChainableCommander, write: ExternalMetricWrite, expiring: Set<string>): void {
    const level = levelFor(sync.model().external.seriesIn(write.namespace, write.metric));
    put(tx, 'external', externalScope(write.namespace, write.metric), level, packLabels(write.labels), packValue(write.timestamp, write.value.toString()), expiring);
  }

  async function settle(batch: readonly Pending[], writes: readonly DecodedWrite[], id: string): Promise<void> {
    if (!(await sync.waitFor(id, options.applyTimeoutMs ?? 1000))) {
      // NB: the stream reader is stuck (often: just reconnecting). Serve the writes here now, and resync so the order
      // Redis chose wins again.
      logger.debug({ id }, 'applied a write before the stream delivered it; resyncing');
      const model = sync.model();
      for (const decoded of writes) {
        if (decoded.kind === 'custom') model.writeCustom(decoded.write);
        else model.writeExternal(decoded.write);
      }
      sync.requestResync();
    }
    for (const pending of batch) pending.resolve();
  }

  return {
    writeCustomMetric: (write: CustomMetricWrite) => submit([{ kind: 'custom', write }]),
    writeExternalMetric: (write: ExternalMetricWrite) => submit([{ kind: 'external', write }]),
    writeBatch: (batch: WriteBatch) => {
      const writes: DecodedWrite[] = [
        ...batch.custom.map((write) => ({ kind: 'custom' as const, write })),
        ...batch.external.map((write) => ({ kind: 'external' as const, write })),
      ];
      return writes.length === 0 ? Promise.resolve() : submit(writes);
    },
    writeMany: (writes) => (writes.length === 0 ? Promise.resolve() : submit(writes)),
  };
}
