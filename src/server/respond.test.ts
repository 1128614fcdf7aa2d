import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerBodies } from '../api/body-pool.js';
import { jsonBytes } from './respond.js';

const compact = '{"kind":"MetricValueList","items":[]}\n';

test('a pooled body re-indented for a pretty read goes back to the pool', () => {
  const pooled = answerBodies.take(compact.length);
  pooled.write(compact);
  const pretty = jsonBytes({ url: '/apis?pretty=true', headers: {} }, pooled);
  assert.equal(pretty.toString(), '{\n  "kind": "MetricValueList",\n  "items": []\n}');
  // NB: the pool starts its current slab over once no body is out, so the next body is carved where this one was.
  const next = answerBodies.take(compact.length);
  assert.equal(next.buffer, pooled.buffer);
  assert.equal(next.byteOffset, pooled.byteOffset);
  answerBodies.release(next);
});

test('a compact read keeps its pooled body as it is, for its writer to give back', () => {
  const pooled = answerBodies.take(compact.length);
  pooled.write(compact);
  assert.equal(jsonBytes({ url: '/apis', headers: {} }, pooled), pooled);
  const next = answerBodies.take(compact.length);
  assert.notEqual(next.byteOffset, pooled.byteOffset);
  answerBodies.release(next);
  answerBodies.release(pooled);
});

test('a curl User-Agent gets the pretty form of a string body', () => {
  const bytes = jsonBytes({ url: '/apis', headers: { 'user-agent': 'curl/8.5.0' } }, compact);
  assert.equal(bytes.toString(), '{\n  "kind": "MetricValueList",\n  "items": []\n}');
});
