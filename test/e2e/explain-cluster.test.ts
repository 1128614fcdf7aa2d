/**
 * End to end: `metrics-adapter explain hpa NAME` as a child process against a schema-true fake
 * kube-apiserver (HPA, Deployment scale, pods, discovery) whose aggregator proxies the metrics groups to
 * a real `serve` on loopback with written metrics. Text and JSON outputs are compared with golden files
 * (set UPDATE_GOLDEN=1 to rewrite them); errors are one line each.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../helpers/fake-kube-apiserver.js';
import { writeExplainMetrics } from '../helpers/explain-fixture.js';
import { assertGolden } from '../helpers/golden.js';

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));

const metrics = [
  { type: 'Pods', pods: { metric: { name: 'http_requests' }, target: { type: 'AverageValue', averageValue: '100' } } },
  {
    type: 'Object',
    object: {
      describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' },
      metric: { name: 'requests_per_second', selector: { matchLabels: { method: 'GET' } } },
      target: { type: 'Value', value: '10' },
    },
  },
  {
    type: 'External',
    external: {
      metric: { name: 'queue_messages_ready', selector: { matchLabels: { queue: 'worker' } } },
      target: { type: 'AverageValue', averageValue: '30' },
    },
  },
];

/** An autoscaling/v2 HPA as kube-apiserver stores it: the spec, and a status the controller wrote. */
function hpaObject(
  name: string,
  target: { apiVersion: string; kind: string; name: string },
  extra: Record<string, unknown> = {},
) {
  return {
    name,
    namespace: 'default',
    spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas: 10, metrics, ...extra },
    status: {
      currentReplicas: 4,
      desiredReplicas: 4,
      currentMetrics: null,
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          lastTransitionTime: '2030-01-01T00:00:00Z',
          reason: 'SucceededGetScale',
          message: "the HPA controller was able to get the target's current scale",
        },
      ],
    },
  };
}

