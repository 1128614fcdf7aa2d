import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { createSilentLogger } from '../../log/index.js';
import { createMemoryModel } from '../../providers/memory/memory-model.js';
import { parseQuantity } from '../../quantity/index.js';
import { takeSnapshot } from './metric-snapshot.js';

test('the snapshot shows up to 20 values per metric and marks a metric with more as truncated', async () => {
  const mapper = createStaticResourceMapper();
  const model = createMemoryModel({ mapper, logger: createSilentLogger(), ttlMs: 0 });
  const pods = mapper.resourceFor('pods');
  const write = (metric: string, count: number) => {
    for (let i = 0; i < count; i++) {
      model.writeCustom({
        info: { groupResource: pods, namespaced: true, metric },
        name: { namespace: 'default', name: `p${i}` },
        value: parseQuantity(String(i)),
        metricLabels: {},
        objectLabels: undefined,
        timestamp: Date.now(),
      });
    }
  };
  write('many', 30);
  write('exact', 20);
  const snapshot = await takeSnapshot({ custom: model.custom });
  const byKey = new Map(snapshot.map((m) => [m.key, m]));
  assert.equal(byKey.get('custom:pods:many')!.values.length, 20);
  assert.equal(byKey.get('custom:pods:many')!.truncated, true);
  assert.equal(byKey.get('custom:pods:exact')!.values.length, 20);
  assert.equal(byKey.get('custom:pods:exact')!.truncated, false);
  model.close();
});
