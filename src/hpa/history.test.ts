import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../quantity/index.js';
import { InvalidHistoryError, parseHistory } from './history.js';
import { calculateReplicas } from './replica-calculator.js';
import type { Behavior, MetricInput, ReplicaInputs } from './types.js';

const clock = Date.parse('2030-01-01T00:00:00Z');
const objectValue = (target: string, value: string): MetricInput => ({
  type: 'Object',
  name: 'queue',
  target: { type: 'Value', value: parseQuantity(target) },
  value: parseQuantity(value),
});

describe('parseHistory', () => {
  test('mistakes name the file, the line and the field', () => {
    const cases: [string, RegExp][] = [
      [
        'recommendations:\n- {timestamp: yesterday, replicas: 3}\n',
        /^h\.yaml:2: recommendations\[0\]\.timestamp: must be an RFC 3339 time/,
      ],
      ['recommendations:\n- {replicas: 3}\n', /^h\.yaml:2: recommendations\[0\]: needs either timestamp or ago$/],
      ['recommendations:\n- {ago: 1m, replicas: -1}\n', /^h\.yaml:2: recommendations\[0\]\.replicas: /],
      ['scaleEvents:\n- {ago: 1m, from: 3, to: 3}\n', /^h\.yaml:2: scaleEvents\[0\]: from and to must differ/],
      ['scaleEvents:\n- {ago: soon, from: 3, to: 4}\n', /^h\.yaml:2: scaleEvents\[0\]\.ago: must be a duration/],
      ['recomendations: []\n', /^h\.yaml: Unrecognized key: "recomendations"|^h\.yaml:1: .*recomendations/],
      [
        'now: 2030-01-01T00:00:00Z\nrecommendations:\n- {timestamp: 2030-01-01T00:00:01Z, replicas: 3}\n',
        /^h\.yaml: recommendations\[0\]\.timestamp: 2030-01-01T00:00:01Z is after now \(2030-01-01T00:00:00\.000Z\)/,
      ],
      ['- a\n', /^h\.yaml: must be a mapping/],
      ['recommendations: [\n', /^h\.yaml:\d+: invalid YAML/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseHistory(text, 'h.yaml', { clock }),
        (e: unknown) => e instanceof InvalidHistoryError && message.test(e.message),
        text,
      );
    }
  });

  test('absolute and relative times; --now wins over the file, which wins over the clock', () => {
    const text =
      'now: 2030-01-01T00:10:00Z\nrecommendations:\n- {timestamp: 2030-01-01T00:08:00Z, replicas: 5}\n- {ago: 30s, replicas: 4}\nscaleEvents:\n- {ago: 1m, from: 6, to: 4}\n';
    const fromFile = parseHistory(text, 'h.yaml', { clock });
    assert.equal(fromFile.now, Date.parse('2030-01-01T00:10:00Z'));
    assert.deepEqual(fromFile.recommendations, [
      { replicas: 5, timestamp: Date.parse('2030-01-01T00:08:00Z') },
      { replicas: 4, timestamp: fromFile.now - 30_000 },
    ]);
    assert.deepEqual(fromFile.scaleEvents, [{ change: -2, timestamp: fromFile.now - 60_000 }]);
    const flag = parseHistory(text, 'h.yaml', { clock, now: Date.parse('2030-01-01T00:20:00Z') });
    assert.equal(flag.scaleEvents[0]!.timestamp, Date.parse('2030-01-01T00:19:00Z'));
    assert.equal(parseHistory('{}', 'h.json', { clock }).now, clock);
  });
});

/**
 * Each case was computed by hand from horizontal.go's rules (stabilizeRecommendation[WithBehaviors],
 * convertDesiredReplicasWithRules, calculateScale{Up,Down}Limit*); the comments show the arithmetic.
 */
