/**
 * Several adapter replicas serving MetricQuery objects against the fake kube-apiserver (its Leases and the CRD's
 * status subresource in the real schema): exactly one writes statuses, another takes over when it dies or leaves, a
 * read on a replica that does not lead still makes an object Active, and the replicas together write about as often
 * as one. Each replica is the feature as `serve` starts it, in this process, with short Lease timings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadKubeClient, type KubeClient } from '../../src/kube/kube-client.js';
import type { Lease } from '../../src/kube/leader-election.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createLogger } from '../../src/log/index.js';
import type { MetricQueryObject } from '../../src/metric-queries/metric-query.js';
import { startMetricQueries, type MetricQueryFeature } from '../../src/metric-queries/start-metric-queries.js';
import type { QueryRunner } from '../../src/providers/query-runner.js';
import { everything } from '../../src/selector/index.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../helpers/fake-kube-apiserver.js';

const lease = { namespace: 'custom-metrics', name: 'metrics-adapter-metric-queries' };
const timings = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const activeWindowMs = 4_000;
const writesPerSecond = 20;
const objects = 12;
const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${lease.namespace}/leases/${lease.name}`;
const resource = 'metricqueries.metrics-adapter.io';

const runner: QueryRunner = {
  language: 'promql',
  namespaceLabel: 'namespace',
  instant: async () => [{ labels: {}, timestamp: Date.now(), value: 42 }],
};

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function counter(feature: MetricQueryFeature, name: string): number {
  const line = feature
    .render()
    .split('\n')
    .find((l) => l.startsWith(name));
  return Number(line?.split(' ').at(-1) ?? Number.NaN);
}

describe('MetricQuery status writes with several replicas', () => {
  let cluster: FakeKubeApiServer;
  let client: KubeClient;
  const replicas: MetricQueryFeature[] = [];

  const startReplica = async (): Promise<MetricQueryFeature> => {
    const replicaClient = (await loadKubeClient({ kubeconfig: cluster.kubeconfig }))!;
    const feature = startMetricQueries({
      client: replicaClient,
      backend: { readiness: () => ({ ready: true }), close: async () => {} },
      backends: (name) => (name === 'prom' ? { kind: 'prometheus', queries: runner } : undefined),
      mapper: createStaticResourceMapper(),
      logger: createLogger({ format: 'json', verbosity: 0, destination: new PassThrough() }),
      status: { evaluateEveryMs: 500, writesPerSecond, minValueWriteIntervalMs: 60_000, activeWindowMs },
      leaderElection: { ...lease, ...timings },
    });
    replicas.push(feature);
    return feature;
  };
  const leaders = () => replicas.filter((r) => r.elector?.isLeader());
  const theLeader = () => eventually('a leader', () => (leaders().length === 1 ? leaders()[0] : undefined));
  const getObject = (name: string) =>
    client.getJson<MetricQueryObject>(`/apis/metrics-adapter.io/v1alpha1/namespaces/team-a/metricqueries/${name}`);
  const condition = async (name: string, type: 'Valid' | 'Active') =>
    (await getObject(name)).status?.conditions?.find((c) => c.type === type)?.status;
  const statusWrites = () => cluster.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status')).length;

  before(async () => {
    cluster = await startFakeKubeApiServer();
    client = (await loadKubeClient({ kubeconfig: cluster.kubeconfig }))!;
    for (let i = 0; i < objects; i++)
      cluster.upsert(resource, {
        name: `q-${i}`,
        namespace: 'team-a',
        spec: { backend: 'prom', query: 'sum(requests{<<.LabelMatchers>>})', servedAs: 'External', onMissing: 'Error' },
      });
  });

  after(async () => {
    for (const replica of replicas) await replica.close();
    await cluster?.close();
  });

  test('exactly one of two replicas holds the Lease and writes statuses; the other writes none', async () => {
    await startReplica();
    await startReplica();
    const leader = await theLeader();
    const follower = replicas.find((r) => r !== leader)!;
    const stored = await client.getJson<Lease>(leasePath);
    assert.equal(stored.spec.holderIdentity, leader.elector!.identity);
    assert.equal(stored.spec.leaseDurationSeconds, 3);
    assert.match(stored.spec.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    for (let i = 0; i < objects; i++)
      await eventually(`q-${i} Valid`, async () =>
        (await condition(`q-${i}`, 'Valid')) === 'True' ? true : undefined,
      );
    await sleep(1_000);
    assert.ok(counter(leader, 'metrics_adapter_metric_query_status_writes_total{result="success"}') >= objects);
    assert.equal(counter(follower, 'metrics_adapter_metric_query_status_writes_total{result="success"}'), 0);
    assert.equal(counter(follower, 'metrics_adapter_metric_query_evaluations_total'), 0, 'nor runs their queries');
    assert.equal(counter(follower, 'metrics_adapter_metric_query_leader'), 1 - 1);
    assert.equal(follower.views().find((v) => v.object === 'team-a/q-0')?.valid, 'True', "shows the leader's status");
  });

  test('reads on the replica that does not lead make the objects Active, with boundedly many writes', async () => {
    const leader = await theLeader();
    const follower = replicas.find((r) => r !== leader)!;
    assert.equal(await condition('q-0', 'Active'), 'False');
    const writesBefore = statusWrites();
    const start = Date.now();
    const windowMs = 6_000;
    while (Date.now() - start < windowMs) {
      for (let i = 0; i < objects; i++)
        await follower.backend.external!.getExternalMetric(
          'team-a',
          everything,
          { metric: `q-${i}` },
          { signal: AbortSignal.timeout(5_000) },
        );
      await sleep(100);
    }
    for (let i = 0; i < objects; i++) assert.equal(await condition(`q-${i}`, 'Active'), 'True', `q-${i}`);
    const seconds = (Date.now() - start) / 1000;
    const reports = counter(follower, 'metrics_adapter_metric_query_read_reports_total');
    const halfWindows = Math.ceil(seconds / (activeWindowMs / 2000));
    assert.ok(reports >= objects, `every object reported (${reports})`);
    assert.ok(reports <= objects * halfWindows, `${reports} reports: at most one per object per half window`);
    const writes = statusWrites() - writesBefore;
    assert.ok(
      writes <= writesPerSecond * seconds + writesPerSecond,
      `${writes} status writes in ${seconds} s: within what one replica's token bucket allows`,
    );
  });

  test('when the leader dies, the other replica takes over within the lease duration and two retries', async () => {
    const leader = await theLeader();
    const transitions = (await client.getJson<Lease>(leasePath)).spec.leaseTransitions ?? 0;
    // NB: as a killed process: no release, no more renewals.
    await leader.elector!.stop({ release: false });
    leader.statusLoop.stop();
    const killedAt = Date.now();
    const next = await eventually('a take-over', () => replicas.find((r) => r !== leader && r.elector?.isLeader()));
    const tookMs = Date.now() - killedAt;
    assert.ok(tookMs >= 1_000, `took over after ${tookMs} ms, not before the dead leader's lease could expire`);
    assert.ok(
      tookMs <= timings.leaseDurationMs + 2 * timings.retryPeriodMs * 1.2 + 500,
      `took over after ${tookMs} ms`,
    );
    const stored = await client.getJson<Lease>(leasePath);
    assert.equal(stored.spec.holderIdentity, next.elector!.identity);
    assert.equal(stored.spec.leaseTransitions, transitions + 1);
    // The new leader writes: an object created now gets its status.
    cluster.upsert(resource, {
      name: 'late',
      namespace: 'team-a',
      spec: { backend: 'prom', query: 'sum(late{<<.LabelMatchers>>})', servedAs: 'External', onMissing: 'Error' },
    });
    await eventually('the new object Valid', async () =>
      (await condition('late', 'Valid')) === 'True' ? true : undefined,
    );
    replicas.splice(replicas.indexOf(leader), 1);
    await leader.close();
  });

  test('a leader that shuts down releases the Lease: a third replica takes over at once', async () => {
    const third = await startReplica();
    const leader = await theLeader();
    assert.notEqual(leader, third);
    await sleep(1_000);
    const closedAt = Date.now();
    replicas.splice(replicas.indexOf(leader), 1);
    await leader.close();
    assert.equal((await client.getJson<Lease>(leasePath)).spec.holderIdentity, '');
    await eventually('the third replica leads', () => (third.elector!.isLeader() ? true : undefined));
    const tookMs = Date.now() - closedAt;
    assert.ok(tookMs < timings.leaseDurationMs, `took over ${tookMs} ms after the release`);
  });
});
