import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyLabels, Interner } from './intern.js';

test('equal label sets share one frozen copy and key, whether or not the caller froze its own', () => {
  const interner = new Interner();
  const frozen = Object.freeze({ app: 'web', tier: 'front' });
  const first = interner.labels(frozen);
  assert.deepEqual(first, {
    labels: { app: 'web', tier: 'front' },
    key: interner.labels({ tier: 'front', app: 'web' }).key,
  });
  assert.ok(Object.isFrozen(first.labels));
  assert.notEqual(first.labels, frozen, 'the shared copy owns its strings');
  assert.equal(interner.labels(frozen).labels, first.labels);
  assert.equal(interner.labels({ tier: 'front', app: 'web' }).labels, first.labels);
  assert.equal(interner.labels({}).labels, emptyLabels);
});

test('a label set the caller changes between writes is interned as it is now', () => {
  const interner = new Interner();
  const labels: Record<string, string> = { app: 'web' };
  const before = interner.labels(labels);
  labels.app = 'api';
  const after = interner.labels(labels);
  assert.deepEqual(after.labels, { app: 'api' });
  assert.notEqual(after.key, before.key);
  assert.deepEqual(before.labels, { app: 'web' });
});

test('past its limit the interner starts over and still answers every set correctly', () => {
  const interner = new Interner(2);
  const sets = Array.from({ length: 5 }, (_, i) => Object.freeze({ app: `app-${i}` }));
  for (let round = 0; round < 3; round++) {
    for (const set of sets) {
      const { labels, key } = interner.labels(set);
      assert.deepEqual(labels, set);
      assert.equal(key, interner.labels({ ...set }).key);
    }
  }
});
