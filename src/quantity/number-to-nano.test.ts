import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberToNano } from './number-to-nano.js';

test('numberToNano rejects non-finite numbers', () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.throws(() => numberToNano(bad), {
      name: 'RangeError',
      message: `a quantity must be a finite number, got ${bad}`,
    });
  }
});

test('numberToNano reads every shape String(x) produces', () => {
  const cases: [number, bigint][] = [
    [123, 123_000_000_000n],
    [0.1, 100_000_000n],
    [1e-7, 100n],
    [1.5e-9, 2n],
    [2.5e-9, 3n],
    [-2.5e-9, -3n],
    [1.5e21, 15n * 10n ** 29n],
    [Number.MIN_VALUE, 0n],
    [Number.MAX_SAFE_INTEGER, 9007199254740991n * 10n ** 9n],
  ];
  for (const [x, nano] of cases) assert.equal(numberToNano(x), nano, String(x));
});
