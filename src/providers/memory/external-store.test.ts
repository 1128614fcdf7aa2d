import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/errors.js';
import { parseQuantity } from '../../quantity/index.js';
import { everything, parseSelector } from '../../selector/index.js';
import { ExternalStore } from './external-store.js';
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
