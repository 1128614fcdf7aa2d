/**
 * The replica calculator's CPU and memory cases (K8S `replica_calculator.go` `GetResourceReplicas`, spec §10) through
 * explainHpa, against an in-process adapter on the memory back end serving metrics.k8s.io from written usage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAdapter, type Adapter } from '../adapter.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { createSilentLogger } from '../log/index.js';
import memoryBackend from '../providers/memory/index.js';
import { explainHpa, type MetricsFetcher } from './explain.js';
import { parseHpa } from './parse-hpa.js';
import type { PodInfo } from './types.js';

const resourceMapper = createStaticResourceMapper();
const minute = 60_000;

interface PodCase {
  readonly name: string;
  /** Written usage per container; none: the pod has no PodMetrics. */
  readonly usage?: Readonly<Record<string, { cpu?: string; memory?: string }>>;
  readonly requests?: Readonly<Record<string, Readonly<Record<string, bigint>>>>;
  readonly phase?: PodInfo['phase'];
  /** Ready condition: status and how long ago it last changed; the pod started 10 minutes ago unless `startedAgo`. */
  readonly ready?: { status: 'True' | 'False'; changedAgo: number };
  readonly startedAgo?: number;
}

const cpuRequests = (milli: bigint) => ({ app: { cpu: milli, memory: 256n * 2n ** 20n * 1000n } });

function hpa(metric: string, maxReplicas = 10): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: ${maxReplicas}
  metrics:
  - ${metric}
