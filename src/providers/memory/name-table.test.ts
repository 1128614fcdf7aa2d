import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NameTable } from './name-table.js';

/** Names that collide in short tables, share prefixes, and include the ones the arena cannot hold. */
const names = fc.oneof(
  fc.nat(300).map((n) => `pod-${n}`),
  fc.constantFrom('', 'a', 'ä', 'é-1', 'x'.repeat(70_000), 'ünïcode-ŝ', '名前', '🙂', 'pod-1\u0000'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

test('property: a NameTable answers as a Map of name to slot through adds, removes, growth and compaction', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), name: names }),
    fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const table = new NameTable();
      const model = new Map<string, number>();
      const freeSlots: number[] = [];
      let next = 0;
      for (const o of ops) {
        if (o.kind === 'add') {
          if (model.has(o.name)) continue;
          const slot = freeSlots.pop() ?? next++;
          table.add(o.name, slot);
          model.set(o.name, slot);
        } else if (model.size > 0) {
          const [name, slot] = [...model][o.pick % model.size]!;
          table.remove(slot);
          model.delete(name);
          freeSlots.push(slot);
        }
        assert.equal(table.size, model.size);
      }
      for (const [name, slot] of model) {
        assert.equal(table.slot(name), slot);
        assert.equal(table.nameOf(slot), name);
      }
      for (let n = 0; n <= 300; n += 7) {
        const name = `pod-${n}`;
        assert.equal(table.slot(name), model.get(name));
      }
    }),
    { numRuns: 300 },
  );
});

test('a NameTable keeps 100k names through removing every other one and adding them back', () => {
  const table = new NameTable();
  const count = 100_000;
  for (let i = 0; i < count; i++) table.add(`pod-${i}`, i);
  for (let i = 0; i < count; i += 2) table.remove(i);
  assert.equal(table.size, count / 2);
  for (let i = 0; i < count; i += 2) table.add(`again-${i}`, i);
  assert.equal(table.size, count);
  for (let i = 0; i < count; i++) {
    const name = i % 2 === 0 ? `again-${i}` : `pod-${i}`;
    assert.equal(table.slot(name), i, name);
    assert.equal(table.nameOf(i), name);
  }
  assert.equal(table.slot('pod-0'), undefined);
});
