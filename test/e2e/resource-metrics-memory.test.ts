/**
 * End to end without Prometheus: `metrics-adapter serve` on the memory back end takes CPU and memory usage over
 * `POST /write-resource-metrics/...`, and kubectl 1.35's `top pod` and `top node` read it through the schema-true fake
 * kube-apiserver, whose aggregator proxies `metrics.k8s.io` to the adapter. Skipped without kubectl.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../helpers/fake-kube-apiserver.js';
import { createClient } from '../helpers/https-client.js';
import { findKubectl, kubectlWithKubeconfig } from '../helpers/kubectl.js';

const kubectlBinary = await findKubectl();
const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));

describe('kubectl top on the memory back end', {
  skip: kubectlBinary === undefined ? 'kubectl 1.35 is not available' : false,
}, () => {
  let adapter: AdapterProcess;
  let fake: FakeKubeApiServer;
  const kubectl = (...args: string[]) => kubectlWithKubeconfig(kubectlBinary!, fake.kubeconfig, args);

  before(async () => {
    adapter = await startAdapter();
    fake = await startFakeKubeApiServer({
      aggregate: { url: adapter.url, ca: await readFile(adapter.caFile, 'utf8') },
      resourceMetrics: true,
    });
    fake.upsert('nodes', { name: 'node-a', status: { allocatable: { cpu: '4', memory: '8Gi' } } });
    const send = createClient(adapter.url, adapter.caFile);
    const writes: [string, string][] = [
      ['/write-resource-metrics/nodes/node-a', '{"cpu":"1","memory":"3Gi"}'],
      [
        '/write-resource-metrics/namespaces/shop/pods/web-1/containers/app?objectLabels=app%3Dweb',
        '{"cpu":"150m","memory":"100Mi"}',
      ],
      [
        '/write-resource-metrics/namespaces/shop/pods/web-1/containers/envoy?objectLabels=app%3Dweb',
        '{"cpu":"50m","memory":"28Mi"}',
      ],
      [
        '/write-resource-metrics/namespaces/shop/pods/db-0/containers/postgres?objectLabels=app%3Ddb',
        '{"cpu":"1.2","memory":"1Gi"}',
      ],
    ];
    for (const [path, body] of writes) {
      const res = await send(path, { method: 'POST', body });
      assert.equal(res.status, 200, `${path}: ${res.body}`);
    }
  });
  after(async () => {
    await fake?.close();
    await adapter?.stop();
  });

  test('kubectl top pod and top node print the written usage', async () => {
    const podsOut = await kubectl('top', 'pod', '-n', 'shop');
    assert.equal(podsOut.code, 0, podsOut.stderr);
    assert.deepEqual(rows(podsOut.stdout), [
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['db-0', '1200m', '1024Mi'],
      ['web-1', '200m', '128Mi'],
    ]);
    const selected = await kubectl('top', 'pod', '-n', 'shop', '-l', 'app=web', '--containers');
    assert.equal(selected.code, 0, selected.stderr);
    assert.deepEqual(rows(selected.stdout), [
      ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web-1', 'app', '150m', '100Mi'],
      ['web-1', 'envoy', '50m', '28Mi'],
    ]);
    const nodesOut = await kubectl('top', 'node');
    assert.equal(nodesOut.code, 0, nodesOut.stderr);
    assert.deepEqual(rows(nodesOut.stdout), [
      ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'],
      ['node-a', '1000m', '25%', '3072Mi', '37%'],
    ]);
  });
});
