import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ItemArena, ItemArenas } from './item-arena.js';

/** What `copyTo` must write for `numbers`: each kept item's JSON followed by a comma. */
function joined(kept: Map<number, string>, numbers: readonly number[]): string {
  return numbers.map((n) => `${kept.get(n)!},`).join('');
}

function copied(arena: ItemArena, numbers: readonly number[]): string {
  const length = numbers.reduce((sum, n) => sum + arena.lengthOf(n), 0);
  const out = Buffer.alloc(length + 8, 0x2e);
  const end = arena.copyTo(numbers, out, 4);
  assert.equal(end, 4 + length, 'copyTo ends where the lengths say');
  assert.equal(out.subarray(0, 4).toString(), '....', 'nothing before the offset is written');
  assert.equal(out.subarray(end).toString(), '....', 'nothing after the end is written');
  return out.subarray(4, end).toString();
}

test('items put together are copied in any order, each with its comma', () => {
  const arena = new ItemArena();
  assert.equal(arena.put(3, '{"a":1}'), 8);
  assert.equal(arena.put(7, '{"b":"ü"}'), 11, 'the length in UTF-8 bytes, with the comma');
  assert.ok(arena.has(3) && arena.has(7));
  assert.equal(arena.has(4), false);
  assert.equal(arena.has(1000), false);
  assert.equal(arena.lengthOf(1000), 0);
  assert.equal(copied(arena, [3, 7]), '{"a":1},{"b":"ü"},');
  assert.equal(copied(arena, [7, 3]), '{"b":"ü"},{"a":1},');
  assert.equal(copied(arena, []), '');
  arena.drop(3);
  assert.equal(arena.has(3), false);
  assert.equal(arena.lengthOf(3), 0);
  arena.put(3, '{"a":2}');
  assert.equal(copied(arena, [3, 7]), '{"a":2},{"b":"ü"},');
  arena.put(3, '{"a":33}');
  assert.equal(copied(arena, [3, 7]), '{"a":33},{"b":"ü"},', 'a put replaces');
  arena.clear();
  assert.equal(arena.has(7), false);
});

test('random puts, drops and clears (through growth and compaction) always copy what was last put', () => {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const arena = new ItemArena();
  const kept = new Map<number, string>();
  let written = 0;
  for (let step = 0; step < 20_000; step++) {
    const number = random(500);
    const roll = random(100);
    if (roll < 60) {
      const json = `{"n":${number},"step":${step},"pad":"${'x'.repeat(random(300))}"}`;
      arena.put(number, json);
      written += json.length + 1;
      kept.set(number, json);
    } else if (roll < 99) {
      arena.drop(number);
      kept.delete(number);
    } else {
      arena.clear();
      kept.clear();
    }
    if (step % 97 === 0) {
      const numbers = [...kept.keys()];
      for (let i = numbers.length - 1; i > 0; i--) {
        const j = random(i + 1);
        [numbers[i], numbers[j]] = [numbers[j]!, numbers[i]!];
      }
      for (const n of numbers) assert.ok(arena.has(n), `item ${n} is kept at step ${step}`);
      assert.equal(copied(arena, numbers), joined(kept, numbers), `step ${step}`);
    }
  }
  // NB: at most 500 items of about 200 bytes are kept at once: an arena this small after megabytes were written was
  // compacted, again and again.
  assert.ok(written > 2_000_000, `${written} bytes written`);
  assert.ok(arena.size <= 512 * 1024, `the arena stays near what it keeps (${arena.size} bytes)`);
});

test('items put one after another are copied as one run', () => {
  const arena = new ItemArena();
  for (let n = 0; n < 100; n++) arena.put(n, `{"n":${n}}`);
  const out = Buffer.alloc(100 * 10);
  let copies = 0;
  const copy = Buffer.prototype.copy;
  Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer['copy']>) {
    copies++;
    return copy.apply(this, args);
  };
  try {
    arena.copyTo([...Array(100).keys()], out, 0);
    assert.equal(copies, 1);
    copies = 0;
    arena.copyTo([0, 1, 2, 50, 51, 99], out, 0);
    assert.equal(copies, 3);
  } finally {
    Buffer.prototype.copy = copy;
  }
});

test('ItemArenas keeps one arena per version, drops and clears in both, and counts each change', () => {
  const arenas = new ItemArenas();
  assert.equal(arenas.of('v1beta1'), arenas.of('v1beta1'));
  assert.notEqual(arenas.of('v1beta1'), arenas.of('v1beta2'));
  arenas.of('v1beta1').put(1, '{}');
  arenas.of('v1beta2').put(1, '{}');
  arenas.of('v1beta2').put(2, '{}');
  const before = arenas.changes;
  arenas.drop(1);
  assert.equal(arenas.changes, before + 1);
  assert.equal(arenas.of('v1beta1').has(1), false);
  assert.equal(arenas.of('v1beta2').has(1), false);
  assert.ok(arenas.of('v1beta2').has(2));
  arenas.clear();
  assert.equal(arenas.changes, before + 2);
  assert.equal(arenas.of('v1beta2').has(2), false);
});
