import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, InvalidDurationError } from './parse-duration.js';

test('parseDuration rejects what Go rejects', () => {
  for (const bad of ['', '5', 'm', '1x', '-5s', '1h-5m', '5 s', 's5', '.s']) {
    assert.throws(() => parseDuration(bad), InvalidDurationError, bad);
  }
});

test('parseDuration reads Go duration strings as milliseconds', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['300ms', 300],
    ['15s', 15_000],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2h45m10s', 9_910_000],
    ['500us', 0.5],
    ['.5s', 500],
    ['1000ns', 0.001],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});
