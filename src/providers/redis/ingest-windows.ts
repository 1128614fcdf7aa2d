/**
 * Push ingestion's counter windows, kept in Redis so every replica rates a series over all of its samples, whichever
 * replica received them (see src/ingest/shared-windows.ts). One string key per window, `<prefix>w:<id>`, expiring
 * with the series' maxAge; the layout's loads and sweeps skip these keys (`w` is none of their kinds).
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { RedisKeys } from './layout.js';

/** Structurally the ingest pipeline's SharedWindowStore: a back end does not import push ingestion. */
export interface IngestWindowStore {
  load(ids: readonly string[]): Promise<readonly (string | null)[]>;
  save(entries: readonly (readonly [id: string, value: string, ttlMs: number])[]): Promise<void>;
}

export function createIngestWindowStore(client: Redis | Cluster, keys: RedisKeys): IngestWindowStore {
  // NB: in a cluster the key carries its partition's hash tag, so windows spread over the shards like the values.
  const keyOf = (id: string): string => `${keys.partitions[keys.partitionOf(id)]!.keyPrefix}w:${id}`;
  return {
    // NB: one command per key, sent together on one connection (no round trip each), which also works across the
    // slots of a cluster where MGET would not.
    load: (ids) => Promise.all(ids.map((id) => client.get(keyOf(id)))),
    async save(entries) {
      await Promise.all(
        entries.map(([id, value, ttlMs]) => client.set(keyOf(id), value, 'PX', Math.max(1, Math.round(ttlMs)))),
      );
    },
  };
}
