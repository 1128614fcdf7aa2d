/**
 * `npm run bench`: each scenario runs against the adapter and against a bare node:https ceiling that
 * returns the same bytes, alternately (A/B/A/B), with autocannon in this process and each server in
 * its own. Prints requests/s, p50/p99 latency and the adapter/ceiling ratio against the targets, and
 * writes bench/results/latest.{json,md}. Knobs: BENCH_DURATION (s per run), BENCH_ROUNDS, BENCH_CONNECTIONS.
 * @module
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { measureMemory } from './memory.js';
import { startAdapter, startCeiling, type Child } from './processes.js';
import { createBenchClient, seed, type Write } from './seed.js';

const durationSeconds = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const podCount = 10_000;
const podsPerApp = 100;
const discoveryMetrics = 10_000;
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

interface Scenario {
  readonly name: string;
  readonly target: number;
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
}

const scenarios: readonly Scenario[] = [
  { name: 'HPA Pods query v1beta2 (100 of 10k pods, labelSelector)', target: 0.85, path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42' },
  { name: 'HPA Pods query v1beta1 (100 of 10k pods, labelSelector)', target: 0.85, path: '/apis/custom.metrics.k8s.io/v1beta1/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42' },
  { name: 'named object (form A)', target: 0.85, path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/pod-4242/http_requests' },
  { name: `discovery with ${discoveryMetrics / 1000}k metrics`, target: 0.8, path: '/apis/custom.metrics.k8s.io/v1beta2' },
  { name: 'external metric with labelSelector', target: 0.85, path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/queue_messages_ready?labelSelector=queue%3Dq-7' },
  { name: 'write (POST /write-metrics)', target: 0.7, path: '/write-metrics/namespaces/bench/pods/pod-1/http_requests?objectLabels=app%3Dweb-1', method: 'POST', body: '"250m"' },
];

interface RunResult { readonly rps: number; readonly p50: number; readonly p99: number; readonly errors: number }

async function load(url: string, scenario: Scenario, ca: string): Promise<RunResult> {
  const result = await autocannon({
    url: url + scenario.path,
    method: scenario.method ?? 'GET',
    ...(scenario.body !== undefined ? { body: scenario.body, headers: { 'content-type': 'application/json' } } : {}),
    connections,
    duration: durationSeconds,
    tlsOptions: { ca },
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(join(tmpdir(), 'metrics-adapter-bench-'));
  const children: Child[] = [];
  try {
    const adapter = await startAdapter(join(workDir, 'certs'));
    children.push(adapter);
    const ca = await readFile(join(workDir, 'certs/ca.crt'), 'utf8');
    const client = createBenchClient(adapter.url, ca);
    const pods: Write[] = Array.from({ length: podCount }, (_, i) => ({
      path: `/write-metrics/namespaces/bench/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % (podCount / podsPerApp)}`,
      body: `"${(i % 997) + 1}m"`,
    }));
    await seed(client, 'pods', pods);
    await seed(client, 'discovery metrics', Array.from({ length: discoveryMetrics }, (_, i) => ({ path: `/write-metrics/namespaces/bench/metrics/bench_metric_${i}`, body: '1' })));
    await seed(client, 'external series', Array.from({ length: 1000 }, (_, i) => ({ path: `/write-external-metrics/namespaces/bench/queue_messages_ready?labels=queue%3Dq-${i % 50},shard%3D${i}`, body: String(i) })));

    const report: object[] = [];
    const lines: string[] = [];
    for (const scenario of scenarios) {
      const answer = await client.send(scenario.path, scenario.method ?? 'GET', scenario.body);
      if (answer.status !== 200) throw new Error(`${scenario.name}: adapter answered ${answer.status}: ${answer.body}`);
      const ceiling = await startCeiling(join(workDir, 'answer.json'), {
        certFile: join(workDir, 'certs/apiserver.crt'), keyFile: join(workDir, 'certs/apiserver.key'),
        status: answer.status, contentType: answer.contentType, body: answer.body,
      });
      children.push(ceiling);
      const a: RunResult[] = [];
      const b: RunResult[] = [];
      for (let round = 0; round < rounds; round++) {
        a.push(await load(adapter.url, scenario, ca));
        b.push(await load(ceiling.url, scenario, ca));
      }
      await ceiling.stop();
      const adapterRps = mean(a.map((r) => r.rps));
      const ceilingRps = mean(b.map((r) => r.rps));
      const ratio = adapterRps / ceilingRps;
      const row = {
        scenario: scenario.name, bytes: Buffer.byteLength(answer.body),
        adapter: { rps: Math.round(adapterRps), p50: mean(a.map((r) => r.p50)), p99: mean(a.map((r) => r.p99)), errors: a.reduce((s, r) => s + r.errors, 0) },
        ceiling: { rps: Math.round(ceilingRps), p50: mean(b.map((r) => r.p50)), p99: mean(b.map((r) => r.p99)) },
        ratio: Number(ratio.toFixed(3)), target: scenario.target, met: ratio >= scenario.target,
      };
      report.push(row);
      const line = `| ${row.scenario} | ${row.bytes} | ${row.adapter.rps} | ${row.adapter.p50.toFixed(1)} / ${row.adapter.p99.toFixed(1)} | ${row.ceiling.rps} | ${row.ceiling.p50.toFixed(1)} / ${row.ceiling.p99.toFixed(1)} | **${row.ratio.toFixed(2)}×** | ≥${row.target}× ${row.met ? 'met' : 'MISSED'} |`;
      lines.push(line);
      process.stdout.write(`${line}\n`);
    }
    client.close();
    await adapter.stop();
    const memorySeries = Number(process.env.BENCH_MEMORY_SERIES ?? 100_000);
    const memory = await measureMemory(workDir, memorySeries);
    const memoryLine = `Memory: ${memory.series} series took ${((memory.rssAfterBytes - memory.rssBeforeBytes) / 2 ** 20).toFixed(1)} MiB of RSS, **${memory.bytesPerSeries} bytes per series** (target ≤200: ${memory.bytesPerSeries <= 200 ? 'met' : 'MISSED'}); an upper bound, as RSS includes uncollected garbage.`;
    process.stdout.write(`${memoryLine}\n`);
    const header = [
      `Run ${new Date().toISOString()}, node ${process.version}, ${rounds} rounds × ${durationSeconds}s per side, ${connections} connections, keep-alive TLS.`,
      '',
      '| scenario | body bytes | adapter req/s | adapter p50 / p99 ms | ceiling req/s | ceiling p50 / p99 ms | ratio | target |',
      '|---|---|---|---|---|---|---|---|',
    ];
    await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, durationSeconds, rounds, connections, results: report, memory }, null, 2)}\n`);
    await writeFile(join(resultsDir, 'latest.md'), `${[...header, ...lines, '', memoryLine].join('\n')}\n`);
    process.stdout.write(`\nwrote ${join(resultsDir, 'latest.md')}\n`);
  } finally {
    for (const child of children) await child.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
