import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Labels } from '../../api/types.js';
import { parseSelector } from '../../selector/index.js';
import { Interner } from './intern.js';
import { ObjectSlots } from './object-slots.js';

const selectors = ['app=web', 'app in (web,db)', 'app=web,tier=x', 'tier=x'];

test('property: slots, labels and candidates agree with a naive model of retains, relabels and releases', () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('retain' as const),
      object: fc.nat(20),
      app: fc.option(fc.constantFrom('web', 'db'), { nil: undefined }),
      tier: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('release' as const), object: fc.nat(20) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      // NB: a tiny interner, so that equal label sets sometimes come back as different objects.
      const interner = new Interner(2);
      const slots = new ObjectSlots();
      const model = new Map<string, { refs: number; labels: Labels }>();
      for (const o of ops) {
        const name = `pod-${o.object}`;
        const before = slots.generation;
        if (o.kind === 'retain') {
          const raw: Record<string, string> = {};
          if (o.app !== undefined) raw.app = o.app;
          if (o.tier) raw.tier = 'x';
          const labels = interner.labels(raw).labels;
          const slot = slots.slotFor(name, labels);
          slots.retain(slot);
          const entry = model.get(name);
          model.set(name, { refs: (entry?.refs ?? 0) + 1, labels });
          if (entry === undefined || entry.labels !== labels) assert.ok(slots.generation > before);
        } else {
          const slot = slots.slot(name);
          const entry = model.get(name);
          assert.equal(slot !== undefined, entry !== undefined);
          if (slot === undefined || entry === undefined) continue;
          slots.release(slot);
          if (--entry.refs === 0) {
            model.delete(name);
            assert.ok(slots.generation > before);
          }
        }
      }
      assert.equal(slots.size, model.size);
      for (const [name, entry] of model) {
        const slot = slots.slot(name)!;
        assert.equal(slots.nameOf(slot), name);
        assert.deepEqual(slots.labelsOf(slot), entry.labels);
      }
      for (const text of selectors) {
        const selector = parseSelector(text);
        const expected = [...model]
          .filter(([, e]) => selector.matches(e.labels))
          .map(([name]) => name)
          .sort();
        const groups = slots.candidates(selector, Number.POSITIVE_INFINITY) ?? [];
        const found = groups
          .filter((g) => selector.matches(g.labels))
          .flatMap((g) => Array.from({ length: g.size }, (_, i) => slots.nameOf(g.member(i))))
          .sort();
        assert.deepEqual(found, expected, text);
      }
    }),
    { numRuns: 500 },
  );
});

test('an object held by more than 255 metrics goes only with the last release', () => {
  const slots = new ObjectSlots();
  const slot = slots.slotFor('pod', undefined);
  for (let i = 0; i < 600; i++) slots.retain(slot);
  for (let i = 0; i < 599; i++) slots.release(slot);
  assert.equal(slots.slot('pod'), slot);
  slots.release(slot);
  assert.equal(slots.slot('pod'), undefined);
  assert.equal(slots.size, 0);
});
