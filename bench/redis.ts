/**
 * The Redis back end's bench rows: the HPA query and a write against the same bare node:https ceiling as the memory
 * rows (`--backend redis` on a local redis-server started here, AOF on), and Redis memory per stored series from
 * `INFO memory` (used_memory after seeding minus before, stream included). Skipped without redis-server.
 *
 * NB: the two rows run at BENCH_REDIS_CONNECTIONS (32) connections, adapter and ceiling alike, the load their targets
 * are set for: Redis is the back end of fleets where many writers send at once, whose writes it commits in batches.
 * At 16 a batch holds nearly every client's write, so the adapter idles while Redis runs it.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis as RedisClient } from 'ioredis';
import { findRedisServer, startRedisServer, type RedisServer } from '../test/helpers/redis-server.js';
import { createStaticResourceMapper } from '../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../src/log/index.js';
import redisBackend from '../src/providers/redis/index.js';
import { parseQuantity } from '../src/quantity/index.js';
import { compareWithCeiling, type LoadSettings, type Row, type Scenario } from './ab.js';
import { startAdapter } from './processes.js';
import { checkLine, type Check } from './report.js';
import { createBenchClient, seed } from './seed.js';

export interface RedisMemoryResult {
  readonly series: number;
  /** used_memory after minus before, per series: the hashes, the stream and Redis's own bookkeeping. */
  readonly bytesPerSeries: number;
  /** The write stream's share of it (MEMORY USAGE of the stream key), once its retention has passed. */
  readonly streamBytesPerSeries: number;
  /** Redis's own CPU time per write while seeding (INFO cpu): what bounds writes/s per Redis (or shard). */
  readonly redisCpuMicrosPerWrite: number;
  /** Bytes the write stream holds per write in it, right after seeding (before trimming). */
  readonly streamBytesPerWrite: number;
  /** Writes per second while seeding in-process through the back end's writer, 64 in flight (noisy). */
  readonly writesPerSecond: number;
}

export interface RedisPart {
  readonly skipped?: string;
  readonly rows: Row[];
  readonly checks: Check[];
  readonly stdout: string[];
  /** Sentences for the memory paragraph of latest.md. */
  readonly memoryLines: string[];
  readonly memory: RedisMemoryResult[];
}

const redisConnections = Number(process.env.BENCH_REDIS_CONNECTIONS ?? 32);

const scenarios: readonly Scenario[] = [
  {
    name: `Redis back end: HPA Pods query v1beta2 (100 of 10k pods, labelSelector; ${redisConnections} connections)`,
    target: 0.85,
    path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42',
  },
  {
    name: `Redis back end: write (POST /write-metrics; ${redisConnections} connections)`,
    target: 0.6,
    path: '/write-metrics/namespaces/bench/pods/pod-1/http_requests?objectLabels=app%3Dweb-1',
    method: 'POST',
    body: '"250m"',
  },
];

export const redisMemoryTarget = 150;

/** Seconds of CPU the Redis server has used (INFO cpu, user + system). */
async function usedCpu(client: RedisClient): Promise<number> {
  const text = await client.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function usedMemory(client: RedisClient): Promise<number> {
  const match = /^used_memory:(\d+)/m.exec(await client.info('memory'));
  if (!match) throw new Error('no used_memory in INFO memory');
  return Number(match[1]);
}

/** MEMORY USAGE of the stream over the writes its entries hold. */
async function streamCostPerWrite(client: RedisClient, stream: string): Promise<number> {
  const bytes = Number((await client.call('MEMORY', 'USAGE', stream, 'SAMPLES', '0')) ?? 0);
  let writes = 0;
  let from = '-';
  for (;;) {
    const entries = (await client.xrange(stream, from, '+', 'COUNT', 1000)) as [string, string[]][];
    for (const [, fields] of entries) writes += (JSON.parse(fields[1] ?? '[]') as unknown[]).length;
    if (entries.length < 1000) break;
    from = `(${entries[entries.length - 1]![0]}`;
  }
  return writes === 0 ? 0 : Math.round(bytes / writes);
}

/**
 * Seeds `series` custom series (10 namespaces, 1000 label sets, objectLabels on every write, like the memory rows)
 * in-process through the back end's writer, 64 writes in flight, and reads Redis's memory before and after.
 */
export async function measureRedisMemory(binary: string, series: number): Promise<RedisMemoryResult> {
  const redis = await startRedisServer(binary);
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url);
  const prefix = 'metrics-adapter:';
  const backend = await redisBackend.create(
    redisBackend.configSchema.parse({ url: redis.url, keyPrefix: prefix }),
    {},
    { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() },
  );
  try {
    const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' };
    const values = Array.from({ length: 997 }, (_, i) => parseQuantity(`${i + 1}m`));
    const before = await usedMemory(client);
    const cpuBefore = await usedCpu(client);
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < series) {
        const i = next++;
        await backend.writer!.writeCustomMetric({
          info,
          name: { namespace: `ns-${i % 10}`, name: `pod-${i}` },
          value: values[i % 997]!,
          metricLabels: {},
          objectLabels: { app: `web-${i % 1000}` },
          timestamp: Date.now(),
        });
        if (i % 100_000 === 0) process.stderr.write(`redis memory: ${i}/${series}\n`);
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = (await usedCpu(client)) - cpuBefore;
    const streamBytesPerWrite = await streamCostPerWrite(client, `${prefix}writes`);
    // NB: the stream holds the last streamRetention (10s) of writes: a cost of the write rate, not of the series
    // stored. Past the retention, one more write trims it, and what is left is what the series cost at rest.
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_REDIS_SETTLE_MS ?? 11_000)));
    await backend.writer!.writeCustomMetric({
      info,
      name: { namespace: 'ns-0', name: 'pod-0' },
      value: values[0]!,
      metricLabels: {},
      objectLabels: undefined,
      timestamp: Date.now(),
    });
    const after = await usedMemory(client);
    const stream = Number((await client.call('MEMORY', 'USAGE', `${prefix}writes`, 'SAMPLES', '0')) ?? 0);
    return {
      series,
      bytesPerSeries: Math.round((after - before) / series),
      streamBytesPerSeries: Math.round(stream / series),
      redisCpuMicrosPerWrite: Number(((cpuSeconds * 1e6) / series).toFixed(1)),
      streamBytesPerWrite,
      writesPerSecond: Math.round(series / seconds),
    };
  } finally {
    await backend.close();
    client.disconnect();
    await redis.stop();
  }
}

