import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectLister } from '../../kube/object-lister.js';
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { createLogger } from '../../log/index.js';
import { everything, parseSelector } from '../../selector/index.js';
import type { PrometheusClient, Sample } from './client/index.js';
import { PrometheusCustomProvider } from './custom-provider.js';
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
      seriesQuery: 'queue_length{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ],
  mapper,
  'rules',
);
const pods = { group: '', resource: 'pods' };
const info = { groupResource: pods, namespaced: true, metric: 'queue_length' };
const ctx = { signal: new AbortController().signal };
const podName = (i: number) => `web-${String(i).padStart(4, '0')}`;

/** Prometheus holding `queue_length` = i for pods 0..n-1 of `default`; records every query. */
async function providerFor(
  n: number,
  objects?: ObjectLister,
): Promise<{ provider: PrometheusCustomProvider; queries: string[] }> {
  const queries: string[] = [];
  const samples: Sample[] = Array.from({ length: n }, (_, i) => ({
    labels: { pod: podName(i) },
    timestamp: 1_700_000_000_000,
    value: i,
  }));
  const client: PrometheusClient = {
    series: async () => [{ __name__: 'queue_length', namespace: 'default', pod: podName(0) }],
    async query(expr) {
      queries.push(expr);
      return { resultType: 'vector', samples };
    },
  };
  const registry = new SeriesRegistry(mapper);
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
  const provider = new PrometheusCustomProvider({
    client,
    registry,
    discovery,
    mapper,
    logger,
    timeoutMs: 1000,
    ...(objects ? { objects } : {}),
  });
  return { provider, queries };
}

/** A cluster whose pods are `names`; the selector is matched against `labelsOf`. */
function listerOf(
  names: readonly string[],
  labelsOf: (name: string) => Record<string, string>,
): ObjectLister & { calls: number } {
  const lister = {
    calls: 0,
    async matching(_gr: unknown, _namespace: string, selector: { matches(labels: Record<string, string>): boolean }) {
      lister.calls++;
      const set = new Set(names.filter((name) => selector.matches(labelsOf(name))));
      return { size: set.size, has: (name: string) => set.has(name), [Symbol.iterator]: () => set[Symbol.iterator]() };
    },
    close: async () => {},
  };
  return lister;
}

describe('Prometheus custom provider', () => {
  test('without a cluster, the labelSelector becomes matchers on the series labels', async () => {
    const { provider, queries } = await providerFor(3);
    await provider.getMetricBySelector('default', parseSelector('app=web'), info, everything, ctx);
    assert.deepEqual(queries, ['sum(queue_length{app="web",namespace="default",pod=~".+"}) by (pod)']);
  });

  test('with a cluster, the query names no pod whatever their number, and the result is intersected', async () => {
    const all = Array.from({ length: 1000 }, (_, i) => podName(i));
    // Every third pod is app=web; pods 1000.. exist in the cluster but have no sample.
    const lister = listerOf([...all, 'web-extra-1', 'web-extra-2'], (name) => ({
      app: name.startsWith('web-extra') || Number(name.slice(4)) % 3 === 0 ? 'web' : 'db',
    }));
    const { provider, queries } = await providerFor(1000, lister);
    const values = await provider.getMetricBySelector('default', parseSelector('app=web'), info, everything, ctx);
    assert.deepEqual(queries, ['sum(queue_length{namespace="default",pod=~".+"}) by (pod)']);
    const expected = all.filter((_, i) => i % 3 === 0);
    assert.deepEqual(
      values.map((v) => v.describedObject.name),
      expected,
    );
    assert.equal(values[1]!.value, '3');
  });

  test('with a cluster, no matching object means no query at all', async () => {
    const { provider, queries } = await providerFor(
      3,
      listerOf([], () => ({})),
    );
    assert.deepEqual(
      await provider.getMetricBySelector('default', parseSelector('app=web'), info, everything, ctx),
      [],
    );
    assert.deepEqual(queries, []);
  });

  test('a resource the cluster does not serve falls back to the series labels', async () => {
    const lister: ObjectLister = { matching: async () => undefined, close: async () => {} };
    const { provider, queries } = await providerFor(3, lister);
    await provider.getMetricBySelector('default', parseSelector('app=web'), info, everything, ctx);
    assert.deepEqual(queries, ['sum(queue_length{app="web",namespace="default",pod=~".+"}) by (pod)']);
  });

  test('with a cluster, a named object is still matched exactly', async () => {
    const { provider, queries } = await providerFor(
      3,
      listerOf([podName(1)], () => ({})),
    );
    const value = await provider.getMetricByName({ namespace: 'default', name: podName(1) }, info, everything, ctx);
    assert.equal(value.value, '1');
    assert.deepEqual(queries, [`sum(queue_length{namespace="default",pod="${podName(1)}"}) by (pod)`]);
  });
});
