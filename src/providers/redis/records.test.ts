import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../../quantity/index.js';
import type { CustomMetricWrite, ExternalMetricWrite } from '../write.js';
import { compareStreamIds, decodeEntry, encodeBatch } from './records.js';

const custom: CustomMetricWrite = {
  info: { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: 'rps' },
  name: { namespace: 'team-a', name: 'web' },
  value: parseQuantity('1.5'),
  metricLabels: { method: 'GET' },
  objectLabels: { app: 'web' },
  timestamp: 1_700_000_000_123,
};
const external: ExternalMetricWrite = {
  namespace: null,
  metric: 'queue',
  labels: { 'q,=': 'a=b' },
  value: parseQuantity('10'),
  timestamp: 1,
};
const plain = <T extends { value: { toString(): string } }>(write: T) => ({ ...write, value: write.value.toString() });

describe('redis stream records', () => {
  test('an entry this version cannot read is an error, not a value', () => {
    assert.throws(() => decodeEntry(['x', '[]']), /unknown field/);
    assert.throws(() => decodeEntry(['b', 'not json']));
    assert.throws(() => decodeEntry(['b', '{}']), /must be an array/);
    assert.throws(() => decodeEntry(['b', '[["e",null,"q",{},"1x",1]]']));
    assert.throws(() => decodeEntry(['b', '[["c","ns"]]']), /unknown kind/);
    assert.throws(() => decodeEntry(['b', '[["e",null,"q",{"a":1},"1",1]]']), /label values/);
    assert.throws(() => decodeEntry(['b']), /without a value/);
  });

  test('a batch keeps its writes, their order and a missing objectLabels', () => {
    const bare = { ...custom, objectLabels: undefined };
    const decoded = decodeEntry([
      'b',
      encodeBatch([
        { kind: 'custom', write: custom },
        { kind: 'external', write: external },
        { kind: 'custom', write: bare },
      ]),
    ]);
    assert.deepEqual(
      decoded.map((d) => d.kind),
      ['custom', 'external', 'custom'],
    );
    assert.deepEqual(plain(decoded[0]!.write), { ...plain(custom), value: '1500m' });
    assert.deepEqual(plain(decoded[1]!.write), plain(external));
    assert.equal((decoded[2]!.write as CustomMetricWrite).objectLabels, undefined);
  });

  test('an entry of the layout before is read as its one write', () => {
    const json = JSON.stringify({
      k: 'c',
      ns: 'team-a',
      g: 'apps',
      r: 'deployments',
      m: 'rps',
      n: 'web',
      v: '1500m',
      ml: { method: 'GET' },
      ol: { app: 'web' },
      t: 1_700_000_000_123,
    });
    const [decoded] = decodeEntry(['w', json]);
    assert.deepEqual(plain(decoded!.write), { ...plain(custom), value: '1500m' });
  });

  test('stream IDs order by time, then sequence, not as text', () => {
    assert.equal(compareStreamIds('9-0', '10-0'), -1);
    assert.equal(compareStreamIds('10-2', '10-10'), -1);
    assert.equal(compareStreamIds('10-1', '10-1'), 0);
    assert.equal(compareStreamIds('11-0', '10-99'), 1);
  });
});
