/**
 * `npm run bench`: each scenario runs against the adapter and against a bare node:https ceiling that
 * returns the same bytes, alternately (A/B/A/B), with autocannon, the adapter and the ceiling each in
 * its own process. Then the HPA query again at BENCH_SCALE_SERIES stored series, the same query answered
 * from a real Prometheus (skipped without the binary), memory per series (BENCH_MEMORY_SERIES,
 * comma-separated), the custom store's own heap per series at 1M in-process (bench/store-memory.ts) and cold
 * start to ready, and the same HPA query and write with `--backend redis` plus Redis memory per series at
 * BENCH_REDIS_MEMORY_SERIES (bench/redis.ts). Prints every figure with its target and PASS/MISS, and writes
 * bench/results/latest.{json,md,svg}.
 * Knobs: BENCH_DURATION (s per run), BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_SCALE_SERIES, BENCH_MEMORY_SERIES,
 * BENCH_REDIS_MEMORY_SERIES.
 * BENCH_SCENARIOS=0,5 runs only those rows of the ratio table (numbered from 0) and writes no results: for
 * comparing two builds, not for figures.
 * @module
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWithCeiling, rowLine, type LoadSettings, type Row, type Scenario } from './ab.js';
import { measureColdStart, measureMemory, type MemoryResult } from './memory.js';
import { runIngestLoad, startAdapter, type Child } from './processes.js';
import { measurePrometheus, reportPrometheus } from './prometheus.js';
import { measureIngest } from './ingest.js';
import { checkLine, ratioChart, writeReport, type Check } from './report.js';
import { createBenchClient, seed } from './seed.js';
import { measureRedis } from './redis.js';
import { measureStoreInChild, type StoreMemoryResult } from './store-memory.js';

const durationSeconds = Number(process.env.BENCH_DURATION ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const settings: LoadSettings = { durationSeconds, rounds, connections };
const podCount = 10_000;
const podsPerApp = 100;
const discoveryMetrics = 10_000;
const scaleSeries = Number(process.env.BENCH_SCALE_SERIES ?? 1_000_000);
const memorySeries = (process.env.BENCH_MEMORY_SERIES ?? '100000,1000000').split(',').map(Number);
const redisMemorySeries = (process.env.BENCH_REDIS_MEMORY_SERIES ?? '100000,1000000')
  .split(',')
  .filter((s) => s !== '')
  .map(Number);
const only = process.env.BENCH_SCENARIOS?.split(',').map(Number);
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

/**
 * NB: every scenario above asks one URL again and again, and the memory store answers a repeated query from its
 * cache until a write changes it. This one cycles through 100 selectors, more than a metric's 32 cached answers, so
 * every answer is computed and encoded: what an HPA sees when its pods write between two of its reads.
 */
const uncachedSelectors = Array.from(
  { length: 100 },
  (_, i) => `/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-${i}`,
);

/** NB: the 100 pods of app web-42 (pod i has app web-(i % 100)), so every write changes the answer being read. */
const streamedWrites = Array.from(
  { length: 100 },
  (_, i) => `/write-metrics/namespaces/bench/pods/pod-${i * 100 + 42}/http_requests?objectLabels=app%3Dweb-42`,
);

const scenarios: readonly Scenario[] = [
  {
    name: 'HPA Pods query v1beta2 (100 of 10k pods, labelSelector)',
    target: 0.9,
    path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42',
  },
  {
    name: 'HPA Pods query v1beta1 (100 of 10k pods, labelSelector)',
    target: 0.85,
    path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42',
  },
  {
    name: 'named object (form A)',
    target: 0.9,
    path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/pod-4242/http_requests',
  },
  {
    name: `discovery with ${discoveryMetrics / 1000}k metrics`,
    target: 0.8,
    path: '/apis/custom.metrics.k8s.io/v1beta2',
  },
  {
    name: 'external metric with labelSelector',
    target: 0.9,
    path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/queue_messages_ready?labelSelector=queue%3Dq-7',
  },
  {
    name: 'HPA Pods query v1beta2, 100 selectors in turn (none cached)',
    target: 0.8,
    path: uncachedSelectors[0]!,
    paths: uncachedSelectors,
  },
  {
    name: 'HPA Pods query v1beta2 while 1,000 writes/s stream to its pods',
    target: 0.8,
    path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42',
    background: { paths: streamedWrites, method: 'POST', body: '"420m"', rate: 1000, connections: 4 },
  },
  {
    name: 'write (POST /write-metrics)',
    target: 0.85,
    path: '/write-metrics/namespaces/bench/pods/pod-1/http_requests?objectLabels=app%3Dweb-1',
    method: 'POST',
    body: '"250m"',
  },
  {
    name: 'HPA Pods query of a remote-write counter while 1,000 samples/s are pushed to its pods',
    target: 0.8,
    path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench-push/pods/%2A/bench_requests_per_second',
    // NB: what a Prometheus agent sends: every 100 ms one request with a sample of each of the 100 pods' counters.
    pushBackground: { kind: 'remote-write', batch: 100, series: 100, rate: 10, connections: 2 },
  },
];

