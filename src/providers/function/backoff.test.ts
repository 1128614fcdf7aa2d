import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.js';

const options = { initialMs: 1000, maxMs: 30_000, jitter: 0.5 };

test('delays double from the initial delay and stop at the cap', () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 100].map((attempt) => backoffDelay(attempt, options, () => 0));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
});

test('jitter stretches a delay by up to its fraction, never past the cap', () => {
  assert.equal(
    backoffDelay(1, options, () => 0.999_999),
    1000 * (1 + 0.5 * 0.999_999),
  );
  assert.equal(
    backoffDelay(2, options, () => 0.5),
    2500,
  );
  assert.equal(
    backoffDelay(5, options, () => 0.999),
    23_992,
  );
  assert.equal(
    backoffDelay(6, options, () => 0.999),
    30_000,
  );
});

test('attempt 0 or below counts as the first retry', () => {
  assert.equal(
    backoffDelay(0, options, () => 0),
    1000,
  );
  assert.equal(
    backoffDelay(-3, options, () => 0),
    1000,
  );
});
