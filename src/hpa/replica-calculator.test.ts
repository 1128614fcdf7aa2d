import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../quantity/index.js';
import { calculateReplicas } from './replica-calculator.js';
import type { MetricInput, PodInfo, ReplicaInputs } from './types.js';

const q = parseQuantity;
const running = (name: string): PodInfo => ({ name, phase: 'Running', ready: true });
const podsMetric = (target: string, values: Record<string, string>): MetricInput => ({
  type: 'Pods',
  name: 'http_requests',
  target: { type: 'AverageValue', averageValue: q(target) },
  values: Object.entries(values).map(([pod, value]) => ({ pod, value: q(value) })),
});
const objectValue = (target: string, value: string): MetricInput => ({
  type: 'Object',
  name: 'queue',
  target: { type: 'Value', value: q(target) },
  value: q(value),
});

describe('spec §8.6 worked examples (tolerance 0.1, no behavior)', () => {
  const minute = 60_000;
  const cases: { name: string; inputs: ReplicaInputs; proposal?: number; desired: number; rule?: string }[] = [
    {
      name: 'Pods, plain: ceil(1.5 × 3)',
      inputs: {
        specReplicas: 3,
        maxReplicas: 10,
        pods: ['p1', 'p2', 'p3'].map(running),
        metrics: [podsMetric('100', { p1: '150', p2: '150', p3: '150' })],
      },
      proposal: 5,
      desired: 5,
      rule: 'DesiredWithinRange',
    },
    {
      name: 'Pods, within tolerance: ratio 1.05 keeps 10',
      inputs: {
        specReplicas: 10,
        maxReplicas: 20,
        pods: Array.from({ length: 10 }, (_, i) => running(`p${i}`)),
        metrics: [podsMetric('100', Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, '105'])))],
      },
      proposal: 10,
      desired: 10,
    },
    {
      name: 'Pods, missing pod on scale-down counts as the target',
      inputs: {
        specReplicas: 4,
        maxReplicas: 10,
        pods: ['p1', 'p2', 'p3', 'p4'].map(running),
        metrics: [podsMetric('100', { p1: '50', p2: '50', p3: '50' })],
      },
      proposal: 3,
      desired: 3,
    },
    {
      name: 'Pods, unready pod on scale-up counts as 0',
      inputs: {
        specReplicas: 3,
        maxReplicas: 10,
        pods: [running('p1'), running('p2'), { name: 'p3', phase: 'Pending', ready: false }],
        metrics: [podsMetric('100', { p1: '200', p2: '200' })],
      },
      proposal: 4,
      desired: 4,
    },
    {
      name: 'Object Value: ceil(1.5 × 4 ready pods)',
      inputs: {
        specReplicas: 4,
        maxReplicas: 10,
        pods: ['a', 'b', 'c', 'd'].map(running),
        metrics: [objectValue('10', '15')],
      },
      proposal: 6,
      desired: 6,
    },
    {
      name: 'Object AverageValue: ceil(42 / 5), then the no-behavior scale-up limit max(2 × 4, 4)',
      inputs: {
        specReplicas: 4,
        statusReplicas: 4,
        maxReplicas: 20,
        metrics: [
          { type: 'Object', name: 'm', target: { type: 'AverageValue', averageValue: q('5') }, value: q('42') },
        ],
      },
      proposal: 9,
      desired: 8,
      rule: 'ScaleUpLimit',
    },
    {
      name: 'External AverageValue: ceil(95 / 30)',
      inputs: {
        specReplicas: 2,
        statusReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'External',
            name: 'queue_messages_ready',
            target: { type: 'AverageValue', averageValue: q('30') },
            values: [q('95')],
          },
        ],
      },
      proposal: 4,
      desired: 4,
    },
    {
      name: 'External Value, two series are summed',
      inputs: {
        specReplicas: 2,
        maxReplicas: 10,
        pods: ['a', 'b'].map(running),
        metrics: [
          { type: 'External', name: 'e', target: { type: 'Value', value: q('100') }, values: [q('60'), q('70')] },
        ],
      },
      proposal: 3,
      desired: 3,
    },
    {
      name: 'Multiple metrics: the maximum proposal wins',
      inputs: {
        specReplicas: 4,
        maxReplicas: 10,
        pods: ['p1', 'p2', 'p3', 'p4'].map(running),
        metrics: [
          podsMetric('100', { p1: '75', p2: '75', p3: '75', p4: '75' }),
          { type: 'External', name: 'e', target: { type: 'Value', value: q('100') }, values: [q('150')] },
        ],
      },
      desired: 6,
    },
    {
      name: 'Scale-up clamp: proposal 20 from 2 replicas is limited to max(4, 4)',
      inputs: { specReplicas: 2, maxReplicas: 50, metrics: [objectValue('1', '10')] },
      proposal: 20,
      desired: 4,
      rule: 'ScaleUpLimit',
    },
    {
      name: 'Scale-down damping: the highest recommendation of the last 5 minutes',
      inputs: {
        specReplicas: 10,
        maxReplicas: 20,
        metrics: [objectValue('100', '60')],
        now: 10 * minute,
        recommendations: [
          { replicas: 10, timestamp: 6 * minute },
          { replicas: 8, timestamp: 8 * minute },
        ],
      },
      proposal: 6,
      desired: 10,
      rule: 'ScaleDownStabilized',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const decision = calculateReplicas(c.inputs);
      if (c.proposal !== undefined)
        assert.equal(decision.metrics[0]!.proposal, c.proposal, decision.metrics[0]!.reason);
      assert.equal(decision.desiredReplicas, c.desired, decision.reason);
      if (c.rule !== undefined) assert.equal(decision.rule, c.rule);
      for (const m of decision.metrics) assert.ok(m.reason.length > 0);
    });
  }

  test('the unready example averages to 133333m after truncation', () => {
    const d = calculateReplicas(cases[3]!.inputs);
    assert.equal(d.metrics[0]!.rule, 'MissingPodsAssumed');
    assert.equal(d.metrics[0]!.adjustedRatio, 1.33333);
  });
});

