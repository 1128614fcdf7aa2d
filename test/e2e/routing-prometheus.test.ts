/**
 * End to end: one metrics-adapter in front of two real Prometheus servers (each scraping its own exporter, each with
 * its own prometheus-adapter rules inside its `backends:` entry) and its own memory store, routed by prefix and by
 * exact name. Reads through kubectl 1.35; one Prometheus is stopped and started again under the running adapter.
 * Skipped when the prometheus binary (or kubectl 1.35) is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { createClient, type RawResponse } from '../helpers/https-client.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';

const prometheusBinary = await findPrometheus();
const kubectlBinary = prometheusBinary === undefined ? undefined : await findKubectl();
const skip =
  prometheusBinary === undefined
    ? 'prometheus is not installed'
    : kubectlBinary === undefined
      ? 'kubectl 1.35 not available'
      : false;

const pods = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods';

/** One prometheus-adapter rule per instance, in the peer's format, for the gauges that instance has. */
function backendEntry(name: string, url: string, metrics: readonly string[]): string[] {
  return [
    `  ${name}:`,
    '    kind: prometheus',
    `    url: ${url}`,
    '    timeout: 2s',
    '    metricsRelistInterval: 1s',
    '    metricsMaxAge: 1m',
    '    rules:',
    `    - seriesQuery: '{__name__=~"^(${metrics.join('|')})$",namespace!="",pod!=""}'`,
    '      resources:',
    '        overrides:',
    '          namespace: {resource: "namespace"}',
    '          pod: {resource: "pod"}',
    "      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'",
  ];
}

function gauges(values: Readonly<Record<string, Readonly<Record<string, number>>>>) {
  return Object.entries(values).flatMap(([name, byPod]) =>
    Object.entries(byPod).map(([pod, value]) => ({
      name,
      type: 'gauge' as const,
      labels: { namespace: 'default', pod, app: 'web' },
      value,
    })),
  );
}

type Items = { items: { describedObject: { name: string }; value: string }[] };

