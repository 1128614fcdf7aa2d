import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Labels } from '../../api/types.js';
import { emptyLabels } from './intern.js';
import { MetricColumn } from './metric-column.js';

const method: Labels = Object.freeze({ method: 'GET' });

function contents(column: MetricColumn): string[] {
  return column
    .slots()
    .map(
      (slot) =>
        `${slot}=${column.valueAt(slot)}@${column.secondsAt(slot)}${column.labelsAt(slot) === method ? '+GET' : ''}`,
    )
    .sort();
}

test('property: a column holds what a Map of the same sets and deletes holds, sparse or dense', () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('set' as const),
      slot: fc.nat(300),
      value: fc.nat(9),
      ts: fc.constantFrom(1_700_000_000, 2 ** 33, -5),
      labelled: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('delete' as const), slot: fc.nat(300) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const column = new MetricColumn();
      const model = new Map<number, string>();
      let limit = 0;
      for (const o of ops) {
        if (o.kind === 'set') {
          limit = Math.max(limit, o.slot + 1);
          const added = column.set(o.slot, String(o.value), o.ts, o.labelled ? method : emptyLabels, limit);
          assert.equal(added, !model.has(o.slot));
          model.set(o.slot, `${o.slot}=${o.value}@${o.ts}${o.labelled ? '+GET' : ''}`);
        } else {
          column.delete(o.slot);
          model.delete(o.slot);
        }
        assert.equal(column.count, model.size);
      }
      assert.deepEqual(contents(column), [...model.values()].sort());
      for (let slot = 0; slot <= 300; slot++) assert.equal(column.has(slot), model.has(slot));
    }),
    { numRuns: 300 },
  );
});

test('a column written for every slot turns dense; one written for a few far slots stays correct', () => {
  const column = new MetricColumn();
  for (let slot = 0; slot < 1000; slot++) column.set(slot, 'v', 1_700_000_000, emptyLabels, slot + 1);
  column.set(100_000, 'far', 1_700_000_000, emptyLabels, 100_001);
  column.set(200_000, 'farther', 2 ** 40, method, 200_001);
  assert.equal(column.count, 1002);
  assert.equal(column.valueAt(100_000), 'far');
  assert.equal(column.secondsAt(200_000), 2 ** 40);
  assert.equal(column.labelsAt(200_000), method);
  assert.equal(column.labelsAt(5), emptyLabels);
});
