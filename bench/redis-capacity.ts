/**
 * `npm run bench:redis`: the Redis capacity model's figures at BENCH_REDIS_SERIES (default 1M) series, seeded
 * in-process through the Redis back end's writer, printed as a table:
 * - `cluster` (default): a local 3-master Redis Cluster (BENCH_REDIS_SHARDS), series pushed in batches over 64
 *   metrics: writes/s, Redis memory per series (INFO used_memory summed over the masters), series and bytes per shard,
 *   Redis CPU per write.
 * - `single` (BENCH_REDIS_SETUPS=cluster,single): one redis-server, one write per request, 64 in flight: memory per
 *   series at rest, the write stream's bytes per write it holds, Redis CPU per write.
 * Separate from `npm run bench` because 1M writes take minutes on a busy machine. Writes
 * bench/results/redis-capacity.json.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedisCli } from '../test/helpers/redis-cluster.js';
import { findRedisServer } from '../test/helpers/redis-server.js';
import { measureClusterCapacity, type ClusterCapacityResult } from './redis-cluster.js';
import { measureRedisMemory, redisMemoryTarget, type RedisMemoryResult } from './redis.js';

const series = Number(process.env.BENCH_REDIS_SERIES ?? 1_000_000);
const shards = Number(process.env.BENCH_REDIS_SHARDS ?? 3);
const setups = (process.env.BENCH_REDIS_SETUPS ?? 'cluster').split(',').map((s) => s.trim());
const binary = await findRedisServer();
const cli = binary === undefined ? undefined : await findRedisCli(binary);
if (binary === undefined || cli === undefined) {
  process.stdout.write(`SKIP  ${binary === undefined ? 'redis-server' : 'redis-cli'} is not installed\n`);
} else {
  let cluster: ClusterCapacityResult | undefined;
  let single: RedisMemoryResult | undefined;
  if (setups.includes('cluster')) cluster = await measureClusterCapacity(binary, cli, series, shards);
  if (setups.includes('single')) single = await measureRedisMemory(binary, series);
  const k = (n: number): string => `${Math.round(n / 1000)}k`;
  const rows: string[][] = [];
  if (cluster !== undefined) {
    rows.push([
      `Redis Cluster, ${cluster.shards} masters`,
      k(cluster.series),
      String(cluster.writesPerSecond),
      String(cluster.bytesPerSeries),
      cluster.seriesPerShard.map(k).join(' / '),
      cluster.bytesPerShard.map((b) => `${(b / 1e6).toFixed(1)} MB`).join(' / '),
      String(cluster.redisCpuMicrosPerWrite),
      `batches of ${cluster.batchSize}, ${cluster.batchesInFlight} in flight, ${cluster.metrics} metrics${cluster.retries > 0 ? `, ${cluster.retries} retried after a 503` : ''}`,
    ]);
  }
  if (single !== undefined) {
    rows.push([
      'one Redis',
      k(single.series),
      String(single.writesPerSecond),
      String(single.bytesPerSeries),
      k(single.series),
      `${((single.bytesPerSeries * single.series) / 1e6).toFixed(1)} MB`,
      String(single.redisCpuMicrosPerWrite),
      'one write per request, 64 in flight, 1 metric',
    ]);
  }
  const header = [
    'setup',
    'series',
    'writes/s',
    'Redis B/series',
    'series per shard',
    'Redis memory per shard',
    'Redis CPU µs/write',
    'seeded as',
  ];
  const table = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
  const notes = [
    `target for Redis memory per series: ≤${redisMemoryTarget} B`,
    ...(single !== undefined
      ? [
          `one Redis: the write stream holds ${single.streamBytesPerWrite} bytes per write (for streamRetention, default 10s)`,
        ]
      : []),
    "writes/s is what one in-process writer reached on this machine: noisy on a shared machine, and bounded by the writer's CPU, not by Redis",
  ];
  process.stdout.write(`${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  const out = join(fileURLToPath(new URL('./results/', import.meta.url)), 'redis-capacity.json');
  await writeFile(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...(cluster !== undefined ? { cluster } : {}), ...(single !== undefined ? { single } : {}) }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${out}\n`);
}
