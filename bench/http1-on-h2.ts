/**
 * `npm run build && node --import tsx bench/http1-on-h2.ts`: HTTP/1.1 keep-alive throughput of the
 * default TLS server (h2 and http/1.1 by ALPN) against `--disable-http2-serving` (https.Server), one
 * scenario, alternately A/B/A/B, each adapter in its own process. Answers whether serving h2 costs
 * HTTP/1.1 clients anything. Knobs as bench/run.ts: BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS.
 * @module
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, mean, type LoadSettings, type Scenario } from './ab.js';
import { startAdapter, type Child } from './processes.js';
import { createBenchClient, seed } from './seed.js';

const settings: LoadSettings = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 5),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
};
const scenario: Scenario = {
  name: 'HPA Pods query v1beta2',
  path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42',
};

async function seeded(dir: string, extraArgs: readonly string[]): Promise<{ child: Child; ca: string }> {
  const child = await startAdapter(dir, extraArgs);
  const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
  const client = createBenchClient(child.url, ca);
  await seed(client, 'pods', 10_000, (i) => ({
    path: `/write-metrics/namespaces/bench/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % 100}`,
    body: `"${(i % 997) + 1}m"`,
  }));
  client.close();
  return { child, ca };
}

const workDir = await mkdtemp(join(tmpdir(), 'metrics-adapter-h2-bench-'));
const h2 = await seeded(join(workDir, 'h2'), []);
const h1 = await seeded(join(workDir, 'h1'), ['--disable-http2-serving']);
try {
  const rps = { h2: [] as number[], h1: [] as number[] };
  const p99 = { h2: [] as number[], h1: [] as number[] };
  for (let round = 0; round < settings.rounds; round++) {
    for (const [name, target] of [
      ['h2', h2],
      ['h1', h1],
    ] as const) {
      const result = await load(target.child.url, scenario, target.ca, settings);
      if (result.errors > 0) throw new Error(`${name}: ${result.errors} errors`);
      rps[name].push(result.rps);
      p99[name].push(result.p99);
    }
  }
  const line = (name: 'h2' | 'h1') =>
    `${name === 'h2' ? 'h2-capable server' : '--disable-http2-serving'}: ${Math.round(mean(rps[name]))} req/s (runs ${rps[name].map(Math.round).join(', ')}), p99 ${mean(p99[name]).toFixed(1)} ms`;
  process.stdout.write(
    `HTTP/1.1 keep-alive, ${scenario.name}, ${settings.connections} connections, ${settings.rounds}×${settings.durationSeconds}s each\n${line('h2')}\n${line('h1')}\nratio ${(mean(rps.h2) / mean(rps.h1)).toFixed(3)}\n`,
  );
} finally {
  await h2.child.stop();
  await h1.child.stop();
  await rm(workDir, { recursive: true, force: true });
}
