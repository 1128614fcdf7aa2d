import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/errors.js';
import { parseQuantity } from '../../quantity/index.js';
import { everything, parseSelector } from '../../selector/index.js';
import { ExternalStore } from './external-store.js';
import { heldItemsLimit } from './held-items.js';
import { Interner } from './intern.js';

function createStore(ttlMs = 0, clock = { now: 1_700_000_000_000 }) {
  const store = new ExternalStore({ interner: new Interner(), ttlMs, now: () => clock.now });
  const write = (namespace: string | null, labels: Record<string, string>, value: string) =>
    store.write({ namespace, metric: 'queue', labels, value: parseQuantity(value), timestamp: clock.now });
  return { store, write, clock };
}

test('an unknown metric is 404; a known one filtered to nothing is an empty list', () => {
  const { store, write } = createStore();
  assert.throws(
    () => store.getExternalMetric('ns', everything, { metric: 'queue' }),
    (e: unknown) => e instanceof StatusError && e.code === 404,
  );
  write('ns', { q: 'a' }, '1');
  assert.throws(() => store.getExternalMetric('other', everything, { metric: 'queue' }), StatusError);
  assert.deepEqual(store.getExternalMetric('ns', parseSelector('q=b'), { metric: 'queue' }), []);
});

test('one series per label set; global series are visible in every namespace unless shadowed', () => {
  const { store, write } = createStore();
  write(null, { q: 'a' }, '1');
  write(null, { q: 'b' }, '2');
  write('ns', { q: 'b' }, '20');
  write('ns', { q: 'b' }, '21');
  const inNs = store
    .getExternalMetric('ns', everything, { metric: 'queue' })
    .map((v) => [v.metricLabels.q, v.value])
    .sort();
  assert.deepEqual(inNs, [
    ['a', '1'],
    ['b', '21'],
  ]);
  const elsewhere = store
    .getExternalMetric('x', parseSelector('q in (a,b)'), { metric: 'queue' })
    .map((v) => v.value)
    .sort();
  assert.deepEqual(elsewhere, ['1', '2']);
  assert.equal(store.seriesCount, 3);
  assert.deepEqual(store.listAllExternalMetrics(), [{ metric: 'queue' }]);
});

test('TTL hides and then sweeps old series', () => {
  const clock = { now: 1_700_000_000_000 };
  const { store, write } = createStore(10_000, clock);
  write(null, {}, '1');
  clock.now += 11_000;
  assert.throws(() => store.getExternalMetric('ns', everything, { metric: 'queue' }), StatusError);
  assert.equal(store.sweep(), 1);
  assert.deepEqual(store.listAllExternalMetrics(), []);
});

test('an indexed selector query over many series returns exactly the matching ones', () => {
  const { store, write } = createStore();
  for (let i = 0; i < 1000; i++)
    write(i % 2 === 0 ? null : 'ns', { queue: `q-${i % 50}`, shard: String(i) }, String(i));
  const shards = (selector: string) =>
    store
      .getExternalMetric('ns', parseSelector(selector), { metric: 'queue' })
      .map((v) => Number(v.metricLabels.shard))
      .sort((a, b) => a - b);
  const expected = [...Array(1000).keys()].filter((i) => i % 50 === 7);
  assert.deepEqual(shards('queue=q-7'), expected);
  assert.deepEqual(
    shards('queue in (q-7,q-8),shard!=7'),
    [...Array(1000).keys()].filter((i) => (i % 50 === 7 || i % 50 === 8) && i !== 7),
  );
  assert.deepEqual(shards('queue=q-7,shard=57'), [57]);
  assert.deepEqual(
    store
      .getExternalMetric('other', parseSelector('queue=q-7'), { metric: 'queue' })
      .map((v) => Number(v.metricLabels.shard))
      .sort((a, b) => a - b),
    expected.filter((i) => i % 2 === 0),
  );
});

test('an unchanged series answers with the same frozen item; a write or a removal gives a new one', () => {
  const clock = { now: 1_700_000_000_000 };
  const { store, write } = createStore(60_000, clock);
  write('ns', { q: 'a' }, '1');
  write('ns', { q: 'b' }, '2');
  const query = (selector = everything) => store.getExternalMetric('ns', selector, { metric: 'queue' });
  const first = query();
  assert.ok(first.every((item) => Object.isFrozen(item) && item.encodings !== undefined));
  // Another selector misses the selection cache but finds the same items.
  const again = query(parseSelector('q in (a,b)'));
  assert.equal(
    again.find((v) => v.metricLabels.q === 'a'),
    first.find((v) => v.metricLabels.q === 'a'),
  );
  write('ns', { q: 'a' }, '5');
  const afterWrite = query(parseSelector('q in (a,b)'));
  assert.equal(afterWrite.find((v) => v.metricLabels.q === 'a')!.value, '5');
  assert.equal(
    afterWrite.find((v) => v.metricLabels.q === 'b'),
    first.find((v) => v.metricLabels.q === 'b'),
  );
  assert.equal(store.remove('ns', 'queue', { q: 'b' }), true);
  write('ns', { q: 'b' }, '2');
  const afterRemove = query();
  assert.notEqual(
    afterRemove.find((v) => v.metricLabels.q === 'b'),
    first.find((v) => v.metricLabels.q === 'b'),
  );
  clock.now += 61_000;
  write('ns', { q: 'a' }, '6');
  assert.equal(store.sweep(), 1);
  assert.deepEqual(
    query().map((v) => v.value),
    ['6'],
  );
});

test('the items held are bounded: past the limit the store starts over, answers stay right', () => {
  const { store, write } = createStore();
  const count = heldItemsLimit + 10;
  for (let i = 0; i < count; i++) write('ns', { q: `q${i}` }, `${i}`);
  const all = store.getExternalMetric('ns', everything, { metric: 'queue' });
  assert.equal(all.length, count);
  const first = all.find((v) => v.metricLabels.q === 'q0')!;
  const again = store.getExternalMetric('ns', parseSelector('q=q0'), { metric: 'queue' });
  assert.notEqual(again[0], first, 'the first items made were dropped when the limit was reached');
  assert.equal(again[0]!.value, '0');
});
