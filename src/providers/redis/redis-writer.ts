/**
 * Writes to Redis, acknowledged only once Redis has accepted them. Writes that arrive while a batch is on its way join
 * the next one (group commit): each batch is one script run ({@link commitScript}, atomic as a transaction) holding
 * every value's hash field, its object's labels and one stream entry for the whole batch, so a replica never sees one
 * without the others and many series cost one round trip. Every write of the batch is answered when the script is
 * (and, with `minReplicasToAck`, when WAIT says enough replicas have it): a 2xx still means this write is in Redis.
 * The script also reads the stream from where this replica's copy stands up to the batch's own entry, and the
 * copy applies that and the batch before the writes are answered (`stream-copy.ts`), so a read right after a 2xx
 * through the same replica sees the value, in the order Redis accepted the writes.
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import { serviceUnavailable } from '../../api/errors.js';
import type { Logger } from '../../log/index.js';
import type { CustomMetricWrite, ExternalMetricWrite, MetricsWriter, WriteBatch } from '../write.js';
import {
  customScope,
  externalScope,
  levelFor,
  neighbourLevels,
  objectScope,
  packCustomRest,
  packLabels,
  packValue,
  type HashKind,
  type RedisKeys,
} from './layout.js';
import { encodeBatch, type DecodedWrite } from './records.js';
import type { ReplicaSync } from './replica-sync.js';
import { commitArguments, commitReplyOf, commitScript, commitScriptSha, isNoScript } from './commit-script.js';
import { streamReadCount } from './stream-copy.js';

export interface RedisWriterOptions {
  /**
   * Fails fast while disconnected (no offline queue), so a write is never held and never falsely acknowledged. A
   * Cluster client sends each partition's batch to the shard that holds its slot.
   */
  readonly client: Redis | Cluster;
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
   * Writes every value in one batch (with whatever else is waiting), in order; resolves once all are stored.
   * A batch method of the writer contract maps onto this in one line.
   */
  writeMany(writes: readonly DecodedWrite[]): Promise<void>;
}

