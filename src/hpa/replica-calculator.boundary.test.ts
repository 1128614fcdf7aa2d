/**
 * Every limit of the HPA arithmetic, tested exactly on the edge and one step past it (spec §8.1, §8.4, §8.5):
 * the pre-checks at current = maxReplicas and = minReplicas with the metric pointing both ways, the tolerance
 * band's bounds, an invalid metric beside valid ones that propose exactly the current count, and each
 * scale-up and scale-down limit exactly reached.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../quantity/index.js';
import { calculateReplicas } from './replica-calculator.js';
import type { Behavior, MetricInput, PodInfo, ReplicaInputs } from './types.js';

const q = parseQuantity;
const running = (name: string): PodInfo => ({ name, phase: 'Running', ready: true });
const podNames = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
/** An Object metric with a Value target of 100: `value` / 100 is the usage ratio. */
const atRatio = (value: string, name = 'queue'): MetricInput => ({
  type: 'Object',
  name,
  target: { type: 'Value', value: q('100') },
  value: q(value),
});
const podsAt = (value: string, pods: number): MetricInput => ({
  type: 'Pods',
  name: 'http_requests',
  target: { type: 'AverageValue', averageValue: q('100') },
  values: podNames(pods).map((pod) => ({ pod, value: q(value) })),
});
const failing: MetricInput = {
  type: 'External',
  name: 'gone',
  error: 'unable to get external metric gone: no metrics returned from external metrics API',
};
/** `spec` replicas, all running and ready. */
const at = (spec: number, rest: Omit<ReplicaInputs, 'specReplicas' | 'pods'>): ReplicaInputs => ({
  specReplicas: spec,
  pods: podNames(spec).map(running),
  ...rest,
});

function decide(inputs: ReplicaInputs): [number, string] {
  const d = calculateReplicas(inputs);
  return [d.desiredReplicas, d.rule];
}

describe('pre-checks: current replicas exactly at a bound still consult the metrics (spec §8.5 steps 1 and 2)', () => {
  test('current = maxReplicas = 10 with ratio 0.5 scales down to 5', () => {
    const d = calculateReplicas(at(10, { maxReplicas: 10, metrics: [atRatio('50')] }));
    assert.deepEqual([d.desiredReplicas, d.rule, d.metricReplicas], [5, 'DesiredWithinRange', 5], d.reason);
  });

  test('current = maxReplicas with ratio 1.5 stays at maxReplicas because of the clamp, not the pre-check', () => {
    const d = calculateReplicas(at(10, { maxReplicas: 10, metrics: [atRatio('150')] }));
    assert.deepEqual([d.desiredReplicas, d.rule, d.metricReplicas], [10, 'TooManyReplicas', 15], d.reason);
  });

  test('current = maxReplicas + 1 goes to maxReplicas without reading the metrics', () => {
    const d = calculateReplicas(at(11, { maxReplicas: 10, metrics: [atRatio('50')] }));
    assert.deepEqual([d.desiredReplicas, d.rule, d.metricReplicas], [10, 'AboveMaxReplicas', undefined]);
  });

  test('current = minReplicas = 2 with ratio 2 scales up to 4', () => {
    assert.deepEqual(decide(at(2, { minReplicas: 2, maxReplicas: 10, metrics: [atRatio('200')] })), [
      4,
      'DesiredWithinRange',
    ]);
  });

  test('current = minReplicas with ratio 0.5 stays at minReplicas because of the clamp, not the pre-check', () => {
    const d = calculateReplicas(at(2, { minReplicas: 2, maxReplicas: 10, metrics: [atRatio('50')] }));
    assert.deepEqual([d.desiredReplicas, d.rule, d.metricReplicas], [2, 'TooFewReplicas', 1], d.reason);
  });

  test('current = minReplicas − 1 goes to minReplicas without reading the metrics', () => {
    const d = calculateReplicas(at(1, { minReplicas: 2, maxReplicas: 10, metrics: [atRatio('50')] }));
    assert.deepEqual([d.desiredReplicas, d.rule, d.metricReplicas], [2, 'BelowMinReplicas', undefined]);
  });

  test('zero replicas: disabled unless minReplicas is 0, then the metric scales from zero', () => {
    assert.deepEqual(decide({ specReplicas: 0, minReplicas: 1, maxReplicas: 5, metrics: [atRatio('300')] }), [
      0,
      'ScalingDisabled',
    ]);
    assert.deepEqual(decide({ specReplicas: 0, minReplicas: 0, maxReplicas: 5, metrics: [atRatio('300')] }), [
      3,
      'DesiredWithinRange',
    ]);
  });

  test('the bounds also hold with behavior set', () => {
    assert.deepEqual(
      decide(
        at(10, {
          maxReplicas: 10,
          behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
          metrics: [atRatio('50')],
        }),
      ),
      [5, 'DesiredWithinRange'],
    );
    assert.deepEqual(decide(at(2, { minReplicas: 2, maxReplicas: 10, behavior: {}, metrics: [atRatio('200')] })), [
      4,
      'DesiredWithinRange',
    ]);
  });
});

