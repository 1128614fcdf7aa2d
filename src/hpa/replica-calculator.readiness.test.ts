/**
 * The inputs `calculateReplicas` fills in for the CPU readiness rules (spec §10, replica_calculator.go groupPods):
 * `now` as given (not the wall clock), the 30 s default of --horizontal-pod-autoscaler-initial-readiness-delay,
 * and `rescale` when the decision changes the count.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity } from '../quantity/index.js';
import { calculateReplicas } from './replica-calculator.js';
import type { MetricInput, PodInfo } from './types.js';

// NB: a fixed instant far from today's clock, so a pod's age depends on `now` alone.
const now = Date.UTC(2001, 0, 1);
const second = 1000;
const requests = [{ name: 'app', requests: { cpu: 500n } }];
/** CPU at 100% of its 500m request against a 50% target: ratio 2 per ready pod. */
const cpuAt100: MetricInput = {
  type: 'Resource',
  name: 'cpu',
  target: { type: 'Utilization', averageUtilization: 50 },
  values: ['p0', 'p1'].map((pod) => ({ pod, value: parseQuantity('500m'), timestamp: now, windowMs: 30 * second })),
};
const settled: PodInfo = {
  name: 'p0',
  phase: 'Running',
  ready: true,
  containers: requests,
  startTime: now - 3600 * second,
  readyCondition: { status: 'True', lastTransitionTime: now - 3500 * second },
};

test('CPU readiness: a pod started 60 s before `now` is in its initialization period, whatever the wall clock says', () => {
  // p1 turned Ready 20 s ago and its sample covers a 30 s window: unready, so the scale-up counts it at 0 usage:
  // 500m of 1000m = 50% against 50%, ratio 1, within tolerance: keep 2. Counted as ready it would be ratio 2: 4.
  const p1: PodInfo = {
    ...settled,
    name: 'p1',
    startTime: now - 60 * second,
    readyCondition: { status: 'True', lastTransitionTime: now - 20 * second },
  };
  const d = calculateReplicas({ specReplicas: 2, maxReplicas: 10, metrics: [cpuAt100], pods: [settled, p1], now });
  assert.equal(d.metrics[0]!.proposal, 2, d.metrics[0]!.reason);
  assert.equal(d.desiredReplicas, 2);
  assert.equal(d.rescale, false);
});

test('CPU readiness: the initial readiness delay defaults to 30 s', () => {
  // Past the initialization period, a not-Ready pod whose Ready condition last changed within 30 s of its start has
  // never been ready: unready, counted at 0 in the scale-up, ratio 1: keep 2.
  const neverReady: PodInfo = {
    ...settled,
    name: 'p1',
    readyCondition: { status: 'False', lastTransitionTime: settled.startTime! + 20 * second },
  };
  const kept = calculateReplicas({
    specReplicas: 2,
    maxReplicas: 10,
    metrics: [cpuAt100],
    pods: [settled, neverReady],
    now,
  });
  assert.equal(kept.desiredReplicas, 2, kept.metrics[0]!.reason);
  // One that changed 40 s after its start was ready once: it counts, ratio 2 over 2 pods: 4.
  const wasReady: PodInfo = {
    ...neverReady,
    readyCondition: { status: 'False', lastTransitionTime: settled.startTime! + 40 * second },
  };
  const up = calculateReplicas({
    specReplicas: 2,
    maxReplicas: 10,
    metrics: [cpuAt100],
    pods: [settled, wasReady],
    now,
  });
  assert.equal(up.desiredReplicas, 4, up.metrics[0]!.reason);
  assert.equal(up.rescale, true);
  // A delay of 50 s set explicitly makes the 40 s pod never-ready again.
  const longer = calculateReplicas({
    specReplicas: 2,
    maxReplicas: 10,
    metrics: [cpuAt100],
    pods: [settled, wasReady],
    now,
    initialReadinessDelaySeconds: 50,
  });
  assert.equal(longer.desiredReplicas, 2, longer.metrics[0]!.reason);
});

test('rescale is set exactly when the normalized count differs from the current one', () => {
  const object = (value: string): MetricInput => ({
    type: 'Object',
    name: 'queue',
    target: { type: 'Value', value: parseQuantity('100') },
    value: parseQuantity(value),
  });
  const up = calculateReplicas({ specReplicas: 2, maxReplicas: 10, metrics: [object('200')], now });
  assert.deepEqual([up.desiredReplicas, up.rescale], [4, true]);
  const same = calculateReplicas({ specReplicas: 2, maxReplicas: 10, metrics: [object('100')], now });
  assert.deepEqual([same.desiredReplicas, same.rescale], [2, false]);
  // scaled down to 1 by the metric, but held at 2 by the recommendation of 2 made 10 s ago: no rescale
  const held = calculateReplicas({
    specReplicas: 2,
    maxReplicas: 10,
    metrics: [object('50')],
    now,
    recommendations: [{ replicas: 2, timestamp: now - 10 * second }],
  });
  assert.deepEqual([held.desiredReplicas, held.rescale, held.rule], [2, false, 'ScaleDownStabilized']);
});