describe('two real Prometheus servers and a memory store behind one adapter', { skip }, () => {
  const kubectl = kubectlBinary!;
  let dir: string;
  let exporterA: Exporter;
  let exporterB: Exporter;
  let promA: PrometheusProcess;
  let promB: PrometheusProcess;
  let adapter: AdapterProcess;
  let send: (path: string, options?: { method?: string; body?: string }) => Promise<RawResponse>;

  const read = (path: string) => kubectlGetRaw(kubectl, { server: adapter.url, caFile: adapter.caFile, path });
  /** Each pod's value, read with kubectl; undefined while kubectl fails or the list is not `pods` long. */
  const valuesOf = async (path: string, count: number): Promise<Record<string, string> | undefined> => {
    const out = await read(path);
    if (out.code !== 0) return undefined;
    const { items } = JSON.parse(out.stdout) as Items;
    return items.length === count
      ? Object.fromEntries(items.map((item) => [item.describedObject.name, item.value]))
      : undefined;
  };
  const eventually = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`${what} did not happen in 30s; adapter log:\n${adapter?.logs().slice(-3000)}`);
      await sleep(300);
    }
  };

  before(async () => {
    // NB: shared_load is in both; the exact-name route must pick prom-b's 2 over prom-a's 1, which discovery lists
    // first.
    exporterA = await startExporter(
      gauges({ alpha_requests: { 'web-1': 10, 'web-2': 20 }, shared_load: { 'web-1': 1 } }),
    );
    exporterB = await startExporter(
      gauges({ beta_requests: { 'web-1': 30, 'web-2': 40 }, shared_load: { 'web-1': 2 } }),
    );
    promA = await startPrometheus(prometheusBinary!, [exporterA.target]);
    promB = await startPrometheus(prometheusBinary!, [exporterB.target]);
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-routing-prometheus-'));
    const file = join(dir, 'adapter.yaml');
    await writeFile(
      file,
      [
        'backends:',
        ...backendEntry('prom-a', promA.url, ['alpha_requests', 'shared_load']),
        ...backendEntry('prom-b', promB.url, ['beta_requests', 'shared_load']),
        '  local:',
        '    kind: memory',
        'routes:',
        '  - prefix: alpha_',
        '    backend: prom-a',
        '  - prefix: beta_',
        '    backend: prom-b',
        '  - name: shared_load',
        '    backend: prom-b',
        '',
      ].join('\n'),
    );
    adapter = await startAdapter(['--config', file]);
    send = createClient(adapter.url, adapter.caFile);
    const written = await send('/write-metrics/namespaces/default/pods/web-1/local_requests?objectLabels=app%3Dweb', {
      method: 'POST',
      body: '"300m"',
    });
    assert.equal(written.status, 200, written.body);
    await eventually(
      'both Prometheus servers scraped',
      async () => (await valuesOf(`${pods}/*/alpha_requests`, 2)) && (await valuesOf(`${pods}/*/beta_requests`, 2)),
    );
  });
  after(async () => {
    await adapter?.stop();
    await promA?.close();
    await promB?.close();
    await exporterA?.close();
    await exporterB?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('each metric is answered by the back end its route names', async () => {
    assert.deepEqual(await valuesOf(`${pods}/*/alpha_requests`, 2), { 'web-1': '10', 'web-2': '20' });
    assert.deepEqual(await valuesOf(`${pods}/*/beta_requests?labelSelector=app%3Dweb`, 2), {
      'web-1': '30',
      'web-2': '40',
    });
    assert.deepEqual(
      await valuesOf(`${pods}/web-1/shared_load`, 1),
      { 'web-1': '2' },
      'the exact-name route sends shared_load to prom-b',
    );
    assert.deepEqual(await valuesOf(`${pods}/web-1/local_requests`, 1), { 'web-1': '300m' });
  });

  test('discovery merges the three back ends, each metric once; /debug/backends lists them', async () => {
    const out = await read('/apis/custom.metrics.k8s.io/v1beta2');
    assert.equal(out.code, 0, out.stderr);
    const names = (JSON.parse(out.stdout) as { resources: { name: string }[] }).resources.map((r) => r.name);
    assert.deepEqual([...names].sort(), [
      'namespaces/alpha_requests',
      'namespaces/beta_requests',
      'namespaces/shared_load',
      'pods/alpha_requests',
      'pods/beta_requests',
      'pods/local_requests',
      'pods/shared_load',
    ]);
    const health = JSON.parse((await send('/debug/backends')).body) as {
      backends: { name: string; kind: string; ready: boolean }[];
    };
    assert.deepEqual(
      health.backends.map((b) => [b.name, b.kind, b.ready]),
      [
        ['prom-a', 'prometheus', true],
        ['prom-b', 'prometheus', true],
        ['local', 'memory', true],
      ],
    );
  });

  test('prom-b stopped: only its metrics answer 503, the rest answer and /readyz stays 200; back after its restart', async () => {
    await promB.stop();
    for (const path of [`${pods}/*/beta_requests`, `${pods}/web-1/shared_load`]) {
      const res = await send(path);
      assert.equal(res.status, 503, `${path}: ${res.body}`);
      assert.equal((JSON.parse(res.body) as { reason: string }).reason, 'ServiceUnavailable');
      const out = await read(path);
      assert.notEqual(out.code, 0);
      assert.match(out.stderr, /Error from server \(ServiceUnavailable\)/);
    }
    assert.deepEqual(await valuesOf(`${pods}/*/alpha_requests`, 2), { 'web-1': '10', 'web-2': '20' });
    assert.deepEqual(await valuesOf(`${pods}/web-1/local_requests`, 1), { 'web-1': '300m' });
    assert.equal((await send('/readyz')).status, 200, 'still ready: the routing works');
    await eventually('a log line naming prom-b', async () =>
      /"backendName":"prom-b".*cannot list the series/.test(adapter.logs()) ? true : undefined,
    );

    await promB.start();
    assert.deepEqual(await eventually('prom-b answering again', () => valuesOf(`${pods}/*/beta_requests`, 2)), {
      'web-1': '30',
      'web-2': '40',
    });
    assert.deepEqual(await valuesOf(`${pods}/web-1/shared_load`, 1), { 'web-1': '2' });
  });
});
