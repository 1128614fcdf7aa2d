// The per-object list paths (docs/api-compatibility.md "every metric of one object"): a trailing slash where the
// metric would be asks for all of one object's metrics (`metric: ''`); any other empty segment, or `*` for the
// namespace, resource or name, is no such route (404), as CMAS answers an unmatched path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../api/errors.js';
import { parseCustomPath, splitPath } from './paths.js';

function notFound(segments: string[]): void {
  assert.throws(
    () => parseCustomPath(segments),
    (error: unknown) => error instanceof StatusError && error.code === 404,
    segments.join('/'),
  );
}

test('per-object list paths: one object of a namespaced or cluster resource, or a namespace itself', () => {
  assert.deepEqual(parseCustomPath(['namespaces', 'shop', 'pods', 'web-1', '']), {
    namespace: 'shop',
    resource: 'pods',
    name: 'web-1',
    metric: '',
  });
  const shop = { namespace: '', resource: 'namespaces', name: 'shop', metric: '' };
  assert.deepEqual(parseCustomPath(['namespaces', 'shop', 'metrics', '']), shop);
  assert.deepEqual(parseCustomPath(['namespaces', 'shop', '']), shop);
  assert.deepEqual(parseCustomPath(['nodes', 'node-1', '']), {
    namespace: '',
    resource: 'nodes',
    name: 'node-1',
    metric: '',
  });
});

test('per-object list paths: other empty segments, wildcards and lengths are 404', () => {
  notFound(['nodes', '']);
  notFound(['']);
  notFound(['namespaces', 'shop', 'pods', '']);
  notFound(['namespaces', '*', 'pods', 'web-1', '']);
  notFound(['namespaces', 'shop', '*', 'web-1', '']);
  notFound(['namespaces', 'shop', 'pods', '*', '']);
  notFound(['namespaces', 'shop', 'pods', '', '']);
  notFound(['namespaces', '', '']);
  notFound(['namespaces', 'shop', 'pods', 'web-1', 'm', '']);
  notFound(['nodes', '*', '']);
  notFound(['*', 'node-1', '']);
  notFound(['nodes', 'node-1', 'm', '']);
  notFound(['pods', '', 'm']);
  notFound(['namespaces', 'shop', 'metrics', 'x', 'y', '']);
});

test('splitPath decodes a path whose first character is an escape', () => {
  assert.deepEqual(splitPath('%41b/c'), ['Ab', 'c']);
});
