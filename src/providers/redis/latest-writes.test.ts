import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../../api/types.js';
import { parseQuantity } from '../../quantity/index.js';
import type { DecodedWrite } from './decoded-write.js';
import { latestWrites } from './redis-writer.js';

const custom = (name: string, value: string, objectLabels?: Labels, metric = 'rps'): DecodedWrite => ({
  kind: 'custom',
  write: {
    info: { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric },
    name: { namespace: 'ns', name },
    value: parseQuantity(value),
    metricLabels: {},
    objectLabels,
    timestamp: 1,
  },
});
const external = (value: string): DecodedWrite => ({
  kind: 'external',
  write: { namespace: 'ns', metric: 'queue', labels: { q: 'a' }, value: parseQuantity(value), timestamp: 1 },
});
const shown = (writes: readonly DecodedWrite[]): string[] =>
  writes.map(({ kind, write }) =>
    kind === 'external'
      ? `external ${write.value}`
      : `${write.name.name}/${write.info.metric} ${write.value}${write.objectLabels ? ` ${JSON.stringify(write.objectLabels)}` : ''}`,
  );

test("a series' last write is kept, in its place, and other series keep their order", () => {
  const writes = [
    custom('a', '1'),
    custom('b', '1'),
    custom('a', '2'),
    custom('a', '1', undefined, 'other'),
    custom('b', '2'),
  ];
  assert.deepEqual(shown(latestWrites(writes)), ['a/rps 2', 'a/other 1', 'b/rps 2']);
});

test('a write with object labels stays until a later write of its series carries labels', () => {
  const web = { app: 'web' };
  const api = { app: 'api' };
  assert.deepEqual(shown(latestWrites([custom('a', '1', web), custom('a', '2')])), [
    'a/rps 1 {"app":"web"}',
    'a/rps 2',
  ]);
  assert.deepEqual(shown(latestWrites([custom('a', '1', web), custom('a', '2', api), custom('a', '3')])), [
    'a/rps 2 {"app":"api"}',
    'a/rps 3',
  ]);
  // The object's last labels win over another metric's labels written in between.
  assert.deepEqual(
    shown(latestWrites([custom('a', '1', web), custom('a', '1', api, 'other'), custom('a', '2', web)])),
    ['a/other 1 {"app":"api"}', 'a/rps 2 {"app":"web"}'],
  );
});

test('external writes and a batch with nothing to drop are passed through', () => {
  const writes = [external('1'), external('2'), custom('a', '1')];
  assert.equal(latestWrites(writes), writes);
  const single = [custom('a', '1')];
  assert.equal(latestWrites(single), single);
});
