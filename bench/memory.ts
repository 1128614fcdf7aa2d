/**
 * Memory per stored series: a fresh adapter, its RSS (from its own /metrics) before and after
 * seeding N custom series through the write API, each read after a full garbage collection (the adapter runs with
 * bench/gc-on-signal.mjs), so that the figure is what the series hold and not how far garbage had piled up when it
 * was read. Beside it, the V8 heap in use plus external (ArrayBuffer) memory, from the same scrapes: the heap V8 has
 * grown to but not filled, and pages not yet given back, count in RSS but not there.
 * @module
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAdapter, type Child } from './processes.js';
import { createBenchClient, seed } from './seed.js';
import { readFile } from 'node:fs/promises';

function gauge(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  if (!match) throw new Error(`no ${name} in /metrics`);
  return Number(match[1]);
}

async function memory(client: ReturnType<typeof createBenchClient>): Promise<{ rss: number; heap: number }> {
  const text = (await client.send('/metrics')).body;
  return {
    rss: gauge(text, 'process_resident_memory_bytes'),
    heap: gauge(text, 'nodejs_heap_size_used_bytes') + gauge(text, 'nodejs_external_memory_bytes'),
  };
}

const gcHook = ['--expose-gc', '--import', fileURLToPath(new URL('./gc-on-signal.mjs', import.meta.url))];

/** Runs a full garbage collection in the adapter and waits for it to say so. */
async function collectGarbage(adapter: Child): Promise<void> {
  const stderr = adapter.process.stderr!;
  const done = new Promise<void>((resolve) => {
    const onData = (chunk: string) => {
      if (!chunk.includes('bench: garbage collected')) return;
      stderr.off('data', onData);
      resolve();
    };
    stderr.on('data', onData);
  });
  adapter.process.kill('SIGUSR2');
  await done;
}

export interface MemoryResult {
  readonly series: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly bytesPerSeries: number;
  /** V8 heap used plus external memory, after minus before, per series, each after a full collection. */
  readonly heapBytesPerSeries: number;
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
  const adapter = await startAdapter(certDir, [], gcHook);
  try {
    const client = createBenchClient(adapter.url, await readFile(join(certDir, 'ca.crt'), 'utf8'));
    // NB: warm the write path first, so code and JIT memory is not counted as series memory.
    await seed(client, 'warm-up', 2000, (i) => ({
      path: `/write-metrics/namespaces/warm/pods/w-${i}/m?objectLabels=app%3Dw`,
      body: '"1"',
    }));
    await collectGarbage(adapter);
    const before = await memory(client);
    await seed(client, `${series / 1000}k series`, series, (i) => ({
      path: `/write-metrics/namespaces/ns-${i % 10}/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % 1000}`,
      body: `"${(i % 997) + 1}m"`,
    }));
    await collectGarbage(adapter);
    const after = await memory(client);
    client.close();
    return {
      series,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      bytesPerSeries: Math.round((after.rss - before.rss) / series),
      heapBytesPerSeries: Math.round((after.heap - before.heap) / series),
    };
  } finally {
    await adapter.stop();
  }
}
