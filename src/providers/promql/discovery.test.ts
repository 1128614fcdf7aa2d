import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../../api/types.js';
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { createLogger } from '../../log/index.js';
import type { PrometheusClient } from './client/index.js';
import { createDiscovery } from './discovery.js';
import { compileRules } from './rules/index.js';
import { SeriesRegistry } from './series-registry.js';

const mapper = createStaticResourceMapper();
const logger = createLogger({
  format: 'json',
  verbosity: 0,
  destination: { write: () => true } as unknown as NodeJS.WritableStream,
});
const rules = compileRules(
  [
    {
      seriesQuery: '{__name__=~"^http_.*_total$",namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^(.*)_total$', as: '${1}_per_second' },
      seriesFilters: [{ isNot: '^http_debug_' }],
      metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
    },
  ],
  mapper,
  'rules',
);

function clientWith(answers: Labels[][]): PrometheusClient & { calls: number } {
  const client = {
    calls: 0,
    async series() {
      return answers[Math.min(client.calls++, answers.length - 1)]!;
    },
    query: () => Promise.reject(new Error('not used')),
  };
  return client;
}

const web = { __name__: 'http_requests_total', namespace: 'default', pod: 'web-1' };

describe('discovery', () => {
  test('filters and renames series; the list keeps its identity while unchanged', async () => {
    const registry = new SeriesRegistry(mapper);
    const client = clientWith([
      [web, { ...web, __name__: 'http_debug_total' }],
      [web, { ...web, pod: 'web-2' }],
      [{ ...web, __name__: 'http_errors_total' }],
    ]);
    const discovery = createDiscovery({
      client,
      registry,
      rules,
      externalRules: [],
      relistIntervalMs: 60_000,
      maxAgeMs: 60_000,
      logger,
    });
    await discovery.relist();
    const first = registry.listAllMetrics();
    assert.deepEqual(first.map((m) => `${m.groupResource.resource}/${m.metric}:${m.namespaced}`).sort(), [
      'namespaces/http_requests_per_second:false',
      'pods/http_requests_per_second:true',
    ]);
    await discovery.relist();
    assert.equal(registry.listAllMetrics(), first, 'same metrics, same array');
    await discovery.relist();
    assert.notEqual(registry.listAllMetrics(), first);
    assert.equal(
      registry.findCustom({ group: '', resource: 'pods' }, 'http_errors_per_second')?.seriesName,
      'http_errors_total',
    );
  });

  test('a request before the first list waits for one; concurrent callers share it', async () => {
    const registry = new SeriesRegistry(mapper);
    const client = clientWith([[web]]);
    const discovery = createDiscovery({
      client,
      registry,
      rules,
      externalRules: [],
      relistIntervalMs: 60_000,
      maxAgeMs: 60_000,
      logger,
    });
    assert.equal(registry.listed, false);
    await Promise.all([
      discovery.ensureListed(new AbortController().signal),
      discovery.ensureListed(new AbortController().signal),
    ]);
    assert.equal(registry.listed, true);
    assert.equal(client.calls, 1);
  });

  test('a failing list keeps what was known', async () => {
    const registry = new SeriesRegistry(mapper);
    let fail = false;
    const client: PrometheusClient = {
      series: async () => {
        if (fail) throw new Error('down');
        return [web];
      },
      query: () => Promise.reject(new Error('not used')),
    };
    const discovery = createDiscovery({
      client,
      registry,
      rules,
      externalRules: [],
      relistIntervalMs: 60_000,
      maxAgeMs: 60_000,
      logger,
    });
    await discovery.relist();
    fail = true;
    await discovery.relist();
    assert.equal(registry.listAllMetrics().length, 2);
  });
});