describe('tolerance band edges: [1 − 0.1, 1 + 0.1] includes its bounds (spec §8.1)', () => {
  const spec = 10;
  const cases: [string, string, number][] = [
    ['ratio 1.1 exactly is within', '110', 10],
    ['ratio 1.10001 is outside: ceil(1.10001 × 10)', '110.001', 12],
    ['ratio 0.9 exactly is within', '90', 10],
    ['ratio 0.89999 is outside: ceil(0.89999 × 10)', '89.999', 9],
  ];
  for (const [name, value, desired] of cases) {
    test(`Object Value: ${name}`, () => {
      const d = calculateReplicas(at(spec, { maxReplicas: 20, metrics: [atRatio(value)] }));
      assert.equal(d.desiredReplicas, desired, d.reason);
      assert.equal(d.metrics[0]!.rule, desired === spec ? 'WithinTolerance' : 'Ratio');
    });
    test(`Pods: ${name}`, () => {
      const d = calculateReplicas(at(spec, { maxReplicas: 20, metrics: [podsAt(value, spec)] }));
      assert.equal(d.desiredReplicas, desired, d.reason);
      assert.equal(d.metrics[0]!.rule, desired === spec ? 'WithinTolerance' : 'Ratio');
    });
    test(`External AverageValue: ${name}`, () => {
      // usage / (100 × 10 replicas) is the ratio; the proposal outside the band is ceil(usage / 100).
      const usage = q(`${Number(value) * spec}`);
      const d = calculateReplicas({
        specReplicas: spec,
        maxReplicas: 20,
        metrics: [
          { type: 'External', name: 'e', target: { type: 'AverageValue', averageValue: q('100') }, values: [usage] },
        ],
      });
      assert.equal(d.desiredReplicas, desired === spec ? spec : Math.ceil((Number(value) * spec) / 100), d.reason);
      assert.equal(d.metrics[0]!.rule, desired === spec ? 'WithinTolerance' : 'Ratio');
    });
  }

  test('a per-HPA tolerance moves only its own side of the band', () => {
    const behavior: Behavior = { scaleDown: { tolerance: q('0.2'), stabilizationWindowSeconds: 0 } };
    assert.deepEqual(decide(at(10, { maxReplicas: 20, behavior, metrics: [atRatio('80')] })), [
      10,
      'DesiredWithinRange',
    ]);
    assert.deepEqual(decide(at(10, { maxReplicas: 20, behavior, metrics: [atRatio('79.999')] })), [
      8,
      'DesiredWithinRange',
    ]);
    // scaleUp keeps the global 0.1.
    assert.deepEqual(decide(at(10, { maxReplicas: 20, behavior, metrics: [atRatio('110.001')] }))[0], 12);
    const up: Behavior = { scaleUp: { tolerance: q('0.5') } };
    assert.equal(
      calculateReplicas(at(10, { maxReplicas: 20, behavior: up, metrics: [atRatio('150')] })).metrics[0]!.rule,
      'WithinTolerance',
    );
    assert.equal(
      calculateReplicas(at(10, { maxReplicas: 20, behavior: up, metrics: [atRatio('150.001')] })).metrics[0]!.rule,
      'Ratio',
    );
    assert.equal(
      calculateReplicas(at(10, { maxReplicas: 20, behavior: up, metrics: [atRatio('89.999')] })).metrics[0]!.rule,
      'Ratio',
    );
  });

  test('the global tolerance flag sets both sides', () => {
    assert.equal(
      calculateReplicas(at(10, { maxReplicas: 20, tolerance: 0.25, metrics: [atRatio('125')] })).metrics[0]!.rule,
      'WithinTolerance',
    );
    assert.equal(
      calculateReplicas(at(10, { maxReplicas: 20, tolerance: 0.25, metrics: [atRatio('75')] })).metrics[0]!.rule,
      'WithinTolerance',
    );
    assert.equal(
      calculateReplicas(at(10, { maxReplicas: 20, tolerance: 0.25, metrics: [atRatio('74.999')] })).metrics[0]!.rule,
      'Ratio',
    );
  });
});

