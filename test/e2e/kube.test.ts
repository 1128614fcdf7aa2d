/**
 * End to end with a cluster: the real `metrics-adapter serve --kubeconfig` against the fake
 * kube-apiserver (pods and deployments in the real schema), written over HTTPS without objectLabels,
 * read back with a real kubectl 1.35 as the HPA asks for a `type: Pods` metric.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../helpers/fake-kube-apiserver.js';
import { createClient, type RawResponse } from '../helpers/https-client.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';

describe('metrics-adapter serve --kubeconfig, backed by a fake kube-apiserver', () => {
  let fake: FakeKubeApiServer;
  let adapter: AdapterProcess;
  let send: (path: string, options?: { method?: string; body?: string }) => Promise<RawResponse>;
  let kubectl: string | undefined;

  before(async () => {
    fake = await startFakeKubeApiServer();
    const template = {
      containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
    };
    for (const name of ['web-7c9d-abcde', 'web-7c9d-fghij', 'web-7c9d-klmno']) {
      fake.upsert('pods', {
        name,
        namespace: 'default',
        labels: { app: 'web', 'pod-template-hash': '7c9d' },
        spec: template,
        status: { phase: 'Running' },
      });
    }
    fake.upsert('pods', { name: 'db-0', namespace: 'default', labels: { app: 'db' }, spec: template });
    fake.upsert('deployments.apps', {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: template },
      },
    });
    [adapter, kubectl] = await Promise.all([
      startAdapter(['--kubeconfig', fake.kubeconfig], { timeoutMs: 90_000 }),
      findKubectl(),
    ]);
    send = createClient(adapter.url, adapter.caFile);
    const writes: [string, string][] = [
      // No objectLabels: the cluster's pods answer the selector. klmno exists without a value; gone-1 has a value but
      // no pod.
      ['/write-metrics/namespaces/default/pods/web-7c9d-abcde/http_requests', '"1500m"'],
      ['/write-metrics/namespaces/default/pods/web-7c9d-fghij/http_requests', '2'],
      ['/write-metrics/namespaces/default/pods/db-0/http_requests', '7'],
      ['/write-metrics/namespaces/default/pods/gone-1/http_requests?objectLabels=app%3Dweb', '9'],
      // Kind and short names are normalized with the cluster's discovery.
      ['/write-metrics/namespaces/default/Deployment/web/requests_per_second', '"250m"'],
      ['/write-metrics/namespaces/default/wd/w1/depth', '3'],
    ];
    for (const [path, body] of writes) {
      const res = await send(path, { method: 'POST', body });
      assert.equal(res.status, 200, `${path}: ${res.body}`);
    }
  });
  after(async () => {
    await adapter?.stop();
    await fake?.close();
  });

  test('kubectl reads the HPA Pods query, answered from the cluster objects', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    for (const version of ['v1beta2', 'v1beta1']) {
      const out = await kubectlGetRaw(kubectl, {
        server: adapter.url,
        caFile: adapter.caFile,
        path: `/apis/custom.metrics.k8s.io/${version}/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb%2Cpod-template-hash%3D7c9d`,
      });
      assert.equal(out.code, 0, out.stderr);
      const list = JSON.parse(out.stdout) as { kind: string; items: { describedObject: unknown; value: string }[] };
      assert.equal(list.kind, 'MetricValueList');
      const items = list.items
        .map((i) => [i.describedObject, i.value])
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      assert.deepEqual(items, [
        [{ kind: 'Pod', namespace: 'default', name: 'web-7c9d-abcde', apiVersion: 'v1' }, '1500m'],
        [{ kind: 'Pod', namespace: 'default', name: 'web-7c9d-fghij', apiVersion: 'v1' }, '2'],
      ]);
    }
  });

  test('a metric query makes no API call once the cache is filled', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    await fake.waitForWatches('pods');
    const before = fake.requests.length;
    const path = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=app%3Ddb';
    for (let i = 0; i < 3; i++) {
      const out = await kubectlGetRaw(kubectl, { server: adapter.url, caFile: adapter.caFile, path });
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(
        (JSON.parse(out.stdout) as { items: { describedObject: { name: string } }[] }).items.map(
          (i) => i.describedObject.name,
        ),
        ['db-0'],
      );
    }
    assert.equal(fake.requests.length, before);
    assert.equal(fake.count('list', '/api/v1/pods'), 1);
  });

  test('described objects carry the Kind and apiVersion from discovery', async () => {
    const deployment = await send(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/deployments.apps/web/requests_per_second',
    );
    assert.equal(deployment.status, 200, deployment.body);
    assert.deepEqual(
      (JSON.parse(deployment.body) as { items: { describedObject: unknown }[] }).items[0]!.describedObject,
      { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
    );
    const widget = await send('/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/widgets.example.com/w1/depth');
    assert.equal(widget.status, 200, widget.body);
    assert.deepEqual((JSON.parse(widget.body) as { items: { describedObject: unknown }[] }).items[0]!.describedObject, {
      kind: 'Widget',
      namespace: 'default',
      name: 'w1',
      apiVersion: 'example.com/v1',
    });
    assert.equal(
      fake.count('discovery', '/apis/custom.metrics.k8s.io/v1beta2'),
      0,
      'the adapter never asks the cluster about its own groups',
    );
  });
});
