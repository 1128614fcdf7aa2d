/**
 * Sentinel failover end to end: a master, one replica and three Sentinels (Debian's redis-server and redis-sentinel
 * on loopback), two `metrics-adapter serve` processes found the master through the Sentinels, with
 * `--redis-min-replicas-to-ack 1`, and writers sending acknowledged writes at a steady rate. kill -9 of the master:
 * the Sentinels promote the replica, the adapters follow, every write that got a 200 is readable afterwards through
 * both adapters, and reads of a metric seen before never fail. The same again with `requirepass` on Redis and on the
 * Sentinels, the adapters given both passwords as files: authentication holds through the failover.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseQuantity } from '../../src/quantity/index.js';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient } from '../helpers/https-client.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const sentinelInstalled = await access('/usr/bin/redis-sentinel').then(
  () => true,
  () => false,
);
const skip =
  binary === undefined
    ? 'redis-server is not installed'
    : !sentinelInstalled
      ? 'redis-sentinel is not installed'
      : false;
const masterName = 'adapters';

interface MetricValueList {
  items: { describedObject: { name: string }; value: string }[];
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Passwords {
  readonly redis?: string;
  readonly sentinel?: string;
}

async function info(port: number, section: string, password?: string): Promise<string> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    ...(password !== undefined ? { password } : {}),
  });
  try {
    await client.connect();
    return await client.info(section);
  } finally {
    client.disconnect();
  }
}

async function sentinelMaster(
  port: number,
  password?: string,
): Promise<{ port: number; sentinels: number; replicas: number }> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    ...(password !== undefined ? { password } : {}),
  });
  try {
    await client.connect();
    const flat = (await client.call('SENTINEL', 'MASTER', masterName)) as string[];
    const field = (name: string): string => flat[flat.indexOf(name) + 1]!;
    return {
      port: Number(field('port')),
      sentinels: Number(field('num-other-sentinels')),
      replicas: Number(field('num-slaves')),
    };
  } finally {
    client.disconnect();
  }
}

function failoverSuite(title: string, passwords: Passwords): void {
  describe(title, { skip }, () => {
    let master: RedisServer;
    let secrets: string | undefined;
    let replica: RedisServer;
    const sentinels: RedisServer[] = [];
    const adapters: AdapterProcess[] = [];

    before(async () => {
      // NB: every Redis, the replica's master link and a promoted master's replicas all use the one password.
      const redisAuth =
        passwords.redis === undefined ? [] : ['--requirepass', passwords.redis, '--masterauth', passwords.redis];
      master = await startRedisServer(binary!, { args: redisAuth });
      replica = await startRedisServer(binary!, {
        args: ['--replicaof', '127.0.0.1', String(master.port), ...redisAuth],
      });
      await eventually('the replica to sync', async () =>
        (await info(replica.port, 'replication', passwords.redis)).includes('master_link_status:up') ? true : undefined,
      );
      const sentinelAuth = passwords.sentinel === undefined ? [] : ['--requirepass', passwords.sentinel];
      for (let i = 0; i < 3; i++) {
        sentinels.push(
          await startRedisServer('/usr/bin/redis-sentinel', {
            args: sentinelAuth,
            sentinelFor: {
              masterName,
              port: master.port,
              quorum: 2,
              downAfterMs: 1000,
              failoverTimeoutMs: 5000,
              ...(passwords.redis !== undefined ? { authPass: passwords.redis } : {}),
            },
          }),
        );
      }
      await eventually('the Sentinels to know each other and the replica', async () => {
        const views = await Promise.all(sentinels.map((s) => sentinelMaster(s.port, passwords.sentinel)));
        return views.every((v) => v.sentinels === 2 && v.replicas === 1) ? true : undefined;
      });
      secrets = await mkdtemp(join(tmpdir(), 'metrics-adapter-sentinel-'));
      const passwordFlags: string[] = [];
      if (passwords.redis !== undefined) {
        await writeFile(join(secrets, 'redis'), `${passwords.redis}\n`);
        passwordFlags.push('--redis-password-file', join(secrets, 'redis'));
      }
      if (passwords.sentinel !== undefined) {
        await writeFile(join(secrets, 'sentinel'), `${passwords.sentinel}\n`);
        passwordFlags.push('--redis-sentinel-password-file', join(secrets, 'sentinel'));
      }
      const flags = [
        '--backend',
        'redis',
        '--redis-sentinels',
        sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
        '--redis-sentinel-master',
        masterName,
        '--redis-min-replicas-to-ack',
        '1',
        ...passwordFlags,
      ];
      adapters.push(
        ...(await Promise.all([
          startAdapter(flags, { timeoutMs: 60_000 }),
          startAdapter(flags, { timeoutMs: 60_000 }),
        ])),
      );
    });
    after(async () => {
      await Promise.all(adapters.map((a) => a.stop()));
      await Promise.all(sentinels.map((s) => s.stop()));
      await replica?.stop();
      await master?.stop();
      if (secrets !== undefined) await rm(secrets, { recursive: true, force: true });
    });

    test('kill -9 of the master: the replica is promoted, the adapters follow, and no acknowledged write is lost', async (t) => {
      const clients = adapters.map((a) => createClient(a.url, a.caFile));
      const write = (slot: number, path: string, value: string) =>
        clients[slot]!(path, { method: 'POST', body: JSON.stringify(value) });
      assert.equal((await write(0, '/write-metrics/namespaces/sf/pods/seen/probe', '1')).status, 200);
      const seenPath = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/sf/pods/seen/probe';
      await eventually('the first write on both adapters', async () =>
        (await clients[1]!(seenPath)).status === 200 ? true : undefined,
      );

      const acknowledged = new Set<number>();
      const statuses = new Map<number, number>();
      let readFailures = 0;
      let lastRefusal = '';
      let next = 0;
      let running = true;
      const writer = async (slot: number): Promise<void> => {
        while (running) {
          const i = next++;
          const res = await write(slot, `/write-metrics/namespaces/sf/pods/p-${i}/seq`, String(i)).catch(
            () => undefined,
          );
          statuses.set(res?.status ?? 0, (statuses.get(res?.status ?? 0) ?? 0) + 1);
          if (res?.status === 200) acknowledged.add(i);
          else lastRefusal = res?.body ?? 'no answer';
          if (res?.status !== 200) await new Promise((r) => setTimeout(r, 20));
        }
      };
      const reader = async (slot: number): Promise<void> => {
        while (running) {
          const res = await clients[slot]!(seenPath).catch(() => undefined);
          if (res?.status !== 200) readFailures++;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const loops = [writer(0), writer(1), writer(0), writer(1), reader(0), reader(1)];
      const waitForMore = (count: number): Promise<true> => {
        const target = acknowledged.size + count;
        return eventually(
          `${count} more acknowledged writes`,
          async () => (acknowledged.size >= target ? true : undefined),
          60_000,
        );
      };
      // NB: what each adapter logged of its Redis connections and loads, to tell a failure's cause from CI's log.
      const printLogs = (): void => {
        t.diagnostic(`old master on port ${master.port}, replica (promoted) on port ${replica.port}`);
        for (const [k, adapter] of adapters.entries())
          t.diagnostic(
            `adapter ${k} log:\n${adapter
              .logs()
              .split('\n')
              // NB: not the request log: under a failover every refused write logs an error.
              .filter((line) => !line.includes('"url":') && /"level":(40|50)|load|redis/.test(line))
              .slice(-40)
              .join('\n')}`,
          );
      };
      try {
        await waitForMore(100);
        t.diagnostic('100 acknowledged before the kill');
        const killedAt = performance.now();
        await master.kill();
        await eventually('a Sentinel to promote the replica', async () =>
          (await sentinelMaster(sentinels[0]!.port, passwords.sentinel)).port === replica.port ? true : undefined,
        );
        const promotedMs = performance.now() - killedAt;
        // NB: with minReplicasToAck 1 the new master needs a replica to acknowledge: the old one, back as its replica.
        await master.restart();
        await waitForMore(100);
        t.diagnostic(`the replica was promoted ${Math.round(promotedMs)} ms after the kill`);
      } catch (error) {
        printLogs();
        throw error;
      } finally {
        running = false;
        await Promise.all(loops);
        t.diagnostic(
          `writes answered by status: ${JSON.stringify(Object.fromEntries(statuses))}; ${acknowledged.size} acknowledged; ${readFailures} failed reads; last refusal: ${lastRefusal}`,
        );
      }
      if (readFailures > 0) printLogs();
      assert.equal(readFailures, 0, 'reads of a metric already seen never failed');
      for (const [n, client] of clients.entries()) {
        let lost: string[] = [];
        await eventually(
          'every acknowledged write on this adapter',
          async () => {
            const res = await client('/apis/custom.metrics.k8s.io/v1beta2/namespaces/sf/pods/*/seq');
            if (res.status !== 200) return undefined;
            const stored = new Map(
              (JSON.parse(res.body) as MetricValueList).items.map((item) => [item.describedObject.name, item.value]),
            );
            // NB: values come back in canonical form: 1000 is `1k`.
            lost = [...acknowledged]
              .filter((i) => stored.get(`p-${i}`) !== parseQuantity(String(i)).toString())
              .map((i) => `p-${i}=${stored.get(`p-${i}`) ?? 'missing'}`);
            return lost.length === 0 ? true : undefined;
          },
          30_000,
        ).catch(() => undefined);
        if (lost.length > 0) printLogs();
        assert.deepEqual(
          lost,
          [],
          `adapter ${n}: ${lost.length} of ${acknowledged.size} acknowledged writes lost or wrong`,
        );
      }
    });
  });
}

failoverSuite('Sentinel failover with minReplicasToAck 1', {});
failoverSuite('Sentinel failover with passwords on Redis and on the Sentinels', {
  redis: 'redis-pw-7c1e',
  sentinel: 'sentinel-pw-2a9f',
});
