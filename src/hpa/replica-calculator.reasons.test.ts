/**
 * The explanation a user reads: one case per branch of the replica calculation (spec §8.3 to §8.5), with the
 * whole reason sentence checked, so a wrong number or a wrong branch in the text shows up here and not only
 * in the out-of-process golden files of `explain`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../quantity/index.js';
import { calculateReplicas } from './replica-calculator.js';
import type { MetricInput, PodInfo, ReplicaInputs } from './types.js';

const q = parseQuantity;
const running = (name: string): PodInfo => ({ name, phase: 'Running', ready: true });
const pods = (target: string, values: Record<string, string>): MetricInput => ({
  type: 'Pods',
  name: 'rps',
  target: { type: 'AverageValue', averageValue: q(target) },
  values: Object.entries(values).map(([pod, value]) => ({ pod, value: q(value) })),
});
const value = (type: 'Object' | 'External', target: string, v: string): MetricInput =>
  type === 'Object'
    ? { type, name: 'm', target: { type: 'Value', value: q(target) }, value: q(v) }
    : { type, name: 'm', target: { type: 'Value', value: q(target) }, values: [q(v)] };
const average = (type: 'Object' | 'External', target: string, v: string): MetricInput =>
  type === 'Object'
    ? { type, name: 'm', target: { type: 'AverageValue', averageValue: q(target) }, value: q(v) }
    : { type, name: 'm', target: { type: 'AverageValue', averageValue: q(target) }, values: [q(v)] };

function metric(inputs: ReplicaInputs, index = 0) {
  return calculateReplicas(inputs).metrics[index]!;
}

describe('Pods metric reasons (spec §8.3)', () => {
  test('plain ratio', () => {
    const m = metric({
      specReplicas: 3,
      maxReplicas: 10,
      pods: ['a', 'b', 'c'].map(running),
      metrics: [pods('100', { a: '150', b: '150', c: '150' })],
    });
    assert.deepEqual([m.rule, m.proposal, m.usageMilli, m.targetMilli, m.ratio], ['Ratio', 5, 150_000n, 100_000n, 1.5]);
    assert.equal(m.reason, 'average 150 over 3 pods against target 100: ratio 1.5; ceil(1.5 × 3 ready pods) = 5');
  });

  test('within the band, one pod', () => {
    const m = metric({ specReplicas: 1, maxReplicas: 10, pods: [running('a')], metrics: [pods('100', { a: '105' })] });
    assert.equal(
      m.reason,
      'average 105 over 1 pod against target 100: ratio 1.05 is within the tolerance band [0.9, 1.1]: keep 1',
    );
  });

  test('a missing pod on a scale-down counts as the target', () => {
    const m = metric({
      specReplicas: 4,
      maxReplicas: 10,
      pods: ['a', 'b', 'c', 'd'].map(running),
      metrics: [pods('100', { a: '50', b: '50', c: '50' })],
    });
    assert.deepEqual([m.rule, m.proposal, m.ratio, m.adjustedRatio], ['MissingPodsAssumed', 3, 0.5, 0.625]);
    assert.equal(
      m.reason,
      'average 50 over 3 pods against target 100: ratio 0.5; 1 pod without a value counted as the target 100: ratio 0.625; ceil(0.625 × 4 pods) = 3',
    );
  });

  test('two missing pods on a scale-up count as 0', () => {
    // (400 + 400 + 0 + 0) / 4 = 200: ratio 2 → ceil(2 × 4) = 8.
    const m = metric({
      specReplicas: 4,
      maxReplicas: 10,
      pods: ['a', 'b', 'c', 'd'].map(running),
      metrics: [pods('100', { a: '400', b: '400' })],
    });
    assert.equal(
      m.reason,
      'average 400 over 2 pods against target 100: ratio 4; 2 pods without a value counted as 0: ratio 2; ceil(2 × 4 pods) = 8',
    );
  });

  test('unready pods on a scale-up count as 0, one or several', () => {
    const one = metric({
      specReplicas: 3,
      maxReplicas: 10,
      pods: [running('a'), running('b'), { name: 'c', phase: 'Pending', ready: false }],
      metrics: [pods('100', { a: '200', b: '200' })],
    });
    assert.equal(
      one.reason,
      'average 200 over 2 pods against target 100: ratio 2; 1 unready pod counted as 0: ratio 1.3333; ceil(1.3333 × 3 pods) = 4',
    );
    const two = metric({
      specReplicas: 4,
      maxReplicas: 10,
      pods: [
        running('a'),
        running('b'),
        { name: 'c', phase: 'Pending', ready: false },
        { name: 'd', phase: 'Pending', ready: false },
      ],
      metrics: [pods('100', { a: '300', b: '300', c: '900' })],
    });
    // c's value is dropped with the unready pod: (300 + 300 + 0 + 0) / 4 = 150.
    assert.equal(
      two.reason,
      'average 300 over 2 pods against target 100: ratio 3; 2 unready pods counted as 0: ratio 1.5; ceil(1.5 × 4 pods) = 6',
    );
  });

  test('unready pods on a scale-down are left out, not counted as 0', () => {
    const m = metric({
      specReplicas: 3,
      maxReplicas: 10,
      pods: [running('a'), running('b'), { name: 'c', phase: 'Pending', ready: false }],
      metrics: [pods('100', { a: '50', b: '50' })],
    });
    assert.equal(m.reason, 'average 50 over 2 pods against target 100: ratio 0.5; ceil(0.5 × 2 ready pods) = 1');
  });

  test('missing and unready together', () => {
    const m = metric({
      specReplicas: 4,
      maxReplicas: 10,
      pods: [running('a'), running('b'), running('c'), { name: 'd', phase: 'Pending', ready: false }],
      metrics: [pods('100', { a: '300', b: '300' })],
    });
    assert.equal(
      m.reason,
      'average 300 over 2 pods against target 100: ratio 3; 1 pod without a value counted as 0 and 1 unready pod counted as 0: ratio 1.5; ceil(1.5 × 4 pods) = 6',
    );
  });

  test('filled in to within the band: keep', () => {
    // (85 + 85 + 100) / 3 = 90: exactly on the band's lower bound.
    const m = metric({
      specReplicas: 3,
      maxReplicas: 10,
      pods: ['a', 'b', 'c'].map(running),
      metrics: [pods('100', { a: '85', b: '85' })],
    });
    assert.equal(
      m.reason,
      'average 85 over 2 pods against target 100: ratio 0.85; 1 pod without a value counted as the target 100: ratio 0.9 is within the tolerance band [0.9, 1.1]: keep 3',
    );
    assert.deepEqual([m.rule, m.proposal], ['WithinTolerance', 3]);
  });

  test('filled in, the direction flips: keep', () => {
    const m = metric({
      specReplicas: 4,
      maxReplicas: 10,
      pods: ['a', 'b', 'c', 'd'].map(running),
      metrics: [pods('100', { a: '101', b: '101' })],
    });
    assert.equal(
      m.reason,
      'average 101 over 2 pods against target 100: ratio 1.01; 2 pods without a value counted as 0: ratio 0.505 points the other way: keep 4',
    );
  });

  test('filled in, the count would move against the ratio: keep', () => {
    // spec 2 but 4 pods listed: ratio 0.5, a and b filled with the target: (50+50+100+100)/4 = 75, newRatio 0.75 < 1
    // yet ceil(0.75 × 4) = 3 > 2.
    const m = metric({
      specReplicas: 2,
      maxReplicas: 10,
      pods: ['a', 'b', 'c', 'd'].map(running),
      metrics: [pods('100', { c: '50', d: '50' })],
    });
    assert.deepEqual([m.rule, m.proposal], ['DirectionFlipped', 2]);
    assert.equal(
      m.reason,
      'average 50 over 2 pods against target 100: ratio 0.5; 2 pods without a value counted as the target 100: ratio 0.75; ceil(0.75 × 4) = 3 would move against the ratio: keep 2',
    );
    // And up: spec 5, 2 pods listed at 200 and 1 missing → (200+200+0)/3 = 133.333, ceil(1.3333 × 3) = 4 < 5.
    const up = metric({
      specReplicas: 5,
      maxReplicas: 10,
      pods: ['a', 'b', 'c'].map(running),
      metrics: [pods('100', { a: '200', b: '200' })],
    });
    assert.deepEqual([up.rule, up.proposal], ['DirectionFlipped', 5]);
  });

  test('deleting and Failed pods are ignored; values of pods the selector did not list still count', () => {
    const m = metric({
      specReplicas: 2,
      maxReplicas: 10,
      pods: [
        running('a'),
        { name: 'b', phase: 'Running', ready: true, deleting: true },
        { name: 'c', phase: 'Failed', ready: false },
      ],
      metrics: [pods('100', { a: '200', b: '900', c: '900', x: '200' })],
    });
    assert.equal(m.reason, 'average 200 over 2 pods against target 100: ratio 2; ceil(2 × 1 ready pods) = 2');
  });

  test('a Running pod that is not Ready still counts for a Pods metric', () => {
    const m = metric({
      specReplicas: 2,
      maxReplicas: 10,
      pods: [running('a'), { name: 'b', phase: 'Running', ready: false }],
      metrics: [pods('100', { a: '200', b: '200' })],
    });
    assert.equal(m.proposal, 4);
  });

  test('a later duplicate value for a pod wins', () => {
    const m = metric({
      specReplicas: 1,
      maxReplicas: 10,
      pods: [running('a')],
      metrics: [
        {
          type: 'Pods',
          name: 'rps',
          target: { type: 'AverageValue', averageValue: q('100') },
          values: [
            { pod: 'a', value: q('900') },
            { pod: 'a', value: q('300') },
          ],
        },
      ],
    });
    assert.equal(m.proposal, 3);
  });

  test('errors: no values, no pods, only unready pods', () => {
    const none = metric({ specReplicas: 2, maxReplicas: 10, metrics: [pods('100', {})] });
    assert.deepEqual(
      [none.rule, none.reason],
      ['Invalid', 'unable to get metric rps: no metrics returned from custom metrics API'],
    );
    assert.deepEqual(none.condition, {
      reason: 'FailedGetPodsMetric',
      message:
        'the HPA was unable to compute the replica count: unable to get metric rps: no metrics returned from custom metrics API',
    });
    const noPods = metric({ specReplicas: 2, maxReplicas: 10, pods: [], metrics: [pods('100', { a: '1' })] });
    assert.equal(
      noPods.reason,
      'unable to get metric rps: no pods returned by selector while calculating replica count',
    );
    const unready = metric({
      specReplicas: 2,
      maxReplicas: 10,
      pods: [{ name: 'a', phase: 'Pending', ready: false }],
      metrics: [pods('100', { a: '1' })],
    });
    assert.equal(
      unready.reason,
      'unable to get metric rps: did not receive metrics for targeted pods (pods might be unready)',
    );
  });
});

describe('Object and External reasons (spec §8.3)', () => {
  for (const type of ['Object', 'External'] as const) {
    const what = type === 'Object' ? 'value' : 'sum';
    test(`${type} Value: ratio, band, ready pods`, () => {
      const ready = [
        running('a'),
        running('b'),
        { name: 'c', phase: 'Running' as const, ready: false },
        { name: 'd', phase: 'Pending' as const, ready: true },
      ];
      const m = metric({ specReplicas: 4, maxReplicas: 10, pods: ready, metrics: [value(type, '10', '15')] });
      assert.equal(m.reason, `${what} 15 against target 10: ratio 1.5; ceil(1.5 × 2 ready pods) = 3`);
      const within = metric({ specReplicas: 4, maxReplicas: 10, metrics: [value(type, '10', '10500m')] });
      assert.equal(
        within.reason,
        `${what} 10500m against target 10: ratio 1.05 is within the tolerance band [0.9, 1.1]: keep 4`,
      );
      const noPod = metric({ specReplicas: 4, maxReplicas: 10, pods: [], metrics: [value(type, '10', '15')] });
      const prefix = type === 'Object' ? 'unable to get metric m' : 'unable to get external metric m';
      assert.equal(
        noPod.reason,
        `${prefix}: unable to calculate ready pods: no pods returned by selector while calculating replica count`,
      );
      assert.equal(noPod.condition?.reason, type === 'Object' ? 'FailedGetObjectMetric' : 'FailedGetExternalMetric');
    });

    test(`${type} Value at 0 replicas: no tolerance`, () => {
      const m = metric({ specReplicas: 0, minReplicas: 0, maxReplicas: 10, metrics: [value(type, '10', '10500m')] });
      assert.equal(
        m.reason,
        `${what} 10500m against target 10: ratio 1.05; at 0 replicas no tolerance applies: ceil(1.05) = 2`,
      );
    });

    test(`${type} AverageValue divides by status.replicas`, () => {
      const m = metric({ specReplicas: 4, statusReplicas: 5, maxReplicas: 20, metrics: [average(type, '5', '42')] });
      assert.deepEqual([m.rule, m.proposal, m.ratio], ['Ratio', 9, 42 / 25]);
      assert.equal(m.reason, `${what} 42 against average target 5 × 5 replicas: ratio 1.68; ceil(42 / 5) = 9`);
      const within = metric({
        specReplicas: 4,
        statusReplicas: 5,
        maxReplicas: 20,
        metrics: [average(type, '5', '26')],
      });
      assert.deepEqual([within.rule, within.proposal], ['WithinTolerance', 5]);
      assert.equal(
        within.reason,
        `${what} 26 against average target 5 × 5 replicas: ratio 1.04 is within the tolerance band [0.9, 1.1]: keep 5`,
      );
    });

    test(`${type}: proposals are capped at MaxInt32`, () => {
      assert.equal(
        metric({ specReplicas: 1, maxReplicas: 10, metrics: [value(type, '1m', '1T')] }).proposal,
        2_147_483_647,
      );
      assert.equal(
        metric({ specReplicas: 1, maxReplicas: 10, metrics: [average(type, '1m', '1T')] }).proposal,
        2_147_483_647,
      );
      assert.equal(
        metric({ specReplicas: 0, minReplicas: 0, maxReplicas: 10, metrics: [value(type, '1m', '1T')] }).proposal,
        2_147_483_647,
      );
    });
  }

  test('External: values are summed, saturating at MaxInt64 milli', () => {
    const m = metric({
      specReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'External', name: 'e', target: { type: 'Value', value: q('1') }, values: [q('6E'), q('6E')] }],
    });
    assert.equal(m.usageMilli, 9_223_372_036_854_775_807n);
    const none = metric({
      specReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'External', name: 'e', target: { type: 'Value', value: q('1') }, values: [] }],
    });
    assert.equal(none.reason, 'unable to get external metric e: no metrics returned from external metrics API');
  });

  test('an error the fetch reported becomes the condition of its type', () => {
    for (const [type, reason] of [
      ['Pods', 'FailedGetPodsMetric'],
      ['Object', 'FailedGetObjectMetric'],
      ['External', 'FailedGetExternalMetric'],
    ] as const) {
      const m = metric({ specReplicas: 1, maxReplicas: 10, metrics: [{ type, name: 'x', error: 'boom' }] });
      assert.deepEqual(
        [m.type, m.name, m.rule, m.reason, m.condition],
        [type, 'x', 'Invalid', 'boom', { reason, message: 'the HPA was unable to compute the replica count: boom' }],
      );
    }
  });
});

describe('decision reasons (spec §8.4, §8.5)', () => {
  const obj = (v: string) => value('Object', '100', v);

  test('pre-checks', () => {
    assert.equal(
      calculateReplicas({ specReplicas: 0, maxReplicas: 5, metrics: [obj('100')] }).reason,
      'scaling is disabled since the replica count of the target is zero',
    );
    assert.equal(
      calculateReplicas({ specReplicas: 9, maxReplicas: 5, metrics: [obj('100')] }).reason,
      'current replicas 9 are above maxReplicas 5; metrics are not consulted',
    );
    assert.equal(
      calculateReplicas({ specReplicas: 1, minReplicas: 2, maxReplicas: 5, metrics: [obj('100')] }).reason,
      'current replicas 1 are below minReplicas 2; metrics are not consulted',
    );
    const d = calculateReplicas({ specReplicas: 9, maxReplicas: 5, metrics: [obj('100')] });
    assert.deepEqual([d.currentReplicas, d.rescale, d.metrics.length], [9, true, 1]);
  });

  test('every metric invalid', () => {
    const d = calculateReplicas({
      specReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Object', name: 'x', error: 'boom' }],
    });
    assert.equal(
      d.reason,
      'no metric is valid: ScalingActive=False FailedGetObjectMetric: the HPA was unable to compute the replica count: boom',
    );
    assert.equal(d.rescale, false);
  });

  test('no behavior: each rule says why', () => {
    const base = { maxReplicas: 10, pods: ['a', 'b', 'c', 'd'].map(running) };
    assert.equal(
      calculateReplicas({ ...base, specReplicas: 4, metrics: [obj('150')] }).reason,
      'metric m proposes 6; 6 is within [1, 8]',
    );
    assert.equal(
      calculateReplicas({ ...base, specReplicas: 4, metrics: [obj('300')] }).reason,
      'metric m proposes 12; 12 is more than one step may add: max(2 × 4, 4) = 8',
    );
    assert.equal(
      calculateReplicas({ ...base, specReplicas: 4, maxReplicas: 6, metrics: [obj('300')] }).reason,
      'metric m proposes 12; 12 is above maxReplicas 6',
    );
    assert.equal(
      calculateReplicas({ ...base, specReplicas: 4, minReplicas: 3, metrics: [obj('25')] }).reason,
      'metric m proposes 1; 1 is below minReplicas 3',
    );
    const held = calculateReplicas({
      ...base,
      specReplicas: 4,
      metrics: [obj('50')],
      now: 1_000_000,
      recommendations: [{ replicas: 4, timestamp: 900_000 }],
    });
    assert.equal(held.reason, 'metric m proposes 2; a recommendation of 4 in the last 300s holds the scale-down of 2');
    assert.deepEqual(
      [held.metricReplicas, held.stabilizedReplicas, held.desiredReplicas, held.rescale],
      [2, 4, 4, false],
    );
  });

  test('with behavior: each rule says why', () => {
    const base = { specReplicas: 4, maxReplicas: 100, pods: ['a', 'b', 'c', 'd'].map(running), now: 1_000_000 };
    assert.equal(
      calculateReplicas({ ...base, behavior: {}, metrics: [obj('150')] }).reason,
      'metric m proposes 6; 6 is within the limits of minReplicas, maxReplicas and the behavior policies',
    );
    assert.equal(
      calculateReplicas({ ...base, behavior: {}, metrics: [obj('1000')] }).reason,
      'metric m proposes 40; scaleUp allows at most 8 now (selectPolicy Max of Pods 4 per 15s, Percent 100% per 15s)',
    );
    assert.equal(
      calculateReplicas({ ...base, behavior: { scaleUp: { selectPolicy: 'Disabled' } }, metrics: [obj('1000')] })
        .reason,
      'metric m proposes 40; scaleUp allows at most 4 now (selectPolicy Disabled of Pods 4 per 15s, Percent 100% per 15s)',
    );
    assert.equal(
      calculateReplicas({ ...base, maxReplicas: 5, behavior: {}, metrics: [obj('1000')] }).reason,
      'metric m proposes 40; 40 is above maxReplicas 5',
    );
    const down = {
      scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 30 }] },
    };
    assert.equal(
      calculateReplicas({ ...base, behavior: down, metrics: [obj('25')] }).reason,
      'metric m proposes 1; scaleDown allows at least 3 now (selectPolicy Max of Pods 1 per 30s)',
    );
    assert.equal(
      calculateReplicas({
        ...base,
        minReplicas: 2,
        behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
        metrics: [obj('25')],
      }).reason,
      'metric m proposes 1; 1 is below minReplicas 2',
    );
    assert.equal(
      calculateReplicas({
        ...base,
        behavior: { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } },
        metrics: [obj('25')],
      }).rule,
      'ScalingPolicyDisabled',
    );
    const history = { recommendations: [{ replicas: 5, timestamp: 990_000 }] };
    assert.equal(
      calculateReplicas({
        ...base,
        ...history,
        behavior: { scaleUp: { stabilizationWindowSeconds: 60 } },
        metrics: [obj('150')],
      }).reason,
      'metric m proposes 6; the lowest recommendation of the last 60s (scaleUp window) is 5',
    );
    // NB: the behavior path starts from the current count: min(max(4, upRec 2), downRec 5) = 4 (spec §8.5 3a).
    assert.equal(
      calculateReplicas({ ...base, ...history, behavior: {}, metrics: [obj('50')] }).reason,
      'metric m proposes 2; the highest recommendation of the last 300s (scaleDown window) is 4',
    );
  });

  test('scaling up on the valid metrics names the invalid one', () => {
    const d = calculateReplicas({
      specReplicas: 4,
      maxReplicas: 10,
      pods: ['a', 'b', 'c', 'd'].map(running),
      metrics: [obj('150'), { type: 'Pods', name: 'x', error: 'boom' }],
    });
    assert.equal(
      d.reason,
      'metric m proposes 6; 6 is within [1, 8]; metric x is invalid (FailedGetPodsMetric) but does not block a scale that is not down',
    );
  });

  test('assumptions name what was missing', () => {
    const d = calculateReplicas({ specReplicas: 3, maxReplicas: 10, metrics: [obj('100')] });
    assert.deepEqual(d.assumptions, [
      'pod readiness is unknown: every pod a Pods metric returns counts as ready, and Object/External Value targets count 3 ready pods',
      'no history of recommendations or scale events was given: stabilization assumed no history, so the windows hold only this recommendation (pass --history)',
    ]);
    const withHistory = calculateReplicas({
      specReplicas: 3,
      maxReplicas: 10,
      pods: [running('a')],
      metrics: [obj('100')],
      recommendations: [],
    });
    assert.deepEqual(withHistory.assumptions, [
      'the history has no recommendations: like a controller that has not reconciled this HPA yet, the current 3 replicas count as a recommendation made just now',
    ]);
    const given = calculateReplicas({
      specReplicas: 3,
      maxReplicas: 10,
      pods: [running('a')],
      metrics: [obj('100')],
      recommendations: [{ replicas: 3, timestamp: 0 }],
    });
    assert.deepEqual(given.assumptions, []);
  });
});
