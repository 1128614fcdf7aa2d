/**
 * One metric's proposal at the edges `replica_calculator.go` draws (spec §8.3): a usage ratio of exactly 1 with
 * unready or missing pods, a filled-in ratio whose replica count lands exactly on the current count, and the
 * per-pod usage of AverageValue targets.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../quantity/index.js';
import { proposeForMetric, type ProposalContext } from './metric-proposal.js';
import type { MetricInput, PodInfo } from './types.js';

const q = parseQuantity;
const running = (name: string): PodInfo => ({ name, phase: 'Running', ready: true });
const pending = (name: string): PodInfo => ({ name, phase: 'Pending', ready: false });
const failed = (name: string): PodInfo => ({ name, phase: 'Failed', ready: false });

function context(
  specReplicas: number,
  pods: readonly PodInfo[] | undefined,
  statusReplicas = specReplicas,
): ProposalContext {
  return {
    specReplicas,
    statusReplicas,
    pods,
    tolerances: { scaleUp: 0.1, scaleDown: 0.1 },
    now: 0,
    cpuInitializationPeriodMs: 300_000,
    initialReadinessDelayMs: 30_000,
  };
}

/** A Pods metric with an AverageValue target of 100 and one value per named pod. */
function podsMetric(values: Readonly<Record<string, string>>): MetricInput {
  return {
    type: 'Pods',
    name: 'rps',
    target: { type: 'AverageValue', averageValue: q('100') },
    values: Object.entries(values).map(([pod, value]) => ({ pod, value: q(value) })),
  };
}

describe('Pods metric: a usage ratio of exactly 1 (calcPlainMetricReplicas)', () => {
  test('unready pods are not counted as 0 when the ratio is exactly 1: no rebalance, keep the current count', () => {
    // NB: Go `rebalanceIgnored := len(ignoredPods) > 0 && usageRatio > 1.0`; at 1.0 the ratio is within tolerance.
    const result = proposeForMetric(
      podsMetric({ p0: '100' }),
      context(4, [running('p0'), pending('p1'), pending('p2'), pending('p3')]),
    );
    assert.deepEqual([result.proposal, result.rule, result.ratio], [4, 'WithinTolerance', 1]);
  });

  test('missing pods are left out when the ratio is exactly 1, and the reason counts them', () => {
    const one = proposeForMetric(podsMetric({ p0: '100' }), context(2, [running('p0'), running('p1')]));
    assert.deepEqual([one.proposal, one.rule], [2, 'WithinTolerance']);
    assert.match(one.reason, /; 1 pod without a value left out, since the ratio is exactly 1: ratio 1 /);
    const two = proposeForMetric(podsMetric({ p0: '100' }), context(3, [running('p0'), running('p1'), running('p2')]));
    assert.deepEqual([two.proposal, two.rule], [3, 'WithinTolerance']);
    assert.match(two.reason, /; 2 pods without a value left out, since the ratio is exactly 1: ratio 1 /);
  });
});

describe('Pods metric: a filled-in count exactly at the current count is a proposal, not a direction flip', () => {
  test('scale-down side: missing pods counted as the target give exactly the current count', () => {
    // ratio 10/100; p1 counts as 100: (10 + 100) / 2 = 55, ceil(0.55 × 2) = 2 = current. Go returns newReplicas.
    const result = proposeForMetric(podsMetric({ p0: '10' }), context(2, [running('p0'), running('p1')]));
    assert.deepEqual([result.proposal, result.rule, result.adjustedRatio], [2, 'MissingPodsAssumed', 0.55]);
  });

  test('scale-up side: missing pods counted as 0 give exactly the current count', () => {
    // ratio 250/100; p1 counts as 0, p2 (Failed) is ignored: 250 / 2 = 125, ceil(1.25 × 2) = 3 = current.
    const result = proposeForMetric(
      podsMetric({ p0: '250' }),
      context(3, [running('p0'), running('p1'), failed('p2')]),
    );
    assert.deepEqual([result.proposal, result.rule, result.adjustedRatio], [3, 'MissingPodsAssumed', 1.25]);
  });
});

describe('Object and External AverageValue targets: the per-pod usage (GetObjectPerPodMetricReplicas)', () => {
  const objectAverage = (value: string): MetricInput => ({
    type: 'Object',
    name: 'queue',
    target: { type: 'AverageValue', averageValue: q('1') },
    value: q(value),
  });

  test('usage is ceil(usage / statusReplicas) in milli-units', () => {
    const inexact = proposeForMetric(objectAverage('10'), context(3, undefined));
    assert.deepEqual([inexact.usageMilli, inexact.proposal], [3334n, 10]);
    const exact = proposeForMetric(objectAverage('9'), context(3, undefined));
    assert.deepEqual([exact.usageMilli, exact.proposal], [3000n, 9]);
    // NB: math.Ceil of a negative quotient rounds toward zero.
    const negative = proposeForMetric(
      { type: 'External', name: 'delta', target: { type: 'AverageValue', averageValue: q('1') }, values: [q('-10')] },
      context(3, undefined),
    );
    assert.equal(negative.usageMilli, -3333n);
  });

  test('statusReplicas 0 proposes ceil(usage / target) and does not divide by zero', () => {
    const result = proposeForMetric(objectAverage('10'), context(0, undefined, 0));
    assert.deepEqual([result.proposal, result.rule], [10, 'Ratio']);
  });
});
