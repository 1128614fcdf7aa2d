/**
 * The Redis back end in this process against a real redis-server: the shared conformance suite, then what only a
 * shared store has: two replicas, resync on start, TTL as key expiry, and an outage.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { StatusError } from '../../src/api/errors.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import { capturedLog } from '../helpers/captured-log.js';
import type { Backend } from '../../src/providers/backend.js';
import { describeWritableBackend } from '../../src/providers/conformance/index.js';
import type { CustomMetricWrite } from '../../src/providers/write.js';
import redisBackend from '../../src/providers/redis/index.js';
import { parseQuantity } from '../../src/quantity/index.js';
import { everything } from '../../src/selector/index.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const skip = binary === undefined ? 'redis-server is not installed' : false;
const ctx = { signal: new AbortController().signal };
const deps = { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() };

let redis: RedisServer | undefined;
if (binary !== undefined) {
  before(async () => {
    redis = await startRedisServer(binary);
  });
  after(async () => redis?.stop());
}

function backend(prefix: string, extra: Record<string, unknown> = {}, ttlMs?: number): Promise<Backend> {
  const config = redisBackend.configSchema.parse({ url: redis!.url, keyPrefix: prefix, ...extra });
  return redisBackend.create(config, ttlMs === undefined ? {} : { metricTtlMs: ttlMs }, deps);
}

const freshPrefix = (): string => `test-${randomBytes(4).toString('hex')}:`;

const pod = (name: string, value: string, objectLabels?: Record<string, string>): CustomMetricWrite => ({
  info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' },
  name: { namespace: 'ha', name },
  value: parseQuantity(value),
  metricLabels: {},
  objectLabels,
  timestamp: Date.now(),
});

async function storedValue(b: Backend, name: string): Promise<string | undefined> {
  try {
    return (await b.custom!.getMetricByName({ namespace: 'ha', name }, pod(name, '0').info, everything, ctx)).value;
  } catch (error) {
    if (error instanceof StatusError && error.code === 404) return undefined;
    throw error;
  }
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

if (binary === undefined) {
  test('redis back end', { skip }, () => {});
} else {
  describeWritableBackend('redis', () => backend(freshPrefix()));

  test('a start against a running Redis logs no outage', async () => {
    const { logger, lines } = capturedLog();
    const config = redisBackend.configSchema.parse({ url: redis!.url, keyPrefix: freshPrefix() });
    const b = await redisBackend.create(config, {}, { ...deps, logger });
    try {
      assert.equal(b.readiness().ready, true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const warnings = lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 40);
      assert.deepEqual(
        warnings.filter((line) => /unreachable|not reachable|writeable/.test(line)),
        [],
      );
    } finally {
      await b.close();
    }
  });

  describe('redis back end: replicas', () => {
    const prefix = freshPrefix();
    let a: Backend;
    let b: Backend;
    before(async () => {
      a = await backend(prefix);
      b = await backend(prefix);
    });
    after(async () => {
      await a?.close();
      await b?.close();
    });

    test('a write through one replica is read from the other, objects labels included', async () => {
      await a.writer!.writeCustomMetric(pod('web-1', '3', { app: 'web' }));
      assert.equal(await eventually('web-1 on b', () => storedValue(b, 'web-1')), '3');
      await a.writer!.writeCustomMetric(pod('web-1', '4'));
      await eventually('web-1=4 on b', async () => ((await storedValue(b, 'web-1')) === '4' ? true : undefined));
      const selected = await b.custom!.getMetricBySelector(
        'ha',
        (await import('../../src/selector/index.js')).parseSelector('app=web'),
        pod('x', '0').info,
        everything,
        ctx,
      );
      assert.deepEqual(
        selected.map((v) => v.describedObject.name),
        ['web-1'],
        'an update without objectLabels keeps them',
      );
    });

    test('the writing replica reads its own write as soon as it is acknowledged', async () => {
      await a.writer!.writeCustomMetric(pod('web-2', '5'));
      assert.equal(await storedValue(a, 'web-2'), '5');
    });

    test('a replica that starts later loads every series from the keys', async () => {
      const late = await backend(prefix);
      try {
        assert.equal(await storedValue(late, 'web-1'), '4');
        assert.equal(await storedValue(late, 'web-2'), '5');
        assert.deepEqual(late.seriesCount!(), a.seriesCount!());
      } finally {
        await late.close();
      }
    });
  });

  describe('redis back end: metric TTL', () => {
    test('the TTL is the series key expiry in Redis, and the value stops being served', async () => {
      const prefix = freshPrefix();
      const b = await backend(prefix, {}, 1500);
      const client = new Redis(redis!.url);
      try {
        await b.writer!.writeCustomMetric(pod('short', '1', { app: 'x' }));
        // NB: KEYS answers in no set order, so the stream (which never expires) is filtered out by name.
        const keys = (await client.keys(`${prefix}*`)).filter((k) => !k.endsWith('writes'));
        const ttls = await Promise.all(keys.map((k) => client.pttl(k)));
        assert.equal(ttls.length, 2, 'a series key and an object key');
        for (const ttl of ttls) assert.ok(ttl > 0 && ttl <= 1500, `expiry ${ttl} ms`);
        await eventually('the series to expire in redis', async () =>
          (await client.exists(keys[0]!, keys[1]!)) === 0 ? true : undefined,
        );
        // NB: the local copy drops it by the same TTL, with the memory store's one-second precision.
        await eventually('the value to stop being served', async () =>
          (await storedValue(b, 'short')) === undefined ? true : undefined,
        );
      } finally {
        client.disconnect();
        await b.close();
      }
    });
  });
}

if (binary !== undefined) {
  describe('redis back end: Redis unreachable', () => {
    let own: RedisServer;
    let b: Backend;
    before(async () => {
      own = await startRedisServer(binary);
      const config = redisBackend.configSchema.parse({ url: own.url, maxStaleness: '2s' });
      b = await redisBackend.create(config, {}, deps);
      await b.writer!.writeCustomMetric(pod('before', '1'));
    });
    after(async () => {
      await b?.close();
      await own?.stop();
    });

    test('writes are 503, reads serve the copy until max staleness, then 503; it recovers by itself', async () => {
      await own.kill();
      const refused = await Promise.resolve()
        .then(() => b.writer!.writeCustomMetric(pod('during', '2')))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      assert.ok(
        refused instanceof StatusError && refused.code === 503 && refused.reason === 'ServiceUnavailable',
        String(refused),
      );
      assert.equal(await storedValue(b, 'before'), '1', 'within max staleness the local copy answers');
      assert.equal(b.readiness().ready, true);
      await eventually('readiness to fail', () => (b.readiness().ready ? undefined : true));
      assert.match(b.readiness().message ?? '', /redis is unreachable/);
      await assert.rejects(
        async () => storedValue(b, 'before'),
        (error: unknown) => error instanceof StatusError && error.code === 503,
      );
      assert.deepEqual(
        b.custom!.listAllMetrics().map((i) => i.metric),
        ['rps'],
        'discovery still answers',
      );

      await own.restart();
      await eventually('readiness to come back', () => (b.readiness().ready ? true : undefined));
      assert.equal(await storedValue(b, 'before'), '1', 'the AOF kept the value and the replica reloaded it');
      await eventually('writes to be accepted again', () =>
        Promise.resolve()
          .then(() => b.writer!.writeCustomMetric(pod('after', '3')))
          .then(
            () => true,
            () => undefined,
          ),
      );
      assert.equal(await storedValue(b, 'after'), '3');
      assert.equal(await storedValue(b, 'during'), undefined, 'the refused write was not stored');
    });
  });
}
