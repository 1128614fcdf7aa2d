import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Quantity } from '../quantity/index.js';
import { calculateReplicas } from './replica-calculator.js';
import type { Behavior, MetricInput, ObjectTarget, ReplicaInputs } from './types.js';

const milli = (n: number) => Quantity.fromMilli(n);
const milliValue = fc.integer({ min: 0, max: 10_000_000 });
const target = fc.integer({ min: 1, max: 1_000_000 });

const policy = fc.record({
  type: fc.constantFrom('Pods' as const, 'Percent' as const),
  value: fc.integer({ min: 1, max: 200 }),
  periodSeconds: fc.integer({ min: 1, max: 600 }),
});
const rules = fc.record(
  {
    stabilizationWindowSeconds: fc.integer({ min: 0, max: 600 }),
    selectPolicy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const),
    policies: fc.array(policy, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const behavior: fc.Arbitrary<Behavior | undefined> = fc.option(
  fc.record({ scaleUp: rules, scaleDown: rules }, { requiredKeys: [] }),
  { nil: undefined },
);

/**
 * One metric of any type, built from a single value so it can be varied. NB: a Pods metric returns one
 * value per current replica; when the pod count differs from spec.replicas the real HPA is not monotonic
 * (ceil(ratio × pods) below the band may exceed spec.replicas inside it).
 */
type MetricShape = { kind: 'Pods' } | { kind: 'Object' | 'External'; target: 'Value' | 'AverageValue' };
const shape: fc.Arbitrary<MetricShape> = fc.oneof(
  fc.record({ kind: fc.constant('Pods' as const) }),
  fc.record({
    kind: fc.constantFrom('Object' as const, 'External' as const),
    target: fc.constantFrom('Value' as const, 'AverageValue' as const),
  }),
);

function metricOf(s: MetricShape, t: number, value: number, replicas: number): MetricInput {
  if (s.kind === 'Pods') {
    return {
      type: 'Pods',
      name: 'm',
      target: { type: 'AverageValue', averageValue: milli(t) },
      values: Array.from({ length: replicas }, (_, i) => ({ pod: `p${i}`, value: milli(value) })),
    };
  }
  const objectTarget: ObjectTarget =
    s.target === 'Value' ? { type: 'Value', value: milli(t) } : { type: 'AverageValue', averageValue: milli(t) };
  return s.kind === 'Object'
    ? { type: 'Object', name: 'm', target: objectTarget, value: milli(value) }
    : { type: 'External', name: 'm', target: objectTarget, values: [milli(value)] };
}

const bounds = fc
  .tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 100 }))
  .map(([min, extra, spec]) => ({ minReplicas: min, maxReplicas: min + extra, specReplicas: spec }));

test('the desired count never leaves [minReplicas, maxReplicas]', () => {
  fc.assert(
    fc.property(bounds, shape, target, milliValue, behavior, (b, s, t, v, beh) => {
      const inputs: ReplicaInputs = {
        ...b,
        metrics: [metricOf(s, t, v, b.specReplicas)],
        ...(beh ? { behavior: beh } : {}),
      };
      const d = calculateReplicas(inputs);
      assert.ok(
        d.desiredReplicas >= b.minReplicas && d.desiredReplicas <= b.maxReplicas,
        `${d.desiredReplicas} outside [${b.minReplicas}, ${b.maxReplicas}]: ${d.reason}`,
      );
    }),
  );
});

test('the desired count never decreases when the metric value grows', () => {
  fc.assert(
    fc.property(bounds, shape, target, milliValue, milliValue, behavior, (b, s, t, v1, v2, beh) => {
      const [low, high] = v1 <= v2 ? [v1, v2] : [v2, v1];
      const at = (v: number) =>
        calculateReplicas({ ...b, metrics: [metricOf(s, t, v, b.specReplicas)], ...(beh ? { behavior: beh } : {}) });
      const a = at(low);
      const c = at(high);
      assert.ok(
        a.desiredReplicas <= c.desiredReplicas,
        `value ${low} → ${a.desiredReplicas} but ${high} → ${c.desiredReplicas}`,
      );
      assert.ok((a.metrics[0]!.proposal ?? 0) <= (c.metrics[0]!.proposal ?? 0));
    }),
  );
});

test('a ratio inside the tolerance band keeps the current count', () => {
  const inBand = fc.tuple(
    shape,
    target,
    fc.double({ min: 0.9, max: 1.1, noNaN: true }),
    fc.integer({ min: 1, max: 50 }),
  );
  fc.assert(
    fc.property(inBand, ([s, t, r, spec]) => {
      // Pods and Value targets compare usage with the target; AverageValue with target × replicas.
      const perReplicas = s.kind !== 'Pods' && s.target === 'AverageValue' ? spec : 1;
      const value = Math.round(t * perReplicas * r);
      const ratio = value / (t * perReplicas);
      fc.pre(ratio >= 0.9 && ratio <= 1.1);
      const d = calculateReplicas({ specReplicas: spec, maxReplicas: 100, metrics: [metricOf(s, t, value, spec)] });
      assert.equal(d.metrics[0]!.rule, 'WithinTolerance', d.metrics[0]!.reason);
      assert.equal(d.desiredReplicas, spec);
    }),
  );
});