const ready = (name: string, app = 'web') => ({
  name,
  namespace: 'default',
  labels: { app },
  spec: { containers: [{ name: 'app', image: 'web' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

/** Values the adapter writes carry the time of the write; goldens hold a placeholder. */
const stable = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>');

const golden = (name: string, actual: string) => assertGolden(join(goldenDir, name), actual);

describe('metrics-adapter explain hpa NAME against a cluster', () => {
  let adapter: AdapterProcess;
  let fake: FakeKubeApiServer;
  let dir: string;

  before(async () => {
    adapter = await startAdapter();
    fake = await startFakeKubeApiServer({
      aggregate: { url: adapter.url, ca: await readFile(adapter.caFile, 'utf8') },
    });
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-explain-cluster-'));
    await writeExplainMetrics(adapter, '200');
    fake.upsert('deployments.apps', {
      name: 'web',
      namespace: 'default',
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } } },
      status: { replicas: 4, readyReplicas: 3 },
    });
    for (const pod of ['web-1', 'web-2', 'web-3']) fake.upsert('pods', ready(pod));
    fake.upsert('pods', {
      name: 'web-4',
      namespace: 'default',
      labels: { app: 'web' },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] },
    });
    fake.upsert('pods', ready('db-1', 'db'));
    fake.upsert('widgets.example.com', { name: 'w', namespace: 'default', spec: {} });
    fake.upsert(
      'horizontalpodautoscalers.autoscaling',
      hpaObject('web', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }),
    );
    fake.upsert(
      'horizontalpodautoscalers.autoscaling',
      hpaObject(
        'web-slow',
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        {
          behavior: {
            scaleUp: {
              stabilizationWindowSeconds: 0,
              selectPolicy: 'Max',
              policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
            },
          },
        },
      ),
    );
    fake.upsert(
      'horizontalpodautoscalers.autoscaling',
      hpaObject('gone', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone' }),
    );
    fake.upsert(
      'horizontalpodautoscalers.autoscaling',
      hpaObject('widget', { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' }),
    );
    fake.upsert(
      'horizontalpodautoscalers.autoscaling',
      hpaObject('nokind', { apiVersion: 'apps/v1', kind: 'Foo', name: 'x' }),
    );
  });
  after(async () => {
    await fake?.close();
    await adapter?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const explain = (...args: string[]) => runCli(['explain', ...args, '--kubeconfig', fake.kubeconfig]);

  test('text: the scale and pods read as the controller reads them, unready pods at 0 on a scale-up', async () => {
    const out = await explain('hpa', 'web', '-n', 'default');
    assert.equal(out.code, 0, out.stderr);
    // Pods: ratio 2 over web-1..3; Pending web-4 counts as 0: 600/4 = 150, ceil(1.5 × 4) = 6.
    // Object: ceil(1.5 × 3 Running and Ready pods) = 5. External: ceil(95 / 30) = 4 (status.replicas 4).
    assert.match(out.stdout, /decision: 4 → 6 replicas \(rescale\), bounded by DesiredWithinRange/);
    await golden('explain-cluster.txt', stable(out.stdout));
    assert.equal(fake.count('get', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web'), 1);
    assert.equal(fake.count('get', '/apis/apps/v1/namespaces/default/deployments/web/scale'), 1);
    const podList = fake.requests.find((r) => r.path === '/api/v1/namespaces/default/pods');
    assert.equal(podList?.query.get('labelSelector'), 'app=web');
  });

  test('JSON carries the same facts; the kinds of names kubectl accepts all work', async () => {
    const out = await explain('horizontalpodautoscalers.autoscaling/web', '-o', 'json');
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as {
      cluster: { scale: { specReplicas: number; selector: string } };
      decision: { desiredReplicas: number };
    };
    assert.deepEqual(
      [json.cluster.scale.specReplicas, json.cluster.scale.selector, json.decision.desiredReplicas],
      [4, 'app=web', 6],
    );
    await golden('explain-cluster.json', stable(out.stdout));
    const bare = await explain('web', '-o', 'json');
    assert.equal(bare.code, 0, bare.stderr);
    assert.equal(stable(bare.stdout), stable(out.stdout));
  });

  test('--current-replicas and --selector still win over the scale', async () => {
    const out = await explain('hpa', 'web', '--current-replicas', '2', '--selector', 'app in (web,db)', '-o', 'json');
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as {
      currentReplicas: number;
      cluster: { pods: { selector: string; count: number } };
      metrics: { query: string; result: { usage: string } }[];
    };
    assert.equal(json.currentReplicas, 2);
    assert.deepEqual([json.cluster.pods.selector, json.cluster.pods.count], ['app in (db,web)', 5]);
    assert.equal(
      json.metrics[0]!.query,
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/http_requests?labelSelector=app+in+%28db%2Cweb%29',
    );
  });

  test('--history: a scale event inside the policy period holds the scale-up (hand-computed)', async () => {
    const history = join(dir, 'history.yaml');
    await writeFile(
      history,
      'recommendations:\n- {timestamp: 2030-01-01T11:59:00Z, replicas: 4}\nscaleEvents:\n- {timestamp: 2030-01-01T11:59:30Z, from: 3, to: 4}\n',
    );
    const out = await explain('hpa', 'web-slow', '--history', history, '--now', '2030-01-01T12:00:00Z');
    assert.equal(out.code, 0, out.stderr);
    // Pods 1 per 60 s: the +1 at 11:59:30 is inside the period, so it started at 3 and allows 3 + 1 = 4 = current.
    assert.match(
      out.stdout,
      /decision: 4 → 4 replicas \(no change\), bounded by ScaleUpLimit: metric http_requests proposes 6; scaleUp allows at most 4 now \(selectPolicy Max of Pods 1 per 60s\)/,
    );
    assert.doesNotMatch(out.stdout, /stabilization assumed no history/);
    const later = await explain('hpa', 'web-slow', '--history', history, '--now', '2030-01-01T12:00:31Z');
    // 61 s after the event the period starts at 4: 4 + 1 = 5.
    assert.match(later.stdout, /decision: 4 → 5 replicas \(rescale\), bounded by ScaleUpLimit/);
    const none = await explain('hpa', 'web-slow');
    assert.match(
      none.stdout,
      /note: no history of recommendations or scale events was given: stabilization assumed no history/,
    );
  });

  test('errors are one line naming what failed, as the API server and the HPA conditions say it', async () => {
    const cases: [string[], number, string][] = [
      [['hpa', 'nope'], 1, 'error: horizontalpodautoscalers.autoscaling "nope" not found\n'],
      [
        ['hpa', 'gone'],
        1,
        'error: AbleToScale=False FailedGetScale: the HPA controller was unable to get the target\'s current scale: deployments.apps "gone" not found\n',
      ],
      [
        ['hpa', 'widget'],
        1,
        "error: AbleToScale=False FailedGetScale: the HPA controller was unable to get the target's current scale: could not find scale subresource for example.com/v1, Resource=widgets in discovery information\n",
      ],
      [
        ['hpa', 'nokind'],
        1,
        'error: AbleToScale=False FailedGetScale: the HPA controller was unable to get the target\'s current scale: no matches for kind "Foo" in group "apps"\n',
      ],
      [
        ['deployment', 'web'],
        2,
        'error: explain reads HorizontalPodAutoscalers; "deployment" is not one (use hpa NAME)\n',
      ],
      [['hpa'], 2, "error: give the HPA's name: explain hpa NAME\n"],
      [['hpa', 'web', '-f', 'x.yaml'], 2, 'error: pass either an HPA name or -f FILE, not both\n'],
    ];
    for (const [args, code, stderr] of cases) {
      const out = await explain(...args);
      assert.deepEqual([out.code, out.stderr], [code, stderr], args.join(' '));
    }
  });

  test('a bad history file is one line naming the file, the line and the field', async () => {
    const bad = join(dir, 'bad-history.yaml');
    await writeFile(
      bad,
      'recommendations:\n- {timestamp: 2030-01-01T11:59:00Z, replicas: 4}\n- {timestamp: last tuesday, replicas: 3}\n',
    );
    const out = await explain('hpa', 'web', '--history', bad);
    assert.deepEqual(
      [out.code, out.stderr],
      [2, `error: ${bad}:3: recommendations[1].timestamp: must be an RFC 3339 time such as 2025-06-01T12:00:00Z\n`],
    );
    const missing = await explain('hpa', 'web', '--history', join(dir, 'nope.yaml'));
    assert.deepEqual(
      [missing.code, missing.stderr],
      [2, `error: cannot read --history ${join(dir, 'nope.yaml')}: ENOENT\n`],
    );
  });

  test("a forbidden HPA: the API server's Forbidden message", async () => {
    fake.forbid('horizontalpodautoscalers.autoscaling');
    const out = await explain('hpa', 'web');
    assert.deepEqual(
      [out.code, out.stderr],
      [
        1,
        'error: horizontalpodautoscalers.autoscaling "web" is forbidden: User "system:serviceaccount:custom-metrics:metrics-adapter" cannot get resource "horizontalpodautoscalers" in API group "autoscaling" in the namespace "default"\n',
      ],
    );
  });
});
