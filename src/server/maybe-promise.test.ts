import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPromiseLike, whenReady } from './maybe-promise.js';

test('whenReady answers at once for a value and later for a promise, a throw as a throw or a rejection', async () => {
  const now = whenReady(2, (n) => n * 10);
  assert.equal(now, 20);
  const later = whenReady(Promise.resolve(3), (n) => n * 10);
  assert.ok(isPromiseLike(later));
  assert.equal(await later, 30);
  const boom = (): never => {
    throw new Error('boom');
  };
  assert.throws(() => whenReady(1, boom), /boom/);
  await assert.rejects(async () => whenReady(Promise.resolve(1), boom), /boom/);
  await assert.rejects(async () => whenReady(Promise.reject(new Error('upstream')), (n: number) => n), /upstream/);
});

test('isPromiseLike tells thenables from values, including null and primitives', () => {
  assert.equal(isPromiseLike(Promise.resolve(1)), true);
  // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is what this checks.
  assert.equal(isPromiseLike({ then: () => undefined }), true);
  for (const value of [null, undefined, 0, 'text', { code: 200 }, Buffer.from('x')])
    assert.equal(isPromiseLike(value), false);
});
