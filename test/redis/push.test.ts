/**
 * Push ingestion on the Redis back end, through the generic writer contract: remote-write pushed to one replica's
 * server is served by another replica, and a malformed body stores nothing. Skipped without redis-server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { inject } from 'light-my-request';
import snappy from 'snappyjs';
import { createAdapter, type Adapter } from '../../src/adapter.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import type { Backend } from '../../src/providers/backend.js';
import redisBackend from '../../src/providers/redis/index.js';
import { parseSelector } from '../../src/selector/index.js';
import { writeRequest } from '../helpers/protobuf-writer.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const deps = { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() };
const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests_per_second' };

describe('push ingestion on the redis back end', {
  skip: binary === undefined ? 'redis-server is not installed' : false,
}, () => {
  let redis: RedisServer;
  let a: Backend;
  let b: Backend;
  let adapter: Adapter;
  let listener: (request: IncomingMessage, response: ServerResponse) => void;
  let adapterB: Adapter;
  let listenerB: (request: IncomingMessage, response: ServerResponse) => void;
  let config: ReturnType<typeof redisBackend.configSchema.parse>;

  before(async () => {
    redis = await startRedisServer(binary!);
    const prefix = `push-${randomBytes(4).toString('hex')}:`;
    config = redisBackend.configSchema.parse({ url: redis.url, keyPrefix: prefix });
    a = await redisBackend.create(config, {}, deps);
    b = await redisBackend.create(config, {}, deps);
    adapter = createAdapter({
      custom: a.custom!,
      external: a.external!,
      writer: a.writer!,
      resourceMapper: deps.resourceMapper,
    });
    listener = adapter.server.server.listeners('request')[0] as typeof listener;
    adapterB = createAdapter({
      custom: b.custom!,
      external: b.external!,
      writer: b.writer!,
      resourceMapper: deps.resourceMapper,
    });
    listenerB = adapterB.server.server.listeners('request')[0] as typeof listener;
  });
  after(async () => {
    await adapter?.close();
    await adapterB?.close();
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  const valueOn = async (backend: Backend): Promise<string | undefined> => {
    try {
      const value = await backend.custom!.getMetricByName(
        { namespace: 'shop', name: 'web-1' },
        info,
        parseSelector(''),
        { signal: new AbortController().signal },
      );
      return value.value.toString();
    } catch {
      return undefined;
    }
  };
  const push = (body: Uint8Array, to = listener) =>
    inject(to, {
      method: 'POST',
      url: '/api/v1/write',
      payload: Buffer.from(body),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    });

  test('a rate pushed to one replica is served by the other; a bad body stores nothing', async () => {
    const body = writeRequest([
      {
        labels: { __name__: 'http_requests_total', namespace: 'shop', pod: 'web-1' },
        samples: [
          [1000, 10],
          [5000, 30],
        ],
      },
    ]);
    assert.equal((await push(snappy.compress(body))).statusCode, 204);
    const deadline = Date.now() + 10_000;
    while ((await valueOn(b)) === undefined && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await valueOn(b), '5');
    const bad = await push(snappy.compress(body).subarray(0, 20));
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(await valueOn(b), '5');
  });

  test('a stale marker removes the series from redis: another replica, and one loading afresh, answer 404', async () => {
    const labels = { __name__: 'http_requests_total', namespace: 'shop', pod: 'web-1' };
    assert.equal((await push(snappy.compress(writeRequest([{ labels, samples: [[6000, 40]] }])))).statusCode, 204);
    const written = Date.now() + 10_000;
    while ((await valueOn(b)) !== '6' && Date.now() < written) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await valueOn(b), '6');
    assert.equal((await push(snappy.compress(writeRequest([{ labels, samples: [[7000, 'stale']] }])))).statusCode, 204);
    const deadline = Date.now() + 10_000;
    while ((await valueOn(b)) !== undefined && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await valueOn(b), undefined);
    await assert.rejects(
      async () =>
        await b.custom!.getMetricByName({ namespace: 'shop', name: 'web-1' }, info, parseSelector(''), {
          signal: new AbortController().signal,
        }),
      (error: { code?: number }) => error.code === 404,
    );
    // NB: with no TTL configured, only the removal itself can have taken the field out of the hashes.
    const fresh = await redisBackend.create(config, {}, deps);
    try {
      assert.equal(await valueOn(fresh), undefined);
      assert.equal(fresh.seriesCount?.().custom, 0);
    } finally {
      await fresh.close();
    }
  });

  test('a counter pushed alternately to two replicas is rated over all its samples, whichever takes the next', async () => {
    const labels = { __name__: 'jobs_total', namespace: 'shop', pod: 'web-2' };
    const jobs = { ...info, metric: 'jobs_per_second' };
    const read = async (backend: Backend): Promise<string | undefined> => {
      try {
        const value = await backend.custom!.getMetricByName(
          { namespace: 'shop', name: 'web-2' },
          jobs,
          parseSelector(''),
          {
            signal: new AbortController().signal,
          },
        );
        return value.value.toString();
      } catch {
        return undefined;
      }
    };
    const waitFor = async (backend: Backend, expected: string): Promise<string | undefined> => {
      const deadline = Date.now() + 10_000;
      while ((await read(backend)) !== expected && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      return read(backend);
    };
    // 0 → 10 → 5 (a reset: +5) → 17, one second apart, to a, b, a, b.
    const samples: [number, number, typeof listener][] = [
      [1000, 0, listener],
      [2000, 10, listenerB],
      [3000, 5, listener],
      [4000, 17, listenerB],
    ];
    const expected = [undefined, '10', '7500m', '9'];
    for (const [i, [timestamp, value, to]] of samples.entries()) {
      const answer = await push(snappy.compress(writeRequest([{ labels, samples: [[timestamp, value]] }])), to);
      assert.equal(answer.statusCode, 204, answer.body);
      // After 3 s, 10 + 5 + 12 = 27: 9 per second (b alone would have 7 over 2 s; a alone 5 over 2 s).
      if (expected[i] !== undefined) assert.equal(await waitFor(a, expected[i]!), expected[i], `after sample ${i}`);
    }
  });
});
