/**
 * One replica cut off from Redis by a network partition (a TCP proxy that black-holes its traffic, no RST), while
 * another keeps writing: the cut-off replica serves its last view until max staleness, then 503, refuses writes,
 * and catches up with what it missed once the proxy lets traffic through again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import type { Backend } from '../../src/providers/backend.js';
import type { CustomMetricWrite } from '../../src/providers/write.js';
import redisBackend from '../../src/providers/redis/index.js';
import { parseQuantity } from '../../src/quantity/index.js';
import { everything } from '../../src/selector/index.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const binary = await findRedisServer();
const skip = binary === undefined ? 'redis-server is not installed' : false;
const deps = { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() };
const ctx = { signal: new AbortController().signal };
const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' };

const pod = (name: string, value: string): CustomMetricWrite => ({
  info,
  name: { namespace: 'p', name },
  value: parseQuantity(value),
  metricLabels: {},
  objectLabels: undefined,
  timestamp: Date.now(),
});

async function read(b: Backend, name: string): Promise<string | number> {
  try {
    return (await b.custom!.getMetricByName({ namespace: 'p', name }, info, everything, ctx)).value;
  } catch (error) {
    if (error instanceof StatusError) return error.code;
    throw error;
  }
}

async function eventually(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a replica partitioned from Redis', { skip }, () => {
  let redis: RedisServer;
  let proxy: TcpProxy;
  let cutOff: Backend;
  let other: Backend;

  before(async () => {
    redis = await startRedisServer(binary!);
    proxy = await startTcpProxy(redis.port);
    const create = (url: string) =>
      redisBackend.create(redisBackend.configSchema.parse({ url, maxStaleness: '2s' }), {}, deps);
    cutOff = await create(`redis://127.0.0.1:${proxy.port}`);
    other = await create(redis.url);
  });
  after(async () => {
    proxy?.heal();
    await cutOff?.close();
    await other?.close();
    await proxy?.close();
    await redis?.stop();
  });

  test('serves its last view until max staleness, then 503; catches up when the partition heals', async () => {
    await other.writer!.writeCustomMetric(pod('web', '1'));
    await eventually('the first value on the cut-off replica', async () => (await read(cutOff, 'web')) === '1');

    proxy.partition();
    const partitionedAt = Date.now();
    await other.writer!.writeCustomMetric(pod('web', '2'));
    await other.writer!.writeCustomMetric(pod('late', '3'));
    assert.equal(await read(cutOff, 'web'), '1', 'within max staleness the last view answers');
    const refused = await Promise.resolve(cutOff.writer!.writeCustomMetric(pod('x', '9'))).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(
      refused instanceof StatusError && refused.code === 503,
      `a write through the cut-off replica is refused: ${String(refused)}`,
    );

    await eventually('reads to answer 503 past max staleness', async () => (await read(cutOff, 'web')) === 503);
    assert.ok(Date.now() - partitionedAt >= 1500, 'not before max staleness (2s, less one XREAD wait)');
    assert.equal(cutOff.readiness().ready, false);

    proxy.heal();
    await eventually(
      'the cut-off replica to catch up',
      async () => (await read(cutOff, 'web')) === '2' && (await read(cutOff, 'late')) === '3',
      30_000,
    );
    assert.equal(cutOff.readiness().ready, true);
    assert.equal(await read(other, 'x'), 404, 'the refused write was not stored');
  });
});
