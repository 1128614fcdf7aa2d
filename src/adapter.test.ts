import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdapter } from './adapter.js';
import { createManualClock, value } from './providers/function/index.js';
import type { ExternalMetricsProvider } from './providers/provider.js';

const external = '/apis/external.metrics.k8s.io/v1beta1';
const staticExternal: ExternalMetricsProvider = {
  getExternalMetric: () => [],
  listAllExternalMetrics: () => [{ metric: 'x' }],
};

describe('createAdapter', () => {
  test('an adapter with neither a provider nor a metric refuses to build', () => {
    assert.throws(
      () => createAdapter().server,
      /needs a custom, external or resource metrics provider, or a metric added with addMetric/,
    );
  });

  test('addMetric is refused beside an external provider, and after the server was built without it', async () => {
    assert.throws(
      () => createAdapter({ external: staticExternal }).addMetric({ name: 'q' }, () => 1),
      /no `external` provider/,
    );
    const adapter = createAdapter({
      custom: {
        getMetricByName: () => Promise.reject(new Error('unused')),
        getMetricBySelector: () => [],
        listAllMetrics: () => [],
      },
    });
    void adapter.server;
    assert.throws(() => adapter.addMetric({ name: 'q' }, () => 1), /before listen\(\) or run\(\)/);
    await adapter.close();
  });

  test('addMetric serves the external metrics API: discovery, the base value, a label variant, 404 and 503 Status', async () => {
    const clock = createManualClock(Date.UTC(2025, 0, 2, 3, 4, 5));
    const adapter = createAdapter({ metricFunctions: { clock } });
    adapter.addMetric({ name: 'queue_length', every: '15s' }, () => value(42).withLabels({ region: 'eu' }, 40));
    adapter.addMetric({ name: 'broken' }, () => {
      throw new Error('secret detail');
    });
    await clock.advance(0);
    const get = async (url: string) => {
      const res = await adapter.server.inject({ method: 'GET', url });
      return { code: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
    };
    const discovery = await get(external);
    assert.deepEqual(
      (discovery.body.resources as { name: string }[]).map((r) => r.name),
      ['broken', 'queue_length'],
    );
    assert.deepEqual(await get(`${external}/namespaces/default/queue_length`), {
      code: 200,
      body: {
        kind: 'ExternalMetricValueList',
        apiVersion: 'external.metrics.k8s.io/v1beta1',
        metadata: {},
        items: [{ metricName: 'queue_length', metricLabels: {}, timestamp: '2025-01-02T03:04:05Z', value: '42' }],
      },
    });
    const eu = await get(`${external}/namespaces/team-a/queue_length?labelSelector=region%20in%20(eu)`);
    assert.deepEqual(
      (eu.body.items as { metricLabels: unknown; value: string }[]).map((i) => [i.metricLabels, i.value]),
      [[{ region: 'eu' }, '40']],
    );
    const missing = await get(`${external}/namespaces/default/nope`);
    assert.equal(missing.code, 404);
    assert.equal(missing.body.reason, 'NotFound');
    const broken = await get(`${external}/namespaces/default/broken`);
    assert.equal(broken.code, 503);
    assert.equal(broken.body.reason, 'ServiceUnavailable');
    assert.doesNotMatch(String(broken.body.message), /secret detail/);
    assert.equal(
      (await adapter.server.inject({ url: '/apis/custom.metrics.k8s.io/v1beta2' })).statusCode,
      404,
      'only the groups with a provider are served',
    );
    await adapter.close();
  });
});
