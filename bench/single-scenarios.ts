/**
 * The one-scenario tools' requests (`npm run bench:profile`, `npm run bench:floor`): 0 HPA Pods query, 1 named object,
 * 2 external, 3 write, 4 HPA Pods query over 100 selectors in turn (none cached), against an adapter seeded by
 * {@link seedScenarios}.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scenario } from './ab.js';
import type { Child, ServedAnswer } from './processes.js';
import { createBenchClient, seed } from './seed.js';

const hpa = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests?labelSelector=app%3Dweb-42';

export const scenarios: readonly Scenario[] = [
  { name: 'HPA Pods query', path: hpa },
  { name: 'named object', path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/pod-4242/http_requests' },
  {
    name: 'external metric',
    path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/queue_messages_ready?labelSelector=queue%3Dq-7',
  },
  {
    name: 'write',
    path: '/write-metrics/namespaces/bench/pods/pod-1/http_requests?objectLabels=app%3Dweb-1',
    method: 'POST',
    body: '"250m"',
  },
  {
    name: 'HPA Pods query, 100 selectors in turn',
    path: hpa,
    paths: Array.from({ length: 100 }, (_, i) => hpa.replace(/web-42$/, `web-${i}`)),
  },
];

/** The scenario numbered by `arg` (argv), or an error naming the range. */
export function scenarioOf(arg: string | undefined): Scenario {
  const scenario = scenarios[Number(arg ?? 0)];
  if (scenario === undefined) throw new Error(`no scenario ${arg}: give 0 to ${scenarios.length - 1}`);
  return scenario;
}

/** 10k pods of 100 apps and 1,000 external series of 50 queues, as the full bench seeds them. */
export async function seedScenarios(client: ReturnType<typeof createBenchClient>): Promise<void> {
  await seed(client, 'pods', 10_000, (i) => ({
    path: `/write-metrics/namespaces/bench/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % 100}`,
    body: `"${(i % 997) + 1}m"`,
  }));
  await seed(client, 'external', 1000, (i) => ({
    path: `/write-external-metrics/namespaces/bench/queue_messages_ready?labels=queue%3Dq-${i % 50},shard%3D${i}`,
    body: String(i),
  }));
}

/**
 * Seeds `adapter` (started with `certDir`), asks it `scenario` once and returns its CA and what a ceiling serves in its
 * place: the same answer bytes with the adapter's certificate.
 */
export async function seedAndAsk(
  adapter: Child,
  certDir: string,
  scenario: Scenario,
): Promise<{ readonly ca: string; readonly served: ServedAnswer }> {
  const ca = await readFile(join(certDir, 'ca.crt'), 'utf8');
  const client = createBenchClient(adapter.url, ca);
  await seedScenarios(client);
  const answer = await client.send(scenario.path, scenario.method ?? 'GET', scenario.body);
  client.close();
  if (answer.status !== 200) throw new Error(`${scenario.name}: the adapter answered ${answer.status}: ${answer.body}`);
  const served: ServedAnswer = {
    certFile: join(certDir, 'apiserver.crt'),
    keyFile: join(certDir, 'apiserver.key'),
    status: answer.status,
    contentType: answer.contentType,
    body: answer.body,
  };
  return { ca, served };
}