describe('an invalid metric beside valid ones (spec §8.4)', () => {
  test('valid maximum exactly the current count (outside the band: ceil(0.8 × 4) = 4): scales on the valid metrics', () => {
    const d = calculateReplicas(at(4, { maxReplicas: 10, metrics: [failing, atRatio('80')] }));
    assert.equal(d.metrics[1]!.rule, 'Ratio');
    assert.deepEqual(
      [d.desiredReplicas, d.rule, d.metricReplicas, d.metricName],
      [4, 'DesiredWithinRange', 4, 'queue'],
      d.reason,
    );
    assert.match(
      d.reason,
      /metric gone is invalid \(FailedGetExternalMetric\) but does not block a scale that is not down/,
    );
  });

  test('valid maximum exactly the current count inside the band: the stabilization window still applies', () => {
    const now = 1_000_000;
    const d = calculateReplicas(
      at(4, {
        maxReplicas: 10,
        metrics: [atRatio('100'), failing],
        now,
        recommendations: [{ replicas: 6, timestamp: now - 60_000 }],
      }),
    );
    assert.deepEqual([d.desiredReplicas, d.rule, d.metricReplicas], [6, 'ScaleDownStabilized', 4], d.reason);
  });

  test('valid maximum one below the current count: no rescale, the invalid metric sets the condition', () => {
    const d = calculateReplicas(at(4, { maxReplicas: 10, metrics: [failing, atRatio('75')] }));
    assert.deepEqual([d.desiredReplicas, d.rule, d.metricReplicas], [4, 'InvalidMetrics', undefined]);
    assert.match(
      d.reason,
      /^a metric is invalid and the valid ones \(max 3\) would scale down: ScalingActive=False FailedGetExternalMetric: /,
    );
  });

  test('the first invalid metric gives the condition, the largest valid proposal wins', () => {
    const second: MetricInput = { type: 'Object', name: 'also-gone', error: 'unable to get metric also-gone' };
    const d = calculateReplicas(
      at(4, {
        maxReplicas: 20,
        metrics: [atRatio('150', 'a'), failing, atRatio('300', 'b'), second, atRatio('200', 'c')],
      }),
    );
    assert.deepEqual([d.desiredReplicas, d.metricReplicas, d.metricName], [8, 12, 'b']);
    assert.match(d.reason, /metric gone is invalid/);
    const down = calculateReplicas(at(4, { maxReplicas: 20, metrics: [atRatio('50'), second, failing] }));
    assert.match(
      down.reason,
      /FailedGetObjectMetric: the HPA was unable to compute the replica count: unable to get metric also-gone$/,
    );
  });

  test('equal proposals: the first metric that reached the maximum names it', () => {
    const d = calculateReplicas(at(4, { maxReplicas: 20, metrics: [atRatio('150', 'a'), atRatio('150', 'b')] }));
    assert.deepEqual([d.metricReplicas, d.metricName], [6, 'a']);
  });

  test('no metrics at all: nothing to scale on', () => {
    const d = calculateReplicas(at(4, { maxReplicas: 10, metrics: [] }));
    assert.deepEqual([d.desiredReplicas, d.rule, d.reason], [4, 'InvalidMetrics', 'the HPA has no metrics']);
  });
});

