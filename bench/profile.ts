/**
 * `npm run bench:profile -- [0-3]` (0 HPA Pods query, 1 named object, 2 external, 3 write): one bench scenario against
 * an adapter started with
 * --cpu-prof, then the functions with the most self time. For finding the hot path, not for figures.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from './ab.js';
import { createBenchClient, seed } from './seed.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const paths = [
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42',
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/pod-4242/http_requests',
  '/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/queue_messages_ready?labelSelector=queue%3Dq-7',
  '/write-metrics/namespaces/bench/pods/pod-1/http_requests?objectLabels=app%3Dweb-1',
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

async function main(): Promise<void> {
  const index = Number(process.argv[2] ?? 0);
  const path = paths[index]!;
  const work = await mkdtemp(join(tmpdir(), 'metrics-adapter-profile-'));
  const child = spawn(
    process.execPath,
    [
      `--cpu-prof`,
      `--cpu-prof-dir=${work}`,
      join(root, 'dist/cli/main.js'),
      'serve',
      '--secure-port',
      '0',
      '--cert-dir',
      join(work, 'certs'),
      '--log-format',
      'json',
      ...(process.env.PROFILE_ARGS ?? '').split(' ').filter(Boolean),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve) => {
    let log = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      log += c;
      const m = /"url":"(https:\/\/[^"]+)"/.exec(log);
      if (m) resolve(m[1]!);
    });
  });
  const ca = await readFile(join(work, 'certs/ca.crt'), 'utf8');
  const client = createBenchClient(url, ca);
  await seed(client, 'pods', 10_000, (i) => ({
    path: `/write-metrics/namespaces/bench/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % 100}`,
    body: `"${(i % 997) + 1}m"`,
  }));
  if (process.env.PROFILE_DISCOVERY !== '0')
    await seed(client, 'discovery metrics', 10_000, (i) => ({
      path: `/write-metrics/namespaces/bench/metrics/bench_metric_${i}`,
      body: '1',
    }));
  await seed(client, 'external', 1000, (i) => ({
    path: `/write-external-metrics/namespaces/bench/queue_messages_ready?labels=queue%3Dq-${i % 50},shard%3D${i}`,
    body: String(i),
  }));
  client.close();
  const scenario =
    index === 3 ? { name: 'write', path, method: 'POST' as const, body: '"250m"' } : { name: 'read', path };
  const result = await load(url, scenario, ca, {
    durationSeconds: Number(process.env.PROFILE_SECONDS ?? 8),
    rounds: 1,
    connections: 16,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
  const file = (await readdir(work)).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(await readFile(join(work, file), 'utf8')) as { nodes: ProfileNode[] };
  const self = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const key = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.replace(/^file:\/\/.*node_modules\//, '').replace(root, '')}:${node.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
    total += node.hitCount ?? 0;
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 40));
  for (const [key, hits] of top) process.stdout.write(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
  process.stdout.write(`profile: ${join(work, file)}\n`);
}

await main();