`;
}

describe('explain: Resource and ContainerResource metrics', () => {
  let adapter: Adapter;
  let fetcher: MetricsFetcher;
  let namespaces = 0;

  before(async () => {
    const backend = await memoryBackend.create({}, {}, { logger: createSilentLogger(), resourceMapper });
    adapter = createAdapter({
      custom: backend.custom!,
      resource: backend.resource!,
      writer: backend.writer!,
      resourceMapper,
    });
    fetcher = {
      async get(url) {
        const res = await adapter.server.inject({ method: 'GET', url });
        return { status: res.statusCode, body: res.body };
      },
    };
  });
  after(() => adapter.close());

  /** Writes the pods' usage into a fresh namespace and explains `metric` for them. */
  async function explain(metric: string, pods: readonly PodCase[], specReplicas = pods.length) {
    const namespace = `case-${++namespaces}`;
    const now = Date.now();
    for (const pod of pods) {
      for (const [container, usage] of Object.entries(pod.usage ?? {})) {
        const res = await adapter.server.inject({
          method: 'POST',
          url: `/write-resource-metrics/namespaces/${namespace}/pods/${pod.name}/containers/${container}?objectLabels=app%3Dweb`,
          payload: JSON.stringify(usage),
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(res.statusCode, 200, res.body);
      }
    }
    const infos: PodInfo[] = pods.map((pod) => ({
      name: pod.name,
      phase: pod.phase ?? 'Running',
      ready: (pod.ready?.status ?? 'True') === 'True',
      containers: Object.entries(pod.requests ?? cpuRequests(500n)).map(([name, requests]) => ({ name, requests })),
      startTime: now - (pod.startedAgo ?? 10 * minute),
      readyCondition: {
        status: pod.ready?.status ?? 'True',
        lastTransitionTime: now - (pod.ready?.changedAgo ?? 9 * minute),
      },
    }));
    return explainHpa(parseHpa(hpa(metric), 'hpa.yaml'), fetcher, {
      resourceMapper,
      namespace,
      podSelector: 'app=web',
      cluster: {
        scale: {
          target: 'deployments.apps/web',
          path: '',
          specReplicas,
          statusReplicas: specReplicas,
          selector: 'app=web',
        },
        podSelector: 'app=web',
        pods: infos,
      },
      history: { now },
    });
  }

  const cpu50 = 'type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}';
  const pods = (n: number, cpu: string) =>
    Array.from({ length: n }, (_, i) => ({ name: `web-${i + 1}`, usage: { app: { cpu } } }));

  test("a pod without a request for the resource makes the metric invalid, with the controller's message", async () => {
    const e = await explain(cpu50, [{ name: 'web-1', usage: { app: { cpu: '100m' } }, requests: { app: {} } }]);
    const result = e.metrics[0]!.result!;
    assert.equal(result.rule, 'Invalid');
    assert.equal(result.condition!.reason, 'FailedGetResourceMetric');
    assert.match(result.reason, /missing request for cpu in container app of Pod web-1/);
    assert.equal(e.decision.desiredReplicas, 1);
  });

  test('no PodMetrics at all is FailedGetResourceMetric', async () => {
    const e = await explain(cpu50, [{ name: 'web-1' }]);
    assert.match(
      e.metrics[0]!.result!.reason,
      /unable to get metrics for resource cpu: no metrics returned from resource metrics API/,
    );
  });

  test('scale up: utilization over target, every pod ready', async () => {
    // 3 pods at 400m of 500m: 80% against 50%, ratio 1.6, ceil(1.6 × 3) = 5.
    const e = await explain(cpu50, pods(3, '400m'));
    assert.equal(e.metrics[0]!.query, '/apis/metrics.k8s.io/v1beta1/namespaces/case-3/pods?labelSelector=app%3Dweb');
    assert.equal(e.metrics[0]!.target, 'averageUtilization 50%');
    assert.equal(e.metrics[0]!.result!.ratio, 1.6);
    assert.equal(e.metrics[0]!.result!.proposal, 5);
    assert.equal(e.decision.desiredReplicas, 5);
  });

  test('scale down and tolerance', async () => {
    // 20%: ratio 0.4, ceil(0.4 × 4) = 2; 52%: ratio 1.04, within 0.1.
    assert.equal((await explain(cpu50, pods(4, '100m'))).metrics[0]!.result!.proposal, 2);
    const within = await explain(cpu50, pods(4, '260m'));
    assert.equal(within.metrics[0]!.result!.rule, 'WithinTolerance');
    assert.equal(within.metrics[0]!.result!.proposal, 4);
  });

  test('CPU: unready pods count as 0 on a scale-up (not Ready in the initialization period, Pending, or Ready too recently)', async () => {
    // web-1 and web-2 at 100%: ratio 2. web-3 (not Ready, started a minute ago) and web-4 (Ready 10 s ago, within
    // one 30 s window of its sample) are unready: on a scale-up they count as 0.
    const e = await explain(cpu50, [
      { name: 'web-1', usage: { app: { cpu: '500m' } } },
      { name: 'web-2', usage: { app: { cpu: '500m' } } },
      {
        name: 'web-3',
        usage: { app: { cpu: '500m' } },
        startedAgo: minute,
        ready: { status: 'False', changedAgo: minute },
      },
      {
        name: 'web-4',
        usage: { app: { cpu: '500m' } },
        startedAgo: minute,
        ready: { status: 'True', changedAgo: 10_000 },
      },
    ]);
    const result = e.metrics[0]!.result!;
    // NB: 1000m of 2000m requested is 50%: ratio exactly 1 after filling in, within tolerance: keep 4.
    assert.equal(result.ratio, 2);
    assert.equal(result.adjustedRatio, 1);
    assert.equal(result.proposal, 4);
    const pending = await explain(cpu50, [
      { name: 'web-1', usage: { app: { cpu: '500m' } } },
      { name: 'web-2', usage: { app: { cpu: '500m' } } },
      { name: 'web-3', phase: 'Pending' },
    ]);
    // 1000m of 1500m = 66%: ratio 1.32, ceil(1.32 × 3) = 4.
    assert.equal(pending.metrics[0]!.result!.adjustedRatio, 1.32);
    assert.equal(pending.metrics[0]!.result!.proposal, 4);
  });

  test('CPU: a pod not Ready long after its start that was Ready before still counts', async () => {
    // Started 10 minutes ago, not Ready for 1 minute (after the 30 s initial readiness delay): its usage counts.
    const e = await explain(cpu50, [
      { name: 'web-1', usage: { app: { cpu: '400m' } } },
      { name: 'web-2', usage: { app: { cpu: '400m' } }, ready: { status: 'False', changedAgo: minute } },
    ]);
    assert.equal(e.metrics[0]!.result!.rule, 'Ratio');
    assert.equal(e.metrics[0]!.result!.proposal, 4);
  });

  test('missing pods: max(100%, target) of their request on a scale-down, 0 on a scale-up', async () => {
    const cpu80 = 'type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}';
    // 3 pods at 20% (ratio 0.25) and web-4 missing, counted at 100% of 500m: 800m of 2000m = 40%, ratio 0.5: 2.
    const down = await explain(cpu80, [...pods(3, '100m'), { name: 'web-4' }]);
    assert.equal(down.metrics[0]!.result!.rule, 'MissingPodsAssumed');
    assert.equal(down.metrics[0]!.result!.proposal, 2);
    // 3 pods at 100% (ratio 2) and web-4 missing, counted as 0: 1500m of 2000m = 75%, ratio 1.5: ceil(6) = 6.
    const up = await explain(cpu50, [...pods(3, '500m'), { name: 'web-4' }]);
    assert.equal(up.metrics[0]!.result!.adjustedRatio, 1.5);
    assert.equal(up.metrics[0]!.result!.proposal, 6);
  });

  test('memory: the CPU readiness rules do not apply', async () => {
    const memory50 =
      'type: Resource\n    resource: {name: memory, target: {type: Utilization, averageUtilization: 50}}';
    // 200Mi of 256Mi = 78%: ratio 1.56, ceil(1.56 × 3) = 5, the not-Ready pod counted as ready.
    const e = await explain(memory50, [
      { name: 'web-1', usage: { app: { memory: '200Mi' } } },
      { name: 'web-2', usage: { app: { memory: '200Mi' } } },
      {
        name: 'web-3',
        usage: { app: { memory: '200Mi' } },
        startedAgo: minute,
        ready: { status: 'False', changedAgo: minute },
      },
    ]);
    assert.equal(e.metrics[0]!.result!.ratio, 1.56);
    assert.equal(e.metrics[0]!.result!.proposal, 5);
  });

  test('AverageValue and ContainerResource targets', async () => {
    const average = 'type: Resource\n    resource: {name: cpu, target: {type: AverageValue, averageValue: 200m}}';
    // 300m per pod against 200m: ratio 1.5, ceil(4.5) = 5.
    const e = await explain(average, pods(3, '300m'));
    assert.equal(e.metrics[0]!.target, 'averageValue 200m');
    assert.equal(e.metrics[0]!.result!.proposal, 5);
    const container =
      'type: ContainerResource\n    containerResource: {name: cpu, container: app, target: {type: Utilization, averageUtilization: 50}}';
    const withSidecar = { app: { cpu: 500n }, envoy: { cpu: 100n } };
    const sidecarPods = [1, 2, 3].map((i) => ({
      name: `web-${i}`,
      usage: { app: { cpu: '400m' }, envoy: { cpu: '100m' } },
      requests: withSidecar,
    }));
    // Only `app`: 400m of 500m = 80%, ratio 1.6: 5 (the pod total, 500m of 600m = 83%, would also give 5, so check the
    // ratio).
    const c = await explain(container, sidecarPods);
    assert.equal(c.metrics[0]!.result!.ratio, 1.6);
    assert.equal(c.metrics[0]!.result!.proposal, 5);
    const missing = await explain(container.replace('container: app', 'container: db'), sidecarPods);
    assert.match(missing.metrics[0]!.result!.reason, /container db not present in metrics for pod case-\d+\/web-1/);
    assert.equal(missing.metrics[0]!.result!.condition!.reason, 'FailedGetContainerResourceMetric');
  });
});
