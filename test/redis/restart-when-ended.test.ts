/**
 * A Redis client that ioredis ends without the adapter asking is started again; one the adapter closes stays closed.
 * Against a real redis-server and a real Sentinel: a disconnect while the client asks the Sentinel for the master is
 * how ioredis ends a client for good during a failover.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { restartWhenEnded } from '../../src/providers/redis/restart-when-ended.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const skip = binary === undefined ? 'redis-server is not installed' : false;
const started: RedisServer[] = [];
const clients: Redis[] = [];
/** Set before the clients are closed at the end, so the restarted one is not started again. */
let finished = false;

after(async () => {
  finished = true;
  for (const client of clients) client.disconnect();
  await Promise.all(started.map((r) => r.stop()));
});

async function sentinelClient(): Promise<Redis> {
  const master = await startRedisServer(binary!);
  started.push(master);
  const sentinel = await startRedisServer(binary!, { sentinelFor: { masterName: 'mymaster', port: master.port } });
  started.push(sentinel);
  const client = new Redis({
    sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
    name: 'mymaster',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

function warnings(): { lines: string[]; logger: { warn(obj: object, msg: string): void } } {
  const lines: string[] = [];
  return { lines, logger: { warn: (obj, msg) => lines.push(`${msg} ${JSON.stringify(obj)}`) } };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('restartWhenEnded', { skip }, () => {
  test('a client ended by a disconnect while it asks the Sentinel for the master answers again', async () => {
    const client = await sentinelClient();
    const { lines, logger } = warnings();
    restartWhenEnded(client, { name: 'writer', isClosing: () => finished, logger, delayMs: 20 });
    let ended = 0;
    client.on('end', () => ended++);
    client.connect().catch(() => undefined);
    // NB: ioredis' failover detector does the same on +switch-master while a reconnect is resolving the master.
    client.disconnect(true);
    await until(async () => ended > 0, 'ioredis to end the client');
    await until(async () => (await client.ping()) === 'PONG', 'the client to answer PING again');
    assert.equal(client.status, 'ready');
    assert.deepEqual(lines, ['the redis client stopped reconnecting; starting it again {"connection":"writer"}']);
  });

  test('a client the adapter closes stays ended', async () => {
    const client = await sentinelClient();
    const { lines, logger } = warnings();
    let closing = false;
    restartWhenEnded(client, { name: 'reader', isClosing: () => closing, logger, delayMs: 20 });
    await client.connect();
    closing = true;
    client.disconnect();
    await sleep(300);
    assert.equal(client.status, 'end');
    assert.deepEqual(lines, []);
  });
});
