/**
 * The in-memory custom store measured in-process, without HTTP: V8 heap per series after GC at N
 * series (typed-array contents included), the time of those N writes, and the HPA selector query (100 of 10k pods) when
 * it misses
 * the selection cache. Unlike `bench/memory.ts` (RSS of a whole adapter seeded over HTTP, garbage
 * included) this isolates what the store's layout costs.
 *
 * Standalone: `npm run bench:store -- [N…]` (default 100000 1000000); `--json` prints one JSON line
 * per N instead, which `bench/run.ts` reads. Needs `--expose-gc` (the npm script passes it).
 * @module
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createStaticResourceMapper } from '../src/kube/static-resource-mapper.js';
import type { Logger } from '../src/log/index.js';
import { createMemoryModel } from '../src/providers/memory/memory-model.js';
import { parseQuantity } from '../src/quantity/index.js';
import { everything, parseSelector } from '../src/selector/index.js';

export interface StoreMemoryResult {
  readonly series: number;
  readonly heapBytesPerSeries: number;
  readonly writeMs: number;
  readonly queryMicros: number;
}

const collect = (globalThis as { gc?: () => void }).gc;
const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return this;
  },
} as unknown as Logger;

/**
 * NB: heap plus ArrayBuffer memory: a typed array's contents live outside the V8 heap, so `heapUsed`
 * alone would not count the store's typed-array columns.
 */
function heapAfterGc(): number {
  collect!();
  collect!();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** N pods over 10 namespaces, 1000 apps, values from 997 quantities: the shape `bench/memory.ts` writes. */
function measureHeap(series: number): { heapBytesPerSeries: number; writeMs: number } {
  const mapper = createStaticResourceMapper();
  const gr = mapper.resourceFor('pods');
  const info = { groupResource: gr, namespaced: true, metric: 'http_requests' };
  // NB: parsed once, outside the timed loop and the heap figure, as the write route parses before it writes.
  const values = Array.from({ length: 997 }, (_, i) => parseQuantity(`${i + 1}m`));
  const model = createMemoryModel({ mapper, logger: silent, ttlMs: 0 });
  const timestamp = Date.now();
  const before = heapAfterGc();
  const started = performance.now();
  for (let i = 0; i < series; i++) {
    model.writeCustom({
      info,
      name: { namespace: `ns-${i % 10}`, name: `pod-${i}` },
      value: values[i % 997]!,
      timestamp,
      metricLabels: {},
      objectLabels: { app: `web-${i % 1000}` },
    });
  }
  const writeMs = performance.now() - started;
  const after = heapAfterGc();
  if (model.seriesCount().custom !== series)
    throw new Error(`stored ${model.seriesCount().custom} series, wrote ${series}`);
  model.close();
  return { heapBytesPerSeries: Math.round((after - before) / series), writeMs: Math.round(writeMs) };
}

/** The HPA query, 100 of 10k pods; 100 selectors in turn, so every query misses the cache (32 per metric). */
function measureQuery(): number {
  const mapper = createStaticResourceMapper();
  const info = { groupResource: mapper.resourceFor('pods'), namespaced: true, metric: 'http_requests' };
  const model = createMemoryModel({ mapper, logger: silent, ttlMs: 0 });
  for (let i = 0; i < 10_000; i++) {
    model.writeCustom({
      info,
      name: { namespace: 'bench', name: `pod-${i}` },
      value: parseQuantity(`${(i % 997) + 1}m`),
      timestamp: Date.now(),
      metricLabels: {},
      objectLabels: { app: `web-${i % 100}` },
    });
  }
  const selectors = Array.from({ length: 100 }, (_, i) => parseSelector(`app=web-${i}`));
  const run = (rounds: number) => {
    for (let r = 0; r < rounds; r++) {
      for (const selector of selectors) {
        const answer = model.custom.getMetricBySelector('bench', selector, info, everything);
        if (!Array.isArray(answer) || answer.length !== 100) throw new Error('the query did not return 100 values');
      }
    }
  };
  run(20);
  const rounds = 100;
  const started = performance.now();
  run(rounds);
  return Number((((performance.now() - started) * 1000) / (rounds * selectors.length)).toFixed(1));
}

export function measureStore(series: number): StoreMemoryResult {
  return { series, ...measureHeap(series), queryMicros: measureQuery() };
}

/** Runs this file in a fresh node with `--expose-gc` (for `bench/run.ts`), so nothing else is on the heap. */
export async function measureStoreInChild(series: number): Promise<StoreMemoryResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--json', String(series)],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim()) as StoreMemoryResult;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  if (collect === undefined) {
    process.stderr.write('bench/store-memory.ts needs node --expose-gc\n');
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const counts = args.filter((a) => a !== '--json').map(Number);
  for (const series of counts.length > 0 ? counts : [100_000, 1_000_000]) {
    const result = measureStore(series);
    process.stdout.write(
      json
        ? `${JSON.stringify(result)}\n`
        : `store: ${series} series: ${result.heapBytesPerSeries} B/series of heap after GC, ${series} writes in ${result.writeMs} ms, query (100 of 10k, cache miss) ${result.queryMicros} µs\n`,
    );
  }
}
