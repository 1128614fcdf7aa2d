/**
 * End to end for the resource metrics API from Prometheus: an exporter with cadvisor- and kubelet-style series
 * (`container_cpu_usage_seconds_total`, `container_memory_working_set_bytes`, `node_cpu_usage_seconds_total`,
 * `node_memory_working_set_bytes`) at known rates, a real Prometheus scraping it, `resourceRules` in
 * prometheus-adapter's format, and the adapter behind the schema-true fake kube-apiserver, whose aggregator proxies
 * `metrics.k8s.io` to it. `kubectl top` (kubectl 1.35) and raw GETs read it; a second adapter started with
 * prometheus-adapter's Deployment arguments, unchanged, serves the same usage. Skipped without prometheus or kubectl.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdapter, startServingArgs, type AdapterProcess } from '../helpers/adapter-process.js';
import { startExporter, type ExportedSeries, type Exporter } from '../helpers/exporter.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../helpers/fake-kube-apiserver.js';
import { freePort } from '../helpers/free-port.js';
import { createClient } from '../helpers/https-client.js';
import { findKubectl, kubectlWithKubeconfig } from '../helpers/kubectl.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';

const prometheusBinary = await findPrometheus();
const kubectlBinary = await findKubectl();

// resourceRules in prometheus-adapter's format (its deploy/manifests ConfigMap has this shape), with short windows.
const config = `"resourceRules":
  "cpu":
    "containerLabel": "container"
    "containerQuery": |
      sum by (<<.GroupBy>>) (
        irate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!="",pod!=""}[30s])
      )
    "nodeQuery": |
      sum by (<<.GroupBy>>) (
        irate(node_cpu_usage_seconds_total{<<.LabelMatchers>>}[30s])
      )
    "resources":
      "overrides":
        "namespace": {"resource": "namespace"}
        "node": {"resource": "node"}
        "pod": {"resource": "pod"}
  "memory":
    "containerLabel": "container"
    "containerQuery": |
      sum by (<<.GroupBy>>) (
        container_memory_working_set_bytes{<<.LabelMatchers>>,container!="",pod!=""}
      )
    "nodeQuery": |
      sum by (<<.GroupBy>>) (
        node_memory_working_set_bytes{<<.LabelMatchers>>}
      )
    "resources":
      "overrides":
        "node": {"resource": "node"}
        "namespace": {"resource": "namespace"}
        "pod": {"resource": "pod"}
  "window": "30s"
`;

/**
 * Per pod container: cores (a counter's rate) and working-set bytes. NB: each rate is half a millicore above a
 * whole one, so that the adapter's truncation to millicores gives the whole one whatever the float rounding.
 */
const containers: readonly {
  namespace: string;
  pod: string;
  container: string;
  node: string;
  cores: number;
  bytes: number;
}[] = [
  { namespace: 'shop', pod: 'web-1', container: 'nginx', node: 'node-a', cores: 0.2505, bytes: 64 * 2 ** 20 },
  { namespace: 'shop', pod: 'web-1', container: 'envoy', node: 'node-a', cores: 0.0105, bytes: 32 * 2 ** 20 },
  { namespace: 'shop', pod: 'web-2', container: 'nginx', node: 'node-b', cores: 0.1005, bytes: 48 * 2 ** 20 },
  { namespace: 'shop', pod: 'db-0', container: 'postgres', node: 'node-b', cores: 1.0005, bytes: 1_000_000_000 },
  { namespace: 'blog', pod: 'web-1', container: 'app', node: 'node-a', cores: 0.0505, bytes: 16 * 2 ** 20 },
];
const nodes = [
  { node: 'node-a', cores: 1.2505, bytes: 2 * 2 ** 30, allocatable: { cpu: '4', memory: '8Gi' } },
  { node: 'node-b', cores: 0.5005, bytes: 1536 * 2 ** 20, allocatable: { cpu: '2', memory: '4Gi' } },
];

function exportedSeries(): ExportedSeries[] {
  const series: ExportedSeries[] = [];
  for (const c of containers) {
    const labels = { namespace: c.namespace, pod: c.pod, container: c.container, node: c.node };
    series.push({ name: 'container_cpu_usage_seconds_total', type: 'counter', labels, value: c.cores });
    series.push({ name: 'container_memory_working_set_bytes', type: 'gauge', labels, value: c.bytes });
  }
  // NB: cadvisor's pod-level cgroup series has no container label; the rules' container!="" keeps it out.
  series.push({
    name: 'container_cpu_usage_seconds_total',
    type: 'counter',
    labels: { namespace: 'shop', pod: 'web-1', node: 'node-a' },
    value: 9,
  });
  for (const n of nodes) {
    series.push({ name: 'node_cpu_usage_seconds_total', type: 'counter', labels: { node: n.node }, value: n.cores });
    series.push({ name: 'node_memory_working_set_bytes', type: 'gauge', labels: { node: n.node }, value: n.bytes });
  }
  return series;
}

