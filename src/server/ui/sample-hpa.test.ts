import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHpa } from '../../hpa/parse-hpa.js';
import type { MetricSnapshot } from './metric-snapshot.js';
import { sampleHpa } from './sample-hpa.js';

const value = (object: string, text: string, namespace: string, labels?: Record<string, string>) => ({
  object,
  value: text,
  number: Number.NaN,
  timestamp: 0,
  namespace,
  ...(labels ? { labels } : {}),
});

const nodes: MetricSnapshot = {
  key: 'custom:nodes:temperature',
  api: 'custom',
  title: 'nodes temperature',
  values: [value('node-1', '45500m', '')],
  truncated: false,
};
const failing: MetricSnapshot = {
  key: 'custom:pods:broken',
  api: 'custom',
  title: 'pods broken',
  values: [],
  truncated: false,
  error: 'back end down',
};
const pods: MetricSnapshot = {
  key: 'custom:pods:http_requests',
  api: 'custom',
  title: 'pods http_requests',
  truncated: false,
  values: [
    value('shop/web-1', '300m', 'shop'),
    value('shop/web-2', '500m', 'shop'),
    value('shop/web-3', '446m', 'shop'),
    value('other/x', '9', 'other'),
  ],
};
const queue: MetricSnapshot = {
  key: 'external:queue_messages_ready',
  api: 'external',
  title: 'external queue_messages_ready',
  truncated: false,
  values: [value('default {queue=worker}', '95', 'default', { queue: 'worker' })],
};

test('no pods or external metric served: a Resource cpu example that parses', () => {
  for (const metrics of [[], [nodes], [failing, nodes]]) {
    const sample = sampleHpa(metrics);
    const hpa = parseHpa(sample.yaml, 'sample');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(
      hpa.spec.metrics?.map((m) => [m.type, m.resource?.name, m.resource?.target.averageUtilization]),
      [['Resource', 'cpu', 80]],
    );
    assert.equal(sample.currentReplicas, '1');
  }
});

test('the first served custom metric of pods: a Pods metric whose target is the current average in its namespace', () => {
  const sample = sampleHpa([nodes, failing, queue, pods]);
  const hpa = parseHpa(sample.yaml, 'sample');
  assert.equal(hpa.metadata?.namespace, 'shop');
  const [metric] = hpa.spec.metrics ?? [];
  assert.equal(metric?.type, 'Pods');
  assert.equal(metric?.pods?.metric.name, 'http_requests');
  // (300m + 500m + 446m) / 3 = 415.33m, rounded up to whole milli-units as the HPA compares.
  assert.deepEqual([metric?.pods?.target.type, String(metric?.pods?.target.averageValue)], ['AverageValue', '416m']);
  assert.equal(sample.currentReplicas, '3', 'one replica per pod with a value');
  assert.match(sample.yaml, /^# A sample built from the Pods metric http_requests in shop/);
});

test('else the first external series: its name, labels and current value', () => {
  const sample = sampleHpa([nodes, queue]);
  const hpa = parseHpa(sample.yaml, 'sample');
  const [metric] = hpa.spec.metrics ?? [];
  assert.equal(metric?.type, 'External');
  assert.deepEqual(metric?.external?.metric, {
    name: 'queue_messages_ready',
    selector: { matchLabels: { queue: 'worker' } },
  });
  assert.deepEqual([metric?.external?.target.type, String(metric?.external?.target.value)], ['Value', '95']);
  assert.equal(hpa.metadata?.namespace, 'default');
});

test('names that YAML would misread stay one string', () => {
  const odd: MetricSnapshot = { ...pods, key: 'custom:pods:a: b #c', values: [value('ns/p', '0', 'ns')] };
  const hpa = parseHpa(sampleHpa([odd]).yaml, 'sample');
  assert.equal(hpa.spec.metrics?.[0]?.pods?.metric.name, 'a: b #c');
  assert.equal(
    String(hpa.spec.metrics?.[0]?.pods?.target.averageValue),
    '1m',
    'a zero average still gives a valid (positive) target',
  );
});
