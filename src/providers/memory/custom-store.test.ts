import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMetricValueList } from '../../api/encode-metrics.js';
import { StatusError } from '../../api/errors.js';
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { parseQuantity } from '../../quantity/index.js';
import { everything, parseSelector } from '../../selector/index.js';
import type { CustomMetricInfo, MetricValue } from '../provider.js';
import { CustomStore } from './custom-store.js';
import { heldItemsLimit } from './held-items.js';
import { Interner } from './intern.js';

const pods: CustomMetricInfo = {
  groupResource: { group: '', resource: 'pods' },
  namespaced: true,
  metric: 'http_requests',
};

function createStore(ttlMs = 0, clock = { now: 1_700_000_000_000 }) {
  const store = new CustomStore({
    mapper: createStaticResourceMapper(),
    interner: new Interner(),
    ttlMs,
    now: () => clock.now,
  });
  const write = (
    name: string,
    value: string,
    objectLabels?: Record<string, string>,
    metricLabels: Record<string, string> = {},
  ) =>
    store.write({
      info: pods,
      name: { namespace: 'ns', name },
      value: parseQuantity(value),
      metricLabels,
      objectLabels,
      timestamp: clock.now,
    });
  return { store, write, clock };
}

test('a missing object or metric is a 404 StatusError, a selector mismatch names the selector', async () => {
  const { store, write } = createStore();
  write('p1', '1', {}, { method: 'GET' });
  assert.throws(
    () => store.getMetricByName({ namespace: 'ns', name: 'p2' }, pods, everything),
    (e: unknown) => e instanceof StatusError && e.code === 404,
  );
  assert.throws(() => store.getMetricByName({ namespace: 'other', name: 'p1' }, pods, everything), StatusError);
  assert.throws(
    () => store.getMetricByName({ namespace: 'ns', name: 'p1' }, pods, parseSelector('method=POST')),
    /could not find the metric http_requests for pods p1 with selector method=POST/,
  );
});

test('a write replaces the value and metric labels; object labels stay unless given again', async () => {
  const { store, write } = createStore();
  write('p1', '1', { app: 'web' }, { method: 'GET' });
  write('p1', '2500m', undefined, { method: 'PUT' });
  const value = store.getMetricByName({ namespace: 'ns', name: 'p1' }, pods, parseSelector('method=PUT'));
  assert.equal(value.value, '2500m');
  assert.deepEqual(value.metric, { name: 'http_requests', selector: { matchLabels: { method: 'PUT' } } });
  assert.equal((await store.getMetricBySelector('ns', parseSelector('app=web'), pods, everything)).length, 1);
  write('p1', '3', { app: 'db' });
  assert.equal((await store.getMetricBySelector('ns', parseSelector('app=web'), pods, everything)).length, 0);
  assert.equal((await store.getMetricBySelector('ns', parseSelector('app=db'), pods, everything)).length, 1);
  assert.equal(store.seriesCount, 1);
});

test('the selector query returns exactly the matching objects that have a value', async () => {
  const { store, write } = createStore();
  for (let i = 0; i < 1000; i++) write(`pod-${i}`, String(i), { app: `web-${i % 10}`, shard: String(i % 3) });
  const web3 = await store.getMetricBySelector('ns', parseSelector('app=web-3'), pods, everything);
  assert.equal(web3.length, 100);
  assert.ok(web3.every((v) => Number(v.describedObject.name.slice(4)) % 10 === 3));
  const setBased = await store.getMetricBySelector(
    'ns',
    parseSelector('app in (web-1,web-2),shard!=0'),
    pods,
    everything,
  );
  const expected = [...Array(1000).keys()].filter((i) => (i % 10 === 1 || i % 10 === 2) && i % 3 !== 0).length;
  assert.equal(setBased.length, expected);
  assert.equal((await store.getMetricBySelector('ns', parseSelector('shard'), pods, everything)).length, 1000);
  assert.equal((await store.getMetricBySelector('ns', parseSelector('app=nope'), pods, everything)).length, 0);
  const other: CustomMetricInfo = { ...pods, metric: 'other' };
  assert.equal((await store.getMetricBySelector('ns', parseSelector('app=web-3'), other, everything)).length, 0);
});

