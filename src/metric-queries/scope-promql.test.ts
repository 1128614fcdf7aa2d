import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PromQLSyntaxError, scopePromQL } from './scope-promql.js';

describe('scopePromQL', () => {
  test('a query that does not parse is refused, naming where', () => {
    assert.throws(
      () => scopePromQL('sum(rate(http_requests_total{job="a"}[5m]', 'namespace', 'team-a'),
      (e: unknown) => e instanceof PromQLSyntaxError && /unexpected end of query/.test(e.message),
    );
    assert.throws(() => scopePromQL('sum(foo) by (', 'namespace', 'team-a'), PromQLSyntaxError);
    assert.throws(() => scopePromQL('foo{a=}', 'namespace', 'team-a'), /parse error at character 7/);
    assert.throws(() => scopePromQL('', 'namespace', 'team-a'), /empty/);
  });

  test('a query without any selector is refused: it could not be scoped and reads nothing of the namespace', () => {
    assert.throws(() => scopePromQL('vector(1)', 'namespace', 'team-a'), /reads no series/);
  });

  test('every selector is scoped: plain, with matchers, in ranges, subqueries, functions and both sides of an operator', () => {
    assert.equal(
      scopePromQL(
        'sum(rate(foo{a="b"}[5m])) by (pod) / on() bar + {__name__="x"} + baz offset 5m + max_over_time(qux[5m:1m])',
        'namespace',
        'team-a',
      ),
      'sum(rate(foo{a="b",namespace="team-a"}[5m])) by (pod) / on() bar{namespace="team-a"} + {__name__="x",namespace="team-a"} + baz{namespace="team-a"} offset 5m + max_over_time(qux{namespace="team-a"}[5m:1m])',
    );
  });

  test('a matcher naming another namespace is kept and ANDed with the forced one, so it selects nothing', () => {
    assert.equal(
      scopePromQL('foo{namespace="team-b"}', 'namespace', 'team-a'),
      'foo{namespace="team-b",namespace="team-a"}',
    );
    assert.equal(
      scopePromQL('foo{namespace=~".+",}', 'namespace', 'team-a'),
      'foo{namespace=~".+",namespace="team-a"}',
    );
    assert.equal(scopePromQL('foo{}', 'kube_namespace_name', 'team-a'), 'foo{kube_namespace_name="team-a"}');
  });

  test('the namespace is quoted as PromQL needs', () => {
    assert.equal(scopePromQL('foo', 'namespace', 'a"b'), 'foo{namespace="a\\"b"}');
  });
});
