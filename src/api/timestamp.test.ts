import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTimestamp } from './timestamp.js';

test('formatTimestamp writes RFC 3339 UTC seconds, dropping the milliseconds', () => {
  assert.equal(formatTimestamp(Date.UTC(2024, 4, 1, 12, 0, 0, 999)), '2024-05-01T12:00:00Z');
  assert.equal(formatTimestamp(0), '1970-01-01T00:00:00Z');
  assert.equal(formatTimestamp(Date.UTC(2040, 0, 1)), '2040-01-01T00:00:00Z');
});

test('formatTimestamp stays right when seconds share a cache slot', () => {
  const base = Date.UTC(2024, 4, 1, 12, 0, 0);
  // NB: seconds 1024 apart land in the same slot; each must still get its own text.
  for (let round = 0; round < 3; round++) {
    for (const offset of [0, 1024, 2048, 1, 1025]) {
      const ms = base + offset * 1000;
      assert.equal(formatTimestamp(ms), `${new Date(ms).toISOString().slice(0, 19)}Z`);
    }
  }
});