test('values older than the TTL are not served, then swept from discovery and the index', async () => {
  const clock = { now: 1_700_000_000_000 };
  const { store, write } = createStore(60_000, clock);
  write('old', '1', { app: 'web' });
  clock.now += 30_000;
  write('new', '2', { app: 'web' });
  clock.now += 45_000;
  assert.deepEqual(
    (await store.getMetricBySelector('ns', parseSelector('app=web'), pods, everything)).map(
      (v) => v.describedObject.name,
    ),
    ['new'],
  );
  assert.throws(() => store.getMetricByName({ namespace: 'ns', name: 'old' }, pods, everything), StatusError);
  assert.equal(store.sweep(), 1);
  assert.equal(store.seriesCount, 1);
  assert.equal(store.listAllMetrics().length, 1);
  clock.now += 60_000;
  assert.equal(store.sweep(), 1);
  assert.deepEqual(store.listAllMetrics(), []);
});

test('discovery returns the same array instance until the metric set changes', async () => {
  const { store, write } = createStore();
  write('p1', '1');
  const first = store.listAllMetrics();
  write('p2', '1');
  assert.equal(store.listAllMetrics(), first);
  store.write({
    info: { ...pods, metric: 'other' },
    name: { namespace: 'ns', name: 'p1' },
    value: parseQuantity('1'),
    metricLabels: {},
    objectLabels: undefined,
    timestamp: Date.now(),
  });
  assert.notEqual(store.listAllMetrics(), first);
  assert.equal(store.listAllMetrics().length, 2);
});

test('an unchanged series answers with the same frozen item; a write, removal or sweep gives a new one', () => {
  const clock = { now: 1_700_000_000_000 };
  const { store, write } = createStore(60_000, clock);
  write('p1', '1', { app: 'web' });
  write('p2', '2', { app: 'web' });
  write('p3', '3', { app: 'db' });
  const web = parseSelector('app=web');
  const query = (selector = web) =>
    store.getMetricBySelector('ns', selector, pods, everything) as readonly MetricValue[];
  const first = query();
  assert.ok(first.every((item) => Object.isFrozen(item) && Object.isFrozen(item.describedObject)));
  // A query of other objects leaves the cache of these ones alone.
  query(parseSelector('app=db'));
  const again = query(parseSelector('app in (web)'));
  assert.deepEqual(
    again.map((item) => item.describedObject.name),
    ['p1', 'p2'],
  );
  assert.equal(again[0], first[0]);
  assert.equal(again[1], first[1]);
  write('p1', '5');
  const afterWrite = query();
  assert.notEqual(afterWrite[0], first[0]);
  assert.equal(afterWrite[0]!.value, '5');
  assert.equal(afterWrite[1], first[1], 'the other pod kept its item');
  store.remove(pods, { namespace: 'ns', name: 'p2' });
  write('p2', '2', { app: 'web' });
  const afterRemove = query();
  assert.notEqual(afterRemove[1], first[1]);
  assert.equal(afterRemove[1]!.value, '2');
  clock.now += 61_000;
  write('p1', '6');
  assert.equal(store.sweep(), 2);
  write('p2', '7', { app: 'web' });
  const afterSweep = query();
  assert.deepEqual(
    afterSweep.map((item) => item.value),
    ['6', '7'],
  );
  assert.notEqual(afterSweep[1], afterRemove[1]);
});

test('a query with a metric selector gets items of its own, which the server does not keep', () => {
  const { store, write } = createStore();
  write('p1', '1', { app: 'web' }, { method: 'GET' });
  const withSelector = store.getMetricBySelector(
    'ns',
    everything,
    pods,
    parseSelector('method=GET'),
  ) as readonly MetricValue[];
  assert.equal(Object.isFrozen(withSelector[0]), false);
  assert.deepEqual(withSelector[0]!.metric, { name: 'http_requests', selector: { matchLabels: { method: 'GET' } } });
  const plain = store.getMetricBySelector('ns', everything, pods, everything) as readonly MetricValue[];
  assert.deepEqual(plain[0]!.metric, { name: 'http_requests', selector: null });
});