describe('invalid metrics and reconcile pre-checks', () => {
  const failing: MetricInput = {
    type: 'Pods',
    name: 'gone',
    error:
      'unable to get metric gone: unable to fetch metrics from custom metrics API: the server could not find the metric gone for pods',
  };

  test('every metric invalid: no rescale, the first invalid metric gives the condition', () => {
    const d = calculateReplicas({ specReplicas: 3, maxReplicas: 10, metrics: [failing] });
    assert.equal(d.desiredReplicas, 3);
    assert.equal(d.rescale, false);
    assert.equal(d.rule, 'InvalidMetrics');
    assert.equal(d.metrics[0]!.condition?.reason, 'FailedGetPodsMetric');
    assert.match(d.reason, /the HPA was unable to compute the replica count: unable to get metric gone/);
  });

  test('one invalid metric blocks a scale-down but not a scale-up', () => {
    const down = calculateReplicas({ specReplicas: 4, maxReplicas: 10, metrics: [failing, objectValue('100', '10')] });
    assert.equal(down.desiredReplicas, 4);
    assert.equal(down.rule, 'InvalidMetrics');
    const up = calculateReplicas({ specReplicas: 4, maxReplicas: 10, metrics: [failing, objectValue('100', '150')] });
    assert.equal(up.desiredReplicas, 6);
  });

  test('empty answers are errors, as the HPA client makes them', () => {
    const pods = calculateReplicas({ specReplicas: 2, maxReplicas: 5, metrics: [podsMetric('1', {})] });
    assert.match(pods.metrics[0]!.reason, /no metrics returned from custom metrics API/);
    const ext = calculateReplicas({
      specReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'External', name: 'e', target: { type: 'Value', value: q('1') }, values: [] }],
    });
    assert.equal(ext.metrics[0]!.condition?.reason, 'FailedGetExternalMetric');
  });

  test('zero replicas with minReplicas > 0 disables scaling; out-of-range counts move to the bound', () => {
    assert.equal(
      calculateReplicas({ specReplicas: 0, maxReplicas: 5, metrics: [objectValue('1', '9')] }).rule,
      'ScalingDisabled',
    );
    const above = calculateReplicas({ specReplicas: 9, maxReplicas: 5, metrics: [objectValue('1', '1')] });
    assert.deepEqual([above.desiredReplicas, above.rule], [5, 'AboveMaxReplicas']);
    const below = calculateReplicas({
      specReplicas: 1,
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [objectValue('1', '1')],
    });
    assert.deepEqual([below.desiredReplicas, below.rule], [2, 'BelowMinReplicas']);
  });

  test('scale to zero: Value targets at 0 replicas use ceil(ratio) without tolerance', () => {
    const d = calculateReplicas({
      specReplicas: 0,
      minReplicas: 0,
      maxReplicas: 5,
      metrics: [objectValue('10', '10500m')],
    });
    assert.equal(d.metrics[0]!.rule, 'ScaleToZeroRatio');
    assert.equal(d.desiredReplicas, 2);
  });

  test('without a pod list, the explanation says what it assumed', () => {
    const d = calculateReplicas({ specReplicas: 2, maxReplicas: 5, metrics: [objectValue('1', '1')] });
    assert.match(d.assumptions.join('\n'), /pod readiness is unknown/);
  });
});

