/**
 * `npm run bench:redis`: the Redis capacity model's figures at BENCH_REDIS_SERIES (default 1M) series, seeded
 * in-process through the Redis back end's writer into a local redis-server: Redis memory per series at rest
 * (INFO used_memory), the write stream's bytes per write it holds, and Redis CPU per write (INFO cpu), from which
 * writes/s per Redis follow. Separate from `npm run bench` because 1M writes take minutes on a busy machine.
 * Writes bench/results/redis-capacity.json.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedisServer } from '../test/helpers/redis-server.js';
import { measureRedisMemory, redisMemoryTarget } from './redis.js';

const series = Number(process.env.BENCH_REDIS_SERIES ?? 1_000_000);
const binary = await findRedisServer();
if (binary === undefined) {
  process.stdout.write('SKIP  redis-server is not installed\n');
} else {
  const result = await measureRedisMemory(binary, series);
  const writesPerSecondPerCore = Math.round(1e6 / result.redisCpuMicrosPerWrite);
  const lines = [
    `${result.bytesPerSeries <= redisMemoryTarget ? 'PASS' : 'MISS'}  Redis memory per series at ${series / 1000}k: ${result.bytesPerSeries} bytes/series (target ≤${redisMemoryTarget})`,
    `INFO  write stream: ${result.streamBytesPerWrite} bytes per write it holds (it holds streamRetention, default 10s, of writes)`,
    `INFO  Redis CPU per write: ${result.redisCpuMicrosPerWrite} µs, so about ${writesPerSecondPerCore} writes/s per Redis (one core) before Redis is the bottleneck`,
    `INFO  seeded in-process at ${result.writesPerSecond} writes/s (noisy: a shared machine)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const out = join(fileURLToPath(new URL('./results/', import.meta.url)), 'redis-capacity.json');
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...result, writesPerSecondPerCore }, null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}
