/**
 * Memory per stored series: a fresh adapter, its RSS (from its own /metrics) before and after
 * seeding N custom series through the write API. RSS after includes garbage not yet collected, so
 * the figure is an upper bound on what a series costs.
 * @module
 */
import { join } from 'node:path';
import { startAdapter } from './processes.js';
import { createBenchClient, seed } from './seed.js';
import { readFile } from 'node:fs/promises';

async function rss(client: ReturnType<typeof createBenchClient>): Promise<number> {
  const text = (await client.send('/metrics')).body;
  const match = /^process_resident_memory_bytes (\d+)/m.exec(text);
  if (!match) throw new Error('no process_resident_memory_bytes in /metrics');
  return Number(match[1]);
}

export interface MemoryResult {
  readonly series: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly bytesPerSeries: number;
}

/** Milliseconds from spawning the adapter to its first 200 on /readyz. */
export async function measureColdStart(workDir: string): Promise<number> {
  const certDir = join(workDir, 'certs-cold');
  const started = performance.now();
  const adapter = await startAdapter(certDir);
  try {
    const client = createBenchClient(adapter.url, await readFile(join(certDir, 'ca.crt'), 'utf8'));
    while ((await client.send('/readyz')).status !== 200) await new Promise((resolve) => setTimeout(resolve, 5));
    const ms = performance.now() - started;
    client.close();
    return ms;
  } finally {
    await adapter.stop();
  }
}

export async function measureMemory(workDir: string, series: number): Promise<MemoryResult> {
  const certDir = join(workDir, `certs-memory-${series}`);
  const adapter = await startAdapter(certDir);
  try {
    const client = createBenchClient(adapter.url, await readFile(join(certDir, 'ca.crt'), 'utf8'));
    // NB: warm the write path first, so code and JIT memory is not counted as series memory.
    await seed(client, 'warm-up', 2000, (i) => ({ path: `/write-metrics/namespaces/warm/pods/w-${i}/m?objectLabels=app%3Dw`, body: '"1"' }));
    const before = await rss(client);
    await seed(client, `${series / 1000}k series`, series, (i) => ({
      path: `/write-metrics/namespaces/ns-${i % 10}/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % 1000}`,
      body: `"${(i % 997) + 1}m"`,
    }));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = await rss(client);
    client.close();
    return { series, rssBeforeBytes: before, rssAfterBytes: after, bytesPerSeries: Math.round((after - before) / series) };
  } finally {
    await adapter.stop();
  }
}
