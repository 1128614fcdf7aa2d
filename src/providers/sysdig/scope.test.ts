import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/errors.js';
import { parseSelector } from '../../selector/index.js';
import { entityFor, joinFilters, objectFilters, objectLabel, quote, selectorFilters } from './scope.js';

const pods = entityFor({ group: '', resource: 'pods' })!;

test('a value holding a quote or a backslash is refused, never spliced into a scope', () => {
  for (const bad of ["web' or 'a' = 'a", 'web\\']) {
    assert.throws(
      () => quote(bad),
      (e: unknown) => e instanceof StatusError && e.code === 400,
    );
  }
  assert.equal(quote('web-1'), "'web-1'");
});

test('resources Sysdig does not scope have no entity', () => {
  assert.equal(entityFor({ group: 'example.com', resource: 'widgets' }), undefined);
  assert.equal(entityFor({ group: 'apps', resource: 'deployments' })?.entity, 'kubernetes.deployment');
  assert.equal(entityFor({ group: '', resource: 'namespaces' })?.namespaced, false);
});

test('selectors become one clause per requirement, with Go-sorted values', () => {
  const clauses = selectorFilters(parseSelector('tier notin (db,cache),app=web,env!=dev'), (key) =>
    objectLabel(pods, key),
  );
  assert.deepEqual(clauses, [
    "kubernetes.pod.label.app = 'web'",
    "kubernetes.pod.label.env != 'dev'",
    "kubernetes.pod.label.tier not in ('cache', 'db')",
  ]);
  assert.equal(joinFilters([]), undefined);
});

test('an object is scoped by namespace and name; a cluster-scoped one by name only', () => {
  assert.deepEqual(objectFilters(pods, 'shop', 'web-1'), [
    "kubernetes.namespace.name = 'shop'",
    "kubernetes.pod.name = 'web-1'",
  ]);
  assert.deepEqual(objectFilters(entityFor({ group: '', resource: 'namespaces' })!, '', 'shop'), [
    "kubernetes.namespace.name = 'shop'",
  ]);
});
