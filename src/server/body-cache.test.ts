import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryAdapter } from '../../test/helpers/memory-adapter.js';
import { BodyCache, longestInRing, ringOfLists } from './body-cache.js';

const query = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb';
const external = '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue?labelSelector=q%3Da';

test('a repeated query is answered from the encoded-body cache until a write, in every version', async () => {
  const adapter = await createMemoryAdapter();
  try {
    assert.equal(
      (await adapter.post('/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app=web', '"1"'))
        .statusCode,
      200,
    );
    const first = await adapter.get(query);
    const v1beta1 = await adapter.get(query.replace('v1beta2', 'v1beta1'));
    assert.equal((await adapter.get(query)).body, first.body);
    assert.match(first.body, /"value":"1"/);
    assert.match(v1beta1.body, /"metricName":"http_requests"/, "v1beta1 has its own cached body, not v1beta2's");
    assert.equal(
      (await adapter.post('/write-metrics/namespaces/default/pods/web-1/http_requests', '"2"')).statusCode,
      200,
    );
    assert.match((await adapter.get(query)).body, /"value":"2"/);
    assert.match((await adapter.get(query.replace('v1beta2', 'v1beta1'))).body, /"value":"2"/);
    assert.equal(
      (await adapter.post('/write-metrics/namespaces/default/pods/web-2/http_requests?objectLabels=app=web', '"3"'))
        .statusCode,
      200,
    );
    assert.equal(JSON.parse((await adapter.get(query)).body).items.length, 2);

    assert.equal(
      (await adapter.post('/write-external-metrics/namespaces/default/queue?labels=q=a', '"5"')).statusCode,
      200,
    );
    assert.match((await adapter.get(external)).body, /"value":"5"/);
    assert.equal((await adapter.post('/write-external-metrics/queue?labels=q=a', '"6"')).statusCode, 200);
    assert.match(
      (await adapter.get(external)).body,
      /"value":"5"/,
      'the namespaced series still shadows the global one',
    );
    assert.equal(
      (await adapter.post('/write-external-metrics/namespaces/default/queue?labels=q=a', '"7"')).statusCode,
      200,
    );
    assert.match((await adapter.get(external)).body, /"value":"7"/);
  } finally {
    await adapter.close();
  }
});

function counting() {
  const pooledFlags: boolean[] = [];
  const encode = (list: readonly number[], pooled: boolean): Buffer => {
    pooledFlags.push(pooled);
    return Buffer.from(JSON.stringify(list));
  };
  return { encode, calls: () => pooledFlags.length, pooledFlags };
}

test('a frozen list is encoded into pooled memory on its first read, kept on its second, then answered from it', () => {
  const cache = new BodyCache<number>();
  const { encode, calls, pooledFlags } = counting();
  const list = Object.freeze([1, 2]);
  const first = cache.get(list, encode);
  assert.equal(first.toString(), '[1,2]');
  const kept = cache.get(list, encode);
  assert.equal(kept.toString(), '[1,2]');
  assert.notEqual(kept, first, 'the pooled body is never kept: its memory is reused once written');
  assert.equal(cache.get(list, encode), kept);
  assert.equal(cache.get(list, encode), kept);
  assert.deepEqual(pooledFlags, [true, false]);
  assert.equal(calls(), 2);
});

test('another frozen list with the same items is encoded for itself', () => {
  const cache = new BodyCache<number>();
  const { encode, calls } = counting();
  const a = Object.freeze([1]);
  cache.get(a, encode);
  cache.get(a, encode);
  const b = Object.freeze([1]);
  cache.get(b, encode);
  assert.equal(calls(), 3);
  assert.equal(cache.get(a, encode).toString(), '[1]');
  assert.equal(calls(), 3);
});

test('a list read again after as many other lists as the ring holds is taken for a new one, then kept', () => {
  const cache = new BodyCache<number>();
  const { encode, pooledFlags } = counting();
  const list = Object.freeze([1]);
  cache.get(list, encode);
  for (let i = 0; i < ringOfLists - 1; i++) cache.get(Object.freeze([i]), encode);
  cache.get(list, encode);
  assert.deepEqual(pooledFlags.slice(-1), [false], 'still in the ring: kept on its second read');
  const later = Object.freeze([2]);
  cache.get(later, encode);
  for (let i = 0; i < ringOfLists; i++) cache.get(Object.freeze([i]), encode);
  const before = pooledFlags.length;
  for (let i = 0; i < 3; i++) assert.equal(cache.get(later, encode).toString(), '[2]');
  assert.deepEqual(pooledFlags.slice(before), [true, false], 'overwritten in the ring: pooled once more, then kept');
});

test('a list longer than the ring takes is marked for good: kept on its second read however late', () => {
  const cache = new BodyCache<number>();
  const { encode, pooledFlags } = counting();
  const long = Object.freeze(Array.from({ length: longestInRing + 1 }, (_, i) => i));
  cache.get(long, encode);
  for (let i = 0; i < ringOfLists; i++) cache.get(Object.freeze([i]), encode);
  const kept = cache.get(long, encode);
  assert.equal(cache.get(long, encode), kept);
  assert.deepEqual([pooledFlags[0], pooledFlags.at(-1)], [true, false]);
  assert.equal(pooledFlags.length, 2 + ringOfLists, 'read three times, encoded twice');
});

test('a list that is not frozen is encoded on every read', () => {
  const cache = new BodyCache<number>();
  const { encode, calls, pooledFlags } = counting();
  const list = [3];
  for (let i = 0; i < 4; i++) assert.equal(cache.get(list, encode).toString(), '[3]');
  assert.equal(calls(), 4);
  assert.deepEqual(pooledFlags, [true, true, true, true], 'each answer is written once');
});

test('one frozen item is encoded once as a list of one; an item that is not frozen every time', () => {
  const cache = new BodyCache<{ readonly v: number }>();
  let calls = 0;
  const encode = (list: readonly { readonly v: number }[]): Buffer => {
    calls++;
    return Buffer.from(JSON.stringify(list));
  };
  const frozen = Object.freeze({ v: 1 });
  const first = cache.one(frozen, encode);
  assert.equal(cache.one(frozen, encode), first);
  assert.equal(first.toString(), '[{"v":1}]');
  assert.equal(calls, 1);
  const open = { v: 2 };
  assert.equal(cache.one(open, encode).toString(), '[{"v":2}]');
  open.v = 3;
  assert.equal(cache.one(open, encode).toString(), '[{"v":3}]');
  assert.equal(calls, 3);
});

test('a named-object answer follows every write of its series, in both versions', async () => {
  const adapter = await createMemoryAdapter();
  const named = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests';
  try {
    const write = (value: string) =>
      adapter.post('/write-metrics/namespaces/default/pods/web-1/http_requests', `"${value}"`);
    assert.equal((await write('1')).statusCode, 200);
    const first = await adapter.get(named);
    assert.equal((await adapter.get(named)).body, first.body);
    assert.match(first.body, /"value":"1"/);
    assert.match((await adapter.get(named.replace('v1beta2', 'v1beta1'))).body, /"metricName":"http_requests"/);
    assert.equal((await write('2')).statusCode, 200);
    assert.match((await adapter.get(named)).body, /"value":"2"/);
    assert.match((await adapter.get(named.replace('v1beta2', 'v1beta1'))).body, /"value":"2"/);
    const other = await adapter.get(`${named}?metricLabelSelector=method%3DGET`);
    assert.equal(other.statusCode, 404, 'a metric selector the series does not match');
  } finally {
    await adapter.close();
  }
});
