import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import type { QueryRunner } from '../providers/query-runner.js';
import { parseSelector, everything } from '../selector/index.js';
import { compileMetricQuery, MetricQueryInvalid, type CompileOptions } from './compile-metric-query.js';
import type { MetricQueryObject } from './metric-query.js';

const runner: QueryRunner = { language: 'promql', namespaceLabel: 'namespace', instant: async () => [] };
const options: CompileOptions = {
  backends: (name) =>
    name === 'prom' ? { kind: 'prometheus', queries: runner } : name === 'mem' ? { kind: 'memory' } : undefined,
  mapper: createStaticResourceMapper(),
};
const object = (spec: unknown, namespace = 'team-a'): MetricQueryObject => ({
  metadata: { name: 'orders', namespace, generation: 3 },
  spec,
});
const invalid = (reason: string, message: RegExp) => (e: unknown) =>
  e instanceof MetricQueryInvalid && e.reason === reason && message.test(e.message);

describe('compileMetricQuery', () => {
  test('a broken object is refused with the reason its Valid condition shows', () => {
    assert.throws(
      () => compileMetricQuery(object({ query: 'x' }), options),
      invalid('InvalidSpec', /^spec\.backend: /),
    );
    assert.throws(
      () => compileMetricQuery(object({ backend: 'prom', query: 'x', servedAs: 'Sometimes' }), options),
      invalid('InvalidSpec', /^spec\.servedAs/),
    );
    assert.throws(
      () => compileMetricQuery(object({ backend: 'nope', query: 'x' }), options),
      invalid('UnknownBackend', /no back end named nope/),
    );
    assert.throws(
      () => compileMetricQuery(object({ backend: 'mem', query: 'x' }), options),
      invalid('UnsupportedBackend', /mem \(memory\) cannot run/),
    );
    assert.throws(
      () =>
        compileMetricQuery(object({ backend: 'prom', query: 'x' }), {
          ...options,
          allowedBackends: new Set(['other']),
        }),
      invalid('BackendNotAllowed', /allowed: other/),
    );
    assert.throws(
      () => compileMetricQuery(object({ backend: 'prom', query: 'sum(x{<<.Nope>>})' }), options),
      invalid('InvalidQuery', /^spec\.query: /),
    );
    assert.throws(
      () => compileMetricQuery(object({ backend: 'prom', query: 'sum(x{<<.LabelMatchers>>}' }), options),
      invalid('InvalidQuery', /unexpected end of query/),
    );
    assert.throws(
      () => compileMetricQuery(object({ backend: 'prom', query: 'x', servedAs: 'Custom' }), options),
      invalid('InvalidSpec', /spec\.resource/),
    );
    assert.throws(
      () => compileMetricQuery(object({ backend: 'prom', query: 'x', servedAs: 'Custom', resource: 'nodes' }), options),
      invalid('UnknownResource', /not namespaced/),
    );
  });

  test('an external query gets the namespace and the metric selector, and every selector is scoped', () => {
    const compiled = compileMetricQuery(
      object({ backend: 'prom', query: 'sum(q{<<.LabelMatchers>>}) / sum(other)' }),
      options,
    );
    assert.equal(compiled.api, 'external');
    assert.equal(compiled.generation, 3);
    if (compiled.api !== 'external') return;
    assert.deepEqual(compiled.info, { metric: 'orders' });
    assert.equal(
      compiled.buildQuery(parseSelector('queue=orders')),
      'sum(q{queue="orders",namespace="team-a"}) / sum(other{namespace="team-a"})',
    );
  });

  test('a custom query names the objects and groups by the object label, the resource singular by default', () => {
    const compiled = compileMetricQuery(
      object({
        backend: 'prom',
        query: 'sum(r{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
        servedAs: 'Custom',
        resource: 'pods',
      }),
      options,
    );
    if (compiled.api !== 'custom') return assert.fail('a custom metric');
    assert.deepEqual(compiled.info, {
      groupResource: { group: '', resource: 'pods' },
      namespaced: true,
      metric: 'orders',
    });
    assert.equal(compiled.buildQuery(everything, ['web-1']), 'sum(r{namespace="team-a",pod="web-1"}) by (pod)');
    assert.equal(compiled.buildQuery(everything, undefined), 'sum(r{namespace="team-a",pod=~".+"}) by (pod)');
  });
});