const time = /"(creationTimestamp|timestamp)":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"/g;

/** The body with each timestamp checked to be within a minute of now and replaced by `T`. */
function timesChecked(body: string): string {
  return body.replace(time, (_all, field: string, text: string) => {
    assert.ok(Math.abs(Date.parse(text) - Date.now()) < 60_000, `${field} ${text} is now`);
    return `"${field}":"T"`;
  });
}

/** Rows of `kubectl top` output, split on runs of spaces. */
const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));

const skip =
  prometheusBinary === undefined
    ? 'prometheus is not installed'
    : kubectlBinary === undefined
      ? 'kubectl 1.35 is not available'
      : false;

describe('metrics.k8s.io from Prometheus resourceRules, through kubectl top', { skip }, () => {
  let exporter: Exporter;
  let prometheus: PrometheusProcess;
  let fake: FakeKubeApiServer;
  let adapter: AdapterProcess;
  let peerArgsAdapter: AdapterProcess | undefined;
  let dir: string;
  const kubectl = (...args: string[]) => kubectlWithKubeconfig(kubectlBinary!, fake.kubeconfig, args);

  before(async () => {
    exporter = await startExporter(exportedSeries(), { timestamps: true });
    prometheus = await startPrometheus(prometheusBinary!, [exporter.target]);
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-resource-'));
    await writeFile(join(dir, 'config.yaml'), config);
    fake = await startFakeKubeApiServer({ resourceMetrics: true });
    for (const n of nodes)
      fake.upsert('nodes', {
        name: n.node,
        labels: { 'kubernetes.io/hostname': n.node },
        status: { allocatable: n.allocatable, capacity: n.allocatable },
      });
    fake.upsert('nodes', {
      name: 'node-c',
      labels: { 'kubernetes.io/hostname': 'node-c' },
      status: { allocatable: { cpu: '2', memory: '4Gi' } },
    });
    const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    fake.upsert('pods', {
      name: 'web-1',
      namespace: 'shop',
      labels: { app: 'web', tier: 'front' },
      spec: { nodeName: 'node-a' },
      status: running,
    });
    fake.upsert('pods', {
      name: 'web-2',
      namespace: 'shop',
      labels: { app: 'web' },
      spec: { nodeName: 'node-b' },
      status: running,
    });
    fake.upsert('pods', {
      name: 'db-0',
      namespace: 'shop',
      labels: { app: 'db' },
      spec: { nodeName: 'node-b' },
      status: running,
    });
    fake.upsert('pods', {
      name: 'idle-0',
      namespace: 'shop',
      labels: { app: 'idle' },
      spec: { nodeName: 'node-b' },
      status: running,
    });
    fake.upsert('pods', {
      name: 'web-1',
      namespace: 'blog',
      labels: { app: 'web' },
      spec: { nodeName: 'node-a' },
      status: running,
    });
    adapter = await startAdapter([
      '--backend',
      'prometheus',
      '--prometheus-url',
      prometheus.url,
      '--config',
      join(dir, 'config.yaml'),
      '--kubeconfig',
      fake.kubeconfig,
      '--default-rules',
      '--metrics-relist-interval',
      '2s',
    ]);
    fake.aggregateTo({ url: adapter.url, ca: await readFile(adapter.caFile, 'utf8') });
    // NB: irate needs two scrapes of every series.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const out = await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods');
      if (out.code === 0 && (JSON.parse(out.stdout) as { items: unknown[] }).items.length === 4) break;
      if (Date.now() > deadline)
        throw new Error(`no usage in 30s: ${out.stdout}${out.stderr}\n${adapter.logs().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  after(async () => {
    await peerArgsAdapter?.stop();
    await fake?.close();
    await adapter?.stop();
    await prometheus?.close();
    await exporter?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('kubectl top pod prints the usage of each pod that has any', async () => {
    const out = await kubectl('top', 'pod', '-n', 'shop');
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(rows(out.stdout), [
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['db-0', '1000m', '953Mi'],
      ['web-1', '260m', '96Mi'],
      ['web-2', '100m', '48Mi'],
    ]);
    const containersOut = await kubectl('top', 'pod', 'web-1', '-n', 'shop', '--containers');
    assert.equal(containersOut.code, 0, containersOut.stderr);
    assert.deepEqual(rows(containersOut.stdout), [
      ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web-1', 'envoy', '10m', '32Mi'],
      ['web-1', 'nginx', '250m', '64Mi'],
    ]);
    const selected = await kubectl('top', 'pod', '-A', '-l', 'app=web');
    assert.equal(selected.code, 0, selected.stderr);
    assert.deepEqual(rows(selected.stdout), [
      ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['blog', 'web-1', '50m', '16Mi'],
      ['shop', 'web-1', '260m', '96Mi'],
      ['shop', 'web-2', '100m', '48Mi'],
    ]);
  });

  test('kubectl top node prints usage against allocatable', async () => {
    const out = await kubectl('top', 'node');
    assert.equal(out.code, 0, out.stderr);
    const table = rows(out.stdout);
    assert.deepEqual(table[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    // NB: 1250m of 4 cores is 31%, 2Gi of 8Gi 25%; 500m of 2 is 25%, 1536Mi of 4Gi 37%.
    assert.deepEqual(
      table.filter((row) => row[0] !== 'NAME' && row[0] !== 'node-c'),
      [
        ['node-a', '1250m', '31%', '2048Mi', '25%'],
        ['node-b', '500m', '25%', '1536Mi', '37%'],
      ],
    );
  });

  test('raw GETs through the aggregator give metrics-server-shaped JSON, byte for byte', async () => {
    const get = async (path: string) => {
      const out = await kubectl('get', '--raw', path);
      assert.equal(out.code, 0, `${path}: ${out.stderr}`);
      return timesChecked(out.stdout);
    };
    const web1 =
      '{"metadata":{"name":"web-1","namespace":"shop","creationTimestamp":"T","labels":{"app":"web","tier":"front"}},"timestamp":"T","window":"30s","containers":[' +
      '{"name":"envoy","usage":{"cpu":"10m","memory":"32Mi"}},{"name":"nginx","usage":{"cpu":"250m","memory":"64Mi"}}]}';
    const web2 =
      '{"metadata":{"name":"web-2","namespace":"shop","creationTimestamp":"T","labels":{"app":"web"}},"timestamp":"T","window":"30s","containers":[{"name":"nginx","usage":{"cpu":"100m","memory":"48Mi"}}]}';
    assert.equal(
      await get('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dweb'),
      `{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[${web1},${web2}]}\n`,
    );
    assert.equal(
      await get('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web-1'),
      `{"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1",${web1.slice(1)}\n`,
    );
    assert.equal(
      await get('/apis/metrics.k8s.io/v1beta1/nodes/node-b'),
      '{"kind":"NodeMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"node-b","creationTimestamp":"T","labels":{"kubernetes.io/hostname":"node-b"}},"timestamp":"T","window":"30s","usage":{"cpu":"500m","memory":"1536Mi"}}\n',
    );
    assert.equal(
      await get('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dnone'),
      '{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[]}\n',
    );
    const missing = await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/idle-0');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /podmetrics\.metrics\.k8s\.io "shop\/idle-0" not found|NotFound/);
  });

  test("--default-rules serves the chart's default rules as custom metrics from the same cadvisor series", async () => {
    const deadline = Date.now() + 30_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      const out = await kubectl('get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2');
      names =
        out.code === 0
          ? (JSON.parse(out.stdout) as { resources: { name: string }[] }).resources.map((r) => r.name)
          : [];
      if (names.includes('pods/memory_working_set_bytes')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // NB: `_seconds_total` counters lose the suffix (cpu_usage), gauges keep their name; the node_* series have no
    // namespace.
    for (const name of ['pods/cpu_usage', 'pods/memory_working_set_bytes', 'namespaces/cpu_usage'])
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    const out = await kubectl(
      'get',
      '--raw',
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1/memory_working_set_bytes',
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as { items: { value: string }[] }).items[0]!.value, '100663296');
  });

  test("started with prometheus-adapter's Deployment arguments and no `serve`, it serves the same usage", async () => {
    const port = await freePort();
    const certDir = join(dir, 'serving-cert');
    // The args of prometheus-adapter's deploy/manifests Deployment, with this test's paths, URL and port.
    const peerArgs = [
      `--cert-dir=${certDir}`,
      `--config=${join(dir, 'config.yaml')}`,
      '--metrics-relist-interval=1m',
      `--prometheus-url=${prometheus.url}/`,
      `--secure-port=${port}`,
      '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    ];
    peerArgsAdapter = await startServingArgs(peerArgs, certDir);
    const send = createClient(peerArgsAdapter.url, peerArgsAdapter.caFile);
    const usage = (body: string) =>
      (
        JSON.parse(body) as {
          items: {
            metadata: { namespace?: string; name: string };
            window: string;
            containers?: unknown;
            usage?: unknown;
          }[];
        }
      ).items.map((item) => ({
        namespace: item.metadata.namespace,
        name: item.metadata.name,
        window: item.window,
        containers: item.containers,
        usage: item.usage,
      }));
    for (const path of ['/apis/metrics.k8s.io/v1beta1/pods', '/apis/metrics.k8s.io/v1beta1/nodes']) {
      const peer = await send(path);
      assert.equal(peer.status, 200, peer.body);
      const ours = await kubectl('get', '--raw', path);
      assert.deepEqual(usage(peer.body), usage(ours.stdout), path);
    }
    assert.match(peerArgsAdapter.logs(), /--tls-cipher-suites.*ignored/);
  });
});
