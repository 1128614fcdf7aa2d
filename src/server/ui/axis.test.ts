import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity } from '../../quantity/index.js';
import { formatAxisValue, formatOfValues, valueAxis } from './axis.js';
import { renderPlot } from './plot.js';

const labels = (lo: number, hi: number, format?: 'DecimalSI' | 'BinarySI') =>
  valueAxis(lo, hi, format).ticks.map((t) => t.label);

test('axis labels are the quantity text the table prints, never a decimal fraction', () => {
  // A CPU metric between 115m and 373m: the table says 373m, so does the axis.
  assert.deepEqual(labels(0.115, 0.373), ['0', '100m', '200m', '300m', '400m']);
  assert.deepEqual(labels(0.0021, 0.0093), ['0', '5m', '10m']);
  assert.deepEqual(labels(150, 600), ['0', '200', '400', '600']);
  // Go's canonical form: 1500 stays 1500 (no 1.5k), 2000 is 2k.
  assert.deepEqual(labels(0, 1900), ['0', '500', '1k', '1500', '2k']);
  assert.deepEqual(labels(45.5, 45.5), ['0', '20', '40', '60']);
  assert.deepEqual(labels(0, 0), ['0', '500m', '1']);
  assert.deepEqual(labels(-3, 5), ['-4', '-2', '0', '2', '4', '6']);
  assert.deepEqual(labels(0, 2.5e9), ['0', '1G', '2G', '3G']);
  for (const label of labels(0.115, 0.373)) assert.doesNotMatch(label, /\./);
});

test('binary values (memory in Mi) get ticks at whole Ki/Mi/Gi steps, printed with the same suffixes', () => {
  const mi = 1024 * 1024;
  assert.equal(formatOfValues(['128Mi', '64Mi']), 'BinarySI');
  assert.equal(formatOfValues(['373m', '2k']), 'DecimalSI');
  assert.deepEqual(labels(100 * mi, 300 * mi, 'BinarySI'), ['0', '100Mi', '200Mi', '300Mi']);
  assert.deepEqual(labels(0, 3.5 * 1024 * mi, 'BinarySI'), ['0', '1Gi', '2Gi', '3Gi', '4Gi']);
  assert.deepEqual(labels(0, 900, 'BinarySI'), ['0', '500', '1k'], 'below 1Ki Go prints decimal');
});

test('tick values are exact steps: every label parses back to the tick value', () => {
  for (const [lo, hi] of [
    [0.1, 0.7],
    [0.0000123, 0.0000456],
    [1e-9, 3e-9],
    [12345, 98765],
    [3, 3.3],
  ] as const) {
    const axis = valueAxis(lo, hi);
    assert.ok(axis.min <= Math.min(0, lo) && axis.max >= hi, `${lo}..${hi} within ${axis.min}..${axis.max}`);
    for (const tick of axis.ticks) assert.equal(Number(parseQuantity(tick.label).nano) / 1e9, tick.value, tick.label);
  }
});

test('hover values print as the table does', () => {
  assert.equal(formatAxisValue(0.373), '373m');
  assert.equal(formatAxisValue(45.5), '45500m');
  assert.equal(formatAxisValue(0.1 + 0.2), '300m');
  assert.equal(formatAxisValue(128 * 1024 * 1024, 'BinarySI'), '128Mi');
});

test('the plot: full width, a grid, axis labels in the table units and a value on every point', () => {
  const now = 600_000;
  const series = new Map([
    [
      'default/web-1',
      [
        { t: 300_000, v: 0.115 },
        { t: 600_000, v: 0.373 },
      ],
    ],
  ]);
  const svg = renderPlot('pods cpu', series, now, 900_000);
  assert.match(svg, /<svg class="plot" viewBox="0 0 1000 220" role="img"/);
  assert.doesNotMatch(svg, /<svg[^>]* width=/, 'sized by the page (CSS width 100%), not 280 px');
  assert.deepEqual(
    [...svg.matchAll(/<text class="y-label"[^>]*>([^<]*)</g)].map((m) => m[1]),
    ['0', '100m', '200m', '300m', '400m'],
  );
  assert.ok([...svg.matchAll(/<line class="grid"/g)].length >= 8, 'horizontal and vertical grid lines');
  assert.deepEqual(
    [...svg.matchAll(/data-label="([^"]*)"/g)].map((m) => m[1]),
    ['default/web-1: 115m, 5m 0s ago', 'default/web-1: 373m, 0s ago'],
  );
  assert.doesNotMatch(svg, /0\.115|0\.373/);
});