describe('behavior', () => {
  const now = 1_000_000;
  test('default scaleUp policies: the larger of +4 pods and +100% per 15 s', () => {
    const d = calculateReplicas({
      specReplicas: 3,
      maxReplicas: 100,
      behavior: {},
      metrics: [objectValue('1', '50')],
      now,
    });
    assert.deepEqual([d.desiredReplicas, d.rule], [7, 'ScaleUpLimit']);
  });

  test('selectPolicy Min takes the smaller change; scale events in the period lower the start', () => {
    const behavior = {
      scaleUp: {
        selectPolicy: 'Min' as const,
        policies: [
          { type: 'Pods' as const, value: 2, periodSeconds: 60 },
          { type: 'Percent' as const, value: 50, periodSeconds: 60 },
        ],
      },
    };
    const d = calculateReplicas({
      specReplicas: 4,
      maxReplicas: 100,
      behavior,
      metrics: [objectValue('1', '50')],
      now,
      scaleEvents: [{ change: 1, timestamp: now - 30_000 }],
    });
    // period start 3: Pods 3+2=5, Percent ceil(4.5)=5; min 5
    assert.equal(d.desiredReplicas, 5);
  });

  test('scaleDown Percent truncates, and the default 300 s window holds a recent higher recommendation', () => {
    const behavior = {
      scaleDown: {
        stabilizationWindowSeconds: 0,
        policies: [{ type: 'Percent' as const, value: 10, periodSeconds: 60 }],
      },
    };
    const d = calculateReplicas({
      specReplicas: 15,
      maxReplicas: 100,
      behavior,
      metrics: [objectValue('100', '10')],
      now,
    });
    assert.deepEqual([d.desiredReplicas, d.rule], [13, 'ScaleDownLimit']);
    const held = calculateReplicas({
      specReplicas: 15,
      maxReplicas: 100,
      behavior: {},
      metrics: [objectValue('100', '10')],
      now,
      recommendations: [{ replicas: 14, timestamp: now - 60_000 }],
    });
    assert.deepEqual([held.desiredReplicas, held.rule], [14, 'ScaleDownStabilized']);
  });

  test('selectPolicy Disabled keeps the count', () => {
    const d = calculateReplicas({
      specReplicas: 3,
      maxReplicas: 100,
      behavior: { scaleUp: { selectPolicy: 'Disabled' } },
      metrics: [objectValue('1', '50')],
      now,
    });
    assert.deepEqual([d.desiredReplicas, d.rule], [3, 'ScalingPolicyDisabled']);
  });

  test('a scaleUp window takes the lowest recent recommendation', () => {
    const d = calculateReplicas({
      specReplicas: 3,
      maxReplicas: 100,
      behavior: { scaleUp: { stabilizationWindowSeconds: 120 } },
      metrics: [objectValue('1', '5')],
      now,
      recommendations: [{ replicas: 4, timestamp: now - 60_000 }],
    });
    assert.deepEqual([d.desiredReplicas, d.rule], [4, 'ScaleUpStabilized']);
  });

  test('per-HPA tolerance widens the band', () => {
    const d = calculateReplicas({
      specReplicas: 4,
      maxReplicas: 10,
      behavior: { scaleUp: { tolerance: q('0.5') } },
      metrics: [objectValue('100', '140')],
      now,
    });
    assert.equal(d.metrics[0]!.rule, 'WithinTolerance');
    assert.equal(d.desiredReplicas, 4);
  });
});

describe('missing pods at a usage ratio of exactly 1 (replica_calculator.go calcPlainMetricReplicas)', () => {
  test('are not filled in: the ratio stays 1 and the count is kept', () => {
    // The Go code's `else if usageRatio > 1.0`: a bare `else` would count p3 and p4 as 0, giving (100+100)/4 = 50,
    // ratio 0.5, and 2 replicas.
    const d = calculateReplicas({
      specReplicas: 4,
      maxReplicas: 10,
      pods: ['p1', 'p2', 'p3', 'p4'].map(running),
      metrics: [podsMetric('100', { p1: '100', p2: '100' })],
    });
    assert.equal(d.metrics[0]!.rule, 'WithinTolerance');
    assert.equal(d.metrics[0]!.adjustedRatio, 1);
    assert.equal(d.metrics[0]!.proposal, 4);
    assert.match(d.metrics[0]!.reason, /2 pods without a value left out, since the ratio is exactly 1/);
    assert.equal(d.desiredReplicas, 4);
  });

  test('just above 1 they count as 0 and the direction check keeps the count', () => {
    // (101+101+0+0)/4 = 50.5: newRatio 0.505 < 1 while the ratio was 1.01 > 1, so the direction flipped.
    const d = calculateReplicas({
      specReplicas: 4,
      maxReplicas: 10,
      pods: ['p1', 'p2', 'p3', 'p4'].map(running),
      metrics: [podsMetric('100', { p1: '101', p2: '101' })],
    });
    assert.deepEqual([d.metrics[0]!.rule, d.metrics[0]!.proposal], ['DirectionFlipped', 4]);
  });
});
