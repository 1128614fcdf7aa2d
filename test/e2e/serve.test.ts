/**
 * End to end: the real `metrics-adapter serve` over TLS on a loopback port, written with HTTPS
 * POSTs as curl would send them, read back with a real kubectl 1.35 and with raw HTTPS requests.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient, type RawResponse } from '../helpers/https-client.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';

describe('metrics-adapter serve over TLS', () => {
  let adapter: AdapterProcess;
  let send: (
    path: string,
    options?: { method?: string; body?: string; headers?: Record<string, string> },
  ) => Promise<RawResponse>;
  let kubectl: string | undefined;

  before(async () => {
    adapter = await startAdapter(['-v', '2']);
    send = createClient(adapter.url, adapter.caFile);
    kubectl = await findKubectl();
    const writes: [string, string][] = [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app%3Dweb', '"300m"'],
      ['/write-metrics/namespaces/default/pods/web-2/http_requests?objectLabels=app%3Dweb', '"2"'],
      ['/write-metrics/namespaces/default/pods/db-1/http_requests?objectLabels=app%3Ddb', '7'],
      ['/write-metrics/namespaces/default/services/kubernetes/test-metric?labels=method%3DGET', '"300m"'],
      ['/write-metrics/nodes/node-1/temperature', '"45.5"'],
      ['/write-metrics/namespaces/team-a/metrics/queue_length', '"42"'],
      ['/write-external-metrics/namespaces/default/queue_messages_ready?labels=queue%3Dworker', '"95"'],
    ];
    for (const [path, body] of writes) {
      const res = await send(path, { method: 'POST', body });
      assert.equal(res.status, 200, `${path}: ${res.body}`);
    }
  });
  after(async () => adapter?.stop());

  const getRaw = async (t: { skip(message: string): void }, path: string) => {
    if (kubectl === undefined) {
      t.skip('kubectl 1.35 not available');
      return undefined;
    }
    return kubectlGetRaw(kubectl, { server: adapter.url, caFile: adapter.caFile, path });
  };

  test('kubectl reads the HPA Pods query in v1beta2 and v1beta1', async (t) => {
    for (const version of ['v1beta2', 'v1beta1'] as const) {
      const out = await getRaw(
        t,
        `/apis/custom.metrics.k8s.io/${version}/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb`,
      );
      if (out === undefined) return;
      assert.equal(out.code, 0, out.stderr);
      const list = JSON.parse(out.stdout) as { kind: string; apiVersion: string; items: Record<string, unknown>[] };
      assert.equal(list.kind, 'MetricValueList');
      assert.equal(list.apiVersion, `custom.metrics.k8s.io/${version}`);
      const items = list.items
        .map((item) => ({ ...item, timestamp: 'T' }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const expected = [
        ['web-1', '300m'],
        ['web-2', '2'],
      ].map(([name, value]) =>
        version === 'v1beta2'
          ? {
              describedObject: { kind: 'Pod', namespace: 'default', name, apiVersion: 'v1' },
              metric: { name: 'http_requests', selector: null },
              timestamp: 'T',
              value,
            }
          : {
              describedObject: { kind: 'Pod', namespace: 'default', name, apiVersion: 'v1' },
              metricName: 'http_requests',
              timestamp: 'T',
              value,
              selector: null,
            },
      );
      assert.deepEqual(items, expected);
    }
  });

  test('kubectl reads named objects, cluster-scoped objects, namespace metrics and external metrics', async (t) => {
    const cases: [string, (body: { items: Record<string, unknown>[] }) => void][] = [
      [
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/kubernetes/test-metric?metricLabelSelector=method%3DGET',
        (b) => {
          assert.deepEqual(b.items[0]!.metric, { name: 'test-metric', selector: { matchLabels: { method: 'GET' } } });
        },
      ],
      [
        '/apis/custom.metrics.k8s.io/v1beta1/nodes/node-1/temperature',
        (b) => {
          assert.deepEqual(b.items[0]!.describedObject, { kind: 'Node', name: 'node-1', apiVersion: 'v1' });
          assert.equal(b.items[0]!.value, '45500m');
        },
      ],
      [
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/team-a/metrics/queue_length',
        (b) => {
          assert.deepEqual(b.items[0]!.describedObject, { kind: 'Namespace', name: 'team-a', apiVersion: 'v1' });
        },
      ],
      [
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker',
        (b) => {
          assert.deepEqual(
            { ...b.items[0], timestamp: 'T' },
            { metricName: 'queue_messages_ready', metricLabels: { queue: 'worker' }, timestamp: 'T', value: '95' },
          );
        },
      ],
    ];
    for (const [path, check] of cases) {
      const out = await getRaw(t, path);
      if (out === undefined) return;
      assert.equal(out.code, 0, `${path}: ${out.stderr}`);
      const body = JSON.parse(out.stdout) as { items: Record<string, unknown>[] };
      assert.equal(body.items.length, 1, path);
      check(body);
    }
  });

  test('the kubeconfig serve writes works as the README shows, without prompting', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const { execFile } = await import('node:child_process');
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        kubectl!,
        [
          '--kubeconfig',
          adapter.kubeconfig,
          'get',
          '--raw',
          '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb',
        ],
        { timeout: 20_000 },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
    assert.equal(out.code, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as { items: unknown[] }).items.length, 2);
  });

  test('kubectl shows Error from server (NotFound) for a missing metric', async (t) => {
    const out = await getRaw(t, '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/no_such_metric');
    if (out === undefined) return;
    assert.notEqual(out.code, 0);
    assert.match(
      out.stderr,
      /Error from server \(NotFound\): the server could not find the metric no_such_metric for pods web-1/,
    );
  });

  test('kubectl shows Error from server (BadRequest) for a bad selector', async (t) => {
    const out = await getRaw(
      t,
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=app%3D%3D%3Dweb',
    );
    if (out === undefined) return;
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /Error from server \(BadRequest\)/);
  });

  test('kubectl reads discovery, and it is never empty', async (t) => {
    for (const path of ['/apis/custom.metrics.k8s.io/v1beta1', '/apis/external.metrics.k8s.io/v1beta1', '/apis']) {
      const out = await getRaw(t, path);
      if (out === undefined) return;
      assert.equal(out.code, 0, out.stderr);
      const body = JSON.parse(out.stdout) as { resources?: unknown[]; groups?: unknown[] };
      assert.ok((body.resources ?? body.groups ?? []).length > 0, path);
    }
  });

  test('raw HTTPS: exact bytes, JSON content type, newline-terminated like Go', async () => {
    const res = await send('/apis/custom.metrics.k8s.io/v1beta2/namespaces/team-a/metrics/queue_length', {
      headers: { accept: 'application/vnd.kubernetes.protobuf, */*' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    const ts = (JSON.parse(res.body) as { items: { timestamp: string }[] }).items[0]!.timestamp;
    assert.equal(
      res.body,
      `{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},"items":[{"describedObject":{"kind":"Namespace","name":"team-a","apiVersion":"v1"},"metric":{"name":"queue_length","selector":null},"timestamp":"${ts}","value":"42"}]}\n`,
    );
  });

  test('raw HTTPS: bad input gets a Status with the right code, and the stored value survives', async () => {
    const cases: [string, { method?: string; body?: string; headers?: Record<string, string> }, number, string][] = [
      [
        '/write-metrics/namespaces/default/pods/web-1/http_requests',
        { method: 'POST', body: '"12 apples"' },
        400,
        'BadRequest',
      ],
      [
        '/write-metrics/namespaces/default/pods/web-1/http_requests',
        { method: 'POST', body: '"1"', headers: { 'content-type': 'text/plain' } },
        415,
        'UnsupportedMediaType',
      ],
      [
        '/write-metrics/namespaces/default/pods/web-1/http_requests',
        { method: 'POST', body: `"${'9'.repeat(65 * 1024)}"` },
        413,
        'RequestEntityTooLarge',
      ],
      [
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests',
        { method: 'DELETE' },
        405,
        'MethodNotAllowed',
      ],
      [
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests',
        { headers: { accept: 'application/yaml' } },
        406,
        'NotAcceptable',
      ],
      ['/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%E0%A4%A/m', {}, 400, 'BadRequest'],
      [
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=a+in+(',
        {},
        400,
        'BadRequest',
      ],
      ['/apis/nothing.example.com/v1', {}, 404, 'NotFound'],
    ];
    for (const [path, options, code, reason] of cases) {
      const res = await send(path, options);
      assert.equal(res.status, code, `${path}: ${res.body.slice(0, 200)}`);
      assert.equal(res.headers['content-type'], 'application/json');
      const status = JSON.parse(res.body) as { kind: string; code: number; reason: string };
      assert.deepEqual([status.kind, status.code, status.reason], ['Status', code, reason]);
    }
    const read = await send('/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/web-1/http_requests');
    assert.equal((JSON.parse(read.body) as { items: { value: string }[] }).items[0]!.value, '300m');
  });

  test('health endpoints answer ok and -v 2 logs one line per request', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const res = await send(path);
      assert.deepEqual([res.status, res.body], [200, 'ok']);
    }
    await send('/apis/custom.metrics.k8s.io/v1beta2?probe=1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = adapter
      .logs()
      .split('\n')
      .filter((line) => line.includes('probe=1'));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /"resp":200/);
  });
});
