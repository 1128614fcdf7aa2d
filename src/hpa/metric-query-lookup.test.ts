import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsFetcher } from './explain.js';
import { lookUpMetricQuery } from './metric-query-lookup.js';

function fetcherOf(routes: Record<string, { status: number; body: unknown }>): MetricsFetcher & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async get(url) {
      asked.push(url);
      const route = routes[url];
      return route === undefined
        ? { status: 404, body: '{"kind":"Status","code":404}' }
        : { status: route.status, body: JSON.stringify(route.body) };
    },
  };
}

const path = '/apis/metrics-adapter.io/v1alpha1/namespaces/team-a/metricqueries/orders';

describe('lookUpMetricQuery', () => {
  test('no object, a server without the CRD, or an answer that is not a MetricQuery: nothing to show', async () => {
    assert.equal(await lookUpMetricQuery(fetcherOf({}), 'team-a', 'orders'), undefined);
    assert.equal(
      await lookUpMetricQuery(fetcherOf({ [path]: { status: 200, body: { kind: 'Status' } } }), 'team-a', 'orders'),
      undefined,
    );
    assert.equal(
      await lookUpMetricQuery(
        {
          get: async () => {
            throw new Error('ECONNREFUSED');
          },
        },
        'team-a',
        'orders',
      ),
      undefined,
    );
  });

  test('an object shows its query and conditions, and says when its status is behind its spec', async () => {
    const fetcher = fetcherOf({
      [path]: {
        status: 200,
        body: {
          kind: 'MetricQuery',
          apiVersion: 'metrics-adapter.io/v1alpha1',
          metadata: { name: 'orders', namespace: 'team-a', generation: 3 },
          spec: { backend: 'prom', query: 'sum(q{<<.LabelMatchers>>}', servedAs: 'External' },
          status: {
            observedGeneration: 2,
            conditions: [
              {
                type: 'Valid',
                status: 'False',
                reason: 'InvalidQuery',
                message: 'spec.query: parse error: unexpected end of query',
              },
              { type: 'Active', status: 'False', reason: 'NotRead', message: 'not read' },
            ],
          },
        },
      },
    });
    const summary = await lookUpMetricQuery(fetcher, 'team-a', 'orders');
    assert.deepEqual(fetcher.asked, [path]);
    assert.deepEqual(summary, {
      object: 'team-a/orders',
      backend: 'prom',
      servedAs: 'External',
      query: 'sum(q{<<.LabelMatchers>>}',
      valid: 'False: InvalidQuery: spec.query: parse error: unexpected end of query',
      active: 'False: NotRead: not read',
      stale: true,
    });
  });
});