describe('stabilization and rate limits from a history file', () => {
  const decide = (history: string, inputs: Omit<ReplicaInputs, 'recommendations' | 'scaleEvents' | 'now'>) =>
    calculateReplicas({ ...inputs, ...parseHistory(history, 'h.yaml', { clock }) });
  const header = 'now: 2030-01-01T12:00:00Z\n';

  test('no behavior: the 300 s window counts a sample exactly at its edge (Go skips only Before(cutoff))', () => {
    // proposal ceil(0.5 × 10) = 5; window [11:55:00, 12:00:00]: max(5, 9, 7) = 9; the 12 at 11:54 is outside.
    const d = decide(
      `${header}recommendations:\n- {timestamp: 2030-01-01T11:54:00Z, replicas: 12}\n- {timestamp: 2030-01-01T11:55:00Z, replicas: 9}\n- {timestamp: 2030-01-01T11:58:00Z, replicas: 7}\n`,
      { specReplicas: 10, maxReplicas: 20, metrics: [objectValue('100', '50')] },
    );
    assert.deepEqual([d.metricReplicas, d.desiredReplicas, d.rule], [5, 9, 'ScaleDownStabilized']);
    assert.match(d.reason, /a recommendation of 9 in the last 300s holds the scale-down of 5/);
  });

  test('behavior scaleDown: the 60 s window, then Pods 2 per 60 s counted from the replicas at the period start', () => {
    const behavior: Behavior = {
      scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
    };
    // downRec = max(5, 7) = 7 (the 8 at -90 s is outside); r = min(10, 7) = 7.
    // The scale-down 12 → 10 at -45 s: period start 10 + 2 = 12, limit 12 − 2 = 10: no further scale-down yet.
    const held = decide(
      `${header}recommendations:\n- {ago: 90s, replicas: 8}\n- {ago: 30s, replicas: 7}\nscaleEvents:\n- {ago: 45s, from: 12, to: 10}\n`,
      { specReplicas: 10, maxReplicas: 20, behavior, metrics: [objectValue('100', '50')] },
    );
    assert.deepEqual([held.stabilizedReplicas, held.desiredReplicas, held.rule], [7, 10, 'ScaleDownLimit']);
    // Without that event: period start 10, limit 8.
    const freed = decide(`${header}recommendations:\n- {ago: 90s, replicas: 8}\n- {ago: 30s, replicas: 7}\n`, {
      specReplicas: 10,
      maxReplicas: 20,
      behavior,
      metrics: [objectValue('100', '50')],
    });
    assert.deepEqual([freed.desiredReplicas, freed.rule], [8, 'ScaleDownLimit']);
  });

  test('behavior scaleUp: each policy has its own period; Max takes the larger limit, Min the smaller', () => {
    const policies = [
      { type: 'Percent' as const, value: 50, periodSeconds: 60 },
      { type: 'Pods' as const, value: 3, periodSeconds: 30 },
    ];
    const history = `${header}recommendations:\n- {ago: 20s, replicas: 4}\nscaleEvents:\n- {ago: 40s, from: 2, to: 4}\n`;
    // proposal ceil(10 × 4) = 40. Percent (60 s holds the +2): start 2, ceil(2 × 1.5) = 3. Pods (30 s does not): 4 + 3
    // = 7.
    const max = decide(history, {
      specReplicas: 4,
      maxReplicas: 50,
      behavior: { scaleUp: { policies } },
      metrics: [objectValue('1', '10')],
    });
    assert.deepEqual([max.metricReplicas, max.desiredReplicas, max.rule], [40, 7, 'ScaleUpLimit']);
    // Min: min(3, 7) = 3, raised to the current 4.
    const min = decide(history, {
      specReplicas: 4,
      maxReplicas: 50,
      behavior: { scaleUp: { policies, selectPolicy: 'Min' } },
      metrics: [objectValue('1', '10')],
    });
    assert.deepEqual([min.desiredReplicas, min.rule], [4, 'ScaleUpLimit']);
    // Disabled: no scale-up at all.
    const off = decide(history, {
      specReplicas: 4,
      maxReplicas: 50,
      behavior: { scaleUp: { policies, selectPolicy: 'Disabled' } },
      metrics: [objectValue('1', '10')],
    });
    assert.deepEqual([off.desiredReplicas, off.rule], [4, 'ScalingPolicyDisabled']);
  });

  test('behavior scaleUp window: the lowest recommendation of the window, the new one included', () => {
    // proposal 40; upRec = min(40, 6, 9) = 6 (the 3 at -2 m is outside 60 s); downRec (300 s) = max(40, ...) = 40; r =
    // max(4, 6) = 6.
    const d = decide(
      `${header}recommendations:\n- {ago: 2m, replicas: 3}\n- {ago: 50s, replicas: 6}\n- {ago: 10s, replicas: 9}\n`,
      {
        specReplicas: 4,
        maxReplicas: 50,
        behavior: { scaleUp: { stabilizationWindowSeconds: 60 } },
        metrics: [objectValue('1', '10')],
      },
    );
    assert.deepEqual([d.stabilizedReplicas, d.desiredReplicas, d.rule], [6, 6, 'ScaleUpStabilized']);
  });

  test('a history without recommendations is a controller that has not reconciled yet: the current count is recorded first', () => {
    // recordInitialRecommendation: {10, now}; no behavior: max(5, 10) = 10, so a restarted controller waits out the
    // window.
    const d = decide(header, { specReplicas: 10, maxReplicas: 20, metrics: [objectValue('100', '50')] });
    assert.deepEqual([d.desiredReplicas, d.rule], [10, 'ScaleDownStabilized']);
    assert.match(d.assumptions.join('\n'), /has not reconciled this HPA yet/);
    // With the default behavior the scaleUp window is 0 s: the initial sample is not After(now), so a scale-up goes
    // ahead.
    const up = decide(header, { specReplicas: 2, maxReplicas: 20, behavior: {}, metrics: [objectValue('1', '3')] });
    assert.deepEqual([up.desiredReplicas, up.rule], [6, 'DesiredWithinRange']);
  });

  test('without any history the explanation says stabilization assumed none', () => {
    const d = calculateReplicas({ specReplicas: 10, maxReplicas: 20, metrics: [objectValue('100', '50')] });
    assert.equal(d.desiredReplicas, 5);
    assert.match(d.assumptions.join('\n'), /stabilization assumed no history/);
  });
});
