/**
 * End to end: three `metrics-adapter serve --backend redis` processes against one real redis-server (AOF on),
 * written over HTTPS and read with a real kubectl 1.35. A write through one is read through the others; kill -9 of
 * an adapter and of Redis during a stream of writes loses no acknowledged write; with Redis down writes are 503 and
 * reads are served until --max-staleness; everything recovers without restarting the adapters.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../../src/quantity/index.js';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient, type RawResponse } from '../helpers/https-client.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const kubectl = await findKubectl();
const skip =
  binary === undefined
    ? 'redis-server is not installed'
    : kubectl === undefined
      ? 'kubectl 1.35 is not available'
      : false;
// NB: generous, so a slow kubectl on a busy CI machine still reads inside the window.
const maxStaleness = 6000;

interface Replica {
  adapter: AdapterProcess;
  send: (path: string, options?: { method?: string; body?: string }) => Promise<RawResponse>;
}

interface MetricValueList {
  items: { describedObject: { name: string }; value: string }[];
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('three adapter replicas on one Redis', { skip }, () => {
  let redis: RedisServer;
  const replicas: Replica[] = [];

  const startReplica = async (): Promise<Replica> => {
    const adapter = await startAdapter(
      ['--backend', 'redis', '--redis-url', redis.url, '--max-staleness', `${maxStaleness / 1000}s`],
      { timeoutMs: 60_000 },
    );
    return { adapter, send: createClient(adapter.url, adapter.caFile) };
  };
  const kubectlGet = async (
    replica: Replica,
    path: string,
  ): Promise<{ code: number; stdout: string; stderr: string }> =>
    kubectlGetRaw(kubectl!, { server: replica.adapter.url, caFile: replica.adapter.caFile, path });
  const write = (replica: Replica, path: string, value: string): Promise<RawResponse> =>
    replica.send(path, { method: 'POST', body: JSON.stringify(value) });

  before(async () => {
    redis = await startRedisServer(binary!);
    replicas.push(...(await Promise.all([startReplica(), startReplica(), startReplica()])));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.adapter.stop()));
    await redis?.stop();
  });

  test('a write through one replica is read through the others with kubectl', async () => {
    const res = await write(
      replicas[0]!,
      '/write-metrics/namespaces/ha/pods/web-1/http_requests?objectLabels=app%3Dweb',
      '300m',
    );
    assert.equal(res.status, 200, res.body);
    for (const replica of replicas.slice(1)) {
      const out = await kubectlGet(
        replica,
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ha/pods/*/http_requests?labelSelector=app%3Dweb',
      );
      assert.equal(out.code, 0, out.stderr);
      const list = JSON.parse(out.stdout) as MetricValueList;
      assert.deepEqual(
        list.items.map((i) => [i.describedObject.name, i.value]),
        [['web-1', '300m']],
      );
    }
    const external = await write(
      replicas[1]!,
      '/write-external-metrics/namespaces/ha/queue_depth?labels=queue%3Dworker',
      '95',
    );
    assert.equal(external.status, 200, external.body);
    const out = await kubectlGet(
      replicas[2]!,
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/ha/queue_depth?labelSelector=queue%3Dworker',
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as { items: { value: string }[] }).items[0]!.value, '95');
  });

  test('staleness: a write acknowledged by one replica is visible on another within milliseconds', async (t) => {
    const delays: number[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await write(replicas[i % 3]!, `/write-metrics/namespaces/ha/pods/lag/probe`, String(i));
      assert.equal(res.status, 200, res.body);
      const acknowledged = performance.now();
      const reader = replicas[(i + 1) % 3]!;
      await eventually('the write on the next replica', async () => {
        const read = await reader.send('/apis/custom.metrics.k8s.io/v1beta2/namespaces/ha/pods/lag/probe');
        return read.status === 200 && (JSON.parse(read.body) as MetricValueList).items[0]!.value === String(i)
          ? true
          : undefined;
      });
      delays.push(performance.now() - acknowledged);
    }
    delays.sort((a, b) => a - b);
    const at = (q: number): string => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]!.toFixed(1);
    // NB: each figure includes one HTTPS read on the other replica, so the replication delay itself is smaller.
    t.diagnostic(
      `write on replica A visible on replica B (ms, incl. one read, n=${delays.length}): p50 ${at(0.5)}, p99 ${at(0.99)}, max ${at(1)}`,
    );
    assert.ok(delays[delays.length - 1]! < 5000, 'a generous bound, far above the measured figure');
  });

  test('kill -9 of an adapter and of Redis during a stream of writes loses no acknowledged write', async (t) => {
    const acknowledged = new Set<number>();
    let next = 0;
    let running = true;
    const worker = async (slot: number): Promise<void> => {
      while (running) {
        const i = next++;
        try {
          const res = await write(replicas[slot]!, `/write-metrics/namespaces/stream/pods/p-${i}/seq`, String(i));
          if (res.status === 200) acknowledged.add(i);
          else await new Promise((r) => setTimeout(r, 20));
        } catch {
          await new Promise((r) => setTimeout(r, 20)); // the replica is down or restarting
        }
      }
    };
    const workers = [0, 1, 2].map(worker);
    const waitForMore = (count: number) =>
      eventually(
        `${count} more acknowledged writes`,
        async () => {
          const target = acknowledged.size + count;
          while (acknowledged.size < target) await new Promise((r) => setTimeout(r, 10));
          return true;
        },
        60_000,
      );
    await waitForMore(100);
    await replicas[0]!.adapter.kill();
    await waitForMore(50);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 300));
    await redis.restart();
    replicas[0] = await startReplica();
    await waitForMore(100);
    running = false;
    await Promise.all(workers);
    t.diagnostic(`${acknowledged.size} of ${next} writes acknowledged across the kills`);

    for (const replica of replicas) {
      const list = await eventually(
        'every acknowledged write on this replica',
        async () => {
          const out = await kubectlGet(replica, '/apis/custom.metrics.k8s.io/v1beta2/namespaces/stream/pods/*/seq');
          if (out.code !== 0) return undefined;
          const stored = new Map(
            (JSON.parse(out.stdout) as MetricValueList).items.map((item) => [item.describedObject.name, item.value]),
          );
          // NB: values come back in canonical form: 1000 is `1k`.
          return [...acknowledged].every((i) => stored.get(`p-${i}`) === parseQuantity(String(i)).toString())
            ? stored
            : undefined;
        },
        10_000,
      ).catch(() => undefined);
      if (list === undefined) {
        const out = await kubectlGet(replica, '/apis/custom.metrics.k8s.io/v1beta2/namespaces/stream/pods/*/seq');
        const stored = new Map(
          (JSON.parse(out.stdout) as MetricValueList).items.map((item) => [item.describedObject.name, item.value]),
        );
        const missing = [...acknowledged].filter((i) => stored.get(`p-${i}`) !== parseQuantity(String(i)).toString());
        assert.fail(
          `${missing.length} of ${acknowledged.size} acknowledged writes are missing or wrong on ${replica.adapter.url}: ${missing.slice(0, 10).join(', ')}`,
        );
      }
    }
  });

  test('Redis down: writes are 503 Status, reads are served within max staleness, then 503; recovery without restarts', async () => {
    await redis.kill();
    const refused = await write(replicas[1]!, '/write-metrics/namespaces/ha/pods/web-2/http_requests', '1');
    assert.equal(refused.status, 503);
    const status = JSON.parse(refused.body) as { kind: string; reason: string; code: number };
    assert.deepEqual([status.kind, status.reason, status.code], ['Status', 'ServiceUnavailable', 503]);

    const path = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ha/pods/web-1/http_requests';
    const served = await kubectlGet(replicas[2]!, path);
    assert.equal(served.code, 0, `read within max staleness: ${served.stderr}`);
    assert.equal((await replicas[2]!.send('/readyz')).status, 200);

    await eventually('reads to answer 503 past max staleness', async () =>
      (await replicas[2]!.send(path)).status === 503 ? true : undefined,
    );
    const readyz = await replicas[2]!.send('/readyz?verbose');
    assert.equal(readyz.status, 503);
    assert.match(readyz.body, /\[-\]backend failed: redis is unreachable/);

    await redis.restart();
    for (const replica of replicas) {
      await eventually('/readyz to pass again', async () =>
        (await replica.send('/readyz')).status === 200 ? true : undefined,
      );
    }
    const accepted = await eventually('a write to be accepted', async () => {
      const res = await write(
        replicas[1]!,
        '/write-metrics/namespaces/ha/pods/web-2/http_requests?objectLabels=app%3Dweb',
        '2',
      );
      return res.status === 200 ? res : undefined;
    });
    assert.equal(accepted.status, 200);
    const out = await kubectlGet(
      replicas[0]!,
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ha/pods/*/http_requests?labelSelector=app%3Dweb',
    );
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual((JSON.parse(out.stdout) as MetricValueList).items.map((i) => i.describedObject.name).sort(), [
      'web-1',
      'web-2',
    ]);
  });
});