async function main(): Promise<void> {
  if (only?.some((index) => scenarios[index] === undefined))
    throw new Error(`BENCH_SCENARIOS=${process.env.BENCH_SCENARIOS}: give row numbers 0 to ${scenarios.length - 1}`);
  const workDir = await mkdtemp(join(tmpdir(), 'metrics-adapter-bench-'));
  const children: Child[] = [];
  try {
    const adapter = await startAdapter(join(workDir, 'certs'));
    children.push(adapter);
    const ca = await readFile(join(workDir, 'certs/ca.crt'), 'utf8');
    const client = createBenchClient(adapter.url, ca);
    await seed(client, 'pods', podCount, (i) => ({
      path: `/write-metrics/namespaces/bench/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % (podCount / podsPerApp)}`,
      body: `"${(i % 997) + 1}m"`,
    }));
    await seed(client, 'discovery metrics', discoveryMetrics, (i) => ({
      path: `/write-metrics/namespaces/bench/metrics/bench_metric_${i}`,
      body: '1',
    }));
    await seed(client, 'external series', 1000, (i) => ({
      path: `/write-external-metrics/namespaces/bench/queue_messages_ready?labels=queue%3Dq-${i % 50},shard%3D${i}`,
      body: String(i),
    }));

    // NB: two seconds of pushes, so every pushed counter has the two samples a rate needs.
    await runIngestLoad({
      url: adapter.url,
      ca,
      kind: 'remote-write',
      batch: 100,
      series: 100,
      rate: 10,
      connections: 1,
      durationSeconds: 2,
    });
    const report: Row[] = [];
    const lines: string[] = [];
    const checks: Check[] = [];
    const target = { url: adapter.url, ca, certDir: join(workDir, 'certs'), client };
    for (const [index, scenario] of scenarios.entries()) {
      if (only !== undefined && !only.includes(index)) continue;
      const row = await compareWithCeiling(target, scenario, settings, join(workDir, 'answer.json'));
      report.push(row);
      lines.push(rowLine(row));
      const figures = `[adapter ${row.adapter.rps} req/s, p50/p99 ${row.adapter.p50}/${row.adapter.p99} ms; ceiling ${row.ceiling.rps} req/s]`;
      if (scenario.target === undefined) {
        process.stdout.write(`INFO  ${scenario.name}: ${row.ratio}× the ceiling, no target  ${figures}\n`);
        continue;
      }
      const check: Check = {
        name: scenario.name,
        value: row.ratio,
        target: scenario.target,
        kind: 'atLeast',
        unit: '×',
      };
      checks.push(check);
      process.stdout.write(
        `${checkLine(check)}  [adapter ${row.adapter.rps} req/s, p50/p99 ${row.adapter.p50}/${row.adapter.p99} ms; ceiling ${row.ceiling.rps} req/s]\n`,
      );
    }

    if (only !== undefined) return;
    // NB: the same query, with the store grown to scaleSeries series of the same metric in another
    // namespace: a lookup that scanned every series would slow down in proportion.
    const hpa = scenarios[0]!;
    const small = report[0]!;
    await seed(
      client,
      `grow to ${scaleSeries / 1000}k series`,
      Math.max(0, scaleSeries - podCount - discoveryMetrics - 1000),
      (i) => ({
        path: `/write-metrics/namespaces/bulk-${i % 100}/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % 1000}`,
        body: '"1"',
      }),
    );
    // NB: against the ceiling again, and the two ratios compared: the machine's speed moves between the two runs,
    // so their req/s alone would compare two speeds of the machine as much as two store sizes.
    const large = await compareWithCeiling(target, hpa, settings, join(workDir, 'answer.json'));
    const scale: Check = {
      name: `HPA query at ${scaleSeries / 1000}k series vs 10k`,
      value: Number((large.ratio / small.ratio).toFixed(3)),
      target: 0.9,
      kind: 'atLeast',
      unit: '×',
    };
    checks.push(scale);
    process.stdout.write(
      `${checkLine(scale)}  [${large.ratio}× the ceiling at ${scaleSeries / 1000}k, ${small.ratio}× at 10k; ${large.adapter.rps} vs ${small.adapter.rps} req/s]\n`,
    );
    client.close();
    await adapter.stop();

    const ingest = await measureIngest(workDir, settings);
    checks.push(...ingest.checks);
    for (const check of ingest.checks) process.stdout.write(`${checkLine(check)}\n`);

    const prometheus = await measurePrometheus(workDir, settings);
    const prometheusPart = reportPrometheus(prometheus);
    lines.push(...prometheusPart.rows);
    checks.push(...prometheusPart.checks);
    for (const line of prometheusPart.stdout) process.stdout.write(`${line}\n`);

    const redis = await measureRedis(workDir, settings, redisMemorySeries);
    report.push(...redis.rows);
    lines.push(...redis.rows.map(rowLine));
    checks.push(...redis.checks);
    for (const line of redis.stdout) process.stdout.write(`${line}\n`);

    const memory: MemoryResult[] = [];
    const memoryLines: string[] = [];
    for (const series of memorySeries) {
      const result = await measureMemory(workDir, series);
      memory.push(result);
      const line = `Memory: ${series} series took ${((result.rssAfterBytes - result.rssBeforeBytes) / 2 ** 20).toFixed(1)} MiB of RSS, ${result.bytesPerSeries} bytes per series (V8 heap used + external: ${result.heapBytesPerSeries})`;
      if (series >= 1_000_000) {
        const check: Check = {
          name: `RSS growth per series at ${series / 1000}k, seeded through the write API`,
          value: result.bytesPerSeries,
          target: 100,
          kind: 'atMost',
          unit: 'bytes/series',
        };
        checks.push(check);
        memoryLines.push(`${line} (target ≤100: ${checkLine(check).slice(0, 4)}).`);
        process.stdout.write(`${checkLine(check)}\n`);
      } else {
        memoryLines.push(`${line} (no target below 1M).`);
        process.stdout.write(`INFO  ${line}\n`);
      }
    }
    // NB: in-process and after GC, so unlike the RSS figures above it is what the store's layout costs.
    const store: StoreMemoryResult = await measureStoreInChild(1_000_000);
    const storeCheck: Check = {
      name: 'store heap per series at 1M (after GC)',
      value: store.heapBytesPerSeries,
      target: 120,
      kind: 'atMost',
      unit: 'bytes/series',
    };
    checks.push(storeCheck);
    process.stdout.write(
      `${checkLine(storeCheck)}  [1M writes in ${store.writeMs} ms in-process; query 100 of 10k on a cache miss ${store.queryMicros} µs]\n`,
    );
    memoryLines.push(
      `Store heap per series at 1M (after GC, in-process, typed arrays included): ${store.heapBytesPerSeries} bytes (target ≤120: ${checkLine(storeCheck).slice(0, 4)}); 1M writes took ${store.writeMs} ms, a cache-missing query of 100 of 10k pods ${store.queryMicros} µs.`,
    );
    const coldStartMs = Math.round(await measureColdStart(workDir));
    process.stdout.write(`INFO  cold start to ready (spawn to first 200 on /readyz): ${coldStartMs} ms\n`);
    const memoryLine = [
      ...memoryLines,
      ...redis.memoryLines,
      'Memory is read after a full garbage collection in the adapter (bench/gc-on-signal.mjs).',
      `Cold start to ready (spawn to first 200 on /readyz): ${coldStartMs} ms.`,
      `The HPA query at ${scaleSeries} stored series: ${large.adapter.rps} req/s, ${large.ratio.toFixed(2)}× the ceiling, ${scale.value.toFixed(2)}× the 10k row's ratio (target ≥0.9×: ${checkLine(scale).slice(0, 4)}).`,
    ].join('\n');
    const header = [
      `Run ${new Date().toISOString()}, node ${process.version}, ${rounds} rounds × ${durationSeconds}s per side, ${connections} connections, keep-alive TLS.`,
      '',
      '| scenario | body bytes | adapter req/s | adapter p50 / p99 ms | ceiling req/s | ceiling p50 / p99 ms | ratio | target |',
      '|---|---|---|---|---|---|---|---|',
    ];
    const missed = checks.filter((c) => checkLine(c).startsWith('MISS')).length;
    await writeReport(
      resultsDir,
      {
        date: new Date().toISOString(),
        node: process.version,
        durationSeconds,
        rounds,
        connections,
        results: report,
        ingest: ingest.rows,
        prometheus,
        scale: { series: scaleSeries, rps: large.adapter.rps, ratio: scale.value },
        memory,
        store,
        redisMemory: redis.memory,
        coldStartMs,
        checks,
      },
      `${[...header, ...lines, '', ...ingest.lines, '', prometheusPart.paragraph, '', memoryLine, '', '![ratios against targets](latest.svg)'].join('\n')}\n`,
      ratioChart(
        checks,
        `metrics-adapter bench, ${new Date().toISOString().slice(0, 10)}, node ${process.version}`,
        prometheusPart.info,
      ),
    );
    process.stdout.write(
      `\n${checks.length - missed} PASS, ${missed} MISS; wrote ${join(resultsDir, 'latest.{json,md,svg}')}\n`,
    );
  } finally {
    for (const child of children) await child.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
