/**
 * The autoscaling/v2 defaults that `resolveBehavior` fills in (pkg/apis/autoscaling/v2/defaults.go, spec §8.5),
 * and the history a fresh controller records, seen through the decisions they lead to.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../quantity/index.js';
import { resolveBehavior } from './normalize.js';
import { calculateReplicas } from './replica-calculator.js';
import type { MetricInput, ReplicaInputs } from './types.js';

const atRatio = (value: string): MetricInput => ({
  type: 'Object',
  name: 'm',
  target: { type: 'Value', value: parseQuantity('100') },
  value: parseQuantity(value),
});
const decide = (inputs: ReplicaInputs): [number, string] => {
  const d = calculateReplicas(inputs);
  return [d.desiredReplicas, d.rule];
};

describe('behavior defaults', () => {
  test('an empty behavior gets both sides defaulted, the scaleDown window from the flag', () => {
    assert.deepEqual(resolveBehavior({}, 120), {
      up: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      down: {
        stabilizationWindowSeconds: 120,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    });
  });

  test('a set field is kept, the others defaulted one by one', () => {
    const policies = [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }];
    const resolved = resolveBehavior(
      { scaleUp: { selectPolicy: 'Min' }, scaleDown: { policies, stabilizationWindowSeconds: 30 } },
      300,
    );
    assert.deepEqual(resolved.up, {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    });
    assert.deepEqual(resolved.down, { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies });
  });

  test('the default scaleDown policy (100% per 15 s) reaches minReplicas in one step', () => {
    assert.deepEqual(
      decide({
        specReplicas: 10,
        minReplicas: 2,
        maxReplicas: 20,
        behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
        metrics: [atRatio('1')],
        now: 1_000_000,
      }),
      [2, 'TooFewReplicas'],
    );
  });

  test('the --horizontal-pod-autoscaler-downscale-stabilization flag sets the default scaleDown window', () => {
    const now = 1_000_000;
    const inputs = {
      specReplicas: 10,
      maxReplicas: 20,
      behavior: {},
      metrics: [atRatio('50')],
      now,
      recommendations: [{ replicas: 9, timestamp: now - 100_000 }],
    };
    assert.deepEqual(decide(inputs), [9, 'ScaleDownStabilized']);
    assert.deepEqual(decide({ ...inputs, downscaleStabilizationSeconds: 60 }), [5, 'DesiredWithinRange']);
  });
});

describe('a fresh controller', () => {
  test('its first recommendation (the current count, just before now) does not hold a scale-up with a 0 s scaleUp window', () => {
    assert.deepEqual(
      decide({
        specReplicas: 3,
        maxReplicas: 20,
        behavior: {},
        metrics: [atRatio('200')],
        now: 1_000_000,
        recommendations: [],
      }),
      [6, 'DesiredWithinRange'],
    );
  });

  test('it holds a scale-down inside the scaleDown window', () => {
    assert.deepEqual(
      decide({
        specReplicas: 3,
        maxReplicas: 20,
        behavior: {},
        metrics: [atRatio('50')],
        now: 1_000_000,
        recommendations: [],
      }),
      [3, 'ScaleDownStabilized'],
    );
  });

  test('without `now`, history timestamps count from 0', () => {
    assert.deepEqual(
      decide({
        specReplicas: 10,
        maxReplicas: 20,
        metrics: [atRatio('50')],
        recommendations: [{ replicas: 9, timestamp: -300_000 }],
      }),
      [9, 'ScaleDownStabilized'],
    );
    assert.deepEqual(
      decide({
        specReplicas: 10,
        maxReplicas: 20,
        metrics: [atRatio('50')],
        recommendations: [{ replicas: 9, timestamp: -300_001 }],
      }),
      [5, 'DesiredWithinRange'],
    );
  });
});
