import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { numberToNano, numberToSafeNano } from './number-to-nano.js';

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

test('numberToSafeNano rounds what doubles can tell and leaves the rest to numberToNano', () => {
  const cases: [number, number | undefined][] = [
    [0, 0],
    [-0, 0],
    [0.1, 100_000_000],
    [-2.5, -2_500_000_000],
    [123, 123_000_000_000],
    [0.123456789, 123_456_789],
    [16.666666666666668, 16_666_666_667],
    [-16.666666666666668, -16_666_666_667],
    [1e-7, 100],
    [1.4e-9, 1],
    [17_000, 17_000_000_000_000],
    // NB: a tie (a half nano) is for numberToNano, which rounds it away from zero; so are large values, where a
    // double is too coarse to round, and what is not a finite number.
    [1.5e-9, undefined],
    [0.0000000025, undefined],
    [20_000, undefined],
    [1.5e21, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [Number.NEGATIVE_INFINITY, undefined],
  ];
  for (const [x, nano] of cases) assert.equal(numberToSafeNano(x), nano, String(x));
});

test('numberToSafeNano agrees with numberToNano wherever it answers', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -1e9, max: 1e9 }).map((milli) => milli / 1000),
        fc.integer({ min: -1e12, max: 1e12 }).map((n) => n / 10 ** 6),
        // NB: near ties, where the margin matters.
        fc.integer({ min: -1e13, max: 1e13 }).map((n) => (n + 0.5) / 1e9),
        fc.double({ min: -17_600, max: 17_600, noNaN: true }),
      ),
      (x) => {
        const safe = numberToSafeNano(x);
        if (safe !== undefined) assert.equal(BigInt(safe), numberToNano(x), String(x));
      },
    ),
    { numRuns: 20_000 },
  );
});
