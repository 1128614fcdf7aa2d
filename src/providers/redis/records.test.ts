import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../../quantity/index.js';
import type { CustomMetricWrite, ExternalMetricWrite } from '../backend.js';
import { compareStreamIds, createKeys, decodeRecord, encodeCustom, encodeExternal } from './records.js';

const custom: CustomMetricWrite = {
  info: { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: 'rps' },
  name: { namespace: 'team-a', name: 'web' },
  value: parseQuantity('1.5'),
  metricLabels: { method: 'GET' },
  objectLabels: { app: 'web' },
  timestamp: 1_700_000_000_123,
};
const external: ExternalMetricWrite = { namespace: null, metric: 'queue', labels: { 'q,=': 'a=b' }, value: parseQuantity('10'), timestamp: 1 };

describe('redis records', () => {
  test('a record this version cannot read is an error, not a value', () => {
    assert.throws(() => decodeRecord('{"k":"c","ns":"a"}'));
    assert.throws(() => decodeRecord('not json'));
    assert.throws(() => decodeRecord('{"k":"e","ns":null,"m":"q","l":{},"v":"1x","t":1}'));
  });

  test('a custom write survives the round trip; the series key leaves object labels to the object key', () => {
    const decoded = decodeRecord(encodeCustom(custom, true));
    assert.equal(decoded.kind, 'custom');
    assert.deepEqual({ ...decoded.write, value: decoded.write.value.toString() }, { ...custom, value: '1500m' });
    const bare = decodeRecord(encodeCustom(custom, false));
    assert.equal((bare.write as CustomMetricWrite).objectLabels, undefined);
    assert.deepEqual((decodeRecord(encodeCustom(custom, false), { app: 'db' }).write as CustomMetricWrite).objectLabels, { app: 'db' });
  });

  test('an external write survives the round trip, global scope included', () => {
    const decoded = decodeRecord(encodeExternal(external));
    assert.deepEqual({ ...decoded.write, value: decoded.write.value.toString() }, { ...external, value: '10' });
  });

  test('keys tell series apart whatever their labels hold, and say their kind', () => {
    const keys = createKeys('ma:');
    const a = keys.externalSeries(external);
    const b = keys.externalSeries({ ...external, labels: { q: ',=a=b' } });
    assert.notEqual(a, b);
    assert.equal(keys.kindOf(a), 'external');
    assert.equal(keys.kindOf(keys.customSeries(custom)), 'custom');
    assert.equal(keys.kindOf(keys.object(custom)), 'object');
    assert.equal(keys.kindOf(keys.stream), undefined);
    assert.equal(createKeys('a*b:').pattern, 'a\\*b:*');
  });

  test('stream IDs order by time, then sequence, not as text', () => {
    assert.equal(compareStreamIds('9-0', '10-0'), -1);
    assert.equal(compareStreamIds('10-2', '10-10'), -1);
    assert.equal(compareStreamIds('10-1', '10-1'), 0);
    assert.equal(compareStreamIds('11-0', '10-99'), 1);
  });
});
