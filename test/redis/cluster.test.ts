/**
 * Redis Cluster end to end: 3 masters with a replica each (Debian's redis-server on loopback, joined by
 * `redis-cli --cluster create`), two `metrics-adapter serve` processes on `--redis-cluster` with
 * `--redis-min-replicas-to-ack 1` (WAIT per shard). A write through one adapter is read through the other, metrics
 * land on every shard, and after a kill -9 of one shard's master its replica is promoted, the adapters follow, every
 * write that got a 200 is readable through both adapters, and reads of metrics on the other shards never fail.
 * Without replicas, a shard that is down makes only its own metrics answer 503 (after max staleness), and the
 * replicas pick it up again when it is back, with no restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { StatusError } from '../../src/api/errors.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import type { Backend } from '../../src/providers/backend.js';
import type { CustomMetricWrite } from '../../src/providers/write.js';
import redisBackend from '../../src/providers/redis/index.js';
import { parseQuantity } from '../../src/quantity/index.js';
import { everything } from '../../src/selector/index.js';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient } from '../helpers/https-client.js';
import { command, findRedisCli, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { findRedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const cli = binary === undefined ? undefined : await findRedisCli(binary);
const skip =
  binary === undefined ? 'redis-server is not installed' : cli === undefined ? 'redis-cli is not installed' : false;
const metrics = Array.from({ length: 12 }, (_, i) => `m${i}`);

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

/** The metrics whose values a node holds, from the scopes in its keys. */
async function metricsOn(port: number): Promise<Set<string>> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', 'metrics-adapter:*s:*', 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const scope = /s:(\[.*\]):\d+$/.exec(key)?.[1];
        if (scope !== undefined) found.add((JSON.parse(scope) as string[])[3]!);
      }
    } while (cursor !== '0');
    return found;
  } finally {
    client.disconnect();
  }
}

