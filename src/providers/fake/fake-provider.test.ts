import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceUnavailable, StatusError } from '../../api/errors.js';
import { InvalidQuantityError } from '../../quantity/index.js';
import { everything, parseSelector } from '../../selector/index.js';
import { describeReadOnlyBackend } from '../conformance/index.js';
import { createFakeProvider } from './fake-provider.js';

const ctx = { signal: new AbortController().signal };
const pods = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' };

describeReadOnlyBackend('fake provider', { custom: true, external: true, unreachable: true }, async (fixture) => {
  const fake = createFakeProvider({
    custom: fixture.custom.map((o) => ({
      resource: o.info.groupResource.resource,
      namespace: o.name.namespace,
      name: o.name.name,
      metric: o.info.metric,
      value: o.number,
      labels: o.objectLabels,
      metricLabels: o.metricLabels,
    })),
    external: fixture.external.map((s) => ({
      metric: s.metric,
      namespace: s.namespace,
      labels: s.labels,
      value: s.value,
    })),
  });
  return {
    custom: fake.custom,
    external: fake.external,
    unreachable: {
      names: /the metrics service is down/,
      cut: async () => fake.failWith(serviceUnavailable('the metrics service is down', new Error('ECONNREFUSED'))),
    },
    close: async () => {},
  };
});

describe('fake provider', () => {
  test('a set value replaces the one of the same object and metric; remove() makes the metric a 404', async () => {
    const fake = createFakeProvider({
      custom: [{ resource: 'pods', namespace: 'shop', name: 'web-1', metric: 'rps', value: 1 }],
    });
    const list = fake.custom.listAllMetrics();
    fake.setCustom({
      resource: 'po',
      namespace: 'shop',
      name: 'web-1',
      metric: 'rps',
      value: '250m',
      windowSeconds: 30,
    });
    fake.setCustom({ resource: 'pods', namespace: 'shop', name: 'web-2', metric: 'rps', value: 2 });
    assert.equal(fake.custom.listAllMetrics(), list, 'the same metric list while no metric was added');
    const value = await fake.custom.getMetricByName({ namespace: 'shop', name: 'web-1' }, pods, everything, ctx);
    assert.deepEqual({ value: value.value, windowSeconds: value.windowSeconds }, { value: '250m', windowSeconds: 30 });
    fake.remove('rps');
    assert.deepEqual(fake.custom.listAllMetrics(), []);
    await assert.rejects(
      async () => fake.custom.getMetricByName({ namespace: 'shop', name: 'web-1' }, pods, everything, ctx),
      (e: unknown) => e instanceof StatusError && e.code === 404,
    );
  });

  test('an external series without a namespace is visible in every namespace', async () => {
    const fake = createFakeProvider({
      external: [
        { metric: 'queue', value: 5 },
        { metric: 'queue', namespace: 'shop', labels: { q: 'mail' }, value: 7 },
      ],
    });
    const values = async (ns: string, selector = '') =>
      (
        await fake.external.getExternalMetric(
          ns,
          selector === '' ? everything : parseSelector(selector),
          { metric: 'queue' },
          ctx,
        )
      )
        .map((v) => v.value)
        .sort();
    assert.deepEqual(await values('shop'), ['5', '7']);
    assert.deepEqual(await values('other'), ['5']);
    assert.deepEqual(await values('shop', 'q=mail'), ['7']);
  });

  test('records every request as the caller made it', async () => {
    const fake = createFakeProvider({
      custom: [
        {
          resource: 'deployments.apps',
          namespace: 'shop',
          name: 'web',
          metric: 'rps',
          value: 3,
          labels: { app: 'web' },
        },
      ],
    });
    const deployments = { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: 'rps' };
    await fake.custom.getMetricBySelector('shop', parseSelector('app=web'), deployments, everything, ctx);
    await assert.rejects(async () =>
      fake.external.getExternalMetric('shop', parseSelector('q in (a,b)'), { metric: 'queue' }, ctx),
    );
    assert.deepEqual(fake.requests, [
      {
        api: 'custom',
        metric: 'rps',
        namespace: 'shop',
        resource: 'deployments.apps',
        name: '*',
        labelSelector: 'app=web',
        metricSelector: '',
      },
      { api: 'external', metric: 'queue', namespace: 'shop', metricSelector: 'q in (a,b)' },
    ]);
  });

  test('a missing field is a TypeError naming it; a bad quantity an InvalidQuantityError', () => {
    assert.throws(
      () => createFakeProvider({ custom: [{ resource: 'pods', name: '', metric: 'rps', value: 1 }] }),
      /name must be a non-empty string/,
    );
    assert.throws(() => createFakeProvider({ external: [{ metric: 'queue', value: 'lots' }] }), InvalidQuantityError);
  });
});