test('the items held are bounded: past the limit every series starts over, answers stay right', () => {
  const { store, write } = createStore();
  const count = heldItemsLimit + 10;
  for (let i = 0; i < count; i++) write(`p${i}`, `${i}`, { app: `a${i % 2}` });
  const all = store.getMetricBySelector('ns', everything, pods, everything) as readonly MetricValue[];
  assert.equal(all.length, count);
  const byName = new Map(all.map((item) => [item.describedObject.name, item.value]));
  assert.equal(byName.get('p0'), '0');
  assert.equal(byName.get(`p${count - 1}`), `${count - 1}`);
  // The first items made were dropped when the limit was reached: the same query makes new ones for them.
  const again = store.getMetricBySelector('ns', parseSelector('app=a0'), pods, everything) as readonly MetricValue[];
  assert.notEqual(again[0], all[0]);
  assert.equal(again[0]!.value, '0');
});

test('a named query without a metric selector answers with the same held item as the selector query', () => {
  const { store, write } = createStore();
  write('p1', '1', { app: 'web' });
  const named = store.getMetricByName({ namespace: 'ns', name: 'p1' }, pods, everything);
  assert.ok(Object.isFrozen(named) && named.encodings !== undefined);
  assert.equal(store.getMetricByName({ namespace: 'ns', name: 'p1' }, pods, everything), named);
  const bySelector = store.getMetricBySelector('ns', everything, pods, everything) as readonly MetricValue[];
  assert.equal(bySelector[0], named);
  write('p1', '2');
  const after = store.getMetricByName({ namespace: 'ns', name: 'p1' }, pods, everything);
  assert.notEqual(after, named);
  assert.equal(after.value, '2');
  const withSelector = store.getMetricByName({ namespace: 'ns', name: 'p1' }, pods, parseSelector('!missing'));
  assert.equal(withSelector.encodings, undefined);
  assert.deepEqual(withSelector.metric.selector, { matchExpressions: [{ key: 'missing', operator: 'DoesNotExist' }] });
});

test('answers assembled from held bytes are what fresh encoding gives, through writes, removals and the TTL', () => {
  const { store, write, clock } = createStore(60_000);
  const select = (selector: string) =>
    store.getMetricBySelector('ns', parseSelector(selector), pods, everything) as readonly MetricValue[];
  /** The body from held bytes, checked against encoding a plain copy of the same values. */
  const body = (values: readonly MetricValue[]) => {
    const assembled = encodeMetricValueList('v1beta2', values).toString();
    const plain = values.map(({ encodings: _, ...value }) => value);
    assert.equal(assembled, encodeMetricValueList('v1beta2', plain).toString());
    return assembled;
  };
  for (let i = 0; i < 40; i++) write(`p${i}`, `${i}`, { app: `a${i % 4}` });
  for (let round = 0; round < 3; round++) for (let g = 0; g < 4; g++) body(select(`app=a${g}`));
  // NB: a list selected before a write and encoded after it (another request's answer in between) must not leave its
  // old bytes for the new value.
  const before = select('app=a1');
  write('p5', '500');
  const p5 = (value: string) =>
    new RegExp(`"name":"p5","apiVersion":"v1"},"metric":{[^}]*},"timestamp":"[^"]+","value":"${value}"}`);
  assert.match(body(before), p5('5'));
  assert.match(body(select('app=a1')), p5('500'));
  assert.equal(store.remove(pods, { namespace: 'ns', name: 'p9' }), true);
  assert.doesNotMatch(body(select('app=a1')), /"p9"/);
  clock.now += 30_000;
  write('p13', '13000m');
  clock.now += 40_000;
  assert.equal(JSON.parse(body(select('app=a1'))).items.length, 1, 'only p13 is within the TTL');
  assert.equal(store.sweep(), 38);
});
