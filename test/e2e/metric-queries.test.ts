/**
 * End to end: MetricQuery objects against a real Prometheus, through kubectl 1.35. Objects are applied to the fake
 * kube-apiserver (which serves the CRD with its status subresource and printer columns), the adapter watches them
 * and serves each in its own namespace, and their status comes back in `kubectl get metricqueries`. Skipped when
 * the prometheus binary (or kubectl 1.35) is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../helpers/fake-kube-apiserver.js';
import { findKubectl, kubectlGetRaw, runKubectl } from '../helpers/kubectl.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';

const prometheusBinary = await findPrometheus();
const kubectlBinary = prometheusBinary === undefined ? undefined : await findKubectl();
const skip =
  prometheusBinary === undefined
    ? 'prometheus is not installed'
    : kubectlBinary === undefined
      ? 'kubectl 1.35 not available'
      : false;

const statusWritesPerSecond = 20;

function metricQuery(namespace: string, name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'metrics-adapter.io/v1alpha1',
    kind: 'MetricQuery',
    metadata: { name, namespace },
    spec,
  });
}

describe('MetricQuery objects with a real Prometheus and kubectl', { skip }, () => {
  const kubectl = kubectlBinary!;
  let dir: string;
  let exporter: Exporter;
  let prometheus: PrometheusProcess;
  let cluster: FakeKubeApiServer;
  let adapter: AdapterProcess;

  const k = (...args: string[]) => runKubectl(kubectl, [`--kubeconfig=${cluster.kubeconfig}`, ...args]);
  const apply = async (yaml: string) => {
    const file = join(dir, `object-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, yaml);
    // NB: the fake serves no OpenAPI document, which kubectl's client-side validation downloads.
    const out = await k('apply', '--validate=false', '-f', file);
    assert.equal(out.code, 0, out.stderr);
    return out.stdout;
  };
  const read = (path: string) => kubectlGetRaw(kubectl, { server: adapter.url, caFile: adapter.caFile, path });
  const eventually = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(
          `${what} did not happen in ${timeoutMs / 1000}s; adapter log:\n${adapter?.logs().slice(-3000)}`,
        );
      await sleep(200);
    }
  };
  const externalValue = async (namespace: string, metric: string): Promise<string | undefined> => {
    const out = await read(`/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/${metric}`);
    if (out.code !== 0) return undefined;
    const { items } = JSON.parse(out.stdout) as { items: { value: string }[] };
    return items.map((i) => i.value).join(',');
  };
  const statusOf = async (namespace: string, name: string) => {
    const out = await k('get', 'metricqueries', '-n', namespace, name, '-o', 'json');
    return out.code === 0
      ? (
          JSON.parse(out.stdout) as {
            status?: {
              currentValue?: string;
              conditions?: { type: string; status: string; reason: string; message: string }[];
            };
          }
        ).status
      : undefined;
  };
  const condition = (status: Awaited<ReturnType<typeof statusOf>>, type: string) =>
    status?.conditions?.find((c) => c.type === type);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metric-queries-e2e-'));
    exporter = await startExporter([
      { name: 'queue_depth', type: 'gauge', labels: { namespace: 'team-a', queue: 'orders' }, value: 7 },
      { name: 'queue_depth', type: 'gauge', labels: { namespace: 'team-b', queue: 'orders' }, value: 100 },
      { name: 'http_requests', type: 'gauge', labels: { namespace: 'team-a', pod: 'web-1' }, value: 3 },
      { name: 'http_requests', type: 'gauge', labels: { namespace: 'team-a', pod: 'web-2' }, value: 5 },
      { name: 'http_requests', type: 'gauge', labels: { namespace: 'team-b', pod: 'web-1' }, value: 50 },
    ]);
    prometheus = await startPrometheus(prometheusBinary!, [exporter.target]);
    cluster = await startFakeKubeApiServer();
    for (const [namespace, pod] of [
      ['team-a', 'web-1'],
      ['team-a', 'web-2'],
      ['team-b', 'web-1'],
    ] as const) {
      cluster.upsert('pods', { name: pod, namespace, labels: { app: 'web' } });
    }
    // NB: the config's own rule keeps working beside the objects; the objects need no rule.
    const config = join(dir, 'adapter.yaml');
    await writeFile(
      config,
      [
        'backend: prometheus',
        'rules:',
        `- seriesQuery: 'http_requests{namespace!="",pod!=""}'`,
        '  resources: {template: "<<.Resource>>"}',
        '  name: {as: "admin_requests"}',
        "  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'",
        '',
      ].join('\n'),
    );
    adapter = await startAdapter([
      '--config',
      config,
      '--prometheus-url',
      prometheus.url,
      '--kubeconfig',
      cluster.kubeconfig,
      '--metric-query-status-writes',
      String(statusWritesPerSecond),
      '--metric-query-evaluate-interval',
      '1s',
    ]);
    await cluster.waitForWatches('metricqueries.metrics-adapter.io');
    // NB: wait until Prometheus has scraped the exporter once.
    await eventually('the first scrape', async () => {
      const answer = (await fetch(`${prometheus.url}/api/v1/query?query=queue_depth`).then((r) => r.json())) as {
        data: { result: unknown[] };
      };
      return answer.data.result.length === 2 ? true : undefined;
    });
  });

  after(async () => {
    await adapter?.stop();
    await cluster?.close();
    await prometheus?.close();
    await exporter?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('an applied object appears as an external metric of its namespace, with its value and VALID True in kubectl get', async () => {
    const out = await apply(
      metricQuery('team-a', 'orders', {
        backend: 'prometheus',
        query: 'sum(queue_depth{<<.LabelMatchers>>, queue="orders"})',
      }),
    );
    assert.match(out, /metricquery\.metrics-adapter\.io\/orders created/);
    assert.equal(await eventually('the metric', () => externalValue('team-a', 'orders')), '7');
    const discovery = await read('/apis/external.metrics.k8s.io/v1beta1');
    assert.match(discovery.stdout, /"name":"orders"/);
    const table = await eventually('the status in kubectl get', async () => {
      const get = await k('get', 'metricqueries', '-n', 'team-a');
      return /orders\s+7\s+True\s+True\s+\d+s/.test(get.stdout) ? get.stdout : undefined;
    });
    assert.match(table, /^NAME\s+VALUE\s+VALID\s+ACTIVE\s+AGE$/m);
    const wide = await k('get', 'mq', '-n', 'team-a', '-o', 'wide');
    assert.match(wide.stdout, /^NAME\s+VALUE\s+VALID\s+ACTIVE\s+BACKEND\s+SERVED AS\s+AGE$/m);
    assert.match(wide.stdout, /orders\s+7\s+True\s+True\s+prometheus\s+External/);
  });

  test('an updated query changes the value within seconds', async () => {
    await apply(
      metricQuery('team-a', 'orders', {
        backend: 'prometheus',
        query: 'sum(queue_depth{<<.LabelMatchers>>, queue="orders"}) * 3',
      }),
    );
    assert.equal(
      await eventually('the new value', async () =>
        (await externalValue('team-a', 'orders')) === '21' ? '21' : undefined,
      ),
      '21',
    );
    const status = await eventually('observedGeneration 2', async () => {
      const s = await statusOf('team-a', 'orders');
      return (s as { observedGeneration?: number } | undefined)?.observedGeneration === 2 && s?.currentValue === '21'
        ? s
        : undefined;
    });
    assert.equal(condition(status, 'Valid')?.status, 'True');
  });

  test('an object serves only its own namespace: not from another, and a query naming another namespace reads nothing', async () => {
    const other = await read('/apis/external.metrics.k8s.io/v1beta1/namespaces/team-b/orders');
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /NotFound|not found|could not find/i);
    await apply(
      metricQuery('team-a', 'peek', {
        backend: 'prometheus',
        query: 'sum(queue_depth{namespace="team-b"}) or sum(http_requests{namespace!="team-a"})',
      }),
    );
    const status = await eventually('the peek status', async () => {
      const s = await statusOf('team-a', 'peek');
      return condition(s, 'Valid')?.status === 'True' ? s : undefined;
    });
    assert.equal(status?.currentValue, undefined, 'no value: every selector is confined to team-a');
    assert.equal(await externalValue('team-a', 'peek'), '');
  });

  test('a custom metric of pods: one value per pod of the namespace', async () => {
    await apply(
      metricQuery('team-a', 'web-requests', {
        backend: 'prometheus',
        servedAs: 'Custom',
        resource: 'pods',
        query: 'sum(http_requests{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      }),
    );
    const values = await eventually('the pod values', async () => {
      const out = await read('/apis/custom.metrics.k8s.io/v1beta2/namespaces/team-a/pods/*/web-requests');
      if (out.code !== 0) return undefined;
      const { items } = JSON.parse(out.stdout) as {
        items: { describedObject: { name: string; namespace: string }; value: string }[];
      };
      return items.length === 2
        ? items.map((i) => `${i.describedObject.namespace}/${i.describedObject.name}=${i.value}`).sort()
        : undefined;
    });
    assert.deepEqual(values, ['team-a/web-1=3', 'team-a/web-2=5']);
    const one = await read('/apis/custom.metrics.k8s.io/v1beta2/namespaces/team-b/pods/web-1/web-requests');
    assert.notEqual(one.code, 0, 'team-b has no such object');
    const status = await eventually('the average in the status', async () =>
      (await statusOf('team-a', 'web-requests'))?.currentValue === '4' ? true : undefined,
    );
    assert.equal(status, true);
  });

  test('an invalid query gets Valid=False with the parse error, and nothing else is affected', async () => {
    await apply(
      metricQuery('team-a', 'broken', { backend: 'prometheus', query: 'sum(queue_depth{<<.LabelMatchers>>}' }),
    );
    await apply(
      metricQuery('team-a', 'rejected', { backend: 'prometheus', query: 'rate(queue_depth{<<.LabelMatchers>>})' }),
    );
    await apply(metricQuery('team-a', 'nowhere', { backend: 'sysdig', query: 'sum(queue_depth{<<.LabelMatchers>>})' }));
    const broken = await eventually('Valid=False on broken', async () => {
      const s = await statusOf('team-a', 'broken');
      return condition(s, 'Valid')?.status === 'False' ? condition(s, 'Valid') : undefined;
    });
    assert.equal(broken?.reason, 'InvalidQuery');
    assert.match(broken?.message ?? '', /parse error: unexpected end of query/);
    const rejected = await eventually('Valid=False on rejected', async () => {
      const s = await statusOf('team-a', 'rejected');
      return condition(s, 'Valid')?.status === 'False' ? condition(s, 'Valid') : undefined;
    });
    assert.equal(rejected?.reason, 'QueryRejected');
    assert.match(rejected?.message ?? '', /expected type range vector/, "Prometheus' own error text");
    const nowhere = await eventually('Valid=False on nowhere', async () =>
      condition(await statusOf('team-a', 'nowhere'), 'Valid')?.reason === 'UnknownBackend' ? true : undefined,
    );
    assert.equal(nowhere, true);
    const table = await k('get', 'metricqueries', '-n', 'team-a');
    assert.match(table.stdout, /^broken\s+False\s+False\s+\d+s$/m, 'no value, not valid, not read');
    assert.equal(await externalValue('team-a', 'orders'), '21');
    const discovery = await read('/apis/external.metrics.k8s.io/v1beta1');
    assert.doesNotMatch(discovery.stdout, /"name":"broken"/);
    const page = JSON.parse((await read('/debug/metrics')).stdout) as {
      metricQueries: { object: string; valid: string; message: string; value?: string }[];
    };
    const shown = Object.fromEntries(page.metricQueries.map((v) => [v.object, v]));
    assert.equal(shown['team-a/broken']?.valid, 'False');
    assert.match(shown['team-a/broken']?.message ?? '', /unexpected end of query/);
    assert.equal(shown['team-a/orders']?.value, '21', 'the status page shows the objects and their state');
    const html = await read('/ui');
    assert.match(html.stdout, /MetricQuery objects \(\d+\)/);
    const readyz = await read('/readyz');
    assert.equal(readyz.stdout.trim(), 'ok');
  });

  test('a deleted object disappears from the metrics API and discovery within seconds', async () => {
    const out = await k('delete', 'metricquery', '-n', 'team-a', 'orders');
    assert.equal(out.code, 0, out.stderr);
    await eventually('the metric to go', async () => {
      const answer = await read('/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/orders');
      return answer.code !== 0 ? true : undefined;
    });
    const discovery = await read('/apis/external.metrics.k8s.io/v1beta1');
    assert.doesNotMatch(discovery.stdout, /"name":"orders"/);
  });

  test('with 1,000 objects the status writes stay within the configured rate', async () => {
    const start = cluster.requests.length;
    const began = Date.now();
    for (let i = 0; i < 1000; i++) {
      cluster.upsert('metricqueries.metrics-adapter.io', {
        name: `bulk-${i}`,
        namespace: `team-${i % 10}`,
        spec: {
          backend: 'prometheus',
          query: 'sum(queue_depth{<<.LabelMatchers>>})',
          servedAs: 'External',
          onMissing: 'Error',
        },
      });
    }
    await sleep(4000);
    const seconds = (Date.now() - began) / 1000;
    const writes = cluster.requests.slice(start).filter((r) => r.kind === 'write' && r.path.endsWith('/status')).length;
    assert.ok(writes > 0, 'statuses are being written');
    assert.ok(
      writes <= statusWritesPerSecond * seconds + statusWritesPerSecond,
      `${writes} status writes in ${seconds}s exceed ${statusWritesPerSecond}/s`,
    );
    assert.equal(
      await externalValue('team-a', 'web-requests').catch(() => undefined),
      undefined,
      'web-requests is a custom metric',
    );
  });
});
