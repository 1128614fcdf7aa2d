import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyPool } from './body-pool.js';

/** Fills a body with bytes derived from `mark`, so a later overwrite shows. */
function stamp(body: Buffer, mark: number): void {
  for (let i = 0; i < body.length; i++) body[i] = (mark * 31 + i) & 0xff;
}

function intact(body: Buffer, mark: number): boolean {
  for (let i = 0; i < body.length; i++) if (body[i] !== ((mark * 31 + i) & 0xff)) return false;
  return true;
}

test('a body released is reused; one still out is never handed out again', () => {
  const pool = new BodyPool(1024, 512, 1);
  const first = pool.take(100);
  assert.equal(first.length, 100);
  assert.ok(pool.owns(first));
  pool.release(first);
  const again = pool.take(100);
  assert.equal(again.buffer, first.buffer, 'the same slab');
  assert.equal(again.byteOffset, first.byteOffset, 'from its start, now that nothing is out');
  const second = pool.take(100);
  assert.notEqual(second.byteOffset, again.byteOffset);
  assert.ok(second.byteOffset >= again.byteOffset + 100, 'bodies out never overlap');
});

test('a body longer than the largest pooled one gets memory of its own, which the pool does not own', () => {
  const pool = new BodyPool(1024, 512, 1);
  const big = pool.take(513);
  assert.equal(big.length, 513);
  assert.equal(pool.owns(big), false);
  pool.release(big);
  assert.equal(pool.owns(Buffer.from('not pooled')), false);
  pool.release(Buffer.from('not pooled'));
});

test('a full slab with a body out is left alone; the pool carves from another one', () => {
  const pool = new BodyPool(256, 128, 1);
  const held = pool.take(128);
  stamp(held, 1);
  const next = pool.take(128);
  pool.release(next);
  // NB: the slab holding `held` is full and cannot restart while `held` is out.
  const more = Array.from({ length: 10 }, (_, i) => {
    const body = pool.take(100);
    stamp(body, 100 + i);
    return body;
  });
  assert.ok(intact(held, 1), 'the body still out kept its bytes');
  for (const [i, body] of more.entries()) assert.ok(intact(body, 100 + i));
  pool.release(held);
  for (const body of more) pool.release(body);
});

test('random takes and releases: no two bodies out share a byte, and every body out keeps what was written', () => {
  const pool = new BodyPool(4096, 1500, 2);
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const out = new Map<Buffer, number>();
  let mark = 0;
  for (let step = 0; step < 20_000; step++) {
    if (out.size > 0 && random(3) === 0) {
      const bodies = [...out.keys()];
      const body = bodies[random(bodies.length)]!;
      assert.ok(intact(body, out.get(body)!), `body ${out.get(body)} was overwritten while out`);
      out.delete(body);
      pool.release(body);
      continue;
    }
    const body = pool.take(1 + random(2000));
    stamp(body, ++mark);
    out.set(body, mark);
  }
  for (const [body, m] of out) assert.ok(intact(body, m), `body ${m} was overwritten while out`);
  const ranges = [...out.keys()]
    .filter((b) => pool.owns(b))
    .map((b) => ({ buffer: b.buffer, from: b.byteOffset, to: b.byteOffset + b.length }))
    .sort((a, b) => a.from - b.from);
  for (let i = 0; i < ranges.length; i++)
    for (let j = i + 1; j < ranges.length; j++)
      if (ranges[i]!.buffer === ranges[j]!.buffer) assert.ok(ranges[i]!.to <= ranges[j]!.from, 'overlap');
});