describe('limits exactly reached, no behavior: scaleUpLimit = max(2 × current, 4) (spec §8.5 3b)', () => {
  test('a proposal exactly at the scale-up limit is taken as it is', () => {
    // current 3: limit 6; ratio 2 gives ceil(2 × 3) = 6.
    assert.deepEqual(decide(at(3, { maxReplicas: 50, metrics: [atRatio('200')] })), [6, 'DesiredWithinRange']);
  });

  test('one past the scale-up limit is cut to it', () => {
    assert.deepEqual(decide(at(3, { maxReplicas: 50, metrics: [atRatio('201')] })), [6, 'ScaleUpLimit']);
  });

  test('the floor of 4 applies below 2 replicas', () => {
    assert.deepEqual(decide(at(1, { maxReplicas: 50, metrics: [atRatio('400')] })), [4, 'DesiredWithinRange']);
    assert.deepEqual(decide(at(1, { maxReplicas: 50, metrics: [atRatio('500')] })), [4, 'ScaleUpLimit']);
  });

  test('maxReplicas exactly the scale-up limit: the cut is reported as TooManyReplicas', () => {
    assert.deepEqual(decide(at(3, { maxReplicas: 6, metrics: [atRatio('300')] })), [6, 'TooManyReplicas']);
    assert.deepEqual(decide(at(3, { maxReplicas: 7, metrics: [atRatio('300')] })), [6, 'ScaleUpLimit']);
    assert.deepEqual(decide(at(3, { maxReplicas: 6, metrics: [atRatio('200')] })), [6, 'DesiredWithinRange']);
  });

  test('a proposal exactly at minReplicas is taken as it is', () => {
    assert.deepEqual(decide(at(6, { minReplicas: 3, maxReplicas: 10, metrics: [atRatio('50')] })), [
      3,
      'DesiredWithinRange',
    ]);
    assert.deepEqual(decide(at(6, { minReplicas: 4, maxReplicas: 10, metrics: [atRatio('50')] })), [
      4,
      'TooFewReplicas',
    ]);
  });

  test('a recommendation exactly at the edge of the downscale window counts, one just older does not', () => {
    const now = 1_000_000;
    const window = 300_000;
    assert.deepEqual(
      decide(
        at(10, {
          maxReplicas: 20,
          metrics: [atRatio('50')],
          now,
          recommendations: [{ replicas: 9, timestamp: now - window }],
        }),
      ),
      [9, 'ScaleDownStabilized'],
    );
    assert.deepEqual(
      decide(
        at(10, {
          maxReplicas: 20,
          metrics: [atRatio('50')],
          now,
          recommendations: [{ replicas: 9, timestamp: now - window - 1 }],
        }),
      ),
      [5, 'DesiredWithinRange'],
    );
    assert.deepEqual(
      decide(
        at(10, {
          maxReplicas: 20,
          downscaleStabilizationSeconds: 60,
          metrics: [atRatio('50')],
          now,
          recommendations: [{ replicas: 9, timestamp: now - 60_001 }],
        }),
      ),
      [5, 'DesiredWithinRange'],
    );
  });

  test('an empty history counts the current count as a recommendation made just now', () => {
    const d = calculateReplicas(
      at(10, { maxReplicas: 20, metrics: [atRatio('50')], now: 1_000_000, recommendations: [] }),
    );
    assert.deepEqual([d.desiredReplicas, d.rule], [10, 'ScaleDownStabilized']);
    assert.match(d.assumptions.join('\n'), /the history has no recommendations/);
  });
});

