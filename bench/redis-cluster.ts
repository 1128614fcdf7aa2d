/**
 * The Redis Cluster capacity figures of `npm run bench:redis`: `series` custom series over 64 metrics (so they spread
 * over the partitions, and so the shards) seeded in-process through the Redis back end's writer into a local
 * cluster of `shards` masters, pushed as batches (as remote-write or OTLP sends them). Memory per series is INFO
 * used_memory summed over the masters (after minus before, once the streams' retention has passed), Redis CPU per
 * write is INFO cpu summed over them, and writes/s is what the one in-process writer achieved.
 * @module
 */
import type { Redis as RedisClient } from 'ioredis';
import { createStaticResourceMapper } from '../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../src/log/index.js';
import type { CustomMetricWrite } from '../src/providers/write.js';
import redisBackend from '../src/providers/redis/index.js';
import { parseQuantity } from '../src/quantity/index.js';
import { startRedisCluster } from '../test/helpers/redis-cluster.js';

export interface ClusterCapacityResult {
  readonly shards: number;
  readonly series: number;
  readonly metrics: number;
  /** Series stored per master at the end: how evenly the partitions spread. */
  readonly seriesPerShard: readonly number[];
  readonly bytesPerSeries: number;
  readonly bytesPerShard: readonly number[];
  readonly redisCpuMicrosPerWrite: number;
  readonly writesPerSecond: number;
  readonly batchSize: number;
  readonly batchesInFlight: number;
  /** Batches answered 503 and sent again. */
  readonly retries: number;
}

const metricCount = 64;
const batchSize = 500;
const batchesInFlight = 8;

async function infoField(client: RedisClient, section: string, name: string): Promise<number> {
  const text = await client.info(section);
  const value = Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  if (!Number.isFinite(value)) throw new Error(`no ${name} in INFO ${section}`);
  return value;
}

export async function measureClusterCapacity(
  serverBinary: string,
  cliBinary: string,
  series: number,
  shards = 3,
): Promise<ClusterCapacityResult> {
  const cluster = await startRedisCluster(serverBinary, cliBinary, { masters: shards });
  const { Redis } = await import('ioredis');
  const masters = cluster.masters.map((node) => new Redis({ port: node.port, host: '127.0.0.1' }));
  const backend = await redisBackend.create(
    redisBackend.configSchema.parse({ cluster: cluster.seeds }),
    {},
    { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() },
  );
  const sum = async (section: string, name: string): Promise<number[]> =>
    Promise.all(masters.map((m) => infoField(m, section, name)));
  try {
    const values = Array.from({ length: 997 }, (_, i) => parseQuantity(`${i + 1}m`));
    const write = (i: number): CustomMetricWrite => ({
      info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: `metric_${i % metricCount}` },
      name: { namespace: `ns-${i % 10}`, name: `pod-${Math.floor(i / metricCount)}` },
      value: values[i % 997]!,
      metricLabels: {},
      objectLabels: { app: `web-${i % 1000}` },
      timestamp: Date.now(),
    });
    const memoryBefore = await sum('memory', 'used_memory');
    const cpuBefore = await sum('cpu', 'used_cpu_user');
    const sysBefore = await sum('cpu', 'used_cpu_sys');
    const started = performance.now();
    let next = 0;
    let retries = 0;
    const worker = async (): Promise<void> => {
      while (next < series) {
        const from = next;
        const to = Math.min(series, from + batchSize);
        next = to;
        const batch = { custom: Array.from({ length: to - from }, (_, j) => write(from + j)), external: [] };
        // NB: a 503 asks the writer to retry, as a real one does (a command can time out on a loaded machine).
        for (let attempt = 1; ; attempt++) {
          try {
            await backend.writer!.writeBatch!(batch);
            break;
          } catch (error) {
            if (attempt >= 5) throw error;
            retries++;
          }
        }
        if (Math.floor(from / 100_000) !== Math.floor(to / 100_000))
          process.stderr.write(`redis cluster: ${to}/${series}\n`);
      }
    };
    await Promise.all(Array.from({ length: batchesInFlight }, worker));
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds =
      (await sum('cpu', 'used_cpu_user')).reduce((a, b, i) => a + b - cpuBefore[i]!, 0) +
      (await sum('cpu', 'used_cpu_sys')).reduce((a, b, i) => a + b - sysBefore[i]!, 0);
    // NB: each partition's stream holds its last streamRetention (10s) of writes; past it, one more write to every
    // metric trims every stream, and what is left is what the series cost at rest.
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_REDIS_SETTLE_MS ?? 11_000)));
    await backend.writer!.writeBatch!({
      custom: Array.from({ length: metricCount }, (_, i) => write(i)),
      external: [],
    });
    const memoryAfter = await sum('memory', 'used_memory');
    const bytesPerShard = memoryAfter.map((after, i) => after - memoryBefore[i]!);
    const seriesPerShard = await Promise.all(
      masters.map(async (m) => {
        let count = 0;
        let cursor = '0';
        do {
          const [nextCursor, keys] = await m.scan(cursor, 'MATCH', 'metrics-adapter:*s:*', 'COUNT', 1000);
          cursor = nextCursor;
          for (const key of keys) count += await m.hlen(key);
        } while (cursor !== '0');
        return count;
      }),
    );
    return {
      shards,
      series,
      metrics: metricCount,
      seriesPerShard,
      bytesPerSeries: Math.round(bytesPerShard.reduce((a, b) => a + b, 0) / series),
      bytesPerShard,
      redisCpuMicrosPerWrite: Number(((cpuSeconds * 1e6) / series).toFixed(1)),
      writesPerSecond: Math.round(series / seconds),
      batchSize,
      batchesInFlight,
      retries,
    };
  } finally {
    await backend.close();
    for (const m of masters) m.disconnect();
    await cluster.stop();
  }
}
