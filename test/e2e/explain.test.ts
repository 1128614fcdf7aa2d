/**
 * End to end: `metrics-adapter explain` as a child process against the real `serve` over TLS, with
 * values written through the write API; the text and JSON outputs are checked line by line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { writeExplainMetrics } from '../helpers/explain-fixture.js';

const hpaYaml = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Pods
    pods:
      metric: {name: http_requests}
      target: {type: AverageValue, averageValue: "100"}
  - type: Object
    object:
      describedObject: {apiVersion: v1, kind: Service, name: web}
      metric: {name: requests_per_second, selector: {matchLabels: {method: GET}}}
      target: {type: Value, value: 10}
  - type: External
    external:
      metric: {name: queue_messages_ready, selector: {matchLabels: {queue: worker}}}
      target: {type: AverageValue, averageValue: "30"}
`;

describe('metrics-adapter explain against a real adapter', () => {
  let adapter: AdapterProcess;
  let dir: string;
  let hpaFile: string;

  before(async () => {
    adapter = await startAdapter();
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-explain-'));
    hpaFile = join(dir, 'hpa.yaml');
    await writeFile(hpaFile, hpaYaml);
    await writeExplainMetrics(adapter, '150');
  });
  after(async () => {
    await adapter?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const explain = (...args: string[]) =>
    runCli(['explain', '-f', hpaFile, '--server', adapter.url, '--certificate-authority', adapter.caFile, ...args]);

  test('text output: per metric the query, the values, the ratio and the proposal; then the decision', async () => {
    const out = await explain('--current-replicas', '3', '--selector', 'app=web');
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.split('\n').map((l) => l.replace(/ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, ''));
    const expected = [
      'HPA default/web → Deployment/web: 3 current replicas, minReplicas 1, maxReplicas 10',
      'custom.metrics.k8s.io/v1beta2: the preferredVersion of GET /apis/custom.metrics.k8s.io',
      '',
      '[0] Pods metric http_requests, target averageValue 100',
      '    GET /apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/http_requests?labelSelector=app%3Dweb',
      '    returned 3 values:',
      '      Pod/web-1 = 150',
      '      Pod/web-2 = 150',
      '      Pod/web-3 = 150',
      '    ratio 1.5 → proposes 5 (Ratio): average 150 over 3 pods against target 100: ratio 1.5; ceil(1.5 × 3 ready pods) = 5',
      '',
      '[1] Object metric requests_per_second, target value 10',
      '    GET /apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/web/requests_per_second?metricLabelSelector=method%3DGET',
      '    returned 1 value:',
      '      Service/web = 15',
      '    ratio 1.5 → proposes 5 (Ratio): value 15 against target 10: ratio 1.5; ceil(1.5 × 3 ready pods) = 5',
      '',
      '[2] External metric queue_messages_ready, target averageValue 30',
      '    GET /apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready?labelSelector=queue%3Dworker',
      '    returned 1 value:',
      '      {queue=worker} = 95',
      '    ratio 1.0556 → proposes 3 (WithinTolerance): sum 95 against average target 30 × 3 replicas: ratio 1.0556 is within the tolerance band [0.9, 1.1]: keep 3',
      '',
      'decision: 3 → 5 replicas (rescale), bounded by DesiredWithinRange: metric http_requests proposes 5; 5 is within [1, 6]',
      'note: pod readiness is unknown: every pod a Pods metric returns counts as ready, and Object/External Value targets count 3 ready pods',
      'note: no history of recommendations or scale events was given: stabilization assumed no history, so the windows hold only this recommendation (pass --history)',
      '',
    ];
    assert.deepEqual(lines, expected);
  });

  test('JSON output carries the same facts for tools', async () => {
    const out = await explain('--current-replicas', '8', '--selector', 'app=web', '--output', 'json');
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as {
      customVersion: { version: string };
      metrics: {
        query: string;
        values: { object?: string; value: string }[];
        result: { proposal: number; ratio: number; rule: string; usage: string };
      }[];
      decision: { currentReplicas: number; desiredReplicas: number; rule: string; metricName: string };
      notes: string[];
    };
    assert.equal(json.customVersion.version, 'v1beta2');
    // Pods: 3 returned pods; Object Value: ratio 1.5 × 8 replicas; External AverageValue: ceil(95 / 30).
    assert.deepEqual(
      json.metrics.map((m) => m.result.proposal),
      [5, 12, 4],
    );
    assert.deepEqual(
      json.metrics.map((m) => m.result.rule),
      ['Ratio', 'Ratio', 'Ratio'],
    );
    assert.equal(json.metrics[0]!.result.usage, '150');
    assert.equal(
      json.metrics[2]!.result.usage,
      '11875m',
      'External AverageValue: the per-pod value, ceil(95 / 8 replicas) in milli-units',
    );
    assert.deepEqual(
      json.metrics[0]!.values.map((v) => v.object),
      ['Pod/web-1', 'Pod/web-2', 'Pod/web-3'],
    );
    assert.deepEqual(
      [json.decision.currentReplicas, json.decision.desiredReplicas, json.decision.rule, json.decision.metricName],
      [8, 10, 'TooManyReplicas', 'requests_per_second'],
    );
    assert.match(json.notes.join('\n'), /pod readiness is unknown/);
  });

  test("a failing metric names the metric and the adapter's Status message, as ScalingActive=False does", async () => {
    const file = join(dir, 'missing.yaml');
    await writeFile(
      file,
      hpaYaml
        .replace('name: queue_messages_ready', 'name: no_such_queue')
        .replace('{name: http_requests}', '{name: no_such_metric}'),
    );
    const out = await runCli([
      'explain',
      '-f',
      file,
      '--current-replicas',
      '3',
      '--server',
      adapter.url,
      '--certificate-authority',
      adapter.caFile,
    ]);
    assert.equal(out.code, 1, 'a metric that could not be computed fails the command, after the whole explanation');
    assert.equal(out.stderr, 'error: could not compute metrics no_such_metric, no_such_queue (see above)\n');
    assert.match(
      out.stdout,
      /error: ScalingActive=False FailedGetPodsMetric: the HPA was unable to compute the replica count: unable to get metric no_such_metric: unable to fetch metrics from custom metrics API: the server could not find the metric no_such_metric for pods/,
    );
    assert.match(
      out.stdout,
      /error: ScalingActive=False FailedGetExternalMetric: the HPA was unable to compute the replica count: unable to get external metric default\/no_such_queue\/queue=worker: unable to fetch metrics from external metrics API: the server could not find the external metric no_such_queue/,
    );
    // The Object metric still proposes 5: a scale-up goes ahead on the valid metric.
    assert.match(out.stdout, /decision: 3 → 5 replicas \(rescale\)/);
  });

  test("an autoscaling/v2beta1 document (the Sysdig adapter README's kuard HPA) is converted, and the output says so", async () => {
    const file = join(dir, 'kuard.yaml');
    await writeFile(
      file,
      [
        'apiVersion: autoscaling/v2beta1',
        'kind: HorizontalPodAutoscaler',
        'metadata:',
        '  name: kuard-autoscaler',
        'spec:',
        '  scaleTargetRef:',
        '    apiVersion: apps/v1beta1',
        '    kind: Deployment',
        '    name: kuard',
        '  minReplicas: 3',
        '  maxReplicas: 10',
        '  metrics:',
        '  - type: Object',
        '    object:',
        '      target:',
        '        kind: Service',
        '        name: web',
        '      metricName: requests_per_second',
        '      targetValue: 100',
        '',
      ].join('\n'),
    );
    const out = await runCli([
      'explain',
      '-f',
      file,
      '--current-replicas',
      '3',
      '--server',
      adapter.url,
      '--certificate-authority',
      adapter.caFile,
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(
      out.stdout,
      /^HPA default\/kuard-autoscaler → Deployment\/kuard: 3 current replicas, minReplicas 3, maxReplicas 10\nconverted from autoscaling\/v2beta1 to autoscaling\/v2 as the API server does\n/,
    );
    assert.match(out.stdout, /\[0\] Object metric requests_per_second, target value 100/);
  });

  test('the kubeconfig serve writes works as well; without --selector every pod with a value counts', async () => {
    const out = await runCli([
      'explain',
      '-f',
      hpaFile,
      '--current-replicas',
      '3',
      '--kubeconfig',
      adapter.kubeconfig,
      '-o',
      'json',
    ]);
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as {
      metrics: { query: string; result: { usage: string } }[];
      decision: { desiredReplicas: number; rule: string };
      notes: string[];
    };
    assert.equal(
      json.metrics[0]!.query,
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/http_requests',
    );
    // db-1's 9000 joins the average: (3 × 150 + 9000) / 4 = 2362.5 (2362500m), far above the target.
    assert.equal(json.metrics[0]!.result.usage, '2362500m');
    assert.deepEqual([json.decision.desiredReplicas, json.decision.rule], [6, 'ScaleUpLimit']);
    assert.match(json.notes[0]!, /no pod selector given/);
  });

  test("explain hpa with the adapter's kubeconfig says why discovery failed: the path, the code, the Status message", async () => {
    const out = await runCli(['explain', 'hpa', 'web', '--kubeconfig', adapter.kubeconfig]);
    assert.equal(out.code, 1);
    assert.equal(
      out.stderr,
      "error: cannot read the API server's discovery: GET /api: HTTP 404: the server could not find the requested resource (the server has no core API: is the kubeconfig the adapter's rather than the cluster's? explain hpa reads the HPA from the API server)\n",
    );
  });

  test('mistakes are one line naming the field, exit 2', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, hpaYaml.replace('averageValue: "100"', 'averageValue: "-1"'));
    const out = await runCli([
      'explain',
      '-f',
      bad,
      '--current-replicas',
      '3',
      '--server',
      adapter.url,
      '--certificate-authority',
      adapter.caFile,
    ]);
    assert.equal(out.code, 2);
    assert.equal(out.stderr, `error: ${bad}:12: spec.metrics[0].pods.target.averageValue: must be greater than 0\n`);
    const noReplicas = await runCli([
      'explain',
      '-f',
      hpaFile,
      '--server',
      adapter.url,
      '--certificate-authority',
      adapter.caFile,
    ]);
    assert.equal(noReplicas.code, 2);
    assert.match(noReplicas.stderr, /^error: the current replica count is unknown: pass --current-replicas N/);
    const badFlag = await runCli(['explain', '-f', hpaFile, '--current-replicas', 'three']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /^error: .*--current-replicas.*whole number/);
  });
});