/** The HPA query and write rows against an adapter process on `--backend redis`, then Redis memory per series. */
export async function measureRedis(
  workDir: string,
  settings: LoadSettings,
  memorySeries: readonly number[],
): Promise<RedisPart> {
  const binary = await findRedisServer();
  if (binary === undefined) {
    const skipped = 'redis-server is not installed: the Redis rows are skipped';
    return { skipped, rows: [], checks: [], stdout: [`SKIP  ${skipped}`], memoryLines: [skipped], memory: [] };
  }
  const rows: Row[] = [];
  const checks: Check[] = [];
  const stdout: string[] = [];
  let redis: RedisServer | undefined;
  const certDir = join(workDir, 'certs-redis');
  try {
    redis = await startRedisServer(binary);
    const adapter = await startAdapter(certDir, ['--backend', 'redis', '--redis-url', redis.url]);
    try {
      const ca = await readFile(join(certDir, 'ca.crt'), 'utf8');
      const client = createBenchClient(adapter.url, ca);
      await seed(client, 'pods (redis)', 10_000, (i) => ({
        path: `/write-metrics/namespaces/bench/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % 100}`,
        body: `"${(i % 997) + 1}m"`,
      }));
      for (const scenario of scenarios) {
        const row = await compareWithCeiling(
          { url: adapter.url, ca, certDir, client },
          scenario,
          { ...settings, connections: redisConnections },
          join(workDir, 'answer-redis.json'),
        );
        rows.push(row);
        const check: Check = {
          name: scenario.name,
          value: row.ratio,
          target: scenario.target!,
          kind: 'atLeast',
          unit: '×',
        };
        checks.push(check);
        stdout.push(
          `${checkLine(check)}  [adapter ${row.adapter.rps} req/s, p50/p99 ${row.adapter.p50}/${row.adapter.p99} ms; ceiling ${row.ceiling.rps} req/s]`,
        );
      }
      client.close();
    } finally {
      await adapter.stop();
    }
  } finally {
    await redis?.stop();
  }
  const memory: RedisMemoryResult[] = [];
  const memoryLines: string[] = [];
  for (const series of memorySeries) {
    const result = await measureRedisMemory(binary, series);
    memory.push(result);
    const check: Check = {
      name: `Redis memory per series at ${series / 1000}k`,
      value: result.bytesPerSeries,
      target: redisMemoryTarget,
      kind: 'atMost',
      unit: 'bytes/series',
    };
    checks.push(check);
    stdout.push(
      `${checkLine(check)}  [INFO used_memory at rest; the stream's share ${result.streamBytesPerSeries} B, ${result.streamBytesPerWrite} B per write it holds; Redis CPU ${result.redisCpuMicrosPerWrite} µs/write; seeded in-process at ${result.writesPerSecond} writes/s]`,
    );
    memoryLines.push(
      `Redis memory at ${series} series: ${result.bytesPerSeries} bytes per series from INFO used_memory once the stream's retention passed (its share then: ${result.streamBytesPerSeries}; while written it holds ${result.streamBytesPerWrite} bytes per write), target ≤${redisMemoryTarget}: ${checkLine(check).slice(0, 4)}. Redis CPU ${result.redisCpuMicrosPerWrite} µs per write; seeded in-process through the back end's writer at ${result.writesPerSecond} writes/s.`,
    );
  }
  return { rows, checks, stdout, memoryLines, memory };
}
