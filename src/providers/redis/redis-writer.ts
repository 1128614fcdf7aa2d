/**
 * Writes to Redis, acknowledged only once Redis has accepted them: the series key (with the metric TTL as expiry),
 * the object's labels and the stream entry go in one MULTI/EXEC, so a replica never sees one without the others.
 * The write then waits until this replica's own copy has applied it from the stream, so a read right after a 2xx
 * through the same replica sees the value, in the order Redis accepted the writes.
 * @module
 */
import type { Redis } from 'ioredis';
import { serviceUnavailable } from '../../api/errors.js';
import type { Logger } from '../../log/index.js';
import type { CustomMetricWrite, ExternalMetricWrite, MetricsWriter } from '../backend.js';
import { encodeCustom, encodeExternal, type RedisKeys } from './records.js';
import type { ReplicaSync } from './replica-sync.js';

export interface RedisWriterOptions {
  /** Fails fast while disconnected (no offline queue), so a write is never held and never falsely acknowledged. */
  readonly client: Redis;
  readonly keys: RedisKeys;
  readonly sync: ReplicaSync;
  readonly logger: Logger;
  readonly ttlMs: number;
  readonly streamMaxLength: number;
  /** How long a write waits for this replica's copy before applying itself directly. */
  readonly applyTimeoutMs?: number;
}

export function createRedisWriter(options: RedisWriterOptions): MetricsWriter {
  const { client, keys, sync, ttlMs, logger } = options;
  const expiry = ttlMs > 0 ? (['PX', ttlMs] as const) : undefined;

  async function commit(multi: ReturnType<Redis['multi']>, entry: string, applyLocally: () => void): Promise<void> {
    multi.xadd(keys.stream, 'MAXLEN', '~', options.streamMaxLength, '*', 'w', entry);
    let id: string;
    try {
      const results = await multi.exec();
      if (results === null) throw new Error('the transaction was discarded');
      for (const [error] of results) if (error) throw error;
      id = results[results.length - 1]![1] as string;
    } catch (error) {
      // NB: the reply may have been lost after Redis applied the write; a 503 for a stored value is safe (the client
      // retries an idempotent write), a 2xx for a lost one is not.
      throw serviceUnavailable('cannot store the value: the metrics store is unavailable', error);
    }
    if (await sync.waitFor(id, options.applyTimeoutMs ?? 1000)) return;
    // NB: the stream reader is stuck (often: just reconnecting). Serve the write here now, and resync so the order
    // Redis chose wins again.
    logger.debug({ id }, 'applied a write before the stream delivered it; resyncing');
    applyLocally();
    sync.requestResync();
  }

  return {
    async writeCustomMetric(write: CustomMetricWrite) {
      const multi = client.multi();
      const objectKey = keys.object(write);
      if (write.objectLabels !== undefined) {
        if (expiry) multi.set(objectKey, JSON.stringify(write.objectLabels), ...expiry);
        else multi.set(objectKey, JSON.stringify(write.objectLabels));
      } else if (expiry) {
        // NB: the object's labels live as long as its newest series; PEXPIRE of a missing key does nothing.
        multi.pexpire(objectKey, ttlMs);
      }
      const seriesKey = keys.customSeries(write);
      if (expiry) multi.set(seriesKey, encodeCustom(write, false), ...expiry);
      else multi.set(seriesKey, encodeCustom(write, false));
      await commit(multi, encodeCustom(write, true), () => sync.model().writeCustom(write));
    },

    async writeExternalMetric(write: ExternalMetricWrite) {
      const multi = client.multi();
      const json = encodeExternal(write);
      if (expiry) multi.set(keys.externalSeries(write), json, ...expiry);
      else multi.set(keys.externalSeries(write), json);
      await commit(multi, json, () => sync.model().writeExternal(write));
    },
  };
}
