/**
 * A burst of writes that outruns this replica's stream reader, against a real redis-server: every write is answered
 * from the writer's own copy, the reader reapplies them in Redis's order, and the model is never reloaded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import type { CustomMetricWrite } from '../../src/providers/write.js';
import { createKeys } from '../../src/providers/redis/layout.js';
import { createRedisWriter } from '../../src/providers/redis/redis-writer.js';
import { startReplicaSync } from '../../src/providers/redis/replica-sync.js';
import { parseQuantity } from '../../src/quantity/index.js';
import { everything } from '../../src/selector/index.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const logger = createSilentLogger();

let redis: RedisServer | undefined;
if (binary !== undefined) {
  before(async () => {
    redis = await startRedisServer(binary);
  });
  after(async () => redis?.stop());
}

const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' } as const;
const write = (name: string, value: string): CustomMetricWrite => ({
  info,
  name: { namespace: 'burst', name },
  value: parseQuantity(value),
  metricLabels: {},
  objectLabels: { app: 'burst' },
  timestamp: Date.now(),
});

test('a burst of writes that outruns the stream reader is served at once and causes no reload', {
  skip: binary === undefined ? 'redis-server is not installed' : false,
}, async () => {
  const connect = (): Redis => new Redis(redis!.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const keys = createKeys('burst:');
  const reader = connect();
  const sync = startReplicaSync({
    client: reader,
    keys,
    mapper: createStaticResourceMapper(),
    logger,
    ttlMs: 0,
    blockMs: 200,
  });
  const client = connect();
  try {
    assert.equal(await sync.firstSync(10_000), true);
    assert.equal(sync.state().loads, 1);
    // NB: the reader's replies stay unread in its socket during the burst, so every batch outruns it.
    reader.stream.pause();
    const writer = createRedisWriter({
      client,
      keys,
      sync,
      logger,
      ttlMs: 0,
      streamMaxLength: 100_000,
      streamRetentionMs: 60_000,
      applyTimeoutMs: 20,
    });
    const pods = 50;
    for (let round = 1; round <= 4; round++) {
      await Promise.all(
        Array.from({ length: pods }, (_, i) => writer.writeCustomMetric(write(`pod-${i}`, `${round * 1000 + i + 1}m`))),
      );
      // Acknowledged means readable here, whether or not the reader has caught up.
      for (let i = 0; i < pods; i++) {
        const stored = sync.model().custom.getMetricByName({ namespace: 'burst', name: `pod-${i}` }, info, everything);
        assert.equal((await stored).value, `${round * 1000 + i + 1}m`);
      }
    }
    reader.stream.resume();
    const last = (await client.xrevrange(keys.partitions[0]!.stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    assert.equal(await sync.waitFor(last[0]![0], 10_000), true, 'the reader caught up with the stream');
    for (let i = 0; i < pods; i++) {
      const stored = await sync
        .model()
        .custom.getMetricByName({ namespace: 'burst', name: `pod-${i}` }, info, everything);
      assert.equal(stored.value, `${4000 + i + 1}m`);
    }
    assert.equal(sync.state().loads, 1, 'the model was loaded once, at start');
    assert.equal(sync.state().connected, true);
  } finally {
    await sync.close();
    client.disconnect();
  }
});