describe('limits exactly reached, with behavior (spec §8.5 3b)', () => {
  const now = 1_000_000;

  test('default scaleUp: max(current + 4, 2 × current) exactly reached, then one past it', () => {
    // current 3: Pods 3 + 4 = 7, Percent ceil(3 × 2) = 6; Max → 7.
    assert.deepEqual(decide(at(3, { maxReplicas: 50, behavior: {}, metrics: [atRatio('233.333')], now })), [
      7,
      'DesiredWithinRange',
    ]);
    assert.deepEqual(decide(at(3, { maxReplicas: 50, behavior: {}, metrics: [atRatio('234')], now })), [
      7,
      'ScaleUpLimit',
    ]);
  });

  test('maxReplicas exactly the scaleUp limit: TooManyReplicas; one above: ScaleUpLimit', () => {
    assert.deepEqual(decide(at(3, { maxReplicas: 7, behavior: {}, metrics: [atRatio('300')], now })), [
      7,
      'TooManyReplicas',
    ]);
    assert.deepEqual(decide(at(3, { maxReplicas: 8, behavior: {}, metrics: [atRatio('300')], now })), [
      7,
      'ScaleUpLimit',
    ]);
  });

  test('scaleDown Percent 10 from 15: trunc(13.5) = 13 exactly reached, then one past it', () => {
    const behavior: Behavior = {
      scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
    };
    // ratio 0.8 → ceil(0.8 × 15) = 12, cut to 13; ratio 0.85 → ceil(12.75) = 13, exactly the limit.
    assert.deepEqual(decide(at(15, { maxReplicas: 50, behavior, metrics: [atRatio('85')], now })), [
      13,
      'DesiredWithinRange',
    ]);
    assert.deepEqual(decide(at(15, { maxReplicas: 50, behavior, metrics: [atRatio('80')], now })), [
      13,
      'ScaleDownLimit',
    ]);
  });

  test('minReplicas exactly the scaleDown limit: TooFewReplicas; one below: ScaleDownLimit', () => {
    const behavior: Behavior = {
      scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
    };
    assert.deepEqual(decide(at(10, { minReplicas: 8, maxReplicas: 50, behavior, metrics: [atRatio('50')], now })), [
      8,
      'TooFewReplicas',
    ]);
    assert.deepEqual(decide(at(10, { minReplicas: 7, maxReplicas: 50, behavior, metrics: [atRatio('50')], now })), [
      8,
      'ScaleDownLimit',
    ]);
  });

  test('scaleDown selectPolicy Min takes the smaller change, Max the larger; Disabled keeps the count', () => {
    const policies = [
      { type: 'Pods' as const, value: 1, periodSeconds: 60 },
      { type: 'Percent' as const, value: 50, periodSeconds: 60 },
    ];
    const rules = (selectPolicy: 'Min' | 'Max' | 'Disabled'): Behavior => ({
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy, policies },
    });
    assert.deepEqual(decide(at(10, { maxReplicas: 50, behavior: rules('Min'), metrics: [atRatio('10')], now })), [
      9,
      'ScaleDownLimit',
    ]);
    assert.deepEqual(decide(at(10, { maxReplicas: 50, behavior: rules('Max'), metrics: [atRatio('10')], now })), [
      5,
      'ScaleDownLimit',
    ]);
    assert.deepEqual(decide(at(10, { maxReplicas: 50, behavior: rules('Disabled'), metrics: [atRatio('10')], now })), [
      10,
      'ScalingPolicyDisabled',
    ]);
  });

  test('a scale event exactly one period old no longer counts against the limit', () => {
    const behavior: Behavior = { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } };
    // An event 60 s old is outside the period: start 4, limit 6. One 59.999 s old is inside: start 2, limit 4 (at least
    // current).
    assert.deepEqual(
      decide(
        at(4, {
          maxReplicas: 50,
          behavior,
          metrics: [atRatio('500')],
          now,
          scaleEvents: [{ change: 2, timestamp: now - 60_000 }],
        }),
      ),
      [6, 'ScaleUpLimit'],
    );
    assert.deepEqual(
      decide(
        at(4, {
          maxReplicas: 50,
          behavior,
          metrics: [atRatio('500')],
          now,
          scaleEvents: [{ change: 2, timestamp: now - 59_999 }],
        }),
      ),
      [4, 'ScaleUpLimit'],
    );
  });

  test('periodStart = current − added + removed in the period, for either direction', () => {
    // up: 4 + 3 removed = 7, + 2 = 9. down: 10 − 1 added = 9, − 2 = 7; 10 + 1 removed = 11, − 2 = 9.
    const up: Behavior = { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } };
    assert.deepEqual(
      decide(
        at(4, {
          maxReplicas: 50,
          behavior: up,
          metrics: [atRatio('500')],
          now,
          scaleEvents: [{ change: -3, timestamp: now - 1000 }],
        }),
      ),
      [9, 'ScaleUpLimit'],
    );
    const down: Behavior = {
      scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
    };
    assert.deepEqual(
      decide(
        at(10, {
          maxReplicas: 50,
          behavior: down,
          metrics: [atRatio('10')],
          now,
          scaleEvents: [{ change: 1, timestamp: now - 1000 }],
        }),
      ),
      [7, 'ScaleDownLimit'],
    );
    assert.deepEqual(
      decide(
        at(10, {
          maxReplicas: 50,
          behavior: down,
          metrics: [atRatio('10')],
          now,
          scaleEvents: [{ change: -1, timestamp: now - 1000 }],
        }),
      ),
      [9, 'ScaleDownLimit'],
    );
  });

  test('stabilization windows with behavior: a recommendation exactly at the cutoff is out, one just inside is in', () => {
    const behavior: Behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
    assert.deepEqual(
      decide(
        at(10, {
          maxReplicas: 20,
          behavior,
          metrics: [atRatio('50')],
          now,
          recommendations: [{ replicas: 9, timestamp: now - 60_000 }],
        }),
      ),
      [5, 'DesiredWithinRange'],
    );
    assert.deepEqual(
      decide(
        at(10, {
          maxReplicas: 20,
          behavior,
          metrics: [atRatio('50')],
          now,
          recommendations: [{ replicas: 9, timestamp: now - 59_999 }],
        }),
      ),
      [9, 'ScaleDownStabilized'],
    );
    const up: Behavior = { scaleUp: { stabilizationWindowSeconds: 60 } };
    assert.deepEqual(
      decide(
        at(3, {
          maxReplicas: 20,
          behavior: up,
          metrics: [atRatio('200')],
          now,
          recommendations: [{ replicas: 4, timestamp: now - 60_000 }],
        }),
      ),
      [6, 'DesiredWithinRange'],
    );
    assert.deepEqual(
      decide(
        at(3, {
          maxReplicas: 20,
          behavior: up,
          metrics: [atRatio('200')],
          now,
          recommendations: [{ replicas: 4, timestamp: now - 59_999 }],
        }),
      ),
      [4, 'ScaleUpStabilized'],
    );
  });
});