describe('Redis Cluster', { skip }, () => {
  let cluster: RedisCluster;
  const adapters: AdapterProcess[] = [];
  let clients: ReturnType<typeof createClient>[] = [];
  const path = (metric: string, pod = 'p') => `/apis/custom.metrics.k8s.io/v1beta2/namespaces/cl/pods/${pod}/${metric}`;
  const write = (slot: number, metric: string, pod: string, value: string) =>
    clients[slot]!(`/write-metrics/namespaces/cl/pods/${pod}/${metric}`, {
      method: 'POST',
      body: JSON.stringify(value),
    });

  before(async () => {
    cluster = await startRedisCluster(binary!, cli!, { masters: 3, replicasPerMaster: 1 });
    const flags = [
      '--backend',
      'redis',
      '--redis-cluster',
      cluster.seeds,
      '--redis-min-replicas-to-ack',
      '1',
      '--max-staleness',
      '10s',
    ];
    adapters.push(
      ...(await Promise.all([startAdapter(flags, { timeoutMs: 60_000 }), startAdapter(flags, { timeoutMs: 60_000 })])),
    );
    clients = adapters.map((a) => createClient(a.url, a.caFile));
  });
  after(async () => {
    await Promise.all(adapters.map((a) => a.stop()));
    await cluster?.stop();
  });

  test('a write through one adapter is read through the other, and metrics spread over every shard', async () => {
    for (const [i, metric] of metrics.entries())
      assert.equal((await write(0, metric, 'p', String(i + 1))).status, 200, `write of ${metric}`);
    for (const [i, metric] of metrics.entries()) {
      // NB: the other adapter applies the write one wake-up after Redis accepted it.
      const value = await eventually(
        `${metric} through the other adapter`,
        async () => {
          const res = await clients[1]!(path(metric));
          return res.status === 200 ? (JSON.parse(res.body) as MetricValueList).items[0]?.value : undefined;
        },
        5000,
      );
      assert.equal(value, String(i + 1));
    }
    const held = await Promise.all(cluster.masters.map((master) => metricsOn(master.port)));
    assert.ok(
      held.every((set) => set.size > 0),
      `every master holds some metrics: ${held.map((set) => [...set].join(' ')).join(' | ')}`,
    );
    assert.equal(
      held.reduce((sum, set) => sum + set.size, 0),
      metrics.length,
      'each metric sits on one shard',
    );
  });

  test('kill -9 of a shard master: its replica is promoted, no acknowledged write is lost, other shards keep answering', async (t) => {
    const victim = cluster.masters[0]!;
    const onVictim = [...(await metricsOn(victim.port))];
    const elsewhere = metrics.filter((m) => !onVictim.includes(m));
    assert.ok(onVictim.length > 0 && elsewhere.length > 0);
    const [victimMetric] = onVictim;
    const readMetric = elsewhere[0]!;
    const replicaPorts = cluster.nodes.slice(cluster.masters.length).map((node) => node.port);
    const victimReplica = await eventually("the victim master's replica", async () => {
      for (const port of replicaPorts)
        if ((await command(port, 'INFO', 'replication')).includes(`master_port:${victim.port}`)) return port;
      return undefined;
    });

    const acknowledged = new Set<number>();
    const statuses = new Map<number, number>();
    let readFailures = 0;
    let next = 0;
    let running = true;
    const writer = async (slot: number): Promise<void> => {
      while (running) {
        const i = next++;
        const res = await write(slot, victimMetric!, `p-${i}`, String(i)).catch(() => undefined);
        statuses.set(res?.status ?? 0, (statuses.get(res?.status ?? 0) ?? 0) + 1);
        if (res?.status === 200) acknowledged.add(i);
        else await new Promise((r) => setTimeout(r, 20));
      }
    };
    const reader = async (slot: number): Promise<void> => {
      while (running) {
        const res = await clients[slot]!(path(readMetric)).catch(() => undefined);
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
    try {
      await waitForMore(100);
      const killedAt = performance.now();
      await victim.kill();
      await eventually('the replica to be promoted', async () =>
        (await command(victimReplica, 'ROLE')).startsWith('master') ? true : undefined,
      );
      const promotedMs = performance.now() - killedAt;
      // NB: with minReplicasToAck 1 the promoted master needs a replica to acknowledge: the old one, back as its
      // replica.
      await victim.restart();
      await waitForMore(100);
      t.diagnostic(`the replica was promoted ${Math.round(promotedMs)} ms after the kill`);
    } finally {
      running = false;
      await Promise.all(loops);
      t.diagnostic(
        `writes answered by status: ${JSON.stringify(Object.fromEntries(statuses))}; ${acknowledged.size} acknowledged; ${readFailures} failed reads of a metric on another shard`,
      );
    }
    assert.equal(readFailures, 0, 'reads of a metric on another shard never failed');
    for (const [n, client] of clients.entries()) {
      let lost: string[] = [];
      await eventually(
        'every acknowledged write on this adapter',
        async () => {
          const res = await client(path(victimMetric!, '*'));
          if (res.status !== 200) return undefined;
          const stored = new Map(
            (JSON.parse(res.body) as MetricValueList).items.map((item) => [item.describedObject.name, item.value]),
          );
          lost = [...acknowledged]
            .filter((i) => stored.get(`p-${i}`) !== parseQuantity(String(i)).toString())
            .map((i) => `p-${i}=${stored.get(`p-${i}`) ?? 'missing'}`);
          return lost.length === 0 ? true : undefined;
        },
        30_000,
      ).catch(() => undefined);
      assert.deepEqual(
        lost,
        [],
        `adapter ${n}: ${lost.length} of ${acknowledged.size} acknowledged writes lost or wrong`,
      );
    }
  });
});

describe('a Redis Cluster shard without a replica goes down', { skip }, () => {
  let cluster: RedisCluster;
  let writer: Backend;
  let reader: Backend;
  const ctx = { signal: new AbortController().signal };
  const info = (metric: string) => ({ groupResource: { group: '', resource: 'pods' }, namespaced: true, metric });
  const value = (metric: string, v: string): CustomMetricWrite => ({
    info: info(metric),
    name: { namespace: 'cl', name: 'p' },
    value: parseQuantity(v),
    metricLabels: {},
    objectLabels: undefined,
    timestamp: Date.now(),
  });
  const read = async (b: Backend, metric: string): Promise<string | number> => {
    try {
      return (await b.custom!.getMetricByName({ namespace: 'cl', name: 'p' }, info(metric), everything, ctx)).value;
    } catch (error) {
      if (error instanceof StatusError) return error.code;
      throw error;
    }
  };
  const store = async (metric: string, v: string): Promise<number> => {
    try {
      await writer.writer!.writeCustomMetric(value(metric, v));
      return 200;
    } catch (error) {
      if (error instanceof StatusError) return error.code;
      throw error;
    }
  };

  before(async () => {
    cluster = await startRedisCluster(binary!, cli!, { masters: 3 });
    const config = redisBackend.configSchema.parse({ cluster: cluster.seeds, maxStaleness: '2s' });
    const deps = { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() };
    [writer, reader] = await Promise.all([
      redisBackend.create(config, {}, deps),
      redisBackend.create(config, {}, deps),
    ]);
  });
  after(async () => {
    await writer?.close();
    await reader?.close();
    await cluster?.stop();
  });

  test('its metrics answer 503 past max staleness, the others keep answering, and it is picked up again when back', async () => {
    for (const metric of metrics) assert.equal(await store(metric, '1'), 200);
    const victim = cluster.masters[1]!;
    const down = [...(await metricsOn(victim.port))][0]!;
    const alive = [...(await metricsOn(cluster.masters[0]!.port))][0]!;
    await eventually(
      'both values on the reader',
      async () => ((await read(reader, down)) === '1' && (await read(reader, alive)) === '1' ? true : undefined),
      5000,
    );

    await victim.kill();
    assert.equal(await store(down, '2'), 503, 'a write to the lost shard is refused');
    assert.equal(await store(alive, '2'), 200, 'a write to another shard is stored');
    await eventually(
      "the lost shard's metric to answer 503",
      async () => ((await read(reader, down)) === 503 ? true : undefined),
      15_000,
    );
    // NB: the reader may hear of it only at its next poll, if its subscriber connection was on the lost node.
    await eventually(
      'a metric on another shard to answer its new value',
      async () => ((await read(reader, alive)) === '2' ? true : undefined),
      5000,
    );
    assert.equal(reader.readiness().ready, true, 'the replica stays ready while other shards are current');

    await victim.restart();
    await eventually(
      'the shard to be picked up again',
      async () => ((await read(reader, down)) === '1' ? true : undefined),
      20_000,
    );
    await eventually(
      'a write to it to be stored again',
      async () => ((await store(down, '3')) === 200 ? true : undefined),
      20_000,
    );
    await eventually(
      'the new value on the reader',
      async () => ((await read(reader, down)) === '3' ? true : undefined),
      5000,
    );
  });
});
