import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bucketOf,
  createKeys,
  customScope,
  externalScope,
  levelFor,
  neighbourLevels,
  packCustomRest,
  packLabels,
  packValue,
  parseScope,
  unpackCustomRest,
  unpackLabels,
  unpackValue,
} from './layout.js';

// NB: `__proto__` is no label key (the write API checks keys with Kubernetes' rules), and would be an object's
// prototype.
const labels = fc.dictionary(
  fc.string().filter((k) => k !== '__proto__'),
  fc.string(),
  { maxKeys: 5, noNullPrototype: true },
);

describe('redis compact layout', () => {
  test("what is not the layout's is refused, not misread", () => {
    assert.throws(() => unpackValue('no-separator'), /no timestamp/);
    assert.throws(() => unpackValue('!!\x1f1'), /no timestamp/);
    assert.throws(() => unpackLabels('a\x1fb\x1fc'), /without a value/);
    assert.throws(() => unpackLabels('{"a":1}'), /strings/);
    assert.throws(() => parseScope('custom', '["a","b"]'), /not a custom scope/);
    assert.throws(() => parseScope('object', '["a",null,"c"]'), /not a object scope/);
    assert.deepEqual(parseScope('external', '[null,"q"]'), [null, 'q']);
    const keys = createKeys('ma:');
    assert.equal(keys.parse('other:s:x:0'), undefined);
    assert.equal(keys.parse('ma:writes'), undefined);
    assert.equal(keys.parse('ma:s:'), undefined);
  });

  test('labels, values and metric labels read back exactly what was packed, whatever they hold', () => {
    fc.assert(fc.property(labels, (l) => assert.deepEqual(unpackLabels(packLabels(l)), l)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), fc.string(), (ts, rest) =>
        assert.deepEqual(unpackValue(packValue(ts, rest)), { timestamp: ts, rest }),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom('1', '250m', '-3k', '1500000'), labels, (q, l) =>
        assert.deepEqual(unpackCustomRest(packCustomRest(q, l)), { quantity: q, metricLabels: l }),
      ),
    );
  });

  test('equal label sets pack equally, different ones differently', () => {
    assert.equal(packLabels({ b: '2', a: '1' }), packLabels({ a: '1', b: '2' }));
    fc.assert(
      fc.property(labels, labels, (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        assert.equal(packLabels(a) === packLabels(b), same);
      }),
    );
  });

  test('keys name their kind and scope, and scopes are unambiguous', () => {
    const keys = createKeys('ma:');
    const scope = customScope('ns', '', 'pods', 'rps');
    assert.deepEqual(keys.parse(keys.bucket('custom', scope, 'web-1', 3)), { kind: 'custom', scope, partition: 0 });
    assert.deepEqual(keys.parse(keys.bucket('external', externalScope(null, 'q'), 'a\x1fb', 0)), {
      kind: 'external',
      scope: '[null,"q"]',
      partition: 0,
    });
    assert.deepEqual(keys.parse('ma:c:["ns","","pods","rps","web"]'), { kind: 'legacy', legacy: 'custom' });
    assert.notEqual(customScope('a:b', '', 'c', 'd'), customScope('a', 'b', 'c', 'd'));
    assert.equal(createKeys('a*b:').pattern, 'a\\*b:*');
  });

  test('buckets hold about 32 to 64 fields, and a field moves only to a neighbouring bucket when its scope doubles', () => {
    assert.deepEqual([0, 64, 65, 128, 129, 100_000, 10 ** 9].map(levelFor), [0, 0, 1, 1, 2, 11, 16]);
    const counts = new Map<number, number>();
    for (let i = 0; i < 100_000; i++) {
      const b = bucketOf(`pod-${i}`, levelFor(100_000));
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    assert.equal(counts.size, 2048);
    assert.ok(
      Math.max(...counts.values()) < 128,
      `the fullest bucket has ${Math.max(...counts.values())} fields: a listpack holds 128`,
    );
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 16 }), (field, level) => {
        for (const other of neighbourLevels(field, level))
          assert.notEqual(bucketOf(field, other), bucketOf(field, level));
        if (level > 0) assert.equal(bucketOf(field, level) & ((1 << (level - 1)) - 1), bucketOf(field, level - 1));
      }),
    );
  });

  test('a cluster layout: one hash tag per partition, partitions spread evenly over the slots, one metric in one partition', async () => {
    const { default: slotOf } = await import('cluster-key-slot');
    const keys = createKeys('ma:', slotOf);
    assert.equal(keys.partitions.length, 16);
    keys.partitions.forEach((partition, i) => {
      assert.ok(partition.slot >= i * 1024 && partition.slot < (i + 1) * 1024, `partition ${i} in its slot range`);
      assert.equal(slotOf(partition.stream), partition.slot);
    });
    const scope = customScope('ns', '', 'pods', 'rps');
    const p = keys.partitionOf('rps');
    const key = keys.bucket('custom', scope, 'web-1', 2, p);
    assert.equal(slotOf(key), keys.partitions[p]!.slot, "a bucket sits in its partition's slot");
    assert.deepEqual(keys.parse(key), { kind: 'custom', scope, partition: p });
    assert.equal(keys.parse('ma:s:["ns","","pods","rps"]:0'), undefined, "an untagged key is not the cluster layout's");
    assert.equal(keys.parse('ma:{nope}s:["ns","","pods","rps"]:0'), undefined);
    assert.equal(keys.parse('ma:{0.0}c:x'), undefined, 'no layout before in a cluster');
    const used = new Set(Array.from({ length: 200 }, (_, i) => keys.partitionOf(`metric_${i}`)));
    assert.equal(used.size, 16, 'metrics spread over every partition');
  });
});
