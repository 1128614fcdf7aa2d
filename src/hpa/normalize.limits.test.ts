/**
 * convertDesiredReplicasWithBehaviorRate (horizontal.go) clamps only when the desired count is strictly past
 * maxReplicas or minReplicas: a count exactly at the bound is DesiredWithinRange.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity } from '../quantity/index.js';
import { calculateReplicas } from './replica-calculator.js';
import type { MetricInput } from './types.js';

const atRatio = (value: string): MetricInput => ({
  type: 'Object',
  name: 'm',
  target: { type: 'Value', value: parseQuantity('100') },
  value: parseQuantity(value),
});

test('behavior: a scale-up to exactly maxReplicas, within the policies, is not TooManyReplicas', () => {
  // 5 at ratio 2: 10. The default scaleUp policies allow max(5 + 4, 5 × 2) = 10 = maxReplicas.
  const d = calculateReplicas({ specReplicas: 5, maxReplicas: 10, metrics: [atRatio('200')], behavior: {}, now: 0 });
  assert.deepEqual([d.desiredReplicas, d.rule], [10, 'DesiredWithinRange'], d.reason);
});

test('behavior: a scale-down to exactly minReplicas, within the policies, is not TooFewReplicas', () => {
  // 4 at ratio 0.5: 2. The default scaleDown policy (100% per 15 s) allows down to 0; minReplicas is 2.
  const d = calculateReplicas({
    specReplicas: 4,
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [atRatio('50')],
    behavior: {},
    now: 0,
  });
  assert.deepEqual([d.desiredReplicas, d.rule], [2, 'DesiredWithinRange'], d.reason);
  // one below: clamped
  const below = calculateReplicas({
    specReplicas: 4,
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [atRatio('25')],
    behavior: {},
    now: 0,
  });
  assert.deepEqual([below.desiredReplicas, below.rule], [2, 'TooFewReplicas'], below.reason);
});
