/**
 * Bounded Prometheus queries with a cluster connected (issue 12): 1000 pods' series in a real Prometheus behind a
 * proxy that refuses requests over 16 KiB, the same 1000 pods in the fake kube-apiserver, and
 * `metrics-adapter serve --backend prometheus --kubeconfig` read with a real kubectl 1.35. The HPA's selector query
 * must stay one small query (prometheus-adapter's `pod=~"a|b|..."` fails with 414 at ~150 pods, its #668).
 * Skipped when the prometheus binary is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';
import { startExporter, type ExportedSeries, type Exporter } from '../helpers/exporter.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../helpers/fake-kube-apiserver.js';
import { createClient, type RawResponse } from '../helpers/https-client.js';
import { findKubectl } from '../helpers/kubectl.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';
import { readJson } from '../helpers/read-json.js';

const prometheusBinary = await findPrometheus();
const maxRequestBytes = 16 * 1024;
const podCount = 1000;

const rules = `rules:
- seriesQuery: 'queue_length{namespace!="",pod!=""}'
  resources:
    overrides:
      namespace: {resource: "namespace"}
      pod: {resource: "pod"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;

const podName = (i: number) => `worker-${String(i).padStart(4, '0')}-7c9d5b8f4-x2k9q`;
/** Every seventh pod is in the `batch` tier, the one the selector asks for. */
const tierOf = (i: number) => (i % 7 === 0 ? 'batch' : 'web');

type Items = { items: { describedObject: { name: string; namespace: string }; value: string }[] };

describe('prometheus back end with a cluster: 1000 pods, requests capped at 16 KiB', {
  skip: prometheusBinary === undefined ? 'prometheus is not installed' : false,
}, () => {
  let exporter: Exporter;
  let prometheus: PrometheusProcess;
  let proxy: CountingProxy;
  let fake: FakeKubeApiServer;
  let adapter: AdapterProcess;
  let dir: string;
  let kubectl: string | undefined;
  let send: (path: string) => Promise<RawResponse>;

  const pods = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods';
  const get = (path: string): Promise<Items> => readJson<Items>(adapter, kubectl, send, path);

  before(async () => {
    const series: ExportedSeries[] = Array.from({ length: podCount }, (_, i) => ({
      name: 'queue_length',
      type: 'gauge',
      labels: { namespace: 'default', pod: podName(i) },
      value: i,
    }));
    // A pod that is gone from the cluster but still has a series, and a namesake in another namespace.
    series.push({
      name: 'queue_length',
      type: 'gauge',
      labels: { namespace: 'default', pod: 'worker-gone' },
      value: 1,
    });
    series.push({ name: 'queue_length', type: 'gauge', labels: { namespace: 'other', pod: podName(0) }, value: 99 });
    exporter = await startExporter(series);
    prometheus = await startPrometheus(prometheusBinary!, [exporter.target]);
    proxy = await startCountingProxy(prometheus.url, { maxRequestBytes });
    fake = await startFakeKubeApiServer();
    const spec = { containers: [{ name: 'worker', image: 'worker:1.0' }] };
    for (let i = 0; i < podCount; i++) {
      fake.upsert('pods', {
        name: podName(i),
        namespace: 'default',
        labels: { app: 'worker', tier: tierOf(i) },
        spec,
        status: { phase: 'Running' },
      });
    }
    // A matching pod that has no sample (just scheduled) is left out of the answer.
    fake.upsert('pods', {
      name: 'worker-new',
      namespace: 'default',
      labels: { app: 'worker', tier: 'batch' },
      spec,
      status: { phase: 'Pending' },
    });
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-bounded-'));
    await writeFile(join(dir, 'rules.yaml'), rules);
    [adapter, kubectl] = await Promise.all([
      startAdapter(
        [
          '--backend',
          'prometheus',
          '--config',
          join(dir, 'rules.yaml'),
          '--prometheus-url',
          proxy.url,
          '--kubeconfig',
          fake.kubeconfig,
          '--metrics-relist-interval',
          '1s',
        ],
        { timeoutMs: 90_000 },
      ),
      findKubectl(),
    ]);
    send = createClient(adapter.url, adapter.caFile);
    // NB: Prometheus scrapes every second; wait until a scrape has all 1000 pods.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await send(`${pods}/%2A/queue_length`).catch(() => undefined);
      if (res?.status === 200 && (JSON.parse(res.body) as Items).items.length === podCount) break;
      if (Date.now() > deadline)
        throw new Error(`1000 pods' samples did not appear in 60s; adapter log:\n${adapter.logs().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  after(async () => {
    await adapter?.stop();
    await fake?.close();
    await proxy?.close();
    await prometheus?.close();
    await exporter?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('the proxy refuses what prometheus-adapter would send for these pods', async () => {
    const names = Array.from({ length: podCount }, (_, i) => podName(i)).join('|');
    const res = await fetch(
      `${proxy.url}/api/v1/query?query=${encodeURIComponent(`sum(queue_length{namespace="default",pod=~"${names}"}) by (pod)`)}`,
    );
    assert.equal(res.status, 414);
  });

  test('the HPA selector query gives exactly the matching pods that have samples, in one query under the limit', async () => {
    const refusedBefore = proxy.refused;
    const queriesBefore = proxy.count('/api/v1/query');
    const body = await get(`${pods}/*/queue_length?labelSelector=app%3Dworker%2Ctier%3Dbatch`);
    assert.equal(proxy.count('/api/v1/query') - queriesBefore, 1);
    assert.equal(proxy.refused, refusedBefore);
    const got = body.items.map((item) => [item.describedObject.namespace, item.describedObject.name, item.value]);
    const expected = Array.from({ length: podCount }, (_, i) => i)
      .filter((i) => tierOf(i) === 'batch')
      .map((i) => ['default', podName(i), String(i)]);
    assert.equal(got.length, 143);
    assert.deepEqual(got.sort(), expected.sort());
  });

  test('every request stays one small query whatever the pods: selector, whole namespace, one named pod', async () => {
    const refusedBefore = proxy.refused;
    for (const [path, items] of [
      [`${pods}/%2A/queue_length?labelSelector=tier%3Dweb`, podCount - 143],
      [`${pods}/%2A/queue_length?labelSelector=tier%20in%20%28batch%2Cweb%29`, podCount],
      [`${pods}/%2A/queue_length`, podCount],
      [`${pods}/${podName(42)}/queue_length`, 1],
    ] as const) {
      const before = proxy.count('/api/v1/query');
      const res = await send(path);
      assert.equal(res.status, 200, `${path}: ${res.body}`);
      assert.equal((JSON.parse(res.body) as Items).items.length, items, path);
      assert.equal(proxy.count('/api/v1/query') - before, 1, path);
    }
    const named = await get(`${pods}/${podName(42)}/queue_length`);
    assert.deepEqual(
      named.items.map((item) => [item.describedObject.name, item.value]),
      [[podName(42), '42']],
    );
    assert.equal(proxy.refused, refusedBefore);
    // NB: the queries name no pod, so they are as long for 1000 pods as for one.
    assert.ok(proxy.largestRequestBytes < 1024, `largest request to Prometheus: ${proxy.largestRequestBytes} bytes`);
  });
});
