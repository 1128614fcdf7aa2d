import { test } from 'node:test';
import assert from 'node:assert/strict';
import { divideAwayFromZero, divideHalfAwayFromZero, maxNano, pow10 } from './scaled-math.js';

test('divideAwayFromZero rounds any remainder away from zero', () => {
  const cases: [bigint, bigint, bigint][] = [
    [10n, 5n, 2n],
    [11n, 5n, 3n],
    [14n, 5n, 3n],
    [-11n, 5n, -3n],
    [-10n, 5n, -2n],
    [0n, 7n, 0n],
    [1n, 1000n, 1n],
    [-1n, 1000n, -1n],
  ];
  for (const [n, d, q] of cases) assert.equal(divideAwayFromZero(n, d), q, `${n}/${d}`);
});

test('divideHalfAwayFromZero rounds to nearest, halves away from zero', () => {
  const cases: [bigint, bigint, bigint][] = [
    [14n, 10n, 1n],
    [15n, 10n, 2n],
    [16n, 10n, 2n],
    [-14n, 10n, -1n],
    [-15n, 10n, -2n],
    [4n, 10n, 0n],
    [5n, 10n, 1n],
    [20n, 10n, 2n],
  ];
  for (const [n, d, q] of cases) assert.equal(divideHalfAwayFromZero(n, d), q, `${n}/${d}`);
});

test('pow10 is exact for cached and large exponents', () => {
  assert.equal(pow10(0), 1n);
  assert.equal(pow10(9), 1_000_000_000n);
  assert.equal(pow10(63), 10n ** 63n);
  assert.equal(pow10(200), 10n ** 200n);
  assert.equal(pow10(5), 100000n);
});

test('maxNano is 2^63-1 units in nano-units', () => {
  assert.equal(maxNano, (2n ** 63n - 1n) * 10n ** 9n);
});
