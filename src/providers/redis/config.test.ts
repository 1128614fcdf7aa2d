import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, connectionSettings } from './config.js';

describe('redis config', () => {
  test('refuses what is not a Redis URL, a bad sentinel address and unknown keys', () => {
    assert.equal(configSchema.safeParse({ url: 'http://host:6379' }).success, false);
    assert.equal(configSchema.safeParse({}).success, false);
    assert.equal(configSchema.safeParse({ sentinel: { masterName: 'm', sentinels: 'host' } }).success, false);
    assert.equal(configSchema.safeParse({ url: 'redis://h', pasword: 'x' }).success, false);
    assert.equal(configSchema.safeParse({ url: 'redis://h', maxStaleness: 'soon' }).success, false);
    assert.equal(configSchema.safeParse({ url: 'redis://h', minReplicasToAck: 'one' }).success, false);
    assert.equal(configSchema.safeParse({ url: 'redis://h', minReplicasToAck: -1 }).success, false);
    assert.equal(configSchema.safeParse({ url: 'redis://h', streamRetention: '10' }).success, false);
  });

  test("minReplicasToAck from the file's number or the flag's text; WAIT is off by default", () => {
    assert.equal(configSchema.parse({ url: 'redis://h' }).minReplicasToAck, 0);
    assert.equal(configSchema.parse({ url: 'redis://h', minReplicasToAck: 2 }).minReplicasToAck, 2);
    assert.equal(configSchema.parse({ url: 'redis://h', minReplicasToAck: '1' }).minReplicasToAck, 1);
  });

  test('redis:// gives host, port, credentials and db; rediss:// adds TLS', async () => {
    const plain = await connectionSettings(configSchema.parse({ url: 'redis://user:p%40ss@redis.example:6380/2' }));
    assert.deepEqual(plain, { username: 'user', password: 'p@ss', db: 2, host: 'redis.example', port: 6380 });
    const tls = await connectionSettings(configSchema.parse({ url: 'rediss://redis.example' }));
    assert.deepEqual(tls, { tls: { servername: 'redis.example' }, host: 'redis.example', port: 6379 });
  });

  test('the password comes from a file (without its newline) or an environment variable, over the URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redis-config-'));
    try {
      await writeFile(join(dir, 'password'), 's3cret\n');
      const fromFile = await connectionSettings(
        configSchema.parse({ url: 'redis://:url@h', passwordFile: join(dir, 'password') }),
      );
      assert.equal(fromFile.password, 's3cret');
      const fromEnv = await connectionSettings(configSchema.parse({ url: 'redis://h', passwordEnv: 'REDIS_PW' }), {
        REDIS_PW: 'env',
      });
      assert.equal(fromEnv.password, 'env');
      await assert.rejects(
        connectionSettings(configSchema.parse({ url: 'redis://h', passwordEnv: 'REDIS_PW' }), {}),
        /REDIS_PW .* is not set/,
      );
      await assert.rejects(
        connectionSettings(configSchema.parse({ url: 'redis://h', passwordFile: join(dir, 'none') })),
        /cannot read the Redis password file .*ENOENT/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("Sentinels from the flag's comma-separated text", async () => {
    const settings = await connectionSettings(
      configSchema.parse({ sentinel: { masterName: 'mymaster', sentinels: 'a:26379, b:26380' } }),
    );
    assert.deepEqual(settings, {
      name: 'mymaster',
      sentinels: [
        { host: 'a', port: 26379 },
        { host: 'b', port: 26380 },
      ],
    });
  });

  test("cluster nodes from the flag's text, with credentials and TLS from the URL; no SNI name, since each node has its own", async () => {
    const settings = await connectionSettings(
      configSchema.parse({ url: 'rediss://:pw@ignored', cluster: 'a:7000,b:7001' }),
    );
    assert.deepEqual(settings, {
      password: 'pw',
      tls: {},
      cluster: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
    });
  });

  test('refuses a cluster with Sentinels, a database other than 0, or a key prefix holding a hash tag', () => {
    const messages = (input: unknown): string[] => {
      const result = configSchema.safeParse(input);
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    assert.deepEqual(messages({ cluster: 'a:1', sentinel: { masterName: 'm', sentinels: 'b:2' } }), [
      'cluster: sentinel and cluster exclude each other: a Redis Cluster fails over by itself',
    ]);
    assert.deepEqual(messages({ cluster: 'a:1', url: 'redis://h/3' }), ['url: a Redis Cluster has only database 0']);
    assert.deepEqual(messages({ cluster: 'a:1', keyPrefix: 'x{y}:' }), [
      'keyPrefix: must not contain { or } with a Redis Cluster',
    ]);
    assert.deepEqual(messages({ cluster: ['a'] }), ['cluster.0: must be host:port']);
    assert.deepEqual(messages({ cluster: 'a:1', url: 'redis://h/0' }), []);
  });
});
