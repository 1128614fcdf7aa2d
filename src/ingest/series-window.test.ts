import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bucketQuantile, CounterWindow, GaugeWindow, HistogramWindow } from './series-window.js';

/** Equal up to float rounding. */
function near(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);
}

/** A counter's rate over the samples no older than `windowMs` before the last (the newest always kept), by hand. */
function rateByHand(samples: readonly (readonly [number, number])[], windowMs: number): number | undefined {
  const last = samples[samples.length - 1]![0];
  const kept = samples.filter(([t], i) => t >= last - windowMs || i === samples.length - 1);
  if (kept.length < 2) return undefined;
  let increase = 0;
  for (let i = 1; i < kept.length; i++) {
    const [, previous] = kept[i - 1]!;
    const [, current] = kept[i]!;
    increase += current >= previous ? current - previous : current;
  }
  return increase / ((kept[kept.length - 1]![0] - kept[0]![0]) / 1000);
}

describe('CounterWindow', () => {
  test('its rate, kept as samples come and go, is the rate summed afresh over the window', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            step: fc.integer({ min: 1, max: 40_000 }),
            // NB: whole counters (exact sums), fractional ones (rounding), and resets.
            value: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 1e9, noNaN: true })),
            grow: fc.boolean(),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        fc.integer({ min: 1000, max: 300_000 }),
        (steps, windowMs) => {
          const window = new CounterWindow(windowMs);
          const samples: [number, number][] = [];
          let t = 0;
          let value = 0;
          for (const step of steps) {
            t += step.step;
            value = step.grow ? value + step.value : step.value;
            assert.equal(window.add(t, value), true);
            samples.push([t, value]);
            const expected = rateByHand(samples, windowMs);
            const actual = window.value();
            if (expected === undefined) assert.equal(actual, undefined);
            else
              assert.ok(
                Math.abs(actual! - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
                `${actual} vs ${expected}`,
              );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('one sample has no rate yet', () => {
    const window = new CounterWindow(60_000);
    window.add(1000, 5);
    assert.equal(window.value(), undefined);
  });

  test('an out-of-order or repeated sample is dropped', () => {
    const window = new CounterWindow(60_000);
    assert.equal(window.add(2000, 5), true);
    assert.equal(window.add(2000, 9), false);
    assert.equal(window.add(1000, 9), false);
  });

  test('a series younger than the window is rated over the samples it has', () => {
    const window = new CounterWindow(60_000);
    window.add(10_000, 100);
    window.add(12_000, 110);
    assert.equal(window.value(), 5);
  });

  test('a reset counts the new value as the increase, as rate() does', () => {
    const window = new CounterWindow(60_000);
    for (const [t, v] of [
      [0, 0],
      [1000, 10],
      [2000, 20],
      [3000, 4],
      [4000, 14],
    ] as const)
      window.add(t, v);
    // increases 10 + 10 + 4 (reset) + 10 = 34 over 4 s
    assert.equal(window.value(), 8.5);
  });

  test('samples older than the window before the newest are left out', () => {
    const window = new CounterWindow(10_000);
    window.add(0, 0);
    window.add(5_000, 1000);
    window.add(15_000, 1010);
    window.add(20_000, 1020);
    assert.equal(window.value(), 2);
  });

  test('delta temporality adds the increases up', () => {
    const window = new CounterWindow(60_000, true);
    window.add(1000, 10);
    window.add(3000, 30);
    assert.equal(window.value(), 15);
  });
});

describe('GaugeWindow', () => {
  test('serves the newest value', () => {
    const window = new GaugeWindow();
    assert.equal(window.value(), undefined);
    window.add(1000, 3);
    window.add(2000, 1.5);
    assert.equal(window.value(), 1.5);
  });
});

describe('HistogramWindow', () => {
  const bounds = [0.1, 0.5, 1];
  test('one sample: the mean of everything observed', () => {
    const window = new HistogramWindow(60_000, undefined);
    window.add(1000, { count: 4, sum: 1, bounds, counts: [1, 2, 1, 0] });
    assert.equal(window.value(), 0.25);
  });

  test('the mean over the window is the increase of the sum over that of the count', () => {
    const window = new HistogramWindow(60_000, undefined);
    window.add(1000, { count: 4, sum: 1, bounds, counts: [1, 2, 1, 0] });
    window.add(2000, { count: 6, sum: 3, bounds, counts: [1, 2, 3, 0] });
    assert.equal(window.value(), 1);
  });

  test('a quantile is interpolated inside its bucket, as histogram_quantile does', () => {
    const window = new HistogramWindow(60_000, 0.5);
    window.add(1000, { count: 10, sum: 3, bounds, counts: [0, 10, 0, 0] });
    near(window.value(), 0.3);
  });

  test('delta temporality adds the histograms up', () => {
    const window = new HistogramWindow(60_000, undefined, true);
    window.add(1000, { count: 2, sum: 1, bounds, counts: [0, 2, 0, 0] });
    window.add(2000, { count: 1, sum: 0.9, bounds, counts: [0, 0, 1, 0] });
    near(window.value(), 0.9);
  });
});

describe('bucketQuantile', () => {
  test('a rank in the +Inf bucket gives the highest finite bound', () => {
    assert.equal(bucketQuantile(0.99, { count: 10, sum: 100, bounds: [1, 2], counts: [0, 1, 9] }), 2);
  });
  test('no observations, no value', () => {
    assert.equal(bucketQuantile(0.5, { count: 0, sum: 0, bounds: [1], counts: [0, 0] }), undefined);
  });
});

describe('CounterWindow.merge', () => {
  test("another replica's samples are merged by timestamp before the rate is taken", () => {
    const here = new CounterWindow(60_000);
    here.add(1000, 0);
    here.add(3000, 5);
    here.merge({ times: [2000, 3000], values: [10, 99], total: 0 });
    // 0 → 10 → 5 (a reset): 15 over 2 s; a tie keeps this replica's value.
    assert.equal(here.value(), 7.5);
    const restored = new CounterWindow(60_000);
    restored.merge(here.snapshot());
    restored.add(4000, 17);
    assert.equal(restored.value(), 9);
  });
});
