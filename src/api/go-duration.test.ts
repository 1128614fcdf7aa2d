import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGoDuration } from './go-duration.js';

test('formatGoDuration writes what Go time.Duration.String() writes', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [1, '1ms'],
    [500, '500ms'],
    [1000, '1s'],
    [10_767, '10.767s'],
    [1500, '1.5s'],
    [30_000, '30s'],
    [60_000, '1m0s'],
    [90_500, '1m30.5s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [3_723_000, '1h2m3s'],
    [-2000, '-2s'],
  ];
  for (const [ms, text] of cases) assert.equal(formatGoDuration(ms), text, `${ms} ms`);
});