interface Pending {
  readonly writes: readonly DecodedWrite[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A partition's share of a batch, stored in Redis as the stream entry `id`. */
interface Committed {
  readonly partition: number;
  readonly writes: readonly DecodedWrite[];
  readonly id: string;
}

/** A batch's changes to the hashes, one command per hash. */
interface Changes {
  /** Hash key to its fields and their values: a later write of a field replaces an earlier one's, as in Redis. */
  readonly sets: Map<string, Map<string, string>>;
  readonly deletes: Map<string, Set<string>>;
  readonly expiring: Set<string>;
}

/** Writes per batch at most: bounds one script's time in Redis, which blocks every other client meanwhile. */
const maxBatchWrites = 1000;

/** Turns of the event loop a batch waits for more writes at most: bounds what gathering adds to a write's latency. */
const maxGatherTurns = 3;

export function createRedisWriter(options: RedisWriterOptions): RedisWriter {
  const { client, keys, sync, ttlMs, logger } = options;
  const minReplicas = options.minReplicasToAck ?? 0;
  const queue: Pending[] = [];
  let flushing = false;
  /**
   * Per partition: Redis's clock minus this host's, from the last stream ID Redis gave, so trimming never trusts this
   * host's clock (in a cluster each shard has its own clock).
   */
  const clockOffsetMs: (number | undefined)[] = [];
  const batches: number[] = [];
  const announce = keys.partitions.length > 1;

  function submit(writes: readonly DecodedWrite[]): Promise<void> {
    return new Promise((resolve, reject) => {
      queue.push({ writes, resolve, reject });
      if (!flushing) {
        flushing = true;
        void flush();
      }
    });
  }

  /**
   * Waits for the end of this turn of the event loop, so that requests parsed in it join the batch, then for one
   * more turn at a time while turns keep bringing writes (at most {@link maxGatherTurns}). NB: under load the answers
   * of one batch bring their clients' next writes over the next few turns; taking each turn's few writes as a
   * transaction of its own costs a round trip each. Measured at 16 connections (`npm run bench`'s write row): 7.5
   * writes per transaction and 72 µs of adapter CPU per write waiting one turn, 14 and 62 µs waiting up to three. Up
   * to eight made nearly every client wait for the same transaction and was no faster. A lone write waits one turn.
   */
  async function gather(): Promise<void> {
    let size = queue.length;
    for (let turn = 0; turn < maxGatherTurns; turn++) {
      await nextTurn();
      if (queue.length === size || queue.length >= maxBatchWrites) return;
      size = queue.length;
    }
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      await gather();
      const batch: Pending[] = [];
      const writes: DecodedWrite[] = [];
      while (queue.length > 0 && (batch.length === 0 || writes.length + queue[0]!.writes.length <= maxBatchWrites)) {
        const next = queue.shift()!;
        batch.push(next);
        writes.push(...next.writes);
      }
      // NB: a script may not span cluster slots, so each partition (one hash tag) commits on its own, all at once.
      const byPartition = new Map<number, DecodedWrite[]>();
      for (const decoded of writes) {
        const partition = keys.partitionOf(
          decoded.kind === 'custom' ? decoded.write.info.metric : decoded.write.metric,
        );
        const list = byPartition.get(partition);
        if (list === undefined) byPartition.set(partition, [decoded]);
        else list.push(decoded);
      }
      const stored: Committed[] = [];
      const failed = new Map<number, unknown>();
      await Promise.all(
        [...byPartition].map(async ([partition, part]) => {
          try {
            stored.push({ partition, writes: part, id: await commit(partition, part) });
          } catch (error) {
            failed.set(partition, error);
          }
        }),
      );
      if (failed.size === 0) {
        // NB: not awaited, so the next batch goes to Redis while this one reaches the copy.
        void settle(batch, stored);
        continue;
      }
      const ok: Pending[] = [];
      for (const pending of batch) {
        const error = pending.writes
          .map((decoded) =>
            failed.get(keys.partitionOf(decoded.kind === 'custom' ? decoded.write.info.metric : decoded.write.metric)),
          )
          .find((e) => e !== undefined);
        // NB: the reply may have been lost after Redis applied the batch; a 503 for a stored value is safe (the client
        // retries an idempotent write), a 2xx for a lost one is not. A write spanning partitions is refused whole
        // when any of them failed, though the others stored their part.
        if (error !== undefined)
          pending.reject(serviceUnavailable('cannot store the value: the metrics store is unavailable', error));
        else ok.push(pending);
      }
      // NB: not awaited, so the next batch goes to Redis while this one reaches the copy.
      if (ok.length > 0) void settle(ok, stored);
    }
    flushing = false;
  }

  /**
   * The batch's one script ({@link commitScript}), with WAIT right behind it on the same connection when replicas must
   * acknowledge (so in a cluster it asks the partition's own shard, and it waits for exactly this batch: Redis WAIT
   * semantics). NB: WAIT rides in a pipeline because ioredis's Cluster client sends a key-less command to any node.
   */
  async function commit(partition: number, writes: readonly DecodedWrite[]): Promise<string> {
    const { stream } = keys.partitions[partition]!;
    const changes: Changes = { sets: new Map(), deletes: new Map(), expiring: new Set() };
    const kept = latestWrites(writes);
    for (const decoded of kept) {
      if (decoded.kind === 'custom') addCustom(changes, partition, decoded.write);
      else addExternal(changes, partition, decoded.write);
    }
    // NB: the stream read just before this batch's entry, from the last entry this replica's copy applied: inside the
    // script nothing comes between what it returns and the entry, so the copy takes both from this one reply, without
    // its reader and without the batch's own bytes coming back. Skipped while the copy awaits a reload.
    const copy = sync.copy(partition);
    const read = copy.startRead(Date.now());
    const offset = clockOffsetMs[partition];
    batches[partition] = (batches[partition] ?? 0) + 1;
    const args = commitArguments({
      stream,
      ...changes,
      ttlMs,
      readFrom: read?.lastId,
      readCount: streamReadCount,
      minId: offset === undefined ? undefined : Date.now() + offset - options.streamRetentionMs,
      // NB: the entry takes one trimming rule; the length cap is applied every few batches, which is all it needs.
      maxLength: batches[partition] % 64 === 1 ? options.streamMaxLength : undefined,
      publish: announce ? { channel: keys.channel, message: String(partition) } : undefined,
      payload: encodeBatch(kept),
    });
    let reply: unknown;
    try {
      reply = await run('EVALSHA', commitScriptSha, args);
    } catch (error) {
      // NB: a script Redis does not hold never ran, so sending its text instead cannot store the batch twice.
      if (!isNoScript(error)) throw error;
      reply = await run('EVAL', commitScript, args);
    }
    const { held, entries: seen, id } = commitReplyOf(reply);
    clockOffsetMs[partition] = Number(id.slice(0, id.indexOf('-'))) - Date.now();
    if (read !== undefined) {
      // NB: with streamReadCount entries after lastId, more may sit between them and this batch's entry.
      const complete = seen.length < streamReadCount;
      const outcome = copy.apply(read, {
        // NB: lastId gone (trimmed, or a stream deleted since) leaves the first entry after it, or this batch's entry,
        // as the stream's first one after lastId, which tells the copy it missed whatever went.
        first: held ? read.lastId : (seen[0]?.[0] ?? id),
        entries: complete ? [...seen, [id, []]] : seen,
        complete,
        own: { id, writes: kept },
        byWriter: true,
      });
      if (outcome === 'gap')
        logger.warn(
          { partition, lastId: read.lastId },
          'the redis write stream no longer holds what this copy missed (trimmed, deleted or replaced); reloading',
        );
    }
    return id;
  }

  async function run(command: 'EVALSHA' | 'EVAL', script: string, args: readonly string[]): Promise<unknown> {
    if (minReplicas === 0) return client.call(command, script, ...args);
    const replies = await client
      .pipeline()
      .call(command, script, ...args)
      .call('WAIT', minReplicas, options.replicaAckTimeoutMs ?? 1000)
      .exec();
    if (replies === null) throw new Error('the pipeline was discarded');
    const [[scriptError, reply], [waitError, replicas]] = replies as [[Error | null, unknown], [Error | null, unknown]];
    if (scriptError) throw scriptError;
    if (waitError) throw waitError;
    if (typeof replicas !== 'number' || replicas < minReplicas)
      throw new Error(`only ${String(replicas)} of ${minReplicas} Redis replicas acknowledged the write in time`);
    return reply;
  }

  /** A field set at the scope's level, deleted at the levels where a level change may have left a copy. */
  function put(
    changes: Changes,
    partition: number,
    kind: HashKind,
    scope: string,
    level: number,
    field: string,
    value: string,
  ): void {
    const key = keys.bucket(kind, scope, field, level, partition);
    const set = changes.sets.get(key);
    if (set === undefined) changes.sets.set(key, new Map([[field, value]]));
    else set.set(field, value);
    for (const other of neighbourLevels(field, level)) {
      const stale = keys.bucket(kind, scope, field, other, partition);
      const deletes = changes.deletes.get(stale);
      if (deletes === undefined) changes.deletes.set(stale, new Set([field]));
      else deletes.add(field);
    }
    if (ttlMs > 0) changes.expiring.add(key);
  }

  /**
   * NB: in a cluster an object's labels are kept in the partition of each metric written with them, so they commit
   * in the same batch as the value; a load keeps the newest copy.
   */
  function addCustom(changes: Changes, partition: number, write: CustomMetricWrite): void {
    const { info, name } = write;
    const { group, resource } = info.groupResource;
    const sizes = sync.model(partition).custom.scopeSizes(name.namespace, info.groupResource, info.metric);
    const scope = customScope(name.namespace, group, resource, info.metric);
    put(
      changes,
      partition,
      'custom',
      scope,
      levelFor(sizes.series),
      name.name,
      packValue(write.timestamp, packCustomRest(write.value.toString(), write.metricLabels)),
    );
    const objects = objectScope(name.namespace, group, resource);
    const objectLevel = levelFor(sizes.objects);
    if (write.objectLabels !== undefined) {
      put(
        changes,
        partition,
        'object',
        objects,
        objectLevel,
        name.name,
        packValue(write.timestamp, packLabels(write.objectLabels)),
      );
    } else if (ttlMs > 0) {
      // NB: the object's labels live as long as its newest series; PEXPIRE of a missing key does nothing.
      changes.expiring.add(keys.bucket('object', objects, name.name, objectLevel, partition));
      for (const other of neighbourLevels(name.name, objectLevel))
        changes.expiring.add(keys.bucket('object', objects, name.name, other, partition));
    }
  }

  function addExternal(changes: Changes, partition: number, write: ExternalMetricWrite): void {
    const level = levelFor(sync.model(partition).external.seriesIn(write.namespace, write.metric));
    put(
      changes,
      partition,
      'external',
      externalScope(write.namespace, write.metric),
      level,
      packLabels(write.labels),
      packValue(write.timestamp, write.value.toString()),
    );
  }

  async function settle(batch: readonly Pending[], parts: readonly Committed[]): Promise<void> {
    await Promise.all(
      parts.map(async ({ partition, writes, id }) => {
        if (await sync.waitFor(id, options.applyTimeoutMs ?? 1000, partition)) return;
        // NB: the stream reader is behind (a burst of writes on a busy host) or reconnecting. Serve the writes here
        // now; the reader reapplies the entry in Redis's order when it gets to it, so the order Redis chose wins
        // again. A reload instead would cost a SCAN of every hash for a reader that is merely behind, and slow it
        // further (measured: a loaded machine fell into reloading over and over). A reader that lost its connection
        // or fell past the stream's trimming reloads by itself.
        logger.debug({ id, partition }, 'applied a write before the stream delivered it');
        const model = sync.model(partition);
        for (const decoded of writes) {
          if (decoded.kind === 'custom') model.writeCustom(decoded.write);
          else model.writeExternal(decoded.write);
        }
      }),
    );
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

/**
 * A batch's writes without those a later write of the same custom series makes moot: Redis and every copy keep a
 * series' last write, so it alone is sent, put in the stream and applied (a hot series written by many clients at
 * once costs one write per batch). A write with object labels stays unless a later write of its series has labels
 * too: the labels are the object's, shared with its other metrics, and the last labels written must win. External
 * writes all stay: telling their series apart takes their packed labels, which costs what it would save.
 */
export function latestWrites(writes: readonly DecodedWrite[]): readonly DecodedWrite[] {
  if (writes.length < 2) return writes;
  /** Per series, whether a later write of it carries object labels. */
  const later = new Map<string, boolean>();
  const kept: DecodedWrite[] = [];
  for (let i = writes.length - 1; i >= 0; i--) {
    const decoded = writes[i]!;
    if (decoded.kind === 'external') {
      kept.push(decoded);
      continue;
    }
    const { info, name, objectLabels } = decoded.write;
    const series = `${name.namespace}\0${info.groupResource.group}\0${info.groupResource.resource}\0${info.metric}\0${name.name}`;
    const laterLabels = later.get(series);
    const labels = objectLabels !== undefined;
    if (laterLabels === undefined || (labels && !laterLabels)) {
      kept.push(decoded);
      later.set(series, labels);
    }
  }
  return kept.length === writes.length ? writes : kept.reverse();
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
