/**
 * Forgets series at once (a pushed series that went stale), instead of leaving them to the TTL: one MULTI/EXEC per
 * partition deletes each series' hash field and appends one removal entry to the partition's write stream, so every
 * replica takes the series out of its copy in the order Redis accepted it among the writes.
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';
import type { SeriesRemoval } from '../write.js';
import { customScope, externalScope, levelFor, packLabels, type HashKind, type RedisKeys } from './layout.js';
import type { ReplicaSync } from './replica-sync.js';
import { encodeRemovals, removalField } from './removal-records.js';

export interface RedisRemoverOptions {
  readonly client: Redis | Cluster;
  readonly keys: RedisKeys;
  readonly sync: ReplicaSync;
  readonly logger: Logger;
  /** How long a removal waits for this replica's copy to apply it before applying it there itself. */
  readonly applyTimeoutMs?: number;
}

/** The deepest level a scope can split to: a field may sit in its bucket at any level up to it. */
const deepestLevel = levelFor(Number.MAX_SAFE_INTEGER);

export function createRedisRemover(
  options: RedisRemoverOptions,
): (removals: readonly SeriesRemoval[]) => Promise<void> {
  const { client, keys, sync } = options;

  /**
   * NB: a field's bucket depends on its scope's level, which followed the scope's size when it was written; the
   * field is deleted from its bucket at every level, since removals are rare and an HDEL of a missing field is cheap.
   */
  const hdelEverywhere = (
    tx: ReturnType<Redis['multi']>,
    partition: number,
    kind: HashKind,
    scope: string,
    field: string,
  ): number => {
    const buckets = new Set<string>();
    for (let level = 0; level <= deepestLevel; level++) buckets.add(keys.bucket(kind, scope, field, level, partition));
    for (const key of buckets) tx.hdel(key, field);
    return buckets.size;
  };

  const removePartition = async (partition: number, removals: readonly SeriesRemoval[]): Promise<void> => {
    const tx = (client as Redis).multi();
    let queued = 0;
    for (const removal of removals) {
      if (removal.kind === 'custom') {
        const { group, resource } = removal.info.groupResource;
        const scope = customScope(removal.name.namespace, group, resource, removal.info.metric);
        queued += hdelEverywhere(tx, partition, 'custom', scope, removal.name.name);
      } else {
        const scope = externalScope(removal.namespace, removal.metric);
        queued += hdelEverywhere(tx, partition, 'external', scope, packLabels(removal.labels));
      }
    }
    tx.xadd(keys.partitions[partition]!.stream, '*', removalField, encodeRemovals(removals));
    if (keys.partitions.length > 1) tx.publish(keys.channel, String(partition));
    const replies = await tx.exec();
    if (replies === null) throw new Error('the transaction was discarded');
    for (const [error] of replies) if (error) throw error;
    // NB: EXEC answers one reply per queued command: XADD's (the stream ID) follows the HDELs.
    const id = replies[queued]![1] as string;
    if (await sync.waitFor(id, options.applyTimeoutMs ?? 1000, partition)) return;
    // NB: the stream reader is behind; take the series out here now, as the writer does with writes.
    options.logger.debug({ id, partition }, 'applied a removal before the stream delivered it');
    sync.model(partition).removeSeries(removals);
  };

  return async (removals) => {
    const byPartition = new Map<number, SeriesRemoval[]>();
    for (const removal of removals) {
      const partition = keys.partitionOf(removal.kind === 'custom' ? removal.info.metric : removal.metric);
      const list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, [removal]);
      else list.push(removal);
    }
    await Promise.all([...byPartition].map(([partition, part]) => removePartition(partition, part)));
  };
}
