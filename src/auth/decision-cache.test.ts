import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecisionCache } from './decision-cache.js';

test('the decision cache keeps answers for their own TTL, shares one lookup in flight, and never keeps failures', async () => {
  let now = 1000;
  let lookups = 0;
  const cache = createDecisionCache<boolean>(
    (allowed) => (allowed ? 100 : 10),
    2,
    () => now,
  );
  const lookup = (answer: boolean) => async () => {
    lookups++;
    return answer;
  };
  assert.deepEqual(await Promise.all([cache.get('a', lookup(true)), cache.get('a', lookup(true))]), [true, true]);
  assert.equal(lookups, 1);
  await cache.get('d', lookup(false));
  now += 50;
  await cache.get('a', lookup(true));
  await cache.get('d', lookup(false));
  assert.equal(lookups, 3, 'the allowed answer is still fresh, the denied one expired');
  await assert.rejects(
    cache.get('e', () => Promise.reject(new Error('down'))),
    /down/,
  );
  assert.equal(await cache.get('e', lookup(true)), true);
  assert.equal(cache.size, 2, 'bounded: the oldest entry was dropped');
});
